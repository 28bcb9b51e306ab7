// Replicas started at the same moment on a fresh database (compose, Kubernetes, an upgrade that
// carries a migration) must all come up: they take turns migrating, and exactly one of them
// installs the first admin.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from './support/test-database.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');
const created: string[] = [];

/** A database with nothing in it, not even migrations. */
async function freshDatabase(label: string): Promise<string> {
  const name = `cp_test_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  created.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

async function admins(url: string): Promise<{ members: number; tokens: number }> {
  const client = postgres(url, { max: 1 });
  try {
    const [row] = await client<{ members: number; tokens: number }[]>`
      select (select count(*)::int from members where role = 'admin') as members,
             (select count(*)::int from api_tokens t join members m on m.id = t.member_id
               where m.role = 'admin') as tokens`;
    return row ?? { members: 0, tokens: 0 };
  } finally {
    await client.end();
  }
}

describe('replicas starting together', () => {
  it('four processes started at once on a fresh database all come up, with exactly one admin (three trials)', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const url = await freshDatabase(`replicas${trial}`);
      const processes: WorkerProcess[] = Array.from({ length: 4 }, () =>
        startWorkerProcess({
          RUN_MODE: 'api',
          DATABASE_URL: url,
          REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_PREFIX: `cptest-replicas-${process.pid}-${trial}`,
        }),
      );
      try {
        const started = await Promise.allSettled(processes.map((child) => child.ready));
        const failures = started.flatMap((result, index) =>
          result.status === 'rejected'
            ? [`process ${index}: ${String(result.reason).slice(0, 300)} ${processes[index]?.output() ?? ''}`]
            : [],
        );
        expect(failures).toEqual([]);
        expect(await admins(url)).toEqual({ members: 1, tokens: 1 });
      } finally {
        await Promise.all(processes.map((child) => child.terminate()));
      }
    }
  }, 600_000);

  it('three `db migrate` at once on a fresh database all finish', async () => {
    const url = await freshDatabase('migrate');
    const runs = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        run(process.execPath, [cliPath, 'db', 'migrate'], {
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'silent' },
          timeout: 240_000,
        }),
      ),
    );
    expect(runs.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    for (const result of runs)
      if (result.status === 'fulfilled') expect(result.value.stdout).toContain('migrations applied');
  }, 300_000);
});
