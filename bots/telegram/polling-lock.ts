import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A lease in Redis: one holder at a time, kept alive by renewal, free again when the holder dies. */
export interface PollingLock {
  readonly owner: string;
  tryAcquire(): Promise<boolean>;
  /** Extends the lease; false when it was lost (expired and taken by another replica). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

// Compare-and-act scripts: a replica must never extend or delete a lease another one now holds.
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createPollingLock(options: {
  client: Redis;
  key: string;
  ttlMs: number;
  owner?: string;
}): PollingLock {
  const { client, key, ttlMs } = options;
  const owner = options.owner ?? randomUUID();
  return {
    owner,
    async tryAcquire() {
      return (await client.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew() {
      try {
        return Number(await client.eval(renewScript, 1, key, owner, String(ttlMs))) === 1;
      } catch {
        // Unsure whether we still hold it: stop polling; a replica that can reach Redis takes over.
        return false;
      }
    },
    async release() {
      await client.eval(releaseScript, 1, key, owner).catch(() => undefined);
    },
  };
}
