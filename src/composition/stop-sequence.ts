import type { Logger } from '../logging/index.ts';
import type { DatabaseHandle } from '../db/index.ts';
import type { RedisHandle } from '../redis/index.ts';
import type { PeriodicTasks } from './background-tasks.ts';
import type { PushesAndTimers } from './pushes.ts';
import type { SharedServices } from './shared-services.ts';
import type { Workflows } from './workflows.ts';

type Step = () => Promise<void>;

/**
 * How the process stops: in reverse order of start (stop taking work, drain, then close
 * connections). Each step runs even when an earlier one failed; failures are logged.
 */
export function createStopSequence({
  logger,
  runningBots,
  app,
  webPushes,
  pushes,
  workflows,
  shared,
  periodic,
  stopFollowingMembers,
  redis,
  database,
}: {
  logger: Logger;
  runningBots: readonly { stop(): Promise<void> }[];
  app: { close(): Promise<unknown> };
  webPushes: { stop(): Promise<void> };
  pushes: Pick<PushesAndTimers, 'timers' | 'outbox' | 'queues'>;
  workflows: Pick<Workflows, 'consultations' | 'draftDownloads' | 'registryTruth'>;
  shared: Pick<SharedServices, 'ask' | 'registry' | 'audit'>;
  periodic: PeriodicTasks;
  stopFollowingMembers: () => Promise<void>;
  redis: Pick<RedisHandle, 'close'>;
  database: Pick<DatabaseHandle, 'close'>;
}): () => Promise<void> {
  const steps: Step[] = [
    ...runningBots.map((bot) => () => bot.stop()),
    async () => {
      await app.close();
    },
    () => webPushes.stop(),
    // Workers finish the jobs in hand (graceful on SIGTERM), then producers close.
    // Timer handlers (nudges, deadlines) write pushes: they stop before the outbox does.
    () => pushes.timers.stop(),
    () => workflows.consultations.stop(),
    () => pushes.outbox.stop(),
    () => pushes.queues.close(),
    async () => {
      shared.ask.close();
      workflows.draftDownloads.clear();
    },
    () => shared.registry.stop(),
    () => periodic.flowSweep.stop(),
    () => periodic.verificationPlanner.stop(),
    async () => {
      workflows.registryTruth.stop();
    },
    () => stopFollowingMembers(),
    () => shared.audit.close(),
    () => redis.close(),
    () => database.close(),
  ];
  return async () => {
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
  };
}
