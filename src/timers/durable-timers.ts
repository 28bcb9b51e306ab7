// One durable-timer service: "this must happen at that moment, even if a process or Redis dies
// meanwhile". Postgres holds each timer (the truth); BullMQ holds one delayed job per timer with a
// deterministic id; a reconciler re-creates jobs Redis lost and replaces jobs that failed for good.
import type { QueueName } from '../queue/index.ts';
import { createLaneHandle, type LaneFiring, type LaneHandle, type TimerLane } from './timer-lanes.ts';
import { DelayedError, type Job } from 'bullmq';
import { type Clock, systemClock } from '../clock/index.ts';
import { noTimerMetrics, type TimerMetrics } from './timer-metrics.ts';
import { deleteFired, deleteTimer, dueBy, findTimer, upsertTimer, type TimerRow } from './timer-store.ts';
import { afterCommit, type Database, type Queryable } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueueProducers } from '../queue/index.ts';

/** A lane whose jobs the timer service runs. */
export type RegisteredFiring = {
  [Name in QueueName]: { kind: string; queue: Name; firing: LaneFiring<Name> };
}[QueueName];

/** What the owner stores with a timer: plain JSON, handed back to its handler when it fires. */
export type TimerPayload =
  null | boolean | number | string | TimerPayload[] | { [key: string]: TimerPayload };

export interface FiringTimer {
  key: string;
  kind: string;
  dueAt: Date;
}

/**
 * What firing does. Runs at least once (a crash after the work and before the timer is removed
 * runs it again), so it must be idempotent; a throw retries with backoff. Scheduling the same key
 * from inside the handler (a repeating timer) keeps the new timer.
 */
export type TimerHandler<Payload> = (payload: Payload, timer: FiringTimer) => Promise<void>;

export interface ScheduleOptions {
  /**
   * Write the timer in the caller's transaction, so it exists exactly when the caller's state
   * does. In a transaction opened with `inTransaction` (src/db/after-commit.ts) the job is armed
   * after the commit (and not at all on a rollback); in any other transaction it is armed at once,
   * and a job that finds its timer not yet committed looks again for a little while.
   */
  db?: Queryable;
}

export interface DurableTimers {
  /**
   * Creates the timer `key` (`<kind>:<id>`, the kind names the handler), or moves it to `dueAt`
   * with the new payload. Past due times fire at once.
   */
  schedule(key: string, dueAt: Date, payload: TimerPayload, options?: ScheduleOptions): Promise<void>;
  /** Removes the timer; resolves to whether there was one. A job already running may still finish. */
  cancel(key: string, options?: ScheduleOptions): Promise<boolean>;
  /**
   * The payload the timer `key` carries now (undefined: no such timer), read in the caller's
   * transaction with `db`: an owner moving its timer keeps what the payload says beyond its own row.
   */
  payloadOf(key: string, options?: ScheduleOptions): Promise<TimerPayload | undefined>;
  /** Says what firing a kind's timers does (in processes that run workers; register before start). */
  handle<Payload extends TimerPayload>(kind: string, handler: TimerHandler<Payload>): void;
  /** One BullMQ job: the worker's processor. */
  process(job: Job<{ key: string; generation: number }>, token: string | undefined): Promise<void>;
  /**
   * Adds a lane: a kind whose due times live in its owner's rows (see timer-lanes.ts). With
   * `firing`, the timer service runs its jobs; without, the owner does and the lane only repairs.
   * Register before the worker starts.
   */
  lane<Name extends QueueName>(definition: TimerLane<Name>, firing?: LaneFiring<Name>): LaneHandle;
  /** The lanes whose jobs the timer service runs (for the module's workers). */
  firings(): readonly RegisteredFiring[];
  /**
   * Re-arms timers due within the horizon and replaces jobs of overdue timers that failed or
   * vanished, in durable_timers and in every lane.
   */
  reconcileOnce(): Promise<{ armed: number; replaced: number }>;
}

export interface DurableTimerOptions {
  db: Database;
  queues: QueueProducers;
  logger: Logger;
  clock?: Clock;
  metrics?: TimerMetrics;
  /**
   * Timers due further away than this are not armed in Redis when scheduled; reconciler passes arm
   * them as they come near, so Redis holds only the near future however many timers wait.
   * At least twice the reconcile interval. Default: arm everything at once.
   */
  horizonMs?: number;
  /** A timer this long past due has its job's state checked (failed or lost jobs are replaced). Default 60 s. */
  overdueAfterMs?: number;
}

const pageSize = 2000;
/**
 * A job that finds no timer, or an older generation than its own, may belong to a transaction
 * that has not committed yet: it looks again, less and less often, for this long after it was
 * armed, then counts as stale (the transaction rolled back, or the timer was cancelled).
 */
const uncommittedGraceMs = 30_000;

/** BullMQ rejects ids with colons (except its own three-part form), so the key is URI-encoded. */
export const timerJobId = (key: string, generation: number): string =>
  `timer.${encodeURIComponent(key)}.${String(generation)}`;

