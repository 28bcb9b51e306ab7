import { resolve } from 'node:path';
import type { Config } from '../config/index.ts';
import { openDatabase, type DatabaseHandle } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import { openRedis, type RedisHandle } from '../redis/index.ts';
import { loadNudgePolicies } from '../requests/index.ts';
import { createTipsService, loadTips } from '../tips/index.ts';
import { loadVerificationPolicies } from '../verification/index.ts';

/** A Redis connection with the deployment's key prefix, for modules that only run commands. */
export interface PrefixedRedis {
  client: NonNullable<RedisHandle['client']>;
  prefix: string;
}

export interface Storage {
  database: DatabaseHandle;
  redis: RedisHandle;
  /** The shared command connection (undefined without Redis). */
  sharedRedis: PrefixedRedis | undefined;
  /** The messaging hot path's own pipelined connection (undefined without Redis). */
  chatRedis: PrefixedRedis | undefined;
}

/**
 * The policy and text files every process reads. Loaded before anything starts: a broken policy
 * file must stop the process, listing every problem.
 */
export async function loadPolicyFiles(config: Config) {
  const nudgePolicies = await loadNudgePolicies(config.nudgePoliciesFile);
  const tips = createTipsService(await loadTips(config.tipsFile));
  const verificationPolicies = await loadVerificationPolicies(config.verificationPolicyFile);
  return { nudgePolicies, tips, verificationPolicies };
}

/** Opens (and migrates) the database, then Redis: the two engines every module stores in. */
export async function openStorage(config: Config, logger: Logger): Promise<Storage> {
  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  logger.info({ engine: database.engine }, 'database opened');
  await database.migrate();
  const redis = await openRedis({
    url: config.redis.url,
    prefix: config.redis.prefix,
    dataDir: config.database.dataDir,
    logger,
    deployment: config.database.url ?? resolve(config.database.dataDir),
  });
  const sharedRedis = redis.client === undefined ? undefined : { client: redis.client, prefix: redis.prefix };
  // The messaging hot path (duplicate updates, flood limits, conversation language) has its own
  // connection with auto-pipelining: the commands of concurrent messages share one socket write.
  const chatRedis =
    redis.client === undefined
      ? undefined
      : {
          client: redis.connect({ enableAutoPipelining: true, maxRetriesPerRequest: 1 }),
          prefix: redis.prefix,
        };
  return { database, redis, sharedRedis, chatRedis };
}
