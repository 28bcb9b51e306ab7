import type { Redis } from 'ioredis';
import type { Logger } from '../logging/index.ts';

export interface PeriodicTask {
  /** Runs now, then every interval. */
  start(): void;
  /** Runs once now (tests, and after Redis comes back). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `task` at start and then every `intervalMs`. With several worker processes, a Redis lock
 * lets one of them run each pass; the task must be idempotent anyway. Failures are logged and
 * the next pass tries again.
 */
export function createPeriodicTask(options: {
  name: string;
  intervalMs: number;
  task: () => Promise<unknown>;
  logger: Logger;
  lock?: { client: Redis; key: string } | undefined;
}): PeriodicTask {
  const { name, intervalMs, task, logger, lock } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runOnce = async (): Promise<void> => {
    try {
      if (lock !== undefined) {
        // Held for most of an interval: the next pass, wherever it runs, starts after it expires.
        const acquired = await lock.client.set(
          lock.key,
          String(process.pid),
          'PX',
          Math.max(500, Math.floor(intervalMs * 0.8)),
          'NX',
        );
        if (acquired !== 'OK') return;
      }
      const result = await task();
      logger.debug({ task: name, result }, 'periodic task ran');
    } catch (error) {
      logger.warn({ task: name, err: (error as Error).message }, 'periodic task failed; will retry');
    }
  };

  const runNow = (): Promise<void> => {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, intervalMs);
  };

  return {
    start() {
      void runNow().finally(schedule);
    },
    runNow,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
