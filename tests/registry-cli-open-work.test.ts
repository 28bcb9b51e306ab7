// An operator imports a registry file from the command line that would retire contacts still
// holding open work (a consultation waiting for them, pending formal requests). The CLI runs
// without the server, yet refuses it as the API does: exit 1, nothing changed, the reason and each
// contact with what it holds on stderr; its dry run reports the same refusal. A file retiring a
// contact who holds nothing imports.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/audit/audit-schema.ts';
import { createMember, createToken } from './support/chat-fixtures.ts';
import { api } from './support/consultation-helpers.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');

let testApp: TestApp;
let directory: string;
let askerToken: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: testApp.database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The registry exported by the CLI, with some contacts changed, written to a file. */
async function fileWith(name: string, changes: Record<string, Record<string, unknown>>): Promise<string> {
  const out = join(directory, `export-${name}.json`);
  const exported = await cli('registry', 'export', '--out', out);
  expect(exported.code, exported.stderr).toBe(0);
  const file = JSON.parse(await readFile(out, 'utf8')) as { contacts: { id: string }[] };
  const path = join(directory, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      ...file,
      contacts: file.contacts.map((record) => ({ ...record, ...changes[record.id] })),
    }),
  );
  return path;
}

const statusOf = async (id: string) =>
  (await api<{ status: string }>(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body.status;

async function request(contactId: string, ourReference: string): Promise<string> {
  const created = await api<{ id: string }>(testApp, askerToken, 'POST', '/v1/requests', {
    type: 'mla',
    toCountry: 'KG',
    contactId,
    ourReference,
    subject: 'Hearing of a witness',
    sentAt: new Date().toISOString(),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  testApp = await startTestApp('registry-cli-open-work');
  directory = await mkdtemp(join(tmpdir(), 'counterpart-cli-open-work-'));
  const asker = await createMember(testApp, { name: 'Dana Asker', country: 'KZ' });
  askerToken = await createToken(testApp, asker.id);
}, 120_000);

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await testApp.close();
});

describe('registry import from the command line', () => {
  it('refuses, dry run included, to retire contacts holding open work; nothing changes', async () => {
    // kg-003 holds two pending requests; kg-001 one.
    const requests = [
      await request('kg-003', 'KZ-MLA-31'),
      await request('kg-003', 'KZ-MLA-32'),
      await request('kg-001', 'KZ-MLA-11'),
    ];
    const path = await fileWith('retiring', {
      'kg-003': { status: 'retired' },
      'kg-001': { status: 'retired' },
    });
    const held = [
      '/contacts: contact "kg-003" holds 0 open consultation(s) and 2 pending request(s)',
      '/contacts: contact "kg-001" holds 0 open consultation(s) and 1 pending request(s)',
    ];

    const dry = await cli('registry', 'import', '--dry-run', path);
    expect(dry.code, dry.stdout).toBe(1);
    expect(dry.stderr).toContain(
      'refused (conflict): contacts holding open consultations or pending requests',
    );
    expect(dry.stderr).toContain('the import would be refused');
    for (const line of held) expect(dry.stderr).toContain(line);
    expect(dry.stdout).toBe('');

    const real = await cli('registry', 'import', path);
    expect(real.code, real.stdout).toBe(1);
    expect(real.stderr).toContain('refused (conflict)');
    expect(real.stderr).toContain('nothing was changed');
    for (const line of held) expect(real.stderr).toContain(line);

    // Nothing changed: both still active, the requests still theirs, no import audited.
    expect(await statusOf('kg-003')).toBe('active');
    expect(await statusOf('kg-001')).toBe('active');
    const holders = await Promise.all(
      requests.map(
        async (id) =>
          (await api<{ contactId: string }>(testApp, askerToken, 'GET', `/v1/requests/${id}`)).body.contactId,
      ),
    );
    expect(holders).toEqual(['kg-003', 'kg-003', 'kg-001']);
    const imports = await testApp.application.database.db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'registry.import'), eq(auditLog.actor, 'cli')));
    expect(imports).toEqual([]);
  }, 120_000);

  it('imports a file retiring a contact who holds nothing, and its dry run says so', async () => {
    const path = await fileWith('harmless', { 'uz-001': { status: 'retired' } });
    const dry = await cli('registry', 'import', '--dry-run', path);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, updated: 1, removed: 0 });
    expect(await statusOf('uz-001')).toBe('active');
    const real = await cli('registry', 'import', path);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, updated: 1, removed: 0 });
    await testApp.application.registry.reload();
    expect(await statusOf('uz-001')).toBe('retired');
  }, 120_000);
});
