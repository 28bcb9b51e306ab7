import type { ConversationEngine } from '../chat/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { membersChangedChannel } from '../members/index.ts';
import { createPeriodicTask } from '../queue/index.ts';
import type { RegistryTruthModule } from '../verification/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Storage } from './storage.ts';

/**
 * Token, member and linked-account changes made by other processes (or the CLI) empty this
 * process's caches. Notices sent while the listening connection was down are lost, so the caches
 * are emptied again whenever listening starts or resumes after a reconnect. Returns how to stop
 * following them.
 */
export async function followMemberChanges({
  config,
  storage,
  shared,
  registryTruth,
}: {
  config: Pick<Config, 'runMode'>;
  storage: Pick<Storage, 'database'>;
  shared: Pick<SharedServices, 'members' | 'identities'>;
  registryTruth: Pick<RegistryTruthModule, 'linksChanged'>;
}): Promise<() => Promise<void>> {
  const changed = (table: string | undefined) => {
    shared.members.forgetCachedTokens();
    shared.identities.forgetCached();
    // A linked (or unlinked) messenger account: re-verification plans prompts only for contacts
    // someone can be asked through; the processes that run the planner follow the change.
    if (config.runMode !== 'api' && (table === undefined || table === 'identities' || table === 'members'))
      registryTruth.linksChanged();
  };
  // After a reconnect, whatever changed meanwhile is unknown (undefined): everything is forgotten.
  // The first time listening starts there is nothing to forget yet.
  let listening = false;
  return storage.database.listen(membersChangedChannel, changed, () => {
    if (listening) changed(undefined);
    listening = true;
  });
}

/** Periodic passes run by worker processes, each under a Redis lock so one replica runs it at a time. */
export function createPeriodicTasks({
  logger,
  storage,
  engine,
  registryTruth,
}: {
  logger: Logger;
  storage: Storage;
  engine: Pick<ConversationEngine, 'sweepExpiredFlows'>;
  registryTruth: Pick<RegistryTruthModule, 'planOnce'>;
}) {
  const { redis } = storage;
  const lockFor = (name: string) =>
    redis.client === undefined ? undefined : { client: redis.client, key: `${redis.prefix}:lock:${name}` };
  // Re-verification campaigns: every active contact gets its next prompt planned (new contacts,
  // confirmed records); the prompts themselves are durable timers.
  const verificationPlanner = createPeriodicTask({
    name: 'verification-planner',
    intervalMs: 15 * 60_000,
    task: () => registryTruth.planOnce(),
    logger,
    lock: lockFor('verification-planner'),
  });
  // Flows nobody came back to: a timed-out flow is dropped when its member next writes, and
  // swept a few minutes after its timeout otherwise, so nothing typed into it lingers.
  const flowSweep = createPeriodicTask({
    name: 'conversation-flow-sweep',
    intervalMs: 5 * 60_000,
    task: () => engine.sweepExpiredFlows(),
    logger,
    lock: lockFor('conversation-flow-sweep'),
  });
  return { verificationPlanner, flowSweep };
}

export type PeriodicTasks = ReturnType<typeof createPeriodicTasks>;
