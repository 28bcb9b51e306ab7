// The subject index holds only entries about a record: the registry's reads (most of the log, no
// subject) skip it when appended, and a record's history is still read through it.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditQueries, createAuditService, type AuditService } from '../src/audit/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
let audit: AuditService;

beforeAll(async () => {
  database = await createTestDatabase('audit_subject_index');
  audit = createAuditService({ db: database.handle.db, logger: createLogger('silent'), flushIntervalMs: 10 });
  for (let i = 0; i < 40; i++) {
    audit.enqueue({ actor: 'member:reader', action: 'registry.read', details: { country: 'KG', n: i } });
    if (i % 10 === 0)
      await audit.append({
        actor: 'member:editor',
        action: 'contact.update',
        subject: `contact:kg-00${String(i / 10)}`,
        details: { field: 'title', n: i },
      });
  }
  await audit.flush();
});
afterAll(async () => {
  await audit.close();
  await database.drop();
});

const rowsOf = (result: unknown): Record<string, unknown>[] =>
  Array.isArray(result)
    ? (result as Record<string, unknown>[])
    : (result as { rows: Record<string, unknown>[] }).rows;

describe('audit subject index', () => {
  it('leaves out entries without a subject', async () => {
    const [index] = rowsOf(
      await database.handle.db.execute(
        sql`select pg_get_indexdef('audit_log_subject_idx'::regclass) as definition`,
      ),
    );
    expect(String(index?.definition)).toMatch(/WHERE \(subject IS NOT NULL\)/);
  });

  it("still answers a record's history, through the index", async () => {
    const queries = createAuditQueries({ db: database.handle.db });
    const { entries } = await queries.list({ subject: 'contact:kg-002', limit: 10 });
    expect(entries.map((entry) => [entry.action, entry.subject, entry.details.n])).toEqual([
      ['contact.update', 'contact:kg-002', 20],
    ]);
    const { entries: reads } = await queries.list({ actor: 'member:reader', limit: 100 });
    expect(reads).toHaveLength(40);

    // On a table this small Postgres would rather scan it; the question is whether it can use the index.
    const plan = await database.handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rowsOf(
        await tx.execute(
          sql`explain select seq from audit_log where subject = ${'contact:kg-002'} order by seq desc limit 11`,
        ),
      )
        .map((row) => String(Object.values(row)[0]))
        .join('\n');
    });
    expect(plan).toContain('audit_log_subject_idx');
  });
});
