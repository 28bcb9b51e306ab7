// The one "Postgres holds the due time, BullMQ holds a deterministic job, a reconciler repairs"
// implementation. A lane is one kind of timer with a queue of its own (so a burst of nudges never
// delays a consultation's deadline): where its truth lives in Postgres, how a timer becomes a job,
// and, for lanes whose jobs the timer service runs, what firing does.
//
// Most kinds keep their timers in `durable_timers` (schedule/cancel, durable-timers.ts). A kind
// whose rows already hold the due time and a number that changes whenever it moves (a request's
// next nudge and nudge number, a consultation's accept deadline and routing step, an outbox row
// waiting to be delivered) is a lane reading the owner's rows through the owner's own query: the
// due time is written once, in the owner's transaction, and can never disagree with a copy.
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import type { Clock } from '../clock/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueueName, QueuePayloads, QueueProducers } from '../queue/index.ts';
import type { TimerMetrics } from './timer-metrics.ts';

/** One timer of a lane: `generation` changes whenever the timer moves, so an outdated job is recognisable. */
export interface LaneTimer {
  id: string;
  generation: number;
  dueAt: Date;
}

export interface TimerLane<Name extends QueueName> {
  /** Names the timers in logs and metrics. */
  kind: string;
  queue: Name;
  /** Deterministic: arming the same timer twice adds one job. */
  jobId(timer: Pick<LaneTimer, 'id' | 'generation'>): string;
  payload(timer: LaneTimer): QueuePayloads[Name];
  /** The truth: every timer due by `horizon`, earliest first, a page at a time. */
  dueBy(horizon: Date): AsyncIterable<readonly LaneTimer[]>;
  /** A timer this long past due has its job's state checked (failed or lost jobs are replaced). Default 60 s. */
  checkAfterMs?: number;
}

/** What became of a due job: an early one waits until `at` (epoch ms) and runs again. */
export type FireOutcome =
  { kind: 'fired' } | { kind: 'postponed' } | { kind: 'stale' } | { kind: 'early'; at: number };

/** What firing a lane's jobs does, for lanes whose jobs the timer service runs. */
export interface LaneFiring<Name extends QueueName> {
  /**
   * Fires due jobs, one outcome per payload in order. Runs at least once per job, so it must
   * check its truth (a job whose generation is no longer the row's does nothing); a throw retries
   * every job of the batch with backoff.
   */
  fire(payloads: readonly QueuePayloads[Name][]): Promise<readonly FireOutcome[]>;
  /** Jobs taken at once per worker process. */
  concurrency: number;
  /**
   * Gather jobs taken together into one `fire` call (at most `maxSize`, waiting at most
   * `maxDelayMs` after the first): a morning of thousands of due nudges then costs a few
   * transactions. Without it each job fires alone.
   */
  batch?: { maxSize: number; maxDelayMs: number };
}

export interface LaneHandle {
  /**
   * Adds jobs for timers already recorded in Postgres (after the owner's commit); timers beyond
   * the horizon are left to the reconciler. Resolves to false when Redis refused: the caller
   * carries on and the reconciler arms them later.
   */
  arm(timers: readonly LaneTimer[]): Promise<boolean>;
  /**
   * Removes the jobs of timers that will not fire (answered, closed, moved). A job left behind
   * would do nothing, but nothing should wait in Redis for nothing. Never throws.
   */
  disarm(timers: readonly Pick<LaneTimer, 'id' | 'generation'>[]): Promise<void>;
  /** One reconciler pass over this lane only (operations, tests). */
  reconcileNow(): Promise<{ armed: number; replaced: number }>;
}

const armChunk = 2000;
const stateChecksPerPass = 1000;

export interface LaneDeps {
  queues: QueueProducers;
  logger: Logger;
  clock: Clock;
  metrics: TimerMetrics;
  /** Timers due further away are armed by later reconciler passes, as they come near. */
  horizonMs: number;
}

export function createLaneHandle<Name extends QueueName>(lane: TimerLane<Name>, deps: LaneDeps): LaneHandle {
  const { queues, logger, clock, metrics } = deps;
  const checkAfterMs = lane.checkAfterMs ?? 60_000;

  /** Adds jobs (a no-op for ids that exist); throws when Redis refused. */
  async function add(timers: readonly LaneTimer[]): Promise<void> {
    const now = clock.now().getTime();
    for (let start = 0; start < timers.length; start += armChunk) {
      await queues.add(
        lane.queue,
        timers.slice(start, start + armChunk).map((timer) => ({
          jobId: lane.jobId(timer),
          payload: lane.payload(timer),
          delay: Math.max(0, timer.dueAt.getTime() - now),
        })),
      );
    }
  }

  return {
    async arm(all) {
      const horizon = clock.now().getTime() + deps.horizonMs;
      const near = all.filter((timer) => timer.dueAt.getTime() <= horizon);
      if (near.length === 0) return true;
      try {
        await add(near);
        return true;
      } catch (error) {
        logger.warn(
          { err: (error as Error).message, kind: lane.kind, timers: near.length },
          'timers not armed now; the reconciler will arm them',
        );
        return false;
      }
    },

    async disarm(timers) {
      if (timers.length === 0 || !queues.available) return;
      try {
        const queue = queues.queue(lane.queue);
        for (const timer of timers) await queue.remove(lane.jobId(timer));
      } catch (error) {
        logger.debug(
          { err: (error as Error).message, kind: lane.kind },
          'timer jobs not removed; they do nothing',
        );
      }
    },

    async reconcileNow() {
      const now = clock.now().getTime();
      const horizon = new Date(Math.min(now + deps.horizonMs, 8.64e15));
      const queue = queues.queue(lane.queue);
      let armed = 0;
      let replaced = 0;
      let checks = 0;
      for await (const page of lane.dueBy(horizon)) {
        // Long past due and still waiting: its job failed for good, vanished, or finished early
        // (before its owner's transaction committed). Such jobs are removed before the page is
        // armed, so arming replaces them; a job armed by this very pass is never judged (it may
        // already have completed, and replacing it would run the timer twice).
        for (const timer of page) {
          if (checks >= stateChecksPerPass || timer.dueAt.getTime() > now - checkAfterMs) continue;
          checks += 1;
          const jobId = lane.jobId(timer);
          const state = await queue.getJobState(jobId);
          if (state === 'failed' || state === 'completed') await queue.remove(jobId);
          if (state === 'failed' || state === 'completed' || state === 'unknown') replaced += 1;
        }
        // Adding a job id that exists is a no-op in BullMQ, so this only fills the gaps.
        await add(page);
        armed += page.length;
      }
      if (replaced > 0) {
        metrics.repaired(replaced);
        logger.warn({ kind: lane.kind, replaced }, 'replaced timer jobs that had failed or vanished');
      }
      return { armed, replaced };
    },
  };
}

/** Settles one job from its outcome: an early job waits for its time (BullMQ's DelayedError). */
export async function settleJob(
  job: Job,
  token: string | undefined,
  outcome: FireOutcome,
  kind: string,
  metrics: TimerMetrics,
): Promise<string> {
  if (outcome.kind === 'early' && token !== undefined) {
    await job.moveToDelayed(outcome.at, token);
    throw new DelayedError();
  }
  if (outcome.kind === 'stale') metrics.stale();
  else if (outcome.kind === 'fired') metrics.fired(kind);
  return outcome.kind;
}
