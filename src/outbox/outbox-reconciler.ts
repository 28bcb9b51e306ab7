// Outbox rows are the truth; delivery jobs can be lost (Redis flushed or down when the row was
// written). The outbox is a lane of the durable-timer service (src/timers) whose jobs the outbox
// runs itself: the timer service's reconciler re-creates the job of any row still waiting after a
// grace period (or replaces it when it failed for good), listing them with this module's query.
import type { DurableTimers, LaneHandle } from '../timers/index.ts';
import { type Clock, systemClock } from '../clock/index.ts';
import { and, asc, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { outbox } from './outbox-schema.ts';
import type { Database } from '../db/index.ts';

const perPass = 1000;

export function createOutboxLane({
  db,
  timers,
  graceMs = 30_000,
  clock = systemClock,
}: {
  db: Database;
  timers: DurableTimers;
  /** Rows younger than this are left to their job. Default 30 s. */
  graceMs?: number;
  clock?: Clock;
}): LaneHandle {
  return timers.lane({
    kind: 'outbox',
    queue: 'outbox',
    jobId: (row) => row.id,
    payload: (row) => ({ outboxId: row.id }),
    // Every row listed is past its grace: check its job now.
    checkAfterMs: 0,
    async *dueBy() {
      const rows = await db
        .select({ id: outbox.id, updatedAt: outbox.updatedAt })
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
      yield rows.map((row) => ({ id: row.id, generation: 0, dueAt: row.updatedAt }));
    },
  });
}
