// Outbox rows are the truth; delivery jobs can be lost (Redis flushed or down when the row was
// written). This re-creates the job of any row still waiting after a grace period.
import { type Clock, systemClock } from '../clock/index.ts';
import { and, asc, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { outbox } from './outbox-schema.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueueProducers } from '../queue/index.ts';

const perPass = 1000;

export function createOutboxReconciler({
  db,
  queues,
  logger,
  graceMs = 30_000,
  clock = systemClock,
}: {
  db: Database;
  queues: QueueProducers;
  logger: Logger;
  /** Rows younger than this are left to their job. Default 30 s. */
  graceMs?: number;
  clock?: Clock;
}) {
  return {
    async reconcileOnce(): Promise<{ requeued: number }> {
      const rows = await db
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            // Queued and still to deliver, or delivered without its consequences recorded (a crash
            // in between). Deferred rows not yet queued are the relay's.
            or(
              and(inArray(outbox.state, ['pending', 'sending']), isNotNull(outbox.queuedAt)),
              isNull(outbox.outcomeRecordedAt),
            ),
            lt(outbox.updatedAt, new Date(clock.now().getTime() - graceMs)),
          ),
        )
        .orderBy(asc(outbox.updatedAt))
        .limit(perPass);
      let requeued = 0;
      const queue = queues.queue('outbox');
      for (const row of rows) {
        const state = await queue.getJobState(row.id);
        if (state === 'failed' || state === 'completed') await queue.remove(row.id);
        else if (state !== 'unknown') continue;
        await queues.add('outbox', [{ jobId: row.id, payload: { outboxId: row.id } }]);
        requeued += 1;
      }
      if (requeued > 0) logger.warn({ requeued }, 'requeued outbox deliveries whose jobs were lost');
      return { requeued };
    },
  };
}
