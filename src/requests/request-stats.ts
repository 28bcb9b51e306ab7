// Figures about formal requests for the statistics: how long counterparts take to acknowledge and
// to execute (by country pair and request type, and month by month), pending requests by age, and
// what the nudges did. Times run from the date the request was sent.
import { systemClock, type Clock } from '../clock/index.ts';
import { sql, type SQL } from 'drizzle-orm';
import { formalRequests, requestEvents } from './requests-schema.ts';
import type { Database } from '../db/index.ts';

/** Which requests count (conditions on the requests table as `r`): a country's (sent from or to it), or the whole network's. */
export interface StatsScope {
  country?: string | undefined;
  from: Date;
  to: Date;
}

export interface RequestTimesRow {
  /** Null on the total row and on requests the secretariat filed under no country. */
  fromCountry: string | null;
  toCountry: string | null;
  type: string | null;
  requests: number;
  acknowledged: number;
  acknowledgeMedianSeconds: number | null;
  acknowledgeP90Seconds: number | null;
  executed: number;
  executeMedianSeconds: number | null;
  executeP90Seconds: number | null;
}

export interface MonthlyTimesRow {
  month: string;
  requests: number;
  acknowledged: number;
  acknowledgeMedianSeconds: number | null;
  acknowledgeP90Seconds: number | null;
}

export interface PendingAgeRow {
  bucket: string;
  requests: number;
}

export interface NudgeMonthRow {
  month: string;
  sent: number;
  answered: number;
  escalated: number;
  undeliverable: number;
}

/** Age buckets of pending requests, in days: [label, from, until). */
export const pendingAgeBuckets: readonly (readonly [string, number, number])[] = [
  ['0-30', 0, 30],
  ['30-60', 30, 60],
  ['60-90', 60, 90],
  ['90-180', 90, 180],
  ['180+', 180, 1_000_000],
];

const answeredStatuses = ['acknowledged', 'in_progress', 'more_info_needed', 'executed', 'refused'];

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
const seconds = (value: unknown): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value));
const count = (value: unknown): number => Number(value ?? 0);

function scopeOf(scope: StatsScope): SQL {
  const country =
    scope.country === undefined
      ? sql`true`
      : sql`(r.from_country = ${scope.country} or r.to_country = ${scope.country})`;
  return sql`${country} and r.sent_at >= ${scope.from.toISOString()}::timestamptz and r.sent_at < ${scope.to.toISOString()}::timestamptz`;
}

/** First acknowledgement (any answer that is a status) and first execution of each request in scope. */
function timesOf(scope: StatsScope): SQL {
  const answered = sql.join(
    answeredStatuses.map((status) => sql`${status}`),
    sql`, `,
  );
  return sql`
    select r.id, r.from_country, r.to_country, r.type, r.sent_at,
      (select min(e.at) from ${requestEvents} e where e.request_id = r.id and (
        (e.kind = 'answer' and e.details->>'answer' in (${answered}))
        or (e.kind = 'status_changed' and e.details->>'to' in (${answered})))) as ack_at,
      (select min(e.at) from ${requestEvents} e where e.request_id = r.id and (
        (e.kind = 'answer' and e.details->>'answer' = 'executed')
        or (e.kind = 'status_changed' and e.details->>'to' = 'executed'))) as exec_at
    from ${formalRequests} r where ${scopeOf(scope)}`;
}

export type RequestStats = ReturnType<typeof createRequestStats>;

