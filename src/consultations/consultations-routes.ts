import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConsultationQueries } from './consultation-queries.ts';
import type { ConsultationRules } from './consultation-service.ts';
import { maxDescriptionLength, maxReasonLength } from './consultation-service.ts';
import { multilineText } from '../text/index.ts';
import { notFound } from '../errors/index.ts';
import { requireRole, errorResponses, pagingQuery, pathIdParams, uuidPattern } from '../http/index.ts';

const errors = errorResponses(400, 401, 403, 404, 409);

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('forwarded'),
  Type.Literal('rerouted'),
  Type.Literal('accepted'),
  Type.Literal('declined'),
  Type.Literal('closed'),
  Type.Literal('expired'),
  Type.Literal('undeliverable'),
]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

const ConsultationBody = Type.Object({
  id: Type.String(),
  ref: Type.String({ description: 'Short reference people see, C-<number>' }),
  status: Status,
  country: Type.String(),
  competence: Type.String(),
  sensitive: Type.Boolean(),
  asker: Type.Object({
    memberId: Type.String(),
    name: Type.String(),
    country: Type.Union([Type.String(), Type.Null()], {
      description: 'null: the asker belongs to no country (the network secretariat)',
    }),
  }),
  counterpart: Nullable(
    Type.Object({ memberId: Type.String(), name: Type.String(), contactId: Nullable(Type.String()) }),
  ),
  currentRoute: Nullable(
    Type.Object({
      seq: Type.Integer(),
      kind: Type.String(),
      contactId: Nullable(Type.String()),
      deadlineAt: Nullable(DateTime),
    }),
  ),
  messages: Type.Object({ fromAsker: Type.Integer(), fromCounterpart: Type.Integer() }),
  descriptionLength: Type.Integer(),
  createdAt: DateTime,
  acceptedAt: Nullable(DateTime),
  firstAnswerAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
});

const ConsultationDetailBody = Type.Intersect([
  ConsultationBody,
  Type.Object({
    routes: Type.Array(
      Type.Object({
        seq: Type.Integer(),
        kind: Type.String(),
        reason: Type.String(),
        contactId: Nullable(Type.String()),
        standingInFor: Nullable(Type.String()),
        memberIds: Type.Array(Type.String()),
        outcome: Type.String(),
        routedAt: DateTime,
        deadlineAt: Nullable(DateTime),
        answeredAt: Nullable(DateTime),
      }),
    ),
    messageLog: Type.Array(
      Type.Object({
        seq: Type.Integer(),
        from: Type.Union([Type.Literal('asker'), Type.Literal('counterpart')]),
        platform: Type.String(),
        length: Type.Integer(),
        relayed: Type.Boolean(),
        at: DateTime,
      }),
    ),
  }),
]);

/** A consultation's id (a UUID) or its short reference (`C-12`, `c12`). */
const IdParams = pathIdParams(`(${uuidPattern})|(^[Cc]-?[0-9]{1,9}$)`, 'Consultation id or reference (C-12)');
const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' });
const Competence = Type.String({ pattern: '^[a-z0-9_]{1,64}$' });

