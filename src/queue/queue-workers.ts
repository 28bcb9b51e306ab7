// Consumers of the queues in queues.ts. Created only in worker and all run modes.
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import { queueNames, type QueueName, type QueuePayloads } from './queues.ts';
import type { Logger } from '../logging/index.ts';
import type { RedisHandle } from '../redis/index.ts';

export interface QueueWorkerOptions {
  concurrency: number;
  /**
   * How long a job's lock lasts without renewal (ms): after a worker dies, its jobs are taken
   * over this long later. Default 30 s.
   */
  lockDurationMs?: number;
  /** Extra BullMQ worker options (limiter, stalled-job settings). */
  extra?: Partial<WorkerOptions>;
}

export type QueueProcessor<Name extends QueueName> = (
  job: Job<QueuePayloads[Name]>,
  token: string | undefined,
) => Promise<unknown>;

export function createQueueWorker<Name extends QueueName>(
  name: Name,
  processor: QueueProcessor<Name>,
  { redis, logger, options }: { redis: RedisHandle; logger: Logger; options: QueueWorkerOptions },
): Worker<QueuePayloads[Name]> {
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<QueuePayloads[Name]>(queueNames[name], processor, {
    // Workers block on Redis and must wait through a Redis restart rather than fail commands.
    connection: redis.connect({ maxRetriesPerRequest: null }),
    prefix: redis.prefix,
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: Math.max(1000, Math.min(30_000, lockDuration)),
    // A SIGKILLed worker's jobs stall; our processors are idempotent (Postgres decides), so a
    // job may stall several times (repeated crashes) without being failed for it.
    maxStalledCount: 20,
    ...options.extra,
  });
  worker.on('failed', (job, error) => {
    logger.warn(
      { queue: name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error.message },
      'job failed',
    );
  });
  worker.on('error', (error) => {
    logger.debug({ queue: name, err: error.message }, 'worker connection error');
  });
  return worker;
}
