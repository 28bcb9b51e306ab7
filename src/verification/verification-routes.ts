// The registry-truth API: retirement with handover, proposals, verification states, prompts now.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HandoverService } from './handover-service.ts';
import type { ProposalService } from './proposal-service.ts';
import type { VerificationService } from './verification-service.ts';
import { requireRole, errorResponses } from '../http/index.ts';

const ContactParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const HandoverBody = Type.Object({
  contactId: Type.String(),
  successorId: Type.Union([Type.String(), Type.Null()]),
  consultations: Type.Array(
    Type.Object({
      consultationId: Type.String(),
      ref: Type.String(),
      to: Type.String({ description: 'A contact id, `coordinator`, or `expired` when nobody could take it' }),
    }),
  ),
  requests: Type.Array(
    Type.Object({
      requestId: Type.String(),
      to: Type.Union([Type.String(), Type.Null()]),
      nextNudgeAt: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  deputyOf: Type.Array(Type.String(), {
    description: 'Active contacts naming the retiree as deputy: flagged to the coordinators',
  }),
});

const ProposalBody = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  country: Type.String(),
  kind: Type.Union([Type.Literal('change'), Type.Literal('retire')]),
  fields: Type.Array(Type.String()),
  changes: Type.Record(Type.String(), Type.Unknown()),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('approved'),
    Type.Literal('rejected'),
    Type.Literal('voided'),
  ]),
  proposedBy: Type.String({ description: 'Member id of the proposer' }),
  createdAt: Type.String(),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
});
const VerificationItem = Type.Object({
  contactId: Type.String(),
  country: Type.String(),
  state: Type.Union([
    Type.Literal('fresh'),
    Type.Literal('prompted'),
    Type.Literal('overdue'),
    Type.Literal('unreachable'),
    Type.Literal('proposal_pending'),
  ]),
  since: Type.Union([Type.String(), Type.Null()]),
  verifiedAt: Type.String(),
  lastSource: Type.Union([Type.String(), Type.Null()]),
  promptedAt: Type.Union([Type.String(), Type.Null()]),
  reminders: Type.Integer(),
  nextStep: Type.Union([Type.String(), Type.Null()]),
  nextAt: Type.Union([Type.String(), Type.Null()], {
    description:
      'When the next step is due; for a contact nobody behind has linked, where the first prompt would go once someone links (no timer waits)',
  }),
  linked: Type.Boolean({ description: 'Someone behind the contact linked a messenger' }),
});
const ProposalParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });

export function verificationRoutes(deps: {
  handover: HandoverService;
  proposals: ProposalService;
  verification: VerificationService;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/verification',
      {
        schema: {
          tags: ['registry truth'],
          summary: "Each active contact's verification state (coordinator: own country; admin: any or all)",
          description:
            'fresh (verified within the policy period), prompted (asked, no answer yet), overdue (due or flagged after the reminders), unreachable (prompts keep failing), proposal_pending (a change waits for approval).',
          querystring: Type.Object(
            { country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(VerificationItem) }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => ({
        items: await deps.verification.list(requireRole(request, 'coordinator'), request.query.country),
      }),
    );

    app.post(
      '/v1/contacts/:id/reverify',
      {
        schema: {
          tags: ['registry truth'],
          summary: 'Send the contact the re-verification prompt now (coordinator of its country, admin)',
          params: ContactParams,
          response: { 202: Type.Object({ state: VerificationItem }), ...errorResponses(401, 403, 404) },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'coordinator');
        await deps.verification.reverify(principal, request.params.id);
        return reply.code(202).send({ state: await deps.verification.state(principal, request.params.id) });
      },
    );

    app.get(
      '/v1/proposals',
      {
        schema: {
          tags: ['registry truth'],
          summary: "Proposed changes: a coordinator's country, every one for an admin, a member's own",
          querystring: Type.Object(
            {
              country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
              status: Type.Optional(
                Type.Union([
                  Type.Literal('pending'),
                  Type.Literal('approved'),
                  Type.Literal('rejected'),
                  Type.Literal('voided'),
                ]),
              ),
              contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(ProposalBody) }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => ({
        items: await deps.proposals.list(requireRole(request, 'member'), request.query),
      }),
    );

    app.post(
      '/v1/proposals',
      {
        schema: {
          tags: ['registry truth'],
          summary: 'Change your own record: availability applies at once, the rest waits for a coordinator',
          description:
            "workingHours, outOfOffice and deputy apply at once; name, title, channels, competences, languages and authority become a proposal that a coordinator of the contact's country approves or rejects. Only the person behind the contact, a coordinator of its country or an admin may propose.",
          body: Type.Object(
            {
              contactId: Type.String({ minLength: 1, maxLength: 100 }),
              changes: Type.Record(Type.String(), Type.Unknown()),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              proposal: Type.Union([ProposalBody, Type.Null()]),
              applied: Type.Array(Type.String()),
            }),
            ...errorResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'member');
        const result = await deps.proposals.propose(principal, request.body.contactId, request.body.changes);
        return reply.code(201).send(result);
      },
    );

    for (const [path, decide] of [
      ['/v1/proposals/:id/approve', 'approve'],
      ['/v1/proposals/:id/reject', 'reject'],
    ] as const) {
      app.post(
        path,
        {
          schema: {
            tags: ['registry truth'],
            summary:
              decide === 'approve'
                ? 'Approve a proposal: the record changes (coordinator of its country, admin; never the proposer)'
                : 'Reject a proposal (coordinator of its country, admin; never the proposer)',
            params: ProposalParams,
            response: { 200: ProposalBody, ...errorResponses(401, 403, 404, 409) },
          },
        },
        async (request) => deps.proposals[decide](requireRole(request, 'coordinator'), request.params.id),
      );
    }

    app.post(
      '/v1/contacts/:id/retire',
      {
        schema: {
          tags: ['registry truth'],
          summary:
            'Retire a contact and hand their work over in one transaction (coordinator of its country, admin)',
          description:
            'Open consultations re-route to the successor (or the next in the ranking, or the coordinators), pending requests move to the successor with their nudge schedule, and everyone concerned is told once. Messenger links stay with the member.',
          params: ContactParams,
          body: Type.Union([
            Type.Object(
              { successorId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
              {
                additionalProperties: false,
              },
            ),
            Type.Null(),
          ]),
          response: { 200: HandoverBody, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const principal = requireRole(request, 'coordinator');
        return deps.handover.retire(principal, request.params.id, request.body?.successorId);
      },
    );
  };
}