/** Consultations through the API: the same rules as in chat, for the caller as a member. */
export function consultationsRoutes({
  rules,
  queries,
}: {
  rules: ConsultationRules;
  queries: ConsultationQueries;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    /** Resolves `C-12` or an id to the number the rules take. */
    const numberOf = async (
      principal: Parameters<ConsultationQueries['get']>[0],
      id: string,
    ): Promise<number> => {
      const detail = await queries.get(principal, id);
      const number = Number(detail.ref.slice(2));
      if (!Number.isInteger(number)) throw notFound('consultation', id);
      return number;
    };

    app.get(
      '/v1/consultations',
      {
        schema: {
          tags: ['consultations'],
          summary:
            'List consultations: mine (asked, talking in, or routed to me), my country’s (coordinators) or all (admins)',
          querystring: Type.Object(
            {
              scope: Type.Union([Type.Literal('mine'), Type.Literal('country'), Type.Literal('all')], {
                default: 'mine',
              }),
              status: Type.Optional(Status),
              ...pagingQuery,
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(ConsultationBody),
              total: Type.Integer(),
              limit: Type.Integer(),
              offset: Type.Integer(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { scope, status, limit, offset } = request.query;
        const page = await queries.list(requireRole(request), { scope, status, limit, offset });
        return { ...page, limit, offset };
      },
    );

    app.get(
      '/v1/consultations/stats',
      {
        schema: {
          tags: ['consultations'],
          summary: 'Time to first answer by country and competence (seconds: count, median, p90)',
          querystring: Type.Object(
            {
              country: Type.Optional(CountryCode),
              competence: Type.Optional(Competence),
              since: Type.Optional(DateTime),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  country: Type.String(),
                  competence: Type.String(),
                  consultations: Type.Integer(),
                  answered: Type.Integer({
                    description: 'Consultations with a first answer: the count median and p90 are over',
                  }),
                  medianSeconds: Nullable(Type.Integer()),
                  p90Seconds: Nullable(Type.Integer()),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { country, competence, since } = request.query;
        const items = await queries.stats(requireRole(request, 'coordinator'), {
          country: country?.toUpperCase(),
          competence,
          since: since === undefined ? undefined : new Date(since),
        });
        return { items };
      },
    );

    app.get(
      '/v1/consultations/:id',
      {
        schema: {
          tags: ['consultations'],
          summary: 'One consultation with its routing history and message metadata (never bodies)',
          params: IdParams,
          response: { 200: ConsultationDetailBody, ...errors },
        },
      },
      async (request) => queries.get(requireRole(request), request.params.id),
    );

    app.post(
      '/v1/consultations',
      {
        schema: {
          tags: ['consultations'],
          summary: 'Start a consultation: routed to the best contact (or contactId) on their messenger',
          body: Type.Object(
            {
              country: CountryCode,
              competence: Competence,
              description: Type.String({ ...multilineText, minLength: 1, maxLength: maxDescriptionLength }),
              sensitive: Type.Optional(Type.Boolean()),
              contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ConsultationDetailBody, ...errors },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request);
        const { consultation } = await rules.start(principal, { ...request.body, origin: 'api' });
        return reply.code(201).send(await queries.get(principal, consultation.id));
      },
    );

    const action = (summary: string) => ({
      tags: ['consultations'],
      summary,
      params: IdParams,
      response: { 200: ConsultationDetailBody, ...errors },
    });

    app.post(
      '/v1/consultations/:id/accept',
      { schema: action('Accept a consultation waiting for you') },
      async (request) => {
        const principal = requireRole(request);
        const { consultation } = await rules.accept(principal, await numberOf(principal, request.params.id));
        return queries.get(principal, consultation.id);
      },
    );

    app.post(
      '/v1/consultations/:id/decline',
      {
        schema: {
          ...action('Decline a consultation waiting for you, with a reason the asker reads'),
          body: Type.Object(
            { reason: Type.String({ ...multilineText, minLength: 1, maxLength: maxReasonLength }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const principal = requireRole(request);
        const { consultation } = await rules.decline(
          principal,
          await numberOf(principal, request.params.id),
          request.body.reason,
        );
        return queries.get(principal, consultation.id);
      },
    );

    app.post(
      '/v1/consultations/:id/forward',
      {
        schema: {
          ...action('Forward a consultation waiting for you to a colleague of the same authority'),
          body: Type.Object(
            { contactId: Type.String({ minLength: 1, maxLength: 100 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const principal = requireRole(request);
        const { consultation } = await rules.forward(
          principal,
          await numberOf(principal, request.params.id),
          request.body.contactId,
        );
        return queries.get(principal, consultation.id);
      },
    );

    app.post(
      '/v1/consultations/:id/close',
      { schema: action('Close (or, before acceptance, withdraw) a consultation') },
      async (request) => {
        const principal = requireRole(request);
        const { consultation } = await rules.close(principal, await numberOf(principal, request.params.id));
        return queries.get(principal, consultation.id);
      },
    );
  };
}
