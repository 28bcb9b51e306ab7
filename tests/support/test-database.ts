// Each test file gets its own PostgreSQL database, created fresh and dropped afterwards.
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';

export const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** Creates a migrated, empty database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `cp_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), dataDir: '/nonexistent', maxConnections: 5 });
  await handle.migrate();
  return {
    url: url.toString(),
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
