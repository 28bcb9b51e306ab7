// The start log says which Redis is used, without its password, and warns when the prefix already
// belongs to another deployment (its workers would take this one's jobs and leases).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/logger.ts';
import { openRedis, redactedUrl, type RedisHandle } from '../src/redis/redis-connection.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';

let privateRedis: PrivateRedis;
const opened: RedisHandle[] = [];

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((handle) => handle.close()));
  await privateRedis.stop();
});

async function open(prefix: string, deployment: string) {
  const lines: { level: number; msg: string; redis?: string; found?: string; prefix?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      callback();
    },
  });
  const handle = await openRedis({
    url: privateRedis.url,
    prefix,
    dataDir: '/nonexistent',
    logger: createLogger('info', destination),
    deployment,
  });
  opened.push(handle);
  return lines;
}

describe('which Redis', () => {
  it('names the Redis, the prefix and how it was found', async () => {
    const lines = await open('cp-deploy-a', 'postgres://db-a/counterpart');
    const using = lines.find((line) => line.msg === 'using Redis');
    expect(using).toMatchObject({
      redis: redactedUrl(privateRedis.url),
      prefix: 'cp-deploy-a',
      found: 'REDIS_URL',
    });
  });

  it('the same deployment starting again is not warned', async () => {
    await open('cp-deploy-b', '/srv/counterpart/data');
    const again = await open('cp-deploy-b', '/srv/counterpart/data');
    expect(again.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('another deployment on the same prefix is warned', async () => {
    await open('cp-deploy-c', 'postgres://db-one/counterpart');
    const other = await open('cp-deploy-c', 'postgres://db-two/counterpart');
    const warnings = other.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/another deployment/);
  });

  it('never logs a password', () => {
    expect(redactedUrl('redis://user:s3cret@redis.example:6380/2')).toBe(
      'redis://user:***@redis.example:6380/2',
    );
    expect(redactedUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