export const kindOf = (key: string): string => {
  const colon = key.indexOf(':');
  if (colon <= 0) throw new Error(`timer key "${key}" must read <kind>:<id>`);
  return key.slice(0, colon);
};

export function createDurableTimers(options: DurableTimerOptions): DurableTimers {
  const { db, queues, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noTimerMetrics;
  const horizonMs = options.horizonMs ?? Infinity;
  const overdueAfterMs = options.overdueAfterMs ?? 60_000;
  // One per timer kind, registered at start by code: bounded by the program, not by input.
  const handlers = new Map<string, TimerHandler<never>>();

  // The kinds kept in durable_timers are one lane; owners of their own due times add theirs.
  const laneDeps = { queues, logger, clock, metrics, horizonMs };
  const table = createLaneHandle(
    {
      kind: 'durable_timers',
      queue: 'timers',
      jobId: (timer) => timerJobId(timer.id, timer.generation),
      payload: (timer) => ({ key: timer.id, generation: timer.generation }),
      checkAfterMs: overdueAfterMs,
      async *dueBy(horizon) {
        let after: TimerRow | undefined;
        for (;;) {
          const page = await dueBy(db, horizon, pageSize, after);
          yield page.map((row) => ({ id: row.key, generation: row.generation, dueAt: row.dueAt }));
          after = page.at(-1);
          if (page.length < pageSize) return;
        }
      },
    },
    laneDeps,
  );
  const lanes: LaneHandle[] = [table];
  const firings: RegisteredFiring[] = [];

  return {
    async schedule(key, dueAt, payload, scheduleOptions = {}) {
      const kind = kindOf(key);
      const executor = scheduleOptions.db ?? db;
      const { generation, previous } = await upsertTimer(
        executor,
        { key, kind, dueAt, payload },
        clock.now(),
      );
      metrics.scheduled(kind);
      const tellRedis = async () => {
        // The older generation's job would only find itself stale; removing it keeps Redis small.
        if (previous !== undefined) await table.disarm([{ id: key, generation: previous }]);
        await table.arm([{ id: key, generation, dueAt }]);
      };
      if (!afterCommit(executor, tellRedis)) await tellRedis();
    },

    async cancel(key, cancelOptions = {}) {
      const executor = cancelOptions.db ?? db;
      const removed = await deleteTimer(executor, key);
      if (removed === undefined) return false;
      metrics.cancelled(removed.kind);
      const tellRedis = () => table.disarm([{ id: key, generation: removed.generation }]);
      if (!afterCommit(executor, tellRedis)) await tellRedis();
      return true;
    },

    async payloadOf(key, readOptions = {}) {
      const timer = await findTimer(readOptions.db ?? db, key);
      return timer?.payload as TimerPayload | undefined;
    },

    handle(kind, handler) {
      handlers.set(kind, handler);
    },

    async process(job, token) {
      const { key, generation } = job.data;
      const timer = await findTimer(db, key);
      if (timer === undefined || timer.generation < generation) {
        // Armed by a transaction that may not have committed yet: look again shortly.
        const age = Date.now() - job.timestamp;
        if (age < uncommittedGraceMs && token !== undefined) {
          await job.moveToDelayed(Date.now() + Math.min(2000, Math.max(100, age / 2)), token);
          throw new DelayedError();
        }
        metrics.stale();
        return;
      }
      if (timer.generation > generation) {
        metrics.stale();
        return;
      }
      // Fired early (a clock ahead of this one, or a job armed before a move was seen): wait the rest.
      const early = timer.dueAt.getTime() - clock.now().getTime();
      if (early > 1000) {
        await job.moveToDelayed(Date.now() + early, token);
        throw new DelayedError();
      }
      const handler = handlers.get(timer.kind);
      if (handler === undefined) {
        throw new Error(`no handler for timer kind "${timer.kind}" in this process`);
      }
      try {
        await handler(timer.payload as never, { key, kind: timer.kind, dueAt: timer.dueAt });
      } catch (error) {
        metrics.failed(timer.kind);
        throw error;
      }
      await deleteFired(db, key, generation);
      metrics.fired(timer.kind);
    },

    lane(definition, firing) {
      const handle = createLaneHandle(definition, laneDeps);
      lanes.push(handle);
      if (firing !== undefined) {
        firings.push({ kind: definition.kind, queue: definition.queue, firing } as RegisteredFiring);
      }
      return handle;
    },

    firings: () => firings,

    async reconcileOnce() {
      let armed = 0;
      let replaced = 0;
      let failure: Error | undefined;
      // One lane's trouble (its query failing) must not keep the others from being repaired.
      for (const lane of lanes) {
        try {
          const pass = await lane.reconcileNow();
          armed += pass.armed;
          replaced += pass.replaced;
        } catch (error) {
          failure ??= error instanceof Error ? error : new Error('a timer lane failed to reconcile');
        }
      }
      if (failure !== undefined) throw failure;
      return { armed, replaced };
    },
  };
}
