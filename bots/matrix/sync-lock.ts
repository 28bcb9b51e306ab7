// Matrix allows any number of clients per account, but two processes syncing the bot account
// would both answer every message. A Redis lock with a TTL, renewed while held, lets several
// replicas run side by side with exactly one syncing; if the holder dies, the lock expires and
// another takes over.
import { randomUUID } from 'node:crypto';
import type { RedisHandle } from '../../src/redis/redis-connection.ts';

export interface SyncLock {
  /** True when this process holds (or just took) the lock. */
  acquire(): Promise<boolean>;
  /** Extends the lock; false when it was lost (expired and taken by another process). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

// Compare-and-act scripts: only the holder's token may extend or delete the key.
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createSyncLock(
  redis: Pick<RedisHandle, 'client' | 'prefix'>,
  account: string,
  ttlMs: number,
): SyncLock {
  const client = redis.client;
  const key = `${redis.prefix}:matrix:sync-lock:${account}`;
  const token = randomUUID();
  if (client === undefined) {
    // Without Redis there is no second replica to coordinate with (the app says Redis is missing).
    return {
      acquire: () => Promise.resolve(true),
      renew: () => Promise.resolve(true),
      release: () => Promise.resolve(),
    };
  }
  return {
    async acquire() {
      const result = await client.set(key, token, 'PX', ttlMs, 'NX');
      if (result === 'OK') return true;
      return (await client.get(key)) === token;
    },
    async renew() {
      return Number(await client.eval(renewScript, 1, key, token, String(ttlMs))) === 1;
    },
    async release() {
      await client.eval(releaseScript, 1, key, token);
    },
  };
}
