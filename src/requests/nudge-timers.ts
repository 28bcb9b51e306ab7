// Nudges are a lane of the durable-timer service (src/timers): each open request's row holds its
// next nudge time and number (`next_nudge_at`, `nudge_seq`, the truth, written in the request's
// own transactions); the lane's jobs are `nudge:<requestId>:<seq>` on the `nudges` queue, and the
// timer service's reconciler re-arms from this module's query what Redis lost.
import { and, asc, isNotNull, lte } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { nudgeJobId } from '../queue/index.ts';
import type { DurableTimers, FireOutcome, LaneTimer } from '../timers/index.ts';
import type { NudgeJobItem } from './nudge-processor.ts';
import { formalRequests } from './requests-schema.ts';

export interface NudgeTimer {
  requestId: string;
  seq: number;
  at: Date;
}

export interface NudgeScheduler {
  /**
   * Arms the timers of nudges already recorded in Postgres. Resolves to false when Redis refused
   * (down): the caller carries on, the reconciler arms them later.
   */
  schedule(timers: readonly NudgeTimer[]): Promise<boolean>;
  /**
   * Removes the timers of nudges that will no longer be sent (the request was answered, closed
   * or rescheduled). A timer left behind would do nothing (its number is no longer the request's),
   * but a closed request should leave nothing waiting in Redis. Never throws.
   */
  cancel(timers: readonly Pick<NudgeTimer, 'requestId' | 'seq'>[]): Promise<void>;
}

/** One job per (request, nudge number); micro-batched because a busy morning brings thousands at once. */
export function createNudgeTimers(deps: {
  db: Database;
  timers: DurableTimers;
  fire: (items: readonly NudgeJobItem[]) => Promise<readonly FireOutcome[]>;
  concurrency: number;
}): NudgeScheduler & { reconcileNow(): Promise<{ armed: number; replaced: number }> } {
  const lane = deps.timers.lane(
    {
      kind: 'nudge',
      queue: 'nudges',
      jobId: (timer) => nudgeJobId(timer.id, timer.generation),
      payload: (timer) => ({ requestId: timer.id, seq: timer.generation }),
      async *dueBy(horizon) {
        // One scan (next_nudge_at is deliberately not indexed: it changes with every nudge).
        const rows = await deps.db
          .select({ id: formalRequests.id, seq: formalRequests.nudgeSeq, at: formalRequests.nextNudgeAt })
          .from(formalRequests)
          .where(and(isNotNull(formalRequests.nextNudgeAt), lte(formalRequests.nextNudgeAt, horizon)))
          .orderBy(asc(formalRequests.nextNudgeAt));
        yield rows.flatMap((row): LaneTimer[] =>
          row.at === null ? [] : [{ id: row.id, generation: row.seq, dueAt: row.at }],
        );
      },
    },
    { fire: deps.fire, concurrency: deps.concurrency, batch: { maxSize: 500, maxDelayMs: 5 } },
  );
  return {
    schedule: (timers) =>
      lane.arm(timers.map((timer) => ({ id: timer.requestId, generation: timer.seq, dueAt: timer.at }))),
    cancel: (timers) => lane.disarm(timers.map((timer) => ({ id: timer.requestId, generation: timer.seq }))),
    reconcileNow: () => lane.reconcileNow(),
  };
}
