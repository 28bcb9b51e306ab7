// Durable timers: schedule(key, dueAt, payload), cancel(key), a handler per kind, a reconciler that
// repairs Redis from Postgres, and metrics. Public surface; the composition root builds one.
import type { Worker } from 'bullmq';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from '../clock/index.ts';
import { createDurableTimers, type DurableTimers } from './durable-timers.ts';
import { createTimerMetrics } from './timer-metrics.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import {
  createPeriodicTask,
  type PeriodicTask,
  createQueueWorker,
  type QueueProducers,
} from '../queue/index.ts';
import type { RedisHandle } from '../redis/index.ts';

export {
  kindOf,
  timerJobId,
  type DurableTimers,
  type FiringTimer,
  type ScheduleOptions,
  type TimerHandler,
  type TimerPayload,
} from './durable-timers.ts';
export { durableTimers as durableTimersTable } from './timers-schema.ts';

export interface TimerSettings {
  reconcileIntervalMs: number;
  workerLockMs: number;
  /** Timer jobs handled at once per worker process (default 50). */
  timerConcurrency?: number;
}

export interface TimersModule {
  readonly timers: DurableTimers;
  /** Starts the worker and the periodic reconciler (worker and all run modes only). */
  startWorker(): void;
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
  const timers = createDurableTimers({
    db,
    queues,
    logger,
    clock,
    horizonMs: Math.max(2 * settings.reconcileIntervalMs, 3_600_000),
    ...(deps.metrics === undefined ? {} : { metrics: createTimerMetrics(deps.metrics, db, clock) }),
  });
  let worker: Worker | undefined;
  let periodic: PeriodicTask | undefined;
  return {
    timers,
    startWorker() {
      if (redis.client === undefined) {
        logger.warn('no Redis: timers are recorded in Postgres but fire only once a worker with Redis runs');
        return;
      }
      worker = createQueueWorker('timers', (job, token) => timers.process(job, token), {
        redis,
        logger,
        options: { concurrency: settings.timerConcurrency ?? 50, lockDurationMs: settings.workerLockMs },
      });
      periodic = createPeriodicTask({
        name: 'timer-reconciler',
        intervalMs: settings.reconcileIntervalMs,
        task: () => timers.reconcileOnce(),
        logger,
        lock: { client: redis.client, key: `${redis.prefix}:lock:timer-reconciler` },
      });
      periodic.start();
    },
    reconcileNow: () => timers.reconcileOnce(),
    async stop() {
      await periodic?.stop();
      await worker?.close();
    },
  };
}
