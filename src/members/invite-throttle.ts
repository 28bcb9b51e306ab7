import { type Clock, systemClock } from '../clock/index.ts';
import { eq, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { inviteFailures } from './members-schema.ts';
import type { Database } from '../db/index.ts';

/**
 * Counts wrong invite codes per account, so a code cannot be guessed by trying many. Lives in
 * Redis when there is one (shared by every replica), else in Postgres.
 */
export interface InviteThrottle {
  /** Has this account used up its wrong attempts for the current window? */
  isBlocked(account: string): Promise<boolean>;
  /** Records a wrong code; resolves to the number of failures in the window. */
  recordFailure(account: string): Promise<number>;
  /** Forgets the failures after a successful redemption. */
  clear(account: string): Promise<void>;
}

export interface InviteThrottleOptions {
  db: Database;
  redis?: { client: Redis; prefix: string } | undefined;
  /** Wrong codes allowed per window. Default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  clock?: Clock;
}

export function createInviteThrottle(options: InviteThrottleOptions): InviteThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const redis = options.redis;
  if (redis !== undefined) {
    const key = (account: string) => `${redis.prefix}:invite-failures:${account}`;
    return {
      async isBlocked(account) {
        return Number((await redis.client.get(key(account))) ?? 0) >= maxFailures;
      },
      async recordFailure(account) {
        // The window starts at the first failure; later failures do not extend it.
        const [[, count]] = (await redis.client
          .multi()
          .incr(key(account))
          .pexpire(key(account), windowMs, 'NX')
          .exec()) as [[Error | null, number], [Error | null, number]];
        return count;
      },
      async clear(account) {
        await redis.client.del(key(account));
      },
    };
  }

  const { db, clock = systemClock } = options;
  return {
    async isBlocked(account) {
      const [row] = await db.select().from(inviteFailures).where(eq(inviteFailures.account, account));
      if (row === undefined) return false;
      return row.windowStartedAt.getTime() + windowMs > clock.now().getTime() && row.failures >= maxFailures;
    },
    async recordFailure(account) {
      const now = clock.now();
      const nowParam = sql`${now.toISOString()}::timestamptz`;
      const windowStart = sql`${new Date(now.getTime() - windowMs).toISOString()}::timestamptz`;
      // One statement, so concurrent failures cannot both read the old count.
      const [row] = await db
        .insert(inviteFailures)
        .values({ account, failures: 1, windowStartedAt: now })
        .onConflictDoUpdate({
          target: inviteFailures.account,
          set: {
            failures: sql`case when ${inviteFailures.windowStartedAt} < ${windowStart} then 1 else ${inviteFailures.failures} + 1 end`,
            windowStartedAt: sql`case when ${inviteFailures.windowStartedAt} < ${windowStart} then ${nowParam} else ${inviteFailures.windowStartedAt} end`,
          },
        })
        .returning({ failures: inviteFailures.failures });
      return row?.failures ?? 1;
    },
    async clear(account) {
      await db.delete(inviteFailures).where(eq(inviteFailures.account, account));
    },
  };
}
