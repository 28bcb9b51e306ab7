import { bigint, index, jsonb, pgSequence, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Where timer generations come from: one sequence for every key, so a generation is never used
 * twice for a key, even after its row was deleted (fired or cancelled) and the key scheduled anew.
 * BullMQ keeps completed jobs for a while and ignores a new job whose id (key and generation)
 * exists: a generation counted again from 1 would name a finished job, and the timer would wait
 * for the reconciler. It starts above any per-key count the earlier numbering reached.
 */
export const timerGenerations = pgSequence('durable_timer_generations', { startWith: 1_000_000 });

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
    /**
     * New with every schedule of the key (from timerGenerations, so larger than any before it): a
     * job armed for an older generation is stale and does nothing.
     */
    generation: bigint('generation', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('durable_timers_due_idx').on(table.dueAt)],
);
