import type { Clock } from '../clock/index.ts';
import type { Config } from '../config/index.ts';
import { createMetricsRegistry } from '../http/index.ts';
import type { Logger } from '../logging/index.ts';
import type { MessengerDirectory } from '../chat/index.ts';
import { createOutbox } from '../outbox/index.ts';
import { createQueueProducers } from '../queue/index.ts';
import { createTimersModule } from '../timers/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Storage } from './storage.ts';

/**
 * Pushes and timers: outbox rows in Postgres, delivered by BullMQ workers through the recipient's
 * messenger; durable timers for every module that must act at a moment (handlers are registered
 * per kind by the modules).
 */
export function createPushesAndTimers({
  config,
  logger,
  clock,
  storage,
  shared,
  messengers,
}: {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  shared: Pick<SharedServices, 'audit'>;
  messengers: MessengerDirectory;
}) {
  const { database, redis } = storage;
  const queues = createQueueProducers({ redis, logger });
  const metrics = createMetricsRegistry();
  const timers = createTimersModule({
    db: database.db,
    redis,
    queues,
    logger,
    settings: config.queues,
    clock,
    metrics,
  });
  const outbox = createOutbox({
    db: database.db,
    sendDb: database.lane('outbox-send', 2),
    redis,
    queues,
    timers: timers.timers,
    audit: shared.audit,
    adapters: messengers,
    logger,
    settings: config.queues,
    retention: config.outbox,
    clock,
  });
  return { queues, metrics, timers, outbox };
}

export type PushesAndTimers = ReturnType<typeof createPushesAndTimers>;
