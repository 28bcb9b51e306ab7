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

export function createNudgeScheduler({ queues, logger }: { queues: QueueProducers; logger: Logger }): NudgeScheduler {
  return {
    async schedule(timers) {
      if (timers.length === 0) return true;
      const now = Date.now();
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
        logger.warn({ err: (error as Error).message, timers: timers.length }, 'nudge timers not set now; the reconciler will set them');
        return false;
      }
    },
  };
}
