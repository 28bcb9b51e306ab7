import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockEmbeddedDatabase } from './embedded-lock.ts';
import { withClientParsers } from './pglite-parsers.ts';
import * as schema from './schema.ts';
import { projectRoot } from '../config/index.ts';

export type Schema = typeof schema;
/** The drizzle database, whichever engine is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: repositories accept either. */
export type Queryable = Parameters<Parameters<Database['transaction']>[0]>[0] | Database;

export const migrationsFolder = resolve(projectRoot, 'migrations');

export interface DatabaseHandle {
  readonly db: Database;
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs pending migrations, under a Postgres advisory lock: replicas started together (compose,
   * Kubernetes, an upgrade) take turns, and those after the first find nothing left to do.
   */
  migrate(): Promise<void>;
  /**
   * Runs `task` while holding a cluster-wide lock named `name` (a Postgres session advisory lock
   * on a connection of its own), so one process at a time does a start-up step such as installing
   * the first admin. The embedded database belongs to one process, so there it simply runs.
   */
  withLock<T>(name: string, task: () => Promise<T>): Promise<T>;
  /**
   * Subscribes to a Postgres NOTIFY channel; resolves to an unsubscribe function. `onListening`
   * runs once listening starts and again whenever a lost connection is re-established: notices
   * sent meanwhile are lost, so a cache kept correct by them should be emptied then.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onListening?: () => void,
  ): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  /**
   * A few connections of their own for a hot path whose statements must not queue behind the
   * main pool's transactions (the outbox's claim, taken at a rate-limit slot: a claim returned
   * late would cost the slot). Opened once per name; closed with the handle. The embedded
   * database has one connection: there it is the same `db`.
   */
  lane(name: string, maxConnections: number): Database;
  /** Is the database answering? */
  ping(): Promise<boolean>;
  /** Embedded database: notes where this process's API listens in its lock file (for a refused CLI). */
  recordAddress(address: string): void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; undefined selects embedded PGlite in `dataDir`. */
  url: string | undefined;
  dataDir: string;
  /** Largest number of pooled connections (postgres.js only). Default 10. */
  maxConnections?: number;
  /** Who opens the embedded database (`server`, a CLI command), named to a refused second opener. */
  role?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined) return openPostgres(options.url, options.maxConnections ?? 10);
  return openPglite(options.dataDir, options.role ?? 'server');
}

function openPostgres(url: string, maxConnections: number): DatabaseHandle {
  // Notices ("relation already exists, skipping") are noise in our logs.
  const sql = postgres(url, { max: maxConnections, onnotice: () => undefined });
  const db = drizzlePostgres(sql, { schema }) as unknown as Database;
  const lanes = new Map<string, { sql: postgres.Sql; db: Database }>();
  async function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    // A session lock on a reserved connection: held across the task's own statements and
    // transactions (on other pooled connections), and released by Postgres if this process dies.
    const connection = await sql.reserve();
    try {
      await connection`select pg_advisory_lock(hashtext(${`counterpart:${name}`}))`;
      try {
        return await task();
      } finally {
        await connection`select pg_advisory_unlock(hashtext(${`counterpart:${name}`}))`;
      }
    } finally {
      connection.release();
    }
  }
  return {
    db,
    engine: 'postgres',
    migrate: () =>
      withLock('migrate', () => migratePostgres(drizzlePostgres(sql, { schema }), { migrationsFolder })),
    withLock,
    async listen(channel, onPayload, onListening) {
      const subscription = await sql.listen(channel, onPayload, onListening);
      return () => subscription.unlisten();
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async ping() {
      try {
        await sql`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    lane(name, laneConnections) {
      let lane = lanes.get(name);
      if (lane === undefined) {
        const laneSql = postgres(url, { max: laneConnections, onnotice: () => undefined });
        lane = { sql: laneSql, db: drizzlePostgres(laneSql, { schema }) as unknown as Database };
        lanes.set(name, lane);
      }
      return lane.db;
    },
    recordAddress: () => undefined,
    async close() {
      await Promise.all([...lanes.values()].map((lane) => lane.sql.end({ timeout: 5 })));
      await sql.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string, role: string): Promise<DatabaseHandle> {
  const directory = resolve(dataDir, 'pglite');
  mkdirSync(directory, { recursive: true });
  const lock = lockEmbeddedDatabase(resolve(dataDir), role);
  // Postgres's default 128 MB of shared buffers, inside the server's own memory, would hold a copy of
  // what the operating system already caches from the data files: the registry is read from its
  // in-memory snapshot, so the database mostly appends (audit, outbox). 16 MB keeps the embedded
  // server's resident memory about 170 MB lower; audit appends cost the same (in-process A/B).
  let client: PGlite;
  try {
    client = await PGlite.create(directory, {
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  const driver = withClientParsers(client);
  const db = drizzlePglite(driver, { schema }) as unknown as Database;
  return {
    db,
    engine: 'pglite',
    migrate: () => migratePglite(drizzlePglite(driver, { schema }), { migrationsFolder }),
    withLock: (_name, task) => task(),
    lane: () => db,
    async listen(channel, onPayload, onListening) {
      // The embedded database lives in this process: its notices cannot be lost.
      const unsubscribe = await client.listen(channel, onPayload);
      onListening?.();
      return unsubscribe;
    },
    async notify(channel, payload) {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    recordAddress: (address) => {
      lock.recordAddress(address);
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    },
  };
}
