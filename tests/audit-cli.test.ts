// An operator checks the audit log from the command line: `audit verify` exits 0 on an intact log
// and 1, naming the entry, on an edited or a deleted one (a truncated log: audit-truncation.test.ts).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../src/audit/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');

let database: TestDatabase;
let audit: AuditService;

beforeAll(async () => {
  database = await createTestDatabase('audit_cli');
  audit = createAuditService({ db: database.handle.db, logger: createLogger('silent'), flushIntervalMs: 10 });
  for (let n = 1; n <= 6; n++)
    await audit.append({ actor: 'member:alice', action: 'contact.update', details: { n } });
});
afterAll(async () => {
  await audit.close();
  await database.drop();
});

async function verifyCli(): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [cliPath, 'audit', 'verify'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('audit verify from the command line', () => {
  it('exits 0 on an intact log and says how many entries it checked', async () => {
    const intact = await verifyCli();
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain('audit log intact: 6 entries verified');
  });

  it('exits 1 on an entry edited in the database, naming it', async () => {
    await database.handle.db.execute(sql`update audit_log set actor = 'member:mallory' where seq = 3`);
    const edited = await verifyCli();
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/^entry 3: hash_mismatch: /m);
    expect(edited.stdout).toContain('audit log BROKEN');
    await database.handle.db.execute(sql`update audit_log set actor = 'member:alice' where seq = 3`);
    expect((await verifyCli()).code).toBe(0);
  });

  it('exits 1 on an entry deleted from the middle, naming it and the link it broke', async () => {
    await database.handle.db.execute(sql`delete from audit_log where seq = 4`);
    const deleted = await verifyCli();
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toMatch(/^entry 4: missing_entry: /m);
    expect(deleted.stdout).toMatch(/^entry 5: broken_link: /m);
  });
});
