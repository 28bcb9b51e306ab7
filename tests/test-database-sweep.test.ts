// `npm test` drops the databases that killed test runs left behind, and only those.
import { spawnSync } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, sweepLeftoverTestDatabases } from './support/test-database.ts';

describe('leftover test databases', () => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  afterAll(() => admin.end());

  const exists = async (name: string) =>
    (await admin`select 1 from pg_database where datname = ${name}`).length === 1;

  it("are dropped when their process is gone; a live process's database, a stale template in use and the current template stay", async () => {
    // A pid that surely belonged to a process and no longer does.
    const gone = spawnSync('true').pid;
    const orphan = `cp_test_sweep_orphan_${gone}_${Date.now().toString(36)}`;
    const halfBuilt = `cp_test_template_0000000000000000_building_${gone}`;
    const staleTemplate = 'cp_test_template_ffffffffffffffff';
    const staleInUse = 'cp_test_template_eeeeeeeeeeeeeeee';
    for (const name of [orphan, halfBuilt, staleTemplate, staleInUse]) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
    }
    const mine = await createTestDatabase('sweep-live');
    const holder = postgres(new URL(`/${staleInUse}`, serverUrl).toString(), { max: 1 });
    await holder`select 1`;
    try {
      const dropped = await sweepLeftoverTestDatabases();
      expect(dropped).toEqual(expect.arrayContaining([orphan, halfBuilt, staleTemplate]));
      expect(dropped).not.toContain(mine.name);
      expect(dropped).not.toContain(staleInUse);
      await expect(exists(orphan)).resolves.toBe(false);
      await expect(exists(halfBuilt)).resolves.toBe(false);
      await expect(exists(staleTemplate)).resolves.toBe(false);
      await expect(exists(mine.name)).resolves.toBe(true);
      await expect(exists(staleInUse)).resolves.toBe(true);
      // The current template stays: the next file's database is still a copy of it.
      const next = await createTestDatabase('sweep-next');
      await next.drop();
    } finally {
      await holder.end();
      await admin.unsafe(`drop database if exists "${staleInUse}" with (force)`);
      await mine.drop();
    }
  });

  it("on a remote server are left alone (its pids are other machines')", async () => {
    await expect(
      sweepLeftoverTestDatabases('postgres://postgres@db.example.invalid:5432/postgres'),
    ).resolves.toEqual([]);
  });
});
