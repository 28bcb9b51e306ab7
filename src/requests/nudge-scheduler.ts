import type { Logger } from '../logging/logger.ts';
import { nudgeJobId, type QueueProducers } from '../queue/queues.ts';

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
  };
}
