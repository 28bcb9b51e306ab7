// The embedded database runs in the server's own thread and never gives the event loop back during
// a statement: a flush of the batched reads must let requests run between its transactions, or
// every request waits for the whole queue to be written (the large-registry p99).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../src/audit/audit-service.ts';
import { auditLog } from '../src/audit/audit-schema.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { createLogger } from '../src/logging/logger.ts';

let directory: string;
let database: DatabaseHandle;
let audit: AuditService;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'counterpart-audit-yield-'));
  database = await openDatabase({ url: undefined, dataDir: directory });
  await database.migrate();
  // No timer flush during the test: the test flushes.
  audit = createAuditService({ db: database.db, logger: createLogger('silent'), flushIntervalMs: 600_000 });
});
afterAll(async () => {
  await audit.close();
  await database.close();
  await rm(directory, { recursive: true, force: true });
});

describe('flushing queued reads on the embedded database', () => {
  it('lets other work run between transactions, and writes every entry', async () => {
    const queued = 650;
    for (let i = 0; i < queued; i++)
      audit.enqueue({
        actor: 'token:reader',
        action: 'registry.read',
        subject: 'contacts',
        details: { country: 'KG', n: i },
      });
    // What another request would see of the queue if it ran while the flush is under way.
    const seen: number[] = [];
    let flushed = false;
    const watch = () => {
      if (flushed) return;
      seen.push(audit.stats().queueDepth);
      setImmediate(watch);
    };
    setImmediate(watch);
    await audit.flush();
    flushed = true;
    const [row] = await database.db.select({ n: count() }).from(auditLog);
    expect(row?.n).toBe(queued);
    expect(audit.stats().queueDepth).toBe(0);
    // Some callback ran while part of the queue was written and part was not.
    expect(seen.some((depth) => depth > 0 && depth < queued)).toBe(true);
  });
});
