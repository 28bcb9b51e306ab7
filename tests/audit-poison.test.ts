// One audit entry that Postgres cannot take must never block the others, and a log that cannot be
// written must turn reads away rather than let them go unaudited or fill the memory.
import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../src/audit/index.ts';
import { auditLog } from '../src/audit/audit-schema.ts';
import { openDatabase } from '../src/db/database.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { AppError } from '../src/errors/index.ts';

let database: TestDatabase;
let audit: AuditService;

beforeAll(async () => {
  database = await createTestDatabase('audit_poison');
  audit = createAuditService({ db: database.handle.db, logger: createLogger('silent'), flushIntervalMs: 10 });
});
afterAll(async () => {
  await audit.close();
  await database.drop();
});

const rows = () =>
  database.handle.db
    .select({ seq: auditLog.seq, action: auditLog.action, actor: auditLog.actor, details: auditLog.details })
    .from(auditLog)
    .orderBy(asc(auditLog.seq));

describe('audit entries Postgres would refuse', () => {
  it('a read whose details hold NUL, lone surrogates, prototype keys and odd values is stored as hashed', async () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 50; i++) {
      cursor.inner = {};
      cursor = cursor.inner as Record<string, unknown>;
    }
    audit.enqueue({
      actor: 'member:\u0000mallory\ud800',
      action: 'registry.read',
      subject: 'authorities\u0000',
      details: {
        competence: '\u0000',
        lone: 'a\udc00b',
        ['\u0000key']: 1,
        ...JSON.parse('{"__proto__": {"polluted": true}}'),
        when: new Date('2026-01-01T00:00:00Z'),
        huge: 'x'.repeat(1_000_000),
        big: 12n,
        nan: Number.NaN,
        list: Array.from({ length: 10_000 }, (_, i) => i),
        deep,
      },
    });
    audit.enqueue({ actor: 'member:alice', action: 'registry.read', details: { country: 'KG' } });
    await audit.flush();
    const stored = await rows();
    expect(stored.map((row) => row.action)).toEqual(['registry.read', 'registry.read']);
    const details = stored[0]?.details ?? {};
    expect(details.competence).toBe('\uFFFD');
    expect(details.lone).toBe('a\uFFFDb');
    expect(details.when).toBe('2026-01-01T00:00:00.000Z');
    expect(details.big).toBe('12');
    expect(details.nan).toBeNull();
    expect(Object.hasOwn(details, '__proto__')).toBe(true);
    expect((details.huge as string).length).toBeLessThan(1000);
    expect(JSON.stringify(details).length).toBeLessThan(20_000);
    expect(stored[0]?.actor).toBe('member:\uFFFDmallory\uFFFD');
    expect((await audit.verify()).problems).toEqual([]);
  });

  it('an entry Postgres still refuses is split out and recorded as audit.write_failed; the rest are written', async () => {
    // A rule of the database that one action breaks: stands for any refusal we cannot foresee.
    await database.handle.db.execute(
      sql`alter table audit_log add constraint refuse_test_poison check (action <> 'test.poison')`,
    );
    try {
      const before = (await rows()).length;
      for (let i = 0; i < 120; i++) {
        audit.enqueue({
          actor: 'member:bob',
          action: i === 77 ? 'test.poison' : 'registry.read',
          details: { n: i },
        });
      }
      await audit.flush();
      const stored = (await rows()).slice(before);
      expect(stored).toHaveLength(120);
      const failed = stored.filter((row) => row.action === 'audit.write_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.actor).toBe('system');
      expect(failed[0]?.details).toMatchObject({ action: 'test.poison', actor: 'member:bob' });
      expect(String(failed[0]?.details.reason)).toContain('23514');
      expect(stored.filter((row) => row.action === 'registry.read').map((row) => row.details.n)).toEqual(
        Array.from({ length: 120 }, (_, i) => i).filter((i) => i !== 77),
      );
      expect(audit.stats()).toMatchObject({ queueDepth: 0, writeFailuresTotal: 1 });
      expect((await audit.verify()).problems).toEqual([]);
    } finally {
      await database.handle.db.execute(sql`alter table audit_log drop constraint refuse_test_poison`);
    }
  });
});

describe('a database that is away', () => {
  it('keeps what is queued, admits no more reads (503) and never grows past its bound', async () => {
    // postgres.js against a closed port: every statement fails as when Postgres is down.
    const away = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/nonexistent' });
    const stranded = createAuditService({
      db: away.db,
      logger: createLogger('silent'),
      flushIntervalMs: 10,
      highWaterMark: 10,
      maxQueued: 20,
      admissionWaitMs: 100,
    });
    for (let i = 0; i < 20; i++) stranded.enqueue({ actor: 'member:carol', action: 'registry.read' });
    await stranded.flush();
    expect(stranded.stats().queueDepth).toBe(20);
    expect(() => {
      stranded.enqueue({ actor: 'member:carol', action: 'registry.read' });
    }).toThrow(AppError);
    await expect(stranded.admit()).rejects.toMatchObject({ code: 'unavailable' });
    expect(stranded.stats()).toMatchObject({ queueDepth: 20, writeFailuresTotal: 0 });
    await away.close();
  });
});
