// An operator manages the registry file from the command line: validate, import, export.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../src/audit/audit-service.ts';
import { createLogger } from '../src/logging/logger.ts';
import { membersLinkedToContacts } from '../src/members/index.ts';
import { createRegistryService } from '../src/registry/index.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { fixture, fixturePath, fixtureText } from './support/registry-fixture.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');

let database: TestDatabase;
let directory: string;
let brokenPath: string;

beforeAll(async () => {
  database = await createTestDatabase('registry-cli');
  directory = await mkdtemp(join(tmpdir(), 'counterpart-registry-cli-'));
  const broken = fixture() as unknown as { contacts: Record<string, unknown>[] };
  broken.contacts[3]!.authority = 'xx';
  broken.contacts[4]!.workingHours = { days: [1], start: '25:00', end: '18:00' };
  brokenPath = join(directory, 'broken.json');
  await writeFile(brokenPath, JSON.stringify(broken));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await database.drop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function contactCount(): Promise<number> {
  const logger = createLogger('silent');
  const audit = createAuditService({ db: database.handle.db, logger });
  const registry = createRegistryService({
    db: database.handle.db,
    audit,
    database: database.handle,
    logger,
    linkedMembers: membersLinkedToContacts,
  });
  const file = await registry.exportRegistry(undefined);
  await audit.close();
  return file.contacts.length;
}

describe('registry commands', () => {
  it('validate lists every problem of a broken file with its path and exits 1', async () => {
    const result = await cli('registry', 'validate', brokenPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/contacts/3/authority: unknown authority "xx" (not in /authorities)');
    expect(result.stderr).toContain(
      '/contacts/4/workingHours/start: must be a time "HH:MM" (00:00 to 23:59)',
    );
    const good = await cli('registry', 'validate', fixturePath);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(
      'valid (15 countries, 27 authorities, 38 contacts, 8 treaties, 32 requirement sheets)',
    );
  });

  it('import of a broken file prints the problems, exits 1 and leaves the database empty', async () => {
    const result = await cli('registry', 'import', brokenPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/contacts/3/authority');
    expect(await contactCount()).toBe(0);
  });

  it('import then export gives back the demo file exactly', async () => {
    const imported = await cli('registry', 'import', fixturePath);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ contacts: 38, created: 127, updated: 0, removed: 0 });
    const out = join(directory, 'export.json');
    const exported = await cli('registry', 'export', '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(fixtureText);
  });
});
