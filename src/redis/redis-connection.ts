import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logging/index.ts';
import { freePort } from '../net/index.ts';

export interface RedisHandle {
  /** The URL in use, or undefined when no Redis could be had. */
  readonly url: string | undefined;
  /** Key and queue prefix for this deployment. */
  readonly prefix: string;
  /** A new connection (BullMQ workers need their own, with maxRetriesPerRequest null). */
  connect(options?: RedisOptions): Redis;
  /** The shared connection for commands (locks, dedupe keys, rate limits); undefined without Redis. */
  readonly client: Redis | undefined;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisOptionsInput {
  url: string | undefined;
  prefix: string;
  dataDir: string;
  logger: Logger;
  /**
   * What identifies this deployment (its database), never logged: two deployments sharing a Redis
   * and a prefix would take each other's jobs and leases, so the second is warned at start.
   */
  deployment?: string;
}

const defaultUrl = 'redis://127.0.0.1:6379';

/**
 * REDIS_URL when set; otherwise a Redis on the default port if one answers; otherwise a private
 * redis-server child when the binary is installed; otherwise none, and the caller says clearly
 * that reminders need Redis while questions are still answered.
 */
export async function openRedis({
  url,
  prefix,
  dataDir,
  logger,
  deployment,
}: RedisOptionsInput): Promise<RedisHandle> {
  let child: ChildProcess | undefined;
  let chosen = url;
  let source: 'REDIS_URL' | 'default port' | 'private redis-server' = 'REDIS_URL';
  if (chosen === undefined) {
    if (await answers(defaultUrl)) {
      chosen = defaultUrl;
      source = 'default port';
    } else {
      const started = await startPrivateRedis(dataDir, logger);
      if (started !== undefined) {
        chosen = started.url;
        child = started.child;
        source = 'private redis-server';
      }
    }
  }
  if (chosen === undefined) {
    logger.warn(
      'no Redis available: questions are answered, but reminders, nudges and pushes need Redis (set REDIS_URL)',
    );
    return {
      url: undefined,
      prefix,
      client: undefined,
      connect() {
        throw new Error('Redis is not available');
      },
      ping: () => Promise.resolve(false),
      close: () => Promise.resolve(),
    };
  }
  const redisUrl = chosen;
  // Connections this process opened (the shared one, BullMQ workers, subscribers); each leaves on 'end'.
  const connections = new Set<Redis>();
  const connect = (options: RedisOptions = {}): Redis => {
    // ioredis 6's own RedisOptions type does not satisfy its constructor under exactOptionalPropertyTypes.
    const connection = new Redis(redisUrl, { lazyConnect: false, ...options } as never);
    // ioredis reconnects on its own; an 'error' listener keeps a blip from crashing the process.
    connection.on('error', (error: Error) => {
      logger.debug({ err: error.message }, 'redis connection error');
    });
    connections.add(connection);
    connection.once('end', () => connections.delete(connection));
    return connection;
  };
  const client = connect({ maxRetriesPerRequest: 1 });
  logger.info({ redis: redactedUrl(redisUrl), prefix, found: source }, 'using Redis');
  if (deployment !== undefined) await claimPrefix(client, prefix, deployment, redactedUrl(redisUrl), logger);
  return {
    url: redisUrl,
    prefix,
    client,
    connect,
    async ping() {
      try {
        await client.ping();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.all(
        [...connections].map((connection) =>
          connection.quit().catch(() => {
            connection.disconnect();
          }),
        ),
      );
      if (child !== undefined) child.kill('SIGTERM');
    },
  };
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}

/**
 * Marks the prefix as this deployment's (a hash of its identity under `<prefix>:deployment`); when
 * another deployment marked it first, says so: its workers would take this one's jobs, leases and
 * locks. A Redis that does not answer is left to the connection's own error handling.
 */
async function claimPrefix(
  client: Redis,
  prefix: string,
  deployment: string,
  redis: string,
  logger: Logger,
): Promise<void> {
  const key = `${prefix}:deployment`;
  const mine = createHash('sha256').update(deployment).digest('hex').slice(0, 16);
  try {
    const claimed = await client.set(key, mine, 'NX');
    if (claimed === 'OK') return;
    const holder = await client.get(key);
    if (holder !== null && holder !== mine)
      logger.warn(
        { redis, prefix, key },
        'this Redis prefix already holds another deployment’s keys (queues, leases, locks): set REDIS_PREFIX to keep the two apart',
      );
  } catch (error) {
    logger.debug(
      { err: error instanceof Error ? error.message : String(error) },
      'could not check the Redis prefix',
    );
  }
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  probe.on('error', () => {
    // Probing: a refused connection is an answer, not an error to report.
  });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function startPrivateRedis(
  dataDir: string,
  logger: Logger,
): Promise<{ url: string; child: ChildProcess } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return undefined;
  const port = await freePort();
  const directory = resolve(dataDir, 'redis');
  mkdirSync(directory, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      directory,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await answers(url)) {
      logger.info({ port }, 'started a private redis-server for this process');
      return { url, child };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return undefined;
}
