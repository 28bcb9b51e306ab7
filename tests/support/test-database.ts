// Each test file gets its own PostgreSQL database, created fresh and dropped afterwards.
//
// Running the thirty-odd migrations for every file cost about a second of database work each time
// (80-odd files). Instead the migrations run once into a template database named after a hash of the
// migrations folder (a changed, added or removed migration gives a new template), and each file's
// database is a copy of it (CREATE DATABASE ... TEMPLATE). `handle.migrate()` still runs on the copy:
// it finds nothing pending, and would apply anything the template lacked. Tests about migrations
// themselves build their databases their own way.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import postgres from 'postgres';
import { migrationsFolder, openDatabase, type DatabaseHandle } from '../../src/db/database.ts';

export const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A hash of every file under the migrations folder: names and contents. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory).sort()) {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) {
        walk(path);
      } else {
        hash.update(relative(migrationsFolder, path)).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  walk(migrationsFolder);
  return hash.digest('hex').slice(0, 16);
}

let templateName: Promise<string> | undefined;

/**
 * The migrated template database for the current migrations, built on first use. Test processes
 * running side by side serialise on an advisory lock; the template only appears under its final name
 * once fully migrated, so a copy never sees a half-built one.
 */
function migratedTemplate(): Promise<string> {
  templateName ??= (async () => {
    const name = `cp_test_template_${migrationsHash()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
    try {
      await admin`select pg_advisory_lock(hashtext(${name}))`;
      const [existing] = await admin`select 1 from pg_database where datname = ${name}`;
      if (existing === undefined) {
        const building = `${name}_building_${process.pid}`;
        await admin.unsafe(`drop database if exists "${building}" with (force)`);
        await admin.unsafe(`create database "${building}"`);
        const handle = await openDatabase({
          url: databaseUrl(building),
          dataDir: '/nonexistent',
          maxConnections: 2,
        });
        try {
          await handle.migrate();
        } finally {
          await handle.close();
        }
        await admin.unsafe(`alter database "${building}" rename to "${name}"`);
      }
      await admin`select pg_advisory_unlock(hashtext(${name}))`;
    } catch (error) {
      templateName = undefined;
      throw error;
    } finally {
      await admin.end();
    }
    return name;
  })();
  return templateName;
}

/** Creates a migrated, empty database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `cp_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}" template "${await migratedTemplate()}"`);
  } catch (error) {
    // Another checkout's `npm test` sweeps templates it does not use (a branch with other
    // migrations): build ours again.
    if ((error as { code?: string }).code !== '3D000') throw error;
    templateName = undefined;
    await admin.unsafe(`create database "${name}" template "${await migratedTemplate()}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const handle = await openDatabase({ url, dataDir: '/nonexistent', maxConnections: 5 });
  await handle.migrate();
  return {
    url,
    name,
    handle,
    async drop() {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => undefined });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

/** Whether a process with this pid runs on this machine (signal 0 checks without sending). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops what killed or interrupted test runs left behind on a local server: a file's database whose
 * process (its pid is in the name) is gone, a half-built template whose builder is gone, and
 * templates of migrations that are no longer the current ones (unless something still uses them).
 * A shared remote server is left alone: its pids are other machines'.
 */
export async function sweepLeftoverTestDatabases(url = serverUrl): Promise<string[]> {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return [];
  const current = `cp_test_template_${migrationsHash()}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  const dropped: string[] = [];
  try {
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'cp\_test\_%'`;
    for (const { datname } of rows) {
      const owner = /_building_(\d+)$/.exec(datname) ?? /_(\d+)_[0-9a-z]+$/.exec(datname);
      const isTemplate = datname.startsWith('cp_test_template_') && !datname.includes('_building_');
      const leftover = isTemplate ? datname !== current : owner !== null && !processAlive(Number(owner[1]));
      if (!leftover) continue;
      // A stale template may still be copied by a run of an older checkout: no FORCE, so a template
      // in use stays; a dead process's database has nobody to disturb.
      await admin
        .unsafe(`drop database if exists "${datname}"${isTemplate ? '' : ' with (force)'}`)
        .then(() => dropped.push(datname))
        .catch(() => undefined);
    }
  } finally {
    await admin.end();
  }
  return dropped;
}
