// Which durable timers exist, for a module that plans idempotently ("arm one unless it is there").
import { like } from 'drizzle-orm';
import { durableTimers } from './timers-schema.ts';
import type { Queryable } from '../db/index.ts';

/** The keys of the durable timers whose key starts with `prefix` (`digest:`). */
export async function timerKeysStartingWith(db: Queryable, prefix: string): Promise<string[]> {
  const rows = await db
    .select({ key: durableTimers.key })
    .from(durableTimers)
    .where(like(durableTimers.key, `${prefix.replace(/[%_\\]/g, '\\$&')}%`));
  return rows.map((row) => row.key);
}
