// Run as its own process with --expose-gc (see audit-soak.test.ts), so the heap measured is this
// application's alone: one poisoned read, then many audited reads; prints one JSON line.
import { and, eq, sql } from 'drizzle-orm';
import { auditLog } from '../../src/audit/audit-schema.ts';
import { startTestApp } from './test-app.ts';

const reads = Number(process.env.SOAK_READS ?? '20000');
const concurrency = 50;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 5; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

const testApp = await startTestApp('audit_soak');
const { app, audit, database } = testApp.application;
const read = (url: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${testApp.adminToken}` } });

// The poison: through the edge (which may now refuse it) and straight into the audit service.
const edge = await read('/v1/authorities?competence=%00');
audit.enqueue({
  actor: 'member:mallory',
  action: 'registry.read',
  subject: 'authorities',
  details: { competence: '\u0000', surrogate: '\ud800' },
});
// Warm up (JIT, caches, pools) before the first measurement.
for (let i = 0; i < 500; i += concurrency)
  await Promise.all(Array.from({ length: concurrency }, () => read('/v1/authorities?country=AM')));
await audit.flush();
const count = async () =>
  (
    await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'registry.read'), eq(auditLog.subject, 'authorities')))
  )[0]?.n ?? 0;
const auditedBefore = await count();
const heapBefore = await settledHeap();

const statuses: Record<string, number> = {};
for (let done = 0; done < reads; done += concurrency) {
  const answers = await Promise.all(
    Array.from({ length: Math.min(concurrency, reads - done) }, () => read('/v1/authorities?country=KG')),
  );
  for (const answer of answers) statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
}
await audit.flush();
const heapAfter = await settledHeap();
const audited = (await count()) - auditedBefore;
const verified = await audit.verify();
const stats = audit.stats();
await testApp.close();
process.stdout.write(
  `${JSON.stringify({ edgeStatus: edge.statusCode, statuses, audited, problems: verified.problems, heapBefore, heapAfter, stats })}\n`,
);
