// Queries on durable_timers; only this module reads or writes the table.
import { and, asc, count, eq, gt, lte, or, sql } from 'drizzle-orm';
import { durableTimers } from './timers-schema.ts';
import type { Queryable } from '../db/index.ts';

export interface TimerRow {
  key: string;
  kind: string;
  dueAt: Date;
  payload: unknown;
  generation: number;
}

const columns = {
  key: durableTimers.key,
  kind: durableTimers.kind,
  dueAt: durableTimers.dueAt,
  payload: durableTimers.payload,
  generation: durableTimers.generation,
};

/**
 * Creates or moves a timer; resolves to its new generation and the one it replaced (undefined
 * when the key had no timer). Generations come from one sequence, so they never repeat for a key.
 */
export async function upsertTimer(
  db: Queryable,
  timer: { key: string; kind: string; dueAt: Date; payload: unknown },
  now: Date,
): Promise<{ generation: number; previous: number | undefined }> {
  const nextGeneration = sql`nextval('durable_timer_generations')`;
  const [row] = await db
    .insert(durableTimers)
    .values({ ...timer, generation: nextGeneration, updatedAt: now })
    .onConflictDoUpdate({
      target: durableTimers.key,
      set: {
        kind: timer.kind,
        dueAt: timer.dueAt,
        payload: timer.payload,
        generation: nextGeneration,
        updatedAt: now,
      },
    })
    .returning({
      generation: durableTimers.generation,
      // A subquery in RETURNING reads the table as it was before this statement: the replaced row.
      previous: sql<
        string | null
      >`(select earlier.generation from durable_timers as earlier where earlier.key = ${timer.key})`,
    });
  if (row === undefined) throw new Error('timer upsert returned no row');
  return {
    generation: row.generation,
    previous: row.previous === null ? undefined : Number(row.previous),
  };
}

/** Removes a timer; resolves to the removed row (undefined when there was none). */
export async function deleteTimer(db: Queryable, key: string): Promise<TimerRow | undefined> {
  const [row] = await db.delete(durableTimers).where(eq(durableTimers.key, key)).returning(columns);
  return row;
}

export async function findTimer(db: Queryable, key: string): Promise<TimerRow | undefined> {
  const [row] = await db.select(columns).from(durableTimers).where(eq(durableTimers.key, key));
  return row;
}

/** Removes a timer that fired, unless it was scheduled again meanwhile (a newer generation). */
export async function deleteFired(db: Queryable, key: string, generation: number): Promise<void> {
  await db
    .delete(durableTimers)
    .where(and(eq(durableTimers.key, key), eq(durableTimers.generation, generation)));
}

/** Timers due by `horizon`, earliest first, a page at a time (keyset on due time and key). */
export function dueBy(
  db: Queryable,
  horizon: Date,
  limit: number,
  after?: { dueAt: Date; key: string },
): Promise<TimerRow[]> {
  return db
    .select(columns)
    .from(durableTimers)
    .where(
      and(
        lte(durableTimers.dueAt, horizon),
        after === undefined
          ? undefined
          : or(
              gt(durableTimers.dueAt, after.dueAt),
              and(eq(durableTimers.dueAt, after.dueAt), gt(durableTimers.key, after.key)),
            ),
      ),
    )
    .orderBy(asc(durableTimers.dueAt), asc(durableTimers.key))
    .limit(limit);
}

/** Pending timers by kind, and how many of them are past due (for the gauges). */
export async function pendingByKind(
  db: Queryable,
  now: Date,
): Promise<{ kind: string; pending: number; overdue: number }[]> {
  const rows = await db
    .select({
      kind: durableTimers.kind,
      pending: count(),
      overdue:
        sql<number>`count(*) filter (where ${durableTimers.dueAt} <= ${now.toISOString()}::timestamptz)`.mapWith(
          Number,
        ),
    })
    .from(durableTimers)
    .groupBy(durableTimers.kind);
  return rows;
}
