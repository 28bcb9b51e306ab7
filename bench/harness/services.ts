// Redis and Postgres for the parts that need them, on cores away from the server's.
import postgres from 'postgres';
import { startPrivateRedis, type PrivateRedis } from '../../tests/support/private-redis.ts';
import { serverUrl } from '../../tests/support/test-database.ts';
import { cores, pinProcess } from './cores.ts';

export interface BenchRedis extends PrivateRedis {
  readonly pid: number;
}

/** A private redis-server (nothing persisted) moved to the Redis core. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const redis = await startPrivateRedis();
  const info = await redis.client().info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? -1);
  if (pid > 0) pinProcess(pid, cores.redis);
  return Object.assign(redis, { pid });
}

/**
 * The already-running Postgres cannot be given a core of its own without touching other users'
 * work, but the backends serving the bench's own database can: each is a process of its own. They
 * are moved to the Postgres core; connections opened later (a pool growing) are moved by calling
 * this again. Returns their pids (for CPU accounting).
 */
export async function pinPostgresBackends(databaseName: string): Promise<number[]> {
  const pids = await postgresPids(databaseName);
  const refused = pids.filter((pid) => !pinProcess(pid, cores.postgres));
  if (cores.pinning && refused.length > 0 && !warnedUnpinned) {
    warnedUnpinned = true;
    process.stderr.write(
      `WARNING: could not move ${String(refused.length)} Postgres backends to cpu ${String(cores.postgres)} (taskset needs root or the postgres user); they run wherever the kernel puts them\n`,
    );
  }
  return pids;
}

let warnedUnpinned = false;

/**
 * Postgres's own processes (WAL writer, checkpointer, background writer, autovacuum): not pinned,
 * they serve every database, but while a part writes heavily they mostly work for it, so their
 * CPU counts as the bench's rather than as other users' noise.
 */
export function postgresServicePids(): Promise<number[]> {
  return postgresPids(undefined);
}

/** Backends of one database, or (undefined) Postgres's own background processes. */
async function postgresPids(databaseName: string | undefined): Promise<number[]> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows =
      databaseName === undefined
        ? await admin<
            { pid: number }[]
          >`select pid from pg_stat_activity where backend_type <> 'client backend'`
        : await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${databaseName}`;
    return rows.map((row) => row.pid);
  } finally {
    await admin.end();
  }
}

export type { PrivateRedis };
