import { run, type RunnerHandle } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { Logger } from '../../src/logging/logger.ts';
import type { PollingLock } from './polling-lock.ts';

export interface PollerOptions {
  bot: Bot;
  /** Undefined without Redis: this process is assumed to be the only one. */
  lock: PollingLock | undefined;
  logger: Logger;
  /** How often a waiting replica tries to take the lock. */
  retryEveryMs: number;
  /** How often the holder renews its lease (well under the lease's TTL). */
  renewEveryMs: number;
  /** Long-polling timeout of getUpdates, in seconds. */
  timeoutSeconds: number;
  allowedUpdates: readonly ('message' | 'callback_query')[];
  /** Called each time this process becomes the poller (before polling starts). */
  onLeadership?: () => Promise<void>;
}

export interface Poller {
  start(): void;
  stop(): Promise<void>;
  isPolling(): boolean;
}

/**
 * Long polling by at most one replica: Telegram allows a single getUpdates consumer per bot, so
 * replicas compete for a lease in Redis; the holder polls and renews it, the others wait and
 * take over when it expires (holder crashed or lost Redis).
 */
export function createPoller(options: PollerOptions): Poller {
  const { bot, lock, logger } = options;
  // Read through a function: the loop must see a stop() that happened during an await.
  const state = { stopped: false };
  const isStopped = () => state.stopped;
  let runner: RunnerHandle | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function pollWhileLeader(): Promise<void> {
    if (options.onLeadership !== undefined) await options.onLeadership();
    // getUpdates is refused while a webhook is set (a previous webhook deployment).
    await bot.api.deleteWebhook().catch((error: unknown) => {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'Telegram deleteWebhook failed; polling anyway',
      );
    });
    if (isStopped()) return;
    // The runner fetches more updates only while fewer than its sink's concurrency (500 by
    // default) are being handled, so a burst waits at Telegram, not in this process's memory.
    const handle = run(bot, {
      runner: {
        fetch: { timeout: options.timeoutSeconds, allowed_updates: options.allowedUpdates },
        silent: true,
        retryInterval: 'exponential',
      },
    });
    runner = handle;
    logger.info('Telegram bot polling for updates');
    let renewal: NodeJS.Timeout | undefined;
    if (lock !== undefined) {
      renewal = setInterval(() => {
        void lock.renew().then(async (held) => {
          if (held || !handle.isRunning()) return;
          logger.warn('Telegram polling lease lost; stopping so that only one replica polls');
          await handle.stop();
        });
      }, options.renewEveryMs);
    }
    try {
      await handle.task();
    } catch (error) {
      logger.error({ err: error }, 'Telegram polling stopped with an error');
    } finally {
      if (renewal !== undefined) clearInterval(renewal);
      runner = undefined;
      await lock?.release();
    }
  }

  async function main(): Promise<void> {
    let waitingLogged = false;
    while (!isStopped()) {
      try {
        if (lock === undefined || (await lock.tryAcquire())) {
          waitingLogged = false;
          await pollWhileLeader();
        } else if (!waitingLogged) {
          logger.info('another replica polls Telegram; this one waits to take over');
          waitingLogged = true;
        }
      } catch (error) {
        logger.error({ err: error }, 'Telegram polling loop failed; retrying');
      }
      if (!isStopped()) await pause(options.retryEveryMs);
    }
  }

  return {
    start() {
      loop ??= main();
    },
    async stop() {
      state.stopped = true;
      wake?.();
      if (runner?.isRunning() === true) await runner.stop();
      await loop;
    },
    isPolling: () => runner?.isRunning() === true,
  };
}
