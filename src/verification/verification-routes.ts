// The registry-truth API: retirement with handover, proposals, verification states, prompts now.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireRole } from '../http/auth.ts';
import { errorResponses } from '../http/error-schemas.ts';
import type { HandoverService } from './handover-service.ts';

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

export function verificationRoutes(deps: { handover: HandoverService }): FastifyPluginAsyncTypebox {
  return async (app) => {
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
