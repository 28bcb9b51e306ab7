// GET /v1/stats/...: the figures of the analytics page, as JSON (documented in OpenAPI) or CSV
// (`?format=csv`, or `Accept: text/csv`).
import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StatsQuery, StatsService } from './stats-service.ts';
import { toCsv } from './csv.ts';
import { errorResponses, requireRole } from '../http/index.ts';
import type { Principal } from '../access/index.ts';

interface StatsPeriod {
  from: Date;
  to: Date;
  country: string | null;
}

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Seconds = Nullable(Type.Integer({ description: 'seconds' }));
const Query = Type.Object(
  {
    country: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Admins: one country (default: every country)' }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: a year before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
    series: Type.Optional(
      Type.Literal('monthly', {
        description: 'With format=csv on /v1/stats/registry: the month-by-month rows',
      }),
    ),
  },
  { additionalProperties: false },
);
const Period = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  country: Nullable(Type.String({ description: 'Whose rows; null: the whole network' })),
});
const RequestTimes = Type.Object({
  fromCountry: Nullable(Type.String()),
  toCountry: Nullable(Type.String()),
  type: Nullable(Type.String()),
  requests: Type.Integer(),
  acknowledged: Type.Integer(),
  acknowledgeMedianSeconds: Seconds,
  acknowledgeP90Seconds: Seconds,
  executed: Type.Integer(),
  executeMedianSeconds: Seconds,
  executeP90Seconds: Seconds,
});
const FirstAnswer = Type.Object({
  askerCountry: Nullable(Type.String()),
  country: Nullable(Type.String()),
  competence: Nullable(Type.String()),
  consultations: Type.Integer({ description: 'delivered consultations' }),
  answered: Type.Integer(),
  undeliverable: Type.Integer({ description: 'consultations nobody could be reached for (not unanswered)' }),
  medianSeconds: Seconds,
  p90Seconds: Seconds,
});
const Freshness = Type.Object({
  country: Type.String(),
  contacts: Type.Integer(),
  verified6Months: Type.Integer(),
  verified12Months: Type.Integer(),
  share6Months: Nullable(Type.Number()),
  share12Months: Nullable(Type.Number()),
});
const FreshnessMonth = Type.Object({
  month: Type.String({ description: 'YYYY-MM; the figures hold at its last day (or at `to`)' }),
  contacts: Type.Integer(),
  share6Months: Nullable(Type.Number()),
  share12Months: Nullable(Type.Number()),
});
const Reach = Type.Object({
  country: Type.String(),
  contacts: Type.Integer(),
  unlinked: Type.Integer({ description: 'Active contacts nobody has linked a messenger for' }),
  unreachable: Type.Integer({ description: 'Linked, but the last push failed for good' }),
});
const NudgeMonth = Type.Object({
  month: Type.String(),
  sent: Type.Integer(),
  answered: Type.Integer(),
  escalated: Type.Integer(),
  undeliverable: Type.Integer(),
});
const NudgeTotals = Type.Omit(NudgeMonth, ['month']);
const errors = errorResponses(400, 401, 403);

const iso = (date: Date) => date.toISOString();

