// Accept deadlines are a lane of the durable-timer service (src/timers): the consultation row
// holds the deadline and its routing step (`accept_deadline_at`, `route_seq`, the truth, written
// in the step's transaction); the lane's jobs are `consult-deadline:<id>:<routeSeq>` on the
// `consultationDeadlines` queue, and the timer service's reconciler re-arms from this module's
// query what Redis lost, and replaces jobs of deadlines long past that failed or vanished.
import type { DurableTimers, LaneTimer } from '../timers/index.ts';
import type { Database } from '../db/index.ts';
import { deadlinesDueBy } from './consultation-repository.ts';
import type { ConsultationRules } from './consultation-service.ts';
import type { DeadlineTimers } from './consultation-types.ts';

export interface DeadlineJob {
  consultationId: string;
  routeSeq: number;
}

/** One timer per routing step: re-arming the same step's timer is a no-op. */
export const deadlineJobId = (consultationId: string, routeSeq: number): string =>
  `consult-deadline:${consultationId}:${routeSeq}`;

const pageSize = 500;

export function createDeadlineTimers(deps: {
  db: Database;
  timers: DurableTimers;
  /** The rules, built after the timers (they schedule through them). */
  rules: () => ConsultationRules;
}): DeadlineTimers & { reconcileNow(): Promise<{ armed: number; replaced: number }> } {
  const lane = deps.timers.lane(
    {
      kind: 'consult-deadline',
      queue: 'consultationDeadlines',
      jobId: (timer) => deadlineJobId(timer.id, timer.generation),
      payload: (timer) => ({ consultationId: timer.id, routeSeq: timer.generation }),
      async *dueBy(horizon) {
        let after: { at: Date; id: string } | undefined;
        for (;;) {
          const page = await deadlinesDueBy(deps.db, horizon, pageSize, after);
          yield page.map((row): LaneTimer => ({ id: row.id, generation: row.routeSeq, dueAt: row.at }));
          const last = page.at(-1);
          if (last === undefined || page.length < pageSize) return;
          after = { at: last.at, id: last.id };
        }
      },
    },
    {
      // A stale or early job is harmless: the rules check the step and the time.
      async fire(jobs) {
        for (const job of jobs) await deps.rules().handleDeadline(job.consultationId, job.routeSeq);
        return jobs.map(() => ({ kind: 'fired' as const }));
      },
      concurrency: 8,
    },
  );
  return {
    async schedule(consultationId, routeSeq, at) {
      // Refused (Redis down): logged by the lane, armed by the reconciler later.
      await lane.arm([{ id: consultationId, generation: routeSeq, dueAt: at }]);
    },
    reconcileNow: () => lane.reconcileNow(),
  };
}
