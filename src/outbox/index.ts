// The outbox: every push that is not a direct reply is written to Postgres first (with a dedupe
// key), then delivered by a BullMQ worker through the recipient's messenger. Public surface.
import type { DurableTimers } from '../timers/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Worker } from 'bullmq';
import type { MessengerDirectory } from '../chat/index.ts';
import { createOutboxDelivery } from './outbox-delivery.ts';
import { createOutboxLane } from './outbox-reconciler.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import { createOutboxRetention, type OutboxRetentionSettings } from './outbox-retention.ts';
import { createOutboxService, type OutboxService } from './outbox-service.ts';
import { createSendRateLimiter } from './send-rate-limiter.ts';
import type { AuditService } from '../audit/index.ts';
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
  createOutboxService,
  anyDeliveryHanded,
  deliveredMessageId,
  hasLiveDelivery,
  oldestUnfinishedDelivery,
  outboxIdOf,
  type DeliveryOutcome,
  type MessageRenderer,
  type OutboxPush,
  type OutboxRow,
  type OutboxService,
  type OutcomeHandler,
  type WithdrawnPush,
} from './outbox-service.ts';
export type { OutboxState } from './outbox-schema.ts';
export { createDeliveryHealth, type DeliveryHealth } from './delivery-health.ts';
export { resentAfterCrash } from './outbox-delivery.ts';
export type { PlatformLimits } from './send-rate-limiter.ts';
export type { OutboxRetentionSettings } from './outbox-retention.ts';

/** How often the relay tops up the delivery queue with deferred rows. */
const relayIntervalMs = 200;

/** How often rows past their retention are deleted (and once at worker start). */
const retentionIntervalMs = 60 * 60_000;

export interface OutboxSettings {
  reconcileIntervalMs: number;
  workerLockMs: number;
  outboxConcurrency: number;
}

export interface OutboxModule {
  readonly service: OutboxService;
  /**
   * Starts the delivery worker, the relay and the retention pass (worker and all run modes only);
   * the timer service reconciles.
   */
  startWorker(): void;
  /** One retention pass now: deletes finished rows past their retention; resolves to how many. */
  purgeExpiredNow(): Promise<number>;
  /** One reconciler pass over the outbox's lane now, then a relay pass. */
  reconcileNow(): Promise<void>;
  /** Stops taking jobs and waits for deliveries in flight. */
  stop(): Promise<void>;
}

export function createOutbox(deps: {
  db: Database;
  /** The claim and mark around each send, on connections of their own (see OutboxDeliveryDeps). */
  sendDb?: Database;
  redis: RedisHandle;
  queues: QueueProducers;
  /** The durable-timer service: its reconciler repairs lost delivery jobs (the outbox's lane). */
  timers: DurableTimers;
  audit: AuditService;
  adapters: Pick<MessengerDirectory, 'get' | 'capabilitiesOf'>;
  logger: Logger;
  settings: OutboxSettings;
  /** How long finished rows are kept (see outbox-retention.ts). */
  retention: OutboxRetentionSettings;
  clock?: Clock;
}): OutboxModule {
  const { db, redis, queues, audit, adapters, logger, settings } = deps;
  const service = createOutboxService({
    queues,
    logger,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  });
  const lane = createOutboxLane({
    db,
    timers: deps.timers,
    graceMs: Math.max(5000, Math.min(30_000, settings.reconcileIntervalMs)),
  });
  const relay = createOutboxRelay({ db, queues, logger });
  const retention = createOutboxRetention({
    db,
    settings: deps.retention,
    logger,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  });
  let worker: Worker | undefined;
  let relaying: PeriodicTask | undefined;
  let retaining: PeriodicTask | undefined;

  return {
    service,
    startWorker() {
      // Postgres only: runs without Redis too (one replica at a time when there is a Redis lock).
      retaining = createPeriodicTask({
        name: 'outbox-retention',
        intervalMs: retentionIntervalMs,
        task: () => retention.purgeOnce(),
        logger,
        lock:
          redis.client === undefined
            ? undefined
            : { client: redis.client, key: `${redis.prefix}:lock:outbox-retention` },
      });
      retaining.start();
      if (redis.client === undefined) {
        logger.warn('no Redis: outbox deliveries wait in Postgres until a worker with Redis runs');
        return;
      }
      const delivery = createOutboxDelivery({
        db,
        ...(deps.sendDb === undefined ? {} : { sendDb: deps.sendDb }),
        outboxService: service,
        adapters,
        rateLimiter: createSendRateLimiter({
          client: redis.client,
          prefix: redis.prefix,
          limitsOf: (platform) => adapters.capabilitiesOf(platform).sendRate,
        }),
        audit,
        logger,
        claimGraceMs: Math.floor(settings.workerLockMs / 2),
        ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      });
      worker = createQueueWorker('outbox', (job, token) => delivery.process(job, token), {
        redis,
        logger,
        options: { concurrency: settings.outboxConcurrency, lockDurationMs: settings.workerLockMs },
      });
      relaying = createPeriodicTask({
        name: 'outbox-relay',
        intervalMs: relayIntervalMs,
        task: () => relay.relayOnce(),
        logger,
      });
      relaying.start();
    },
    async reconcileNow() {
      await lane.reconcileNow();
      await relay.relayOnce();
    },
    purgeExpiredNow: () => retention.purgeOnce(),
    async stop() {
      await retaining?.stop();
      await relaying?.stop();
      await worker?.close();
    },
  };
}
