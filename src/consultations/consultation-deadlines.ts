// Accept deadlines as BullMQ delayed jobs with deterministic ids, and a reconciler that makes
// Postgres the truth: it handles deadlines that passed while no timer fired (Redis lost, a crash)
// and re-creates timers, and it purges stored bodies whose retention is over.
import { type Clock, systemClock } from '../clock/index.ts';
import { overdue, waiting } from './consultation-repository.ts';
import type { Core } from './consultation-core.ts';
import type { ConsultationRelay } from './consultation-relay.ts';
import type { ConsultationRules } from './consultation-service.ts';
import type { DeadlineTimers } from './consultation-types.ts';

export interface DeadlineJob {
  consultationId: string;
  routeSeq: number;
}

/** Where deadline jobs go: the `consultationDeadlines` queue of src/queue. */
export interface DeadlineQueue {
  add(jobs: readonly { jobId: string; payload: DeadlineJob; delay: number }[]): Promise<void>;
}

/** One timer per routing step: re-adding the same step's timer is a no-op. */
export const deadlineJobId = (consultationId: string, routeSeq: number): string =>
  `consult-deadline:${consultationId}:${routeSeq}`;

export function createDeadlineTimers(queue: DeadlineQueue, clock: Clock = systemClock): DeadlineTimers {
  return {
    async schedule(consultationId, routeSeq, at) {
      await queue.add([
        {
          jobId: deadlineJobId(consultationId, routeSeq),
          payload: { consultationId, routeSeq },
          delay: Math.max(0, at.getTime() - clock.now().getTime()),
        },
      ]);
    },
  };
}

/** The worker's job: a stale or early timer is harmless (the rules check the step and the time). */
export const processDeadlineJob = (rules: ConsultationRules) => async (job: { data: DeadlineJob }) =>
  rules.handleDeadline(job.data.consultationId, job.data.routeSeq);

/**
 * One reconciler pass (run periodically by the composition root, under a Redis lock when several
 * workers run): deadlines that passed without their timer, timers that Redis lost, and bodies
 * past their retention.
 */
export function createConsultationReconciler(options: {
  core: Core;
  rules: ConsultationRules;
  relay: ConsultationRelay;
  timers: DeadlineTimers;
}) {
  const { core, rules, relay, timers } = options;

  async function runOnce(): Promise<{ handled: number; rescheduled: number; purged: number }> {
    let handled = 0;
    for (;;) {
      const due = await overdue(core.deps.db, core.clock.now(), 100);
      for (const consultation of due) {
        await rules.handleDeadline(consultation.id, consultation.routeSeq);
        handled += 1;
      }
      if (due.length < 100) break;
    }
    let rescheduled = 0;
    let after = 0;
    for (;;) {
      const page = await waiting(core.deps.db, 500, after);
      for (const consultation of page) {
        if (consultation.acceptDeadlineAt !== null) {
          await timers.schedule(consultation.id, consultation.routeSeq, consultation.acceptDeadlineAt);
          rescheduled += 1;
        }
        after = consultation.number;
      }
      if (page.length < 500) break;
    }
    const purged = await relay.purgeExpiredBodies();
    return { handled, rescheduled, purged };
  }

  return { runOnce };
}