export function createRequestStats({ db, clock = systemClock }: { db: Database; clock?: Clock }) {
  return {
    /** Per country pair and type, then (the last row, all keys null) the whole scope together. */
    async times(scope: StatsScope): Promise<RequestTimesRow[]> {
      const result = await db.execute(sql`
        with times as (${timesOf(scope)})
        select from_country, to_country, type,
          count(*) as requests,
          count(ack_at) as acknowledged,
          percentile_cont(0.5) within group (order by extract(epoch from ack_at - sent_at)) as ack_median,
          percentile_cont(0.9) within group (order by extract(epoch from ack_at - sent_at)) as ack_p90,
          count(exec_at) as executed,
          percentile_cont(0.5) within group (order by extract(epoch from exec_at - sent_at)) as exec_median,
          percentile_cont(0.9) within group (order by extract(epoch from exec_at - sent_at)) as exec_p90
        from times
        group by grouping sets ((from_country, to_country, type), ())
        order by grouping(from_country), from_country, to_country, type`);
      return rowsOf<Record<string, unknown>>(result).map((row) => ({
        fromCountry: (row.from_country as string | null) ?? null,
        toCountry: (row.to_country as string | null) ?? null,
        type: (row.type as string | null) ?? null,
        requests: count(row.requests),
        acknowledged: count(row.acknowledged),
        acknowledgeMedianSeconds: seconds(row.ack_median),
        acknowledgeP90Seconds: seconds(row.ack_p90),
        executed: count(row.executed),
        executeMedianSeconds: seconds(row.exec_median),
        executeP90Seconds: seconds(row.exec_p90),
      }));
    },

    /** Time to acknowledge, month by month (of the date sent). */
    async monthly(scope: StatsScope): Promise<MonthlyTimesRow[]> {
      const result = await db.execute(sql`
        with times as (${timesOf(scope)})
        select to_char(date_trunc('month', sent_at at time zone 'UTC'), 'YYYY-MM') as month,
          count(*) as requests,
          count(ack_at) as acknowledged,
          percentile_cont(0.5) within group (order by extract(epoch from ack_at - sent_at)) as ack_median,
          percentile_cont(0.9) within group (order by extract(epoch from ack_at - sent_at)) as ack_p90
        from times group by 1 order by 1`);
      return rowsOf<Record<string, unknown>>(result).map((row) => ({
        month: String(row.month),
        requests: count(row.requests),
        acknowledged: count(row.acknowledged),
        acknowledgeMedianSeconds: seconds(row.ack_median),
        acknowledgeP90Seconds: seconds(row.ack_p90),
      }));
    },

    /** Requests still open, by days since they were sent. */
    async pendingByAge(country: string | undefined): Promise<PendingAgeRow[]> {
      const now = clock.now();
      const result = await db.execute(sql`
        select floor(extract(epoch from (${now.toISOString()}::timestamptz - ${formalRequests.sentAt})) / 86400) as days, count(*) as requests
        from ${formalRequests}
        where ${formalRequests.status} not in ('executed', 'refused', 'withdrawn')
          and ${country === undefined ? sql`true` : sql`(${formalRequests.fromCountry} = ${country} or ${formalRequests.toCountry} = ${country})`}
        group by 1`);
      const perDay = rowsOf<{ days: unknown; requests: unknown }>(result);
      return pendingAgeBuckets.map(([bucket, from, until]) => ({
        bucket,
        requests: perDay
          .filter((row) => Number(row.days) >= from && Number(row.days) < until)
          .reduce((sum, row) => sum + count(row.requests), 0),
      }));
    },

    /** Nudges delivered, answers, escalations and undeliverable nudges, month by month (of the event). */
    async nudges(scope: StatsScope): Promise<NudgeMonthRow[]> {
      const result = await db.execute(sql`
        select to_char(date_trunc('month', e.at at time zone 'UTC'), 'YYYY-MM') as month,
          count(*) filter (where e.kind = 'nudge_delivered') as sent,
          count(*) filter (where e.kind = 'answer') as answered,
          count(*) filter (where e.kind = 'escalated') as escalated,
          count(*) filter (where e.kind = 'nudge_undeliverable') as undeliverable
        from ${requestEvents} e join ${formalRequests} r on r.id = e.request_id
        where e.kind in ('nudge_delivered', 'answer', 'escalated', 'nudge_undeliverable')
          and e.at >= ${scope.from.toISOString()}::timestamptz and e.at < ${scope.to.toISOString()}::timestamptz
          and ${scope.country === undefined ? sql`true` : sql`(r.from_country = ${scope.country} or r.to_country = ${scope.country})`}
        group by 1 order by 1`);
      return rowsOf<Record<string, unknown>>(result).map((row) => ({
        month: String(row.month),
        sent: count(row.sent),
        answered: count(row.answered),
        escalated: count(row.escalated),
        undeliverable: count(row.undeliverable),
      }));
    },
  };
}
