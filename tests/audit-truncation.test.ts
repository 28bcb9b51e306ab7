// Someone with database access deletes the newest audit entries: the chain that is left is
// internally whole, so only a head kept elsewhere (the checkpoint table, a head an operator wrote
// down, the head in the logs) can tell. `audit verify` must say so and exit non-zero.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, formatAuditHead, type AuditService } from '../src/audit/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');

let database: TestDatabase;
let audit: AuditService;
const logLines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('audit_truncation');
  audit = createAuditService({
    db: database.handle.db,
    logger: createLogger('info', { write: (line: string) => logLines.push(line) }),
    flushIntervalMs: 10,
  });
});
afterAll(async () => {
  await audit.close();
  await database.drop();
});

async function verifyCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [cliPath, 'audit', 'verify', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('a truncated audit log', () => {
  it('is reported by audit verify when the newest entries are deleted, against the checkpoint or a kept head', async () => {
    for (let i = 1; i <= 10; i++)
      await audit.append({ actor: 'member:alice', action: 'contact.update', details: { n: i } });
    const head = await audit.checkpoint();
    expect(head?.seq).toBe(10);
    // The head leaves the database in a structured log line too.
    expect(logLines.some((line) => line.includes(`"auditHead":"${formatAuditHead(head!)}"`))).toBe(true);

    const intact = await verifyCli();
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain(`head: ${formatAuditHead(head!)}`);

    await database.handle.db.execute(sql`delete from audit_log where seq > 7`);
    const truncated = await verifyCli();
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/entry 10: truncated: the log ends at entry 7/);

    // A thorough intruder removes the checkpoint as well: the head the operator kept still tells.
    await database.handle.db.execute(sql`delete from audit_checkpoint`);
    expect((await verifyCli()).code).toBe(0);
    const kept = await verifyCli('--expect-head', formatAuditHead(head!));
    expect(kept.code).toBe(1);
    expect(kept.stdout).toContain('truncated');

    // A rewritten log of the same length does not match the kept head either.
    for (let i = 8; i <= 10; i++)
      await audit.append({ actor: 'member:mallory', action: 'contact.update', details: { n: i } });
    const rewritten = await verifyCli('--expect-head', formatAuditHead(head!));
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain('entry 10: head_mismatch');

    expect((await verifyCli('--expect-head', 'not-a-head')).code).toBe(1);
  }, 240_000);
});
