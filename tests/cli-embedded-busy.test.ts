// A new user follows the README: `npm start` on the embedded database, then
// `npm run cli -- invite create` in another terminal. The CLI must not open the database the server
// holds (its invite would be refused by the server and gone after a restart): it refuses, says who
// holds it and how to do the same through the API, and what is done through the API is kept.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');
const adminToken = 'cli-embedded-busy-admin-token-0123456789';
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'counterpart-embedded-busy-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function serverAddress(server: WorkerProcess): string {
  const match = /"address":"(http:\/\/[^"]+)"/.exec(server.output());
  if (match?.[1] === undefined) throw new Error(`no address in:\n${server.output()}`);
  return match[1];
}

describe('the CLI beside a running server on the embedded database', () => {
  it('refuses with who holds it and the API way; the invite made through the API survives a restart', async () => {
    const server = startWorkerProcess({
      RUN_MODE: 'all',
      DATA_DIR: dataDir,
      DEMO_SEED: 'true',
      BOOTSTRAP_ADMIN_TOKEN: adminToken,
      REDIS_PREFIX: `cptest-embedded-busy-${process.pid}`,
    });
    let memberId: string;
    try {
      await server.ready;
      const base = serverAddress(server);
      const member = await fetch(`${base}/v1/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'A. Prosecutor', country: 'KZ', role: 'member' }),
      });
      expect(member.status).toBe(201);
      memberId = ((await member.json()) as { id: string }).id;

      const refused = await cli('invite', 'create', '--member', memberId);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(
        `in use by another process (pid ${server.pid}, server, listening at ${base})`,
      );
      expect(refused.stderr).toContain(
        `curl -X POST -H "Authorization: Bearer $TOKEN" ${base}/v1/members/MEMBER_ID/invites`,
      );

      // The way the message gives works, and is kept.
      const invite = await fetch(`${base}/v1/members/${memberId}/invites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(invite.status).toBe(201);
    } finally {
      expect(await server.terminate()).toBe(0);
    }

    // With the server stopped, the CLI opens the database and finds the invite.
    const listed = await cli('invite', 'list', '--member', memberId);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('"status":"pending"');
  }, 300_000);
});
