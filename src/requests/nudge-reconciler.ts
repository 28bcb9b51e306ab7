// Postgres holds each request's next nudge time; BullMQ holds the timers. This rebuilds any
// timer Redis lost (a flush, a restart without persistence, an enqueue that failed while Redis
// was down) from Postgres. Run at worker start and every few minutes.
import { type Clock, systemClock } from '../clock/index.ts';
import { and, asc, isNotNull, lte } from 'drizzle-orm';
import type { NudgeScheduler } from './nudge-scheduler.ts';
import { formalRequests } from './requests-schema.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import { nudgeJobId, type QueueProducers } from '../queue/index.ts';

export interface NudgeReconcilerOptions {
  db: Database;
  queues: QueueProducers;
  scheduler: NudgeScheduler;
  logger: Logger;
  /**
   * Timers due within this horizon (ms) are (re)created on each pass; later ones are created by
   * later passes as they come near, which keeps Redis small with many open requests. At least
   * twice the reconcile interval.
   */
  horizonMs: number;
  /** A nudge this long overdue has its timer's state checked (a job that failed for good is replaced). Default 60 s. */
  overdueAfterMs?: number;
  clock?: Clock;
}

const chunkSize = 5000;
const overdueChecksPerPass = 500;

export function createNudgeReconciler(options: NudgeReconcilerOptions) {
  const { db, queues, scheduler, logger } = options;
  const clock = options.clock ?? systemClock;
  const overdueAfterMs = options.overdueAfterMs ?? 60_000;

  return {
    /** One pass; resolves to the number of timers (re)submitted and of failed timers replaced. */
    async reconcileOnce(): Promise<{ submitted: number; replaced: number }> {
      const now = clock.now().getTime();
      const horizon = new Date(now + options.horizonMs);
      let replaced = 0;
      // One scan (next_nudge_at is deliberately not indexed), then timers in chunks.
      const rows = await db
        .select({ id: formalRequests.id, seq: formalRequests.nudgeSeq, at: formalRequests.nextNudgeAt })
        .from(formalRequests)
        .where(and(isNotNull(formalRequests.nextNudgeAt), lte(formalRequests.nextNudgeAt, horizon)))
        .orderBy(asc(formalRequests.nextNudgeAt));
      const timers = rows.flatMap((row) =>
        row.at === null ? [] : [{ requestId: row.id, seq: row.seq, at: row.at }],
      );
      for (let start = 0; start < timers.length; start += chunkSize) {
        // Adding a job id that exists is a no-op in BullMQ, so this only fills the gaps.
        if (!(await scheduler.schedule(timers.slice(start, start + chunkSize))))
          throw new Error('Redis refused the timers');
      }
      const submitted = timers.length;
      // Long overdue: is its job stuck in `failed`? Checked for the oldest few only, so a backlog
      // on a busy morning does not turn into thousands of lookups.
      for (const timer of timers.slice(0, overdueChecksPerPass)) {
        if (timer.at.getTime() > now - overdueAfterMs) break;
        const jobId = nudgeJobId(timer.requestId, timer.seq);
        const state = await queues.queue('nudges').getJobState(jobId);
        if (state === 'failed' || state === 'completed') {
          await queues.queue('nudges').remove(jobId);
          await scheduler.schedule([timer]);
          replaced += 1;
        }
      }
      if (replaced > 0) logger.warn({ replaced }, 'replaced nudge timers that had failed');
      return { submitted, replaced };
    },
  };
}
