import type { Logger } from '../logging/index.ts';
import { nudgeJobId, type QueueProducers } from '../queue/index.ts';

export interface NudgeTimer {
  requestId: string;
  seq: number;
  at: Date;
}

export interface NudgeScheduler {
  /**
   * Sets BullMQ timers for nudges already recorded in Postgres. Resolves to false when Redis
   * refused (down): the caller carries on, the reconciler sets the timers later.
   */
  schedule(timers: readonly NudgeTimer[]): Promise<boolean>;
  /**
   * Removes the timers of nudges that will no longer be sent (the request was answered, closed
   * or rescheduled). A timer left behind would do nothing (its number is no longer the request's),
   * but a closed request should leave nothing waiting in Redis. Never throws: a timer Redis keeps
   * because it is down now stays harmless.
   */
  cancel(timers: readonly Pick<NudgeTimer, 'requestId' | 'seq'>[]): Promise<void>;
}

/**
 * Timers due within `horizonMs` go to BullMQ at once; later ones (a monthly nudge) are left to
 * the reconciler, which creates them as they come within its horizon. Redis then holds only the
 * near future, however many requests are open, and a lost Redis loses nothing it cannot rebuild.
 */
export function createNudgeScheduler({
  queues,
  logger,
  horizonMs = Infinity,
}: {
  queues: QueueProducers;
  logger: Logger;
  horizonMs?: number;
}): NudgeScheduler {
  return {
    async schedule(all) {
      const now = Date.now();
      const timers = all.filter((timer) => timer.at.getTime() <= now + horizonMs);
      if (timers.length === 0) return true;
      try {
        await queues.add(
          'nudges',
          timers.map((timer) => ({
            jobId: nudgeJobId(timer.requestId, timer.seq),
            payload: { requestId: timer.requestId, seq: timer.seq },
            delay: Math.max(0, timer.at.getTime() - now),
          })),
        );
        return true;
      } catch (error) {
        logger.warn(
          { err: (error as Error).message, timers: timers.length },
          'nudge timers not set now; the reconciler will set them',
        );
        return false;
      }
    },
    async cancel(timers) {
      if (timers.length === 0 || !queues.available) return;
      try {
        const queue = queues.queue('nudges');
        for (const timer of timers) await queue.remove(nudgeJobId(timer.requestId, timer.seq));
      } catch (error) {
        logger.debug({ err: (error as Error).message }, 'nudge timers not removed; they will do nothing');
      }
    },
  };
}
