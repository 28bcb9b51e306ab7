import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  referenceMaxLength,
  requestIdPattern,
  subjectMaxLength,
  type RequestService,
} from './request-service.ts';
import { requestStatuses } from './requests-schema.ts';
import { requireRole, pagingQuery, pathIdParams } from '../http/index.ts';
import { isLocale } from '../i18n/index.ts';

const Status = Type.Union([
  Type.Literal('sent'),
  Type.Literal('acknowledged'),
  Type.Literal('in_progress'),
  Type.Literal('more_info_needed'),
  Type.Literal('executed'),
  Type.Literal('refused'),
  Type.Literal('withdrawn'),
]) satisfies { anyOf: { const: (typeof requestStatuses)[number] }[] };
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const DateTimeString = Type.String({ format: 'date-time' });
const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
    requestId: Type.Optional(Type.String()),
  }),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

const RequestBody = Type.Object({
  id: Type.String(),
  type: Type.String(),
  status: Status,
  requesterMemberId: Type.String(),
  fromCountry: Nullable(Type.String()),
  toCountry: Type.String(),
  authorityId: Nullable(Type.String()),
  contactId: Nullable(Type.String()),
  ourReference: Type.String(),
  theirReference: Nullable(Type.String()),
  subject: Type.String(),
  sentAt: DateTimeString,
  urgent: Type.Boolean(),
  nextNudgeAt: Nullable(DateTimeString),
  lastNudgeAt: Nullable(DateTimeString),
  unansweredNudges: Type.Integer(),
  escalatedAt: Nullable(DateTimeString),
  createdAt: DateTimeString,
  updatedAt: DateTimeString,
  closedAt: Nullable(DateTimeString),
  ageDays: Type.Integer({ description: 'Whole days since the request was sent' }),
});

const EventBody = Type.Object({
  id: Type.Integer(),
  at: DateTimeString,
  kind: Type.String({
    description:
      'registered, nudge, nudge_delivered, nudge_undeliverable, answer, reassigned, escalated, status_changed, ...',
  }),
  actor: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const Reference = Type.String({ minLength: 1, maxLength: referenceMaxLength });
const Subject = Type.String({
  minLength: 1,
  maxLength: subjectMaxLength,
  description: 'Short and non-sensitive: it appears in nudges on messengers',
});
const IdParams = pathIdParams(requestIdPattern, 'A request id (12 letters and digits).');

/**
 * Formal requests. Members see the requests they registered and those addressed to their
 * registry contact; coordinators also every request sent from or to their country; admins all.
 */
export function requestsRoutes({ requests }: { requests: RequestService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/requests',
      {
        schema: {
          tags: ['requests'],
          summary: 'Register a formal request you sent, to have it followed up',
          description:
            "Without contactId the receiving contact is chosen by the same ranking as /v1/ask. The first nudge follows the nudge policy of the type and country pair, placed in the recipient's working hours.",
          body: Type.Object(
            {
              type: Type.String({
                minLength: 1,
                maxLength: 64,
                description: 'A registry competence id: mla, extradition, ...',
              }),
              toCountry: CountryCode,
              contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              ourReference: Reference,
              theirReference: Type.Optional(Reference),
              subject: Subject,
              sentAt: DateTimeString,
              urgent: Type.Optional(Type.Boolean()),
              fromCountry: Type.Optional({
                ...CountryCode,
                description:
                  'Admins only: register on behalf of this country; required of an admin who belongs to no country (the secretariat)',
              }),
            },
            { additionalProperties: false },
          ),
          response: { 201: RequestBody, ...errors },
        },
      },
      async (request, reply) => {
        const principal = requireRole(request, 'member');
        const locale = isLocale(principal.locale) ? principal.locale : undefined;
        const created = await requests.create(principal, request.body, locale);
        return reply.code(201).send(created);
      },
    );

    app.get(
      '/v1/requests',
      {
        schema: {
          tags: ['requests'],
          summary: 'Requests you may see, newest sent first',
          querystring: Type.Object(
            {
              status: Type.Optional(Status),
              country: Type.Optional(CountryCode),
              mine: Type.Optional(Type.Boolean({ description: 'Only those you registered' })),
              ...pagingQuery,
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(RequestBody), total: Type.Integer() }),
            ...errors,
          },
        },
      },
      async (request) => requests.list(requireRole(request, 'member'), request.query),
    );

    app.get(
      '/v1/requests/:id',
      {
        schema: {
          tags: ['requests'],
          summary: 'A request with its history: nudges delivered, answers, escalations',
          params: IdParams,
          response: {
            200: Type.Intersect([RequestBody, Type.Object({ events: Type.Array(EventBody) })]),
            ...errors,
          },
        },
      },
      async (request) => requests.get(requireRole(request, 'member'), request.params.id),
    );

    app.patch(
      '/v1/requests/:id',
      {
        schema: {
          tags: ['requests'],
          summary:
            'Change status, their reference, contact, urgency or subject (requester, coordinator, admin)',
          params: IdParams,
          body: Type.Object(
            {
              status: Type.Optional(Status),
              theirReference: Type.Optional(Nullable(Reference)),
              contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              urgent: Type.Optional(Type.Boolean()),
              subject: Type.Optional(Subject),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: RequestBody, ...errors },
        },
      },
      async (request) => requests.update(requireRole(request, 'member'), request.params.id, request.body),
    );

    app.post(
      '/v1/requests/:id/withdraw',
      {
        schema: {
          tags: ['requests'],
          summary: 'Withdraw a request: nudges stop',
          params: IdParams,
          response: { 200: RequestBody, ...errors },
        },
      },
      async (request) =>
        requests.update(requireRole(request, 'member'), request.params.id, { status: 'withdrawn' }),
    );
  };
}