export function statsRoutes({ stats }: { stats: StatsService }): FastifyPluginAsyncTypebox {
  const queryOf = (request: FastifyRequest): StatsQuery => {
    const query = request.query as { country?: string; from?: string; to?: string };
    return {
      country: query.country?.toUpperCase(),
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
  };
  const wantsCsv = (request: FastifyRequest) =>
    (request.query as { format?: string }).format === 'csv' ||
    /\btext\/csv\b/.test(request.headers.accept ?? '');
  const csv = (reply: FastifyReply, name: string, rows: readonly object[]) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="counterpart-${name}.csv"`)
      .send(toCsv(rows));

  return async (app) => {
    const period = (value: StatsPeriod) => ({
      from: iso(value.from),
      to: iso(value.to),
      country: value.country,
    });

    /**
     * One statistics route: the coordinator's role, the period query, CSV of the rows (or of what
     * `csvOf` picks) on request, else JSON with the period as ISO dates.
     */
    const statRoute = <Result extends { period: StatsPeriod }>(
      url: string,
      docs: { summary: string; description?: string },
      body: TSchema,
      load: (principal: Principal, query: StatsQuery) => Promise<Result>,
      csvOf: (result: Result, request: FastifyRequest) => { name: string; rows: readonly object[] },
    ) =>
      app.get(
        url,
        { schema: { tags: ['stats'], ...docs, querystring: Query, response: { 200: body, ...errors } } },
        async (request, reply) => {
          const result = await load(requireRole(request, 'coordinator'), queryOf(request));
          if (!wantsCsv(request)) return { ...result, period: period(result.period) };
          const { name, rows } = csvOf(result, request);
          return csv(reply, name, rows);
        },
      );

    statRoute(
      '/v1/stats/requests',
      {
        summary:
          'Formal requests: time to acknowledge and to execute, by country pair and type, and by month',
        description:
          'Times run from the date sent to the first answer that is a status (acknowledged, in progress, more information needed, executed, refused), and to execution. `rows`: the country (coordinators: their own; admins: `country` or every pair); `network`: all requests together. `?format=csv` gives `rows` as CSV.',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(RequestTimes),
        network: Nullable(RequestTimes),
        monthly: Type.Array(
          Type.Object({
            month: Type.String(),
            requests: Type.Integer(),
            acknowledged: Type.Integer(),
            acknowledgeMedianSeconds: Seconds,
            acknowledgeP90Seconds: Seconds,
          }),
        ),
      }),
      async (principal, query) => {
        const result = await stats.requests(principal, query);
        return { ...result, network: result.network ?? null };
      },
      (result) => ({ name: 'requests', rows: result.rows }),
    );

    statRoute(
      '/v1/stats/consultations',
      {
        summary:
          'Consultations: time to first answer by asking country, asked country and competence, and by month',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(FirstAnswer),
        network: Nullable(FirstAnswer),
        monthly: Type.Array(
          Type.Object({
            month: Type.String(),
            consultations: Type.Integer(),
            answered: Type.Integer(),
            undeliverable: Type.Integer(),
            medianSeconds: Seconds,
            p90Seconds: Seconds,
          }),
        ),
      }),
      async (principal, query) => {
        const result = await stats.consultations(principal, query);
        return { ...result, network: result.network ?? null };
      },
      (result) => ({ name: 'consultations', rows: result.rows }),
    );

    statRoute(
      '/v1/stats/pending',
      {
        summary: 'Open formal requests by days since sent (0-30, 30-60, 60-90, 90-180, 180+)',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(Type.Object({ bucket: Type.String(), requests: Type.Integer() })),
        network: Type.Array(Type.Object({ bucket: Type.String(), requests: Type.Integer() })),
      }),
      (principal, query) => stats.pending(principal, query),
      (result) => ({ name: 'pending', rows: result.rows }),
    );

    statRoute(
      '/v1/stats/registry',
      {
        summary:
          'Registry freshness per country (active contacts verified in the last 6 and 12 months) and reach (unlinked, unreachable)',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(Freshness),
        network: Freshness,
        monthly: Type.Array(FreshnessMonth, {
          description:
            "Share of today's active contacts (the country's, or the network's) verified within 6 and 12 months at each month's end, from the audit log's verifications",
        }),
        networkMonthly: Type.Array(FreshnessMonth),
        reach: Type.Array(Reach),
        networkReach: Reach,
      }),
      (principal, query) => stats.registry(principal, query),
      (result, request) =>
        (request.query as { series?: string }).series === 'monthly'
          ? { name: 'registry-monthly', rows: result.monthly }
          : { name: 'registry', rows: result.rows },
    );

    statRoute(
      '/v1/stats/nudges',
      {
        summary: 'Nudges delivered, answers, escalations and undeliverable nudges, by month',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(NudgeMonth),
        totals: NudgeTotals,
        network: NudgeTotals,
      }),
      (principal, query) => stats.nudges(principal, query),
      (result) => ({ name: 'nudges', rows: result.rows }),
    );

    statRoute(
      '/v1/stats/deliveries',
      {
        summary:
          'Pushes that could not be delivered (failed for good) or ended uncertain, by kind, network-wide',
      },
      Type.Object({
        period: Period,
        rows: Type.Array(
          Type.Object({ kind: Type.String(), failed: Type.Integer(), uncertain: Type.Integer() }),
        ),
      }),
      (principal, query) => stats.deliveries(principal, query),
      (result) => ({ name: 'deliveries', rows: result.rows }),
    );
  };
}
