// One consultation's pushes to one person are delivered one at a time, in the order they were
// written: the outbox worker delivers concurrently, so three quick messages could otherwise
// overtake each other. Only the oldest undelivered push of a (consultation, person) pair is
// handed to the queue; when its delivery ends, the outbox's report hands over the next one.
import { sql } from 'drizzle-orm';
import { oldestUnfinishedDelivery } from '../outbox/index.ts';
import type { ConsultationPush, PushOutbox } from './consultation-types.ts';
import type { Database, Queryable } from '../db/index.ts';

/**
 * Serializes "which push is next" between the writer (after its commit) and the outbox's report
 * (inside its transaction): whichever comes second sees what the first did, so no push is left
 * waiting for a turn that was already given.
 */
async function lockPair(tx: Queryable, consultationId: string, memberId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`consultation-order:${consultationId}:${memberId}`}, 0))`,
  );
}

/** The dedupe key of the pair's next push to hand to the queue, if it is not already in flight. */
async function nextOf(tx: Queryable, consultationId: string, memberId: string): Promise<string | undefined> {
  const head = await oldestUnfinishedDelivery(tx, `consultation:${consultationId}`, memberId);
  return head?.state === 'pending' ? head.dedupeKey : undefined;
}

export function createDeliveryOrder({ db, outbox }: { db: Database; outbox: PushOutbox }) {
  return {
    /** After a commit: start each touched pair's next delivery (a pair already delivering waits its turn). */
    async dispatchInOrder(pushes: readonly ConsultationPush[]): Promise<void> {
      const pairs = new Map<string, { consultationId: string; memberId: string }>();
      for (const push of pushes) {
        const consultationId = push.context.consultationId;
        if (typeof consultationId === 'string')
          pairs.set(`${consultationId}|${push.memberId}`, { consultationId, memberId: push.memberId });
      }
      const keys: string[] = [];
      for (const { consultationId, memberId } of pairs.values()) {
        const next = await db.transaction(async (tx) => {
          await lockPair(tx, consultationId, memberId);
          return nextOf(tx, consultationId, memberId);
        });
        if (next !== undefined) keys.push(next);
      }
      await outbox.dispatch(keys);
    },

    /** Inside the outbox's report of a finished delivery: the pair's next push, to dispatch. */
    async nextAfter(tx: Queryable, consultationId: string, memberId: string): Promise<string | undefined> {
      await lockPair(tx, consultationId, memberId);
      return nextOf(tx, consultationId, memberId);
    },
  };
}

export type DeliveryOrder = ReturnType<typeof createDeliveryOrder>;
