// The audit log is append-only and hash-chained: an edited or a deleted entry must be found and named.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../src/audit/audit-service.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
let audit: AuditService;

beforeAll(async () => {
  database = await createTestDatabase('audit');
  audit = createAuditService({ db: database.handle.db, logger: createLogger('silent'), flushIntervalMs: 10 });
});
afterAll(async () => {
  await audit.close();
  await database.drop();
});

async function writeEntries(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await audit.append({
      actor: 'member:alice',
      action: 'contact.update',
      subject: `contact:kg-00${i}`,
      details: { field: 'title', n: i },
    });
  }
}

describe('audit chain', () => {
  it('an untouched log verifies, including entries batched from concurrent readers', async () => {
    await writeEntries(5);
    for (let i = 0; i < 50; i++)
      audit.enqueue({ actor: 'member:bob', action: 'registry.read', details: { country: 'KG' } });
    await Promise.all([writeEntries(3), audit.flush()]);
    await audit.flush();
    const result = await audit.verify();
    expect(result.entries).toBe(58);
    expect(result.problems).toEqual([]);
  });

  it('an entry edited in the database is reported by its number', async () => {
    await database.handle.db.execute(sql`update audit_log set actor = 'member:mallory' where seq = 3`);
    const result = await audit.verify();
    expect(result.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'hash_mismatch' }));
    await database.handle.db.execute(sql`update audit_log set actor = 'member:alice' where seq = 3`);
    expect((await audit.verify()).problems).toEqual([]);
  });

  it('an edited details field is reported too', async () => {
    await database.handle.db.execute(
      sql`update audit_log set details = '{"field":"title","n":99}'::jsonb where seq = 2`,
    );
    const result = await audit.verify();
    expect(result.problems).toContainEqual(expect.objectContaining({ seq: 2, problem: 'hash_mismatch' }));
    await database.handle.db.execute(
      sql`update audit_log set details = '{"field":"title","n":1}'::jsonb where seq = 2`,
    );
    expect((await audit.verify()).problems).toEqual([]);
  });

  it('a deleted entry is reported as missing and as a broken link', async () => {
    await database.handle.db.execute(sql`delete from audit_log where seq = 4`);
    const result = await audit.verify();
    expect(result.problems).toContainEqual(expect.objectContaining({ seq: 4, problem: 'missing_entry' }));
    expect(result.problems).toContainEqual(expect.objectContaining({ seq: 5, problem: 'broken_link' }));
  });
});
