// Figures about consultations for the statistics: time to first answer by country pair and
// competence, and month by month. "First answer" is the counterpart side's first message or a
// decline with its reason; the time runs from the start, across re-routing.
import { sql, type SQL } from 'drizzle-orm';
import { consultations } from './consultations-schema.ts';
import type { Database } from '../db/index.ts';

export interface ConsultationScope {
  /** A country's consultations (asked from or to it), or the whole network's. */
  country?: string | undefined;
  from: Date;
  to: Date;
}

export interface FirstAnswerRow {
  /** Null: asked by an admin of no country (the network's secretariat), filed under no country. */
  askerCountry: string | null;
  country: string | null;
  competence: string | null;
  /** Delivered consultations; the undeliverable ones are counted apart. */
  consultations: number;
  answered: number;
  /** Consultations nobody could be reached for: not unanswered, so not in `consultations`. */
  undeliverable: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** The rows per country pair and competence, and the whole scope's. */
export interface FirstAnswerTable {
  rows: FirstAnswerRow[];
  total: FirstAnswerRow | undefined;
}

export interface FirstAnswerMonthRow {
  month: string;
  /** Delivered consultations; the undeliverable ones are counted apart. */
  consultations: number;
  answered: number;
  /** Consultations nobody could be reached for: not unanswered, so not in `consultations`. */
  undeliverable: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
const seconds = (value: unknown): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value));

function scopeOf(scope: ConsultationScope): SQL {
  const country =
    scope.country === undefined
      ? sql`true`
      : sql`(${consultations.country} = ${scope.country} or ${consultations.askerCountry} = ${scope.country})`;
  return sql`${country} and ${consultations.createdAt} >= ${scope.from.toISOString()}::timestamptz and ${consultations.createdAt} < ${scope.to.toISOString()}::timestamptz`;
}

// A consultation nobody could be reached for was never asked of anyone: it is not an unanswered
// one, so it is counted apart (and, never answered, it has no time to first answer).
const delivered = sql`count(*) filter (where ${consultations.status} <> 'undeliverable')`;
const undeliverable = sql`count(*) filter (where ${consultations.status} = 'undeliverable')`;

const elapsed = sql`extract(epoch from (${consultations.firstAnswerAt} - ${consultations.createdAt}))`;

export type ConsultationStats = ReturnType<typeof createConsultationStats>;

export function createConsultationStats({ db }: { db: Database }) {
  return {
    /**
     * Per asking country, asked country and competence, and the whole scope. The total is told by
     * `grouping()`, not by a null asking country: the secretariat's consultations have none.
     */
    async firstAnswer(scope: ConsultationScope): Promise<FirstAnswerTable> {
      const result = await db.execute(sql`
        select grouping(${consultations.askerCountry}) = 1 as total,
          ${consultations.askerCountry} as asker_country, ${consultations.country} as country,
          ${consultations.competence} as competence,
          ${delivered} as consultations, count(${consultations.firstAnswerAt}) as answered,
          ${undeliverable} as undeliverable,
          percentile_cont(0.5) within group (order by ${elapsed}) as median,
          percentile_cont(0.9) within group (order by ${elapsed}) as p90
        from ${consultations} where ${scopeOf(scope)}
        group by grouping sets ((${consultations.askerCountry}, ${consultations.country}, ${consultations.competence}), ())
        order by 1, 2, 3, 4`);
      const rows = rowsOf<Record<string, unknown>>(result).map((row) => ({
        total: row.total === true || row.total === 't',
        row: {
          askerCountry: (row.asker_country as string | null) ?? null,
          country: (row.country as string | null) ?? null,
          competence: (row.competence as string | null) ?? null,
          consultations: Number(row.consultations ?? 0),
          answered: Number(row.answered ?? 0),
          undeliverable: Number(row.undeliverable ?? 0),
          medianSeconds: seconds(row.median),
          p90Seconds: seconds(row.p90),
        } satisfies FirstAnswerRow,
      }));
      return {
        rows: rows.filter((entry) => !entry.total).map((entry) => entry.row),
        total: rows.find((entry) => entry.total)?.row,
      };
    },

    async monthly(scope: ConsultationScope): Promise<FirstAnswerMonthRow[]> {
      const result = await db.execute(sql`
        select to_char(date_trunc('month', ${consultations.createdAt} at time zone 'UTC'), 'YYYY-MM') as month,
          ${delivered} as consultations, count(${consultations.firstAnswerAt}) as answered,
          ${undeliverable} as undeliverable,
          percentile_cont(0.5) within group (order by ${elapsed}) as median,
          percentile_cont(0.9) within group (order by ${elapsed}) as p90
        from ${consultations} where ${scopeOf(scope)}
        group by 1 order by 1`);
      return rowsOf<Record<string, unknown>>(result).map((row) => ({
        month: String(row.month),
        consultations: Number(row.consultations ?? 0),
        answered: Number(row.answered ?? 0),
        undeliverable: Number(row.undeliverable ?? 0),
        medianSeconds: seconds(row.median),
        p90Seconds: seconds(row.p90),
      }));
    },
  };
}
