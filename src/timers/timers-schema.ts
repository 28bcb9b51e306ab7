import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Durable timers: the truth of "something must happen at this moment", one row per timer key.
 * BullMQ holds a delayed job per row (its id names the row's generation); when Redis loses jobs,
 * the reconciler re-creates them from these rows. A row goes when its timer has fired or is
 * cancelled.
 */
export const durableTimers = pgTable(
  'durable_timers',
  {
    /** `<kind>:<id>`, chosen by the owner: scheduling the same key again moves the timer. */
    key: text('key').primaryKey(),
    /** The part of the key before the first colon: says which handler fires it. */
    kind: text('kind').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    /** Bumped by every schedule of the key: a job armed for an older generation is stale and does nothing. */
    generation: integer('generation').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('durable_timers_due_idx').on(table.dueAt)],
);
