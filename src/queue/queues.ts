// Every BullMQ queue of the application, with its payload type, in one place. Producers run in
// any process (API processes enqueue too); consumers only in worker or all mode.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/index.ts';
import type { RedisHandle } from '../redis/index.ts';

export const queueNames = {
  /** Timers of request nudges (a lane of src/timers): delayed jobs `nudge:<requestId>:<seq>`, one per scheduled nudge. */
  nudges: 'nudges',
  /** Deliveries of outbox rows: job id = outbox id. */
  outbox: 'outbox',
  /** Accept deadlines of consultations (a lane of src/timers): delayed jobs `consult-deadline:<consultationId>:<routeSeq>`. */
  consultationDeadlines: 'consultation-deadlines',
  /** Durable timers (src/timers): delayed jobs `timer.<key>.<generation>`, one per timer row. */
  timers: 'durable-timers',
} as const;

export interface QueuePayloads {
  nudges: { requestId: string; seq: number };
  outbox: { outboxId: string };
  consultationDeadlines: { consultationId: string; routeSeq: number };
  timers: { key: string; generation: number };
}

export type QueueName = keyof QueuePayloads;

/** Deterministic timer id: re-adding the same timer is a no-op, and an outdated one is recognisable. */
export const nudgeJobId = (requestId: string, seq: number): string => `nudge:${requestId}:${seq}`;

export const defaultJobOptions: { [Name in QueueName]: JobsOptions } = {
  nudges: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10_000 },
  },
  consultationDeadlines: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10_000 },
  },
  timers: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10_000 },
  },
  outbox: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10_000 },
  },
};

export interface JobRequest<Name extends QueueName> {
  payload: QueuePayloads[Name];
  jobId: string;
  /** Milliseconds from now. */
  delay?: number;
}

/** Raised when Redis is not reachable: the caller's Postgres write stands and the reconciler schedules later. */
export class QueueUnavailableError extends Error {
  constructor(queue: string, cause?: unknown) {
    super(`queue ${queue} is unavailable (Redis down?)`, { cause });
    this.name = 'QueueUnavailableError';
  }
}

export interface QueueProducers {
  add<Name extends QueueName>(name: Name, jobs: readonly JobRequest<Name>[]): Promise<void>;
  /** The BullMQ queue, for the reconciler's state checks. */
  queue(name: QueueName): Queue;
  readonly available: boolean;
  close(): Promise<void>;
}

export interface QueueProducersOptions {
  redis: RedisHandle;
  logger: Logger;
  /** An add that takes longer fails (default 2000 ms): producers fail fast when Redis is down. */
  addTimeoutMs?: number;
}

/**
 * Producers share one connection that refuses to queue commands while Redis is away
 * (`enableOfflineQueue: false`), so an API request never hangs on a dead Redis: the add fails at
 * once, the request is still saved in Postgres, and the reconciler creates the timer later.
 */
export function createQueueProducers({
  redis,
  logger,
  addTimeoutMs = 2000,
}: QueueProducersOptions): QueueProducers {
  if (redis.url === undefined) {
    const unavailable = (name: string) => Promise.reject(new QueueUnavailableError(name));
    return {
      add: (name) => unavailable(name),
      queue() {
        throw new QueueUnavailableError('any');
      },
      available: false,
      close: () => Promise.resolve(),
    };
  }
  const connection: Redis = redis.connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // One per queue name (a fixed list above).
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName): Queue => {
    let existing = queues.get(name);
    if (existing === undefined) {
      existing = new Queue(queueNames[name], {
        connection,
        prefix: redis.prefix,
        defaultJobOptions: defaultJobOptions[name],
      });
      existing.on('error', (error: Error) => {
        logger.debug({ err: error.message, queue: name }, 'queue connection error');
      });
      queues.set(name, existing);
    }
    return existing;
  };
  return {
    async add(name, jobs) {
      if (jobs.length === 0) return;
      if (connection.status !== 'ready') throw new QueueUnavailableError(name);
      const bulk = jobs.map((job) => ({
        name,
        data: job.payload,
        opts: {
          ...defaultJobOptions[name],
          jobId: job.jobId,
          ...(job.delay !== undefined && job.delay > 0 ? { delay: Math.round(job.delay) } : {}),
        },
      }));
      try {
        await withTimeout(queue(name).addBulk(bulk), addTimeoutMs);
      } catch (error) {
        throw new QueueUnavailableError(name, error);
      }
    },
    queue,
    available: true,
    async close() {
      await Promise.all([...queues.values()].map((existing) => existing.close().catch(() => undefined)));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
