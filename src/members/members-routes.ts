import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Member, MembersService, TokenInfo } from './members-service.ts';
import { requireRole, errorResponses, pagingQuery, pathIdParams, uuidPattern } from '../http/index.ts';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('coordinator'), Type.Literal('member')]);
const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' });
const Locale = Type.Union([Type.Literal('en'), Type.Literal('ru')]);
const MemberCountry = Type.Union([CountryCode, Type.Null()], {
  description: 'ISO 3166-1 alpha-2; null only for an admin who belongs to no country (the secretariat)',
});

const MemberBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  country: Type.Union([Type.String(), Type.Null()], {
    description: 'null: an admin of no country (the network secretariat)',
  }),
  role: Role,
  contactId: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const TokenBody = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  label: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const IdParams = pathIdParams(uuidPattern, 'A member or token id (a UUID).');
const errors = errorResponses(400, 401, 403, 404, 409);

const memberView = (member: Member) => ({
  id: member.id,
  name: member.name,
  country: member.country,
  role: member.role,
  contactId: member.contactId,
  locale: member.locale,
  createdAt: member.createdAt.toISOString(),
});
const tokenView = (token: TokenInfo) => ({
  id: token.id,
  memberId: token.memberId,
  label: token.label,
  createdAt: token.createdAt.toISOString(),
  lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  revokedAt: token.revokedAt?.toISOString() ?? null,
});

/** Members and their API tokens. Coordinators manage their own country's members; admins everyone. */
export function membersRoutes({ members }: { members: MembersService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/members',
      {
        schema: {
          tags: ['members'],
          summary: 'Create a member (contactId makes them the person behind a registry contact)',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 200 }),
              country: MemberCountry,
              role: Role,
              contactId: Type.Optional(
                Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
              ),
              locale: Type.Optional(Locale),
            },
            { additionalProperties: false },
          ),
          response: { 201: MemberBody, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireRole(request, 'coordinator');
        const body = request.body;
        const member = await members.create(actor, {
          name: body.name.trim(),
          country: body.country?.toUpperCase() ?? null,
          role: body.role,
          contactId: body.contactId ?? null,
          locale: body.locale ?? null,
        });
        return reply.code(201).send(memberView(member));
      },
    );

    app.get(
      '/v1/members',
      {
        schema: {
          tags: ['members'],
          summary: 'List members (coordinators see their country)',
          querystring: Type.Object(
            {
              country: Type.Optional(CountryCode),
              ...pagingQuery,
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(MemberBody),
              total: Type.Integer(),
              limit: Type.Integer(),
              offset: Type.Integer(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const actor = requireRole(request, 'coordinator');
        const { country, limit, offset } = request.query;
        const page = await members.list(actor, { country: country?.toUpperCase(), limit, offset });
        return { items: page.items.map(memberView), total: page.total, limit, offset };
      },
    );

    app.get(
      '/v1/members/me',
      {
        schema: {
          tags: ['members'],
          summary: 'The calling member',
          response: { 200: MemberBody, ...errors },
        },
      },
      async (request) => {
        const actor = requireRole(request);
        return memberView(await members.get(actor, actor.memberId));
      },
    );

    app.get(
      '/v1/members/:id',
      {
        schema: {
          tags: ['members'],
          summary: 'One member',
          params: IdParams,
          response: { 200: MemberBody, ...errors },
        },
      },
      async (request) => memberView(await members.get(requireRole(request), request.params.id)),
    );

    app.patch(
      '/v1/members/:id',
      {
        schema: {
          tags: ['members'],
          summary: 'Change a member',
          params: IdParams,
          body: Type.Object(
            {
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              country: Type.Optional(MemberCountry),
              role: Type.Optional(Role),
              contactId: Type.Optional(
                Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
              ),
              locale: Type.Optional(Type.Union([Locale, Type.Null()])),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: MemberBody, ...errors },
        },
      },
      async (request) => {
        const actor = requireRole(request, 'coordinator');
        const { country, ...rest } = request.body;
        const changes =
          country === undefined
            ? rest
            : { ...rest, country: country === null ? null : country.toUpperCase() };
        return memberView(await members.update(actor, request.params.id, changes));
      },
    );

    app.delete(
      '/v1/members/:id',
      {
        schema: {
          tags: ['members'],
          summary: 'Remove a member (tokens revoked, messengers unlinked; history kept)',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await members.disable(requireRole(request, 'coordinator'), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/members/:id/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: "A member's API tokens (never the secret)",
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(TokenBody) }), ...errors },
        },
      },
      async (request) => ({
        items: (await members.listTokens(requireRole(request), request.params.id)).map(tokenView),
      }),
    );

    app.post(
      '/v1/members/:id/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Issue an API token; the secret is shown only in this answer',
          params: IdParams,
          body: Type.Object(
            { label: Type.String({ minLength: 1, maxLength: 100 }) },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              id: Type.String(),
              token: Type.String(),
              memberId: Type.String(),
              label: Type.String(),
            }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const issued = await members.createToken(requireRole(request), request.params.id, request.body.label);
        return reply
          .code(201)
          .send({ id: issued.id, token: issued.token, memberId: issued.memberId, label: issued.label });
      },
    );

    app.delete(
      '/v1/tokens/:id',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Revoke an API token',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await members.revokeToken(requireRole(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
