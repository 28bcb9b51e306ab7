// Durable timers: schedule(key, dueAt, payload), cancel(key), a handler per kind, a reconciler that
// repairs Redis from Postgres, and metrics. Public surface; the composition root builds one.
import type { Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../clock/index.ts';
import { createDurableTimers, type DurableTimers, type RegisteredFiring } from './durable-timers.ts';
import { settleJob, type FireOutcome } from './timer-lanes.ts';
import { createTimerMetrics, noTimerMetrics } from './timer-metrics.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import {
  createPeriodicTask,
  type PeriodicTask,
  createQueueWorker,
  createMicroBatcher,
  type MicroBatcher,
  type QueueName,
  type QueueProducers,
} from '../queue/index.ts';
import type { RedisHandle } from '../redis/index.ts';

export {
  kindOf,
  timerJobId,
  type DurableTimers,
  type RegisteredFiring,
  type FiringTimer,
  type ScheduleOptions,
  type TimerHandler,
  type TimerPayload,
} from './durable-timers.ts';
export type { FireOutcome, LaneFiring, LaneHandle, LaneTimer, TimerLane } from './timer-lanes.ts';
export { timerKeysStartingWith } from './timer-keys.ts';

export interface TimerSettings {
  reconcileIntervalMs: number;
  workerLockMs: number;
  /** Timer jobs handled at once per worker process (default 50). */
  timerConcurrency?: number;
}

export interface TimersModule {
  readonly timers: DurableTimers;
  /** Starts the workers (durable_timers and each lane with a firing) and the periodic reconciler (worker and all run modes only). */
  startWorker(): void;
  /** The running worker of a lane's queue (benchmarks watch its completions). */
  workerOf(queue: QueueName): Worker | undefined;
  /** One reconciler pass now (operations, tests, after Redis comes back). */
  reconcileNow(): Promise<{ armed: number; replaced: number }>;
  /** Stops taking jobs and waits for handlers in flight. */
  stop(): Promise<void>;
}

export function createTimersModule(deps: {
  db: Database;
  redis: RedisHandle;
  queues: QueueProducers;
  logger: Logger;
  settings: TimerSettings;
  clock?: Clock;
  /** Prometheus registry for the timer counters and gauges. */
  metrics?: Registry;
}): TimersModule {
  const { db, redis, queues, logger, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics === undefined ? noTimerMetrics : createTimerMetrics(deps.metrics, db, clock);
  const timers = createDurableTimers({
    db,
    queues,
    logger,
    clock,
    horizonMs: Math.max(2 * settings.reconcileIntervalMs, 3_600_000),
    metrics,
  });
  const workers = new Map<QueueName, Worker>();
  const batchers: MicroBatcher<unknown, FireOutcome>[] = [];
  let periodic: PeriodicTask | undefined;
  /** A lane's worker: each job fires alone, or joins a batch fired in one call. */
  function startLane({ kind, queue, firing }: RegisteredFiring): void {
    const fire = (payloads: readonly unknown[]): Promise<readonly FireOutcome[]> =>
      firing.fire(payloads as never);
    let fireOne: (payload: unknown) => Promise<FireOutcome>;
    if (firing.batch === undefined) {
      fireOne = async (payload) => (await fire([payload]))[0] ?? { kind: 'stale' };
    } else {
      const batcher = createMicroBatcher<unknown, FireOutcome>({ run: fire, ...firing.batch });
      batchers.push(batcher);
      fireOne = (payload) => batcher.submit(payload);
    }
    workers.set(
      queue,
      createQueueWorker(
        queue,
        async (job, token) => settleJob(job, token, await fireOne(job.data), kind, metrics),
        {
          redis,
          logger,
          options: { concurrency: firing.concurrency, lockDurationMs: settings.workerLockMs },
        },
      ),
    );
  }

  return {
    timers,
    startWorker() {
      if (redis.client === undefined) {
        logger.warn('no Redis: timers are recorded in Postgres but fire only once a worker with Redis runs');
        return;
      }
      workers.set(
        'timers',
        createQueueWorker('timers', (job, token) => timers.process(job, token), {
          redis,
          logger,
          options: { concurrency: settings.timerConcurrency ?? 50, lockDurationMs: settings.workerLockMs },
        }),
      );
      for (const registered of timers.firings()) startLane(registered);
      periodic = createPeriodicTask({
        name: 'timer-reconciler',
        intervalMs: settings.reconcileIntervalMs,
        task: () => timers.reconcileOnce(),
        logger,
        lock: { client: redis.client, key: `${redis.prefix}:lock:timer-reconciler` },
      });
      periodic.start();
    },
    workerOf: (queue) => workers.get(queue),
    reconcileNow: () => timers.reconcileOnce(),
    async stop() {
      await periodic?.stop();
      await Promise.all([...workers.values()].map((worker) => worker.close()));
      await Promise.all(batchers.map((batcher) => batcher.drain()));
    },
  };
}
