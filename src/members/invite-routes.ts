import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { IdentityService } from './identity-service.ts';
import { maxInviteHours, type InviteService } from './invite-service.ts';
import {
  requireRole,
  createJsonBodyParser,
  errorResponses,
  pathId,
  pathIdParams,
  uuidPattern,
} from '../http/index.ts';

const errors = errorResponses(400, 401, 403, 404);
const IdParams = pathIdParams(uuidPattern, 'A member id (a UUID).');
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

const InviteCreated = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  code: Type.String({ description: 'Shown only in this answer; only a hash is stored' }),
  expiresAt: Timestamp,
  // Keyed by messenger name: each running adapter adds its own way in (bots/*/…-ways-in.ts), so a
  // new messenger's link appears here without a change to this schema.
  links: Type.Object(
    {
      web: Type.String({
        description: 'The web console login with the code filled in: PUBLIC_URL/login?code=CODE',
      }),
    },
    {
      additionalProperties: Type.String(),
      description:
        "Beside `web`, one one-tap link per messenger that has one, keyed by the messenger's name (a deep link to its bot, a direct chat with it)",
    },
  ),
  instructions: Type.Object(
    {},
    {
      additionalProperties: Type.Object({
        to: Type.String({ description: "The bot's account on that messenger" }),
        command: Type.String({ description: 'What to send it in a direct chat, e.g. "<link command> CODE"' }),
      }),
      description: "Per messenger that links by a typed command, keyed by the messenger's name",
    },
  ),
});
const InviteView = Type.Object({
  id: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('used'),
    Type.Literal('expired'),
    Type.Literal('revoked'),
  ]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  usedAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
});
const IdentityView = Type.Object({ id: Type.String(), platform: Type.String(), linkedAt: Timestamp });

/** Invites (one-time codes to link a messenger or log in to the console) and linked accounts. */
export function inviteRoutes({
  invites,
  identities,
}: {
  invites: InviteService;
  identities: IdentityService;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    // `POST .../invites` needs no body; clients often send an empty one with a JSON content type,
    // which Fastify's parser rejects. Inside this plugin only, an empty JSON body means "no body".
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      createJsonBodyParser(app, { emptyBody: 'none' }),
    );

    app.post(
      '/v1/members/:id/invites',
      {
        schema: {
          tags: ['invites'],
          summary: 'Issue a one-time invite code for a member (coordinators: own country)',
          description:
            "The member follows a messenger's link, types its link command with the code to the bot (`instructions`), or logs in to the web console. The code is used once and expires (default 7 days).",
          params: IdParams,
          body: Type.Union([
            Type.Object(
              {
                expiresInHours: Type.Optional(
                  Type.Integer({
                    minimum: 1,
                    maximum: maxInviteHours,
                    description: 'Default INVITE_TTL_HOURS (168)',
                  }),
                ),
              },
              { additionalProperties: false },
            ),
            Type.Null(),
          ]),
          response: { 201: InviteCreated, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireRole(request, 'coordinator');
        const issued = await invites.create(actor, request.params.id, {
          expiresInHours: request.body?.expiresInHours,
        });
        return reply.code(201).send({
          id: issued.id,
          memberId: issued.memberId,
          code: issued.code,
          expiresAt: issued.expiresAt.toISOString(),
          links: issued.links,
          instructions: issued.instructions,
        });
      },
    );

    app.get(
      '/v1/members/:id/invites',
      {
        schema: {
          tags: ['invites'],
          summary: "A member's invites (never the codes)",
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(InviteView) }), ...errors },
        },
      },
      async (request) => {
        const items = await invites.list(requireRole(request, 'coordinator'), request.params.id);
        return {
          items: items.map((invite) => ({
            id: invite.id,
            status: invite.status,
            createdBy: invite.createdBy,
            createdAt: invite.createdAt.toISOString(),
            expiresAt: invite.expiresAt.toISOString(),
            usedAt: invite.usedAt?.toISOString() ?? null,
            revokedAt: invite.revokedAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.delete(
      '/v1/members/:id/invites/:inviteId',
      {
        schema: {
          tags: ['invites'],
          summary: 'Withdraw a pending invite',
          params: Type.Object({
            id: Type.String({ minLength: 1, maxLength: 100 }),
            inviteId: pathId(uuidPattern, 'An invite id (a UUID).'),
          }),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await invites.revoke(requireRole(request, 'coordinator'), request.params.id, request.params.inviteId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/members/:id/identities',
      {
        schema: {
          tags: ['invites'],
          summary: 'Messenger accounts linked to a member',
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(IdentityView) }), ...errors },
        },
      },
      async (request) => {
        const items = await identities.listForMember(requireRole(request), request.params.id);
        return {
          items: items.map((identity) => ({
            id: identity.id,
            platform: identity.platform,
            linkedAt: identity.linkedAt.toISOString(),
          })),
        };
      },
    );

    app.delete(
      '/v1/members/:id/identities/:identityId',
      {
        schema: {
          tags: ['invites'],
          summary: 'Unlink a messenger account (e.g. a lost phone); a new invite links again',
          params: Type.Object({
            id: Type.String({ minLength: 1, maxLength: 100 }),
            identityId: pathId(uuidPattern, 'A linked account id (a UUID).'),
          }),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await identities.unlink(requireRole(request), request.params.id, request.params.identityId);
        return reply.code(204).send(null);
      },
    );
  };
}
