import type { Redis } from 'ioredis';

/**
 * Telegram redelivers a webhook update when our answer was slow or lost, and a poller taking over
 * may fetch updates the previous one had started: each update id is handled once.
 */
export interface UpdateDeduplicator {
  /** True the first time an update id is seen (across replicas with Redis). */
  claim(updateId: number): Promise<boolean>;
  /** Forgets an id whose handling failed, so a redelivery is handled. */
  release(updateId: number): Promise<void>;
}

export function createUpdateDeduplicator(options: {
  redis?: { client: Redis; prefix: string } | undefined;
  botId: string;
  /** Telegram keeps undelivered updates for a day. Default 24 hours. */
  ttlSeconds?: number;
}): UpdateDeduplicator {
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  const redis = options.redis;
  if (redis !== undefined) {
    const key = (updateId: number) => `${redis.prefix}:telegram:update:${options.botId}:${updateId}`;
    return {
      async claim(updateId) {
        return (await redis.client.set(key(updateId), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
      },
      async release(updateId) {
        await redis.client.del(key(updateId));
      },
    };
  }
  // Without Redis there is one process; remember recent ids, oldest forgotten first.
  const seen = new Map<number, number>();
  const limit = 100_000;
  return {
    claim(updateId) {
      const now = Date.now();
      const at = seen.get(updateId);
      if (at !== undefined && now - at < ttlSeconds * 1000) return Promise.resolve(false);
      seen.set(updateId, now);
      if (seen.size > limit) seen.delete(seen.keys().next().value ?? updateId);
      return Promise.resolve(true);
    },
    release(updateId) {
      seen.delete(updateId);
      return Promise.resolve();
    },
  };
}
