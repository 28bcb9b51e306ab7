// How well pushes reach people: whose last push failed for good (blocked bot, unlinked chat), and
// how many deliveries failed or ended uncertain in a period. Read by the stewardship console and
// the statistics.
import { and, gte, inArray, lt, sql } from 'drizzle-orm';
import { outbox } from './outbox-schema.ts';
import type { Database } from '../db/index.ts';

export type DeliveryHealth = ReturnType<typeof createDeliveryHealth>;

export function createDeliveryHealth({ db }: { db: Database }) {
  return {
    /**
     * Members whose most recent finished push failed. One pass over the outbox (it has no index
     * on the member, on purpose: it is the hottest table to write), so callers cache the answer.
     */
    async failingMembers(memberIds: readonly string[]): Promise<Set<string>> {
      if (memberIds.length === 0) return new Set();
      const rows = await db
        .selectDistinctOn([outbox.memberId], { memberId: outbox.memberId, state: outbox.state })
        .from(outbox)
        .where(
          and(inArray(outbox.memberId, [...new Set(memberIds)]), inArray(outbox.state, ['sent', 'failed'])),
        )
        .orderBy(outbox.memberId, sql`${outbox.updatedAt} desc`);
      return new Set(rows.filter((row) => row.state === 'failed').flatMap((row) => row.memberId ?? []));
    },

    /** Pushes that failed for good or ended uncertain, per kind (nudge, notice, consultation...). */
    async problemCounts(period: {
      from: Date;
      to: Date;
    }): Promise<{ kind: string; failed: number; uncertain: number }[]> {
      return db
        .select({
          kind: outbox.kind,
          failed: sql<number>`count(*) filter (where ${outbox.state} = 'failed')::int`,
          uncertain: sql<number>`count(*) filter (where ${outbox.state} = 'uncertain')::int`,
        })
        .from(outbox)
        .where(
          and(
            inArray(outbox.state, ['failed', 'uncertain']),
            gte(outbox.createdAt, period.from),
            lt(outbox.createdAt, period.to),
          ),
        )
        .groupBy(outbox.kind)
        .orderBy(outbox.kind);
    },
  };
}
