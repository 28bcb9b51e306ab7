// Retention of the outbox: finished pushes past their period are deleted, batch by batch, and what
// the readers of old rows need is kept (delivery health: each member's newest finished push; a
// failed nudge's question "did another account get it?": the rows of a record with a delivery
// under way; the delivery statistics: failed and uncertain rows for a year). Real Postgres, the
// whole application (API mode: no worker delivers or reconciles the hand-made rows), a test clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { createDeliveryHealth, hasLiveDelivery } from '../src/outbox/index.ts';
import { createOutboxRetention } from '../src/outbox/outbox-retention.ts';
import { outbox, type OutboxState } from '../src/outbox/outbox-schema.ts';
import { createTestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const day = 86_400_000;
const start = new Date('2026-01-05T08:00:00Z');
const clock = createTestClock(start);
let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('outbox_retention', {
    loadDemo: false,
    clock,
    env: { RUN_MODE: 'api', OUTBOX_RETENTION: 'P30D', OUTBOX_FAILED_RETENTION: 'P400D' },
  });
});

afterAll(async () => {
  await testApp.close();
});

/** A push as the delivery leaves it: written, then marked at the clock's now, its outcome recorded unless said. */
async function finished(
  key: string,
  state: OutboxState,
  options: { member?: string; subject?: string; recorded?: boolean } = {},
) {
  const now = clock.now();
  await testApp.application.database.db.insert(outbox).values({
    id: key,
    dedupeKey: key,
    kind: 'nudge',
    subject: options.subject ?? null,
    memberId: options.member ?? null,
    platform: 'telegram',
    chatId: '42',
    message: null,
    state,
    attempts: 1,
    sentAt: state === 'sent' ? now : null,
    outcomeRecordedAt: options.recorded === false ? null : now,
    queuedAt: now,
    createdAt: now,
    updatedAt: now,
  });
}

const remaining = async () =>
  (await testApp.application.database.db.select({ id: outbox.id }).from(outbox).orderBy(asc(outbox.id))).map(
    (row) => row.id,
  );

describe('outbox retention', () => {
  it('deletes finished rows past their period and keeps what delivery health, nudges and statistics read', async () => {
    const { db } = testApp.application.database;
    const health = createDeliveryHealth({ db });
    const members = ['ana', 'ben', 'cem', 'gul', 'fay'];

    // Day 0.
    await finished('a-old-sent', 'sent', { member: 'ana', subject: 'request:r1' });
    await finished('b-newest-sent', 'sent', { member: 'ben', subject: 'request:r1' });
    await finished('c-no-member', 'sent');
    await finished('d-failed', 'failed', { member: 'cem', subject: 'request:r3' });
    // A nudge to two accounts: one got it, the other has just failed and its outcome (whose
    // handler asks whether another account got it) is being recorded.
    await finished('nudge:r2:1:ana', 'sent', { member: 'ana', subject: 'request:r2' });
    await finished('nudge:r2:1:dan', 'failed', { member: 'dan', subject: 'request:r2', recorded: false });
    await finished('f-unrecorded', 'sent', { member: 'ana', recorded: false });
    await finished('g-uncertain', 'uncertain', { member: 'eda', subject: 'request:r6' });
    await finished('h-gul-failed', 'failed', { member: 'gul' });
    await finished('i-fay-failed', 'failed', { member: 'fay' });
    // Day 1: Gül's next push went through; nobody reached Fay since.
    clock.set(new Date(start.getTime() + day));
    await finished('j-gul-sent', 'sent', { member: 'gul' });
    // Day 15: newer pushes for Ana and Cem.
    clock.set(new Date(start.getTime() + 15 * day));
    await finished('k-ana-newer', 'sent', { member: 'ana', subject: 'request:r4' });
    await finished('l-cem-newer', 'sent', { member: 'cem', subject: 'request:r7' });

    const year = { from: new Date(start.getTime() - day), to: new Date(start.getTime() + 41 * day) };
    const failingBefore = await health.failingMembers(members);
    const problemsBefore = await health.problemCounts(year);
    expect([...failingBefore].sort()).toEqual(['fay']);

    // Day 40: sent rows older than 30 days go, except what someone still reads.
    clock.set(new Date(start.getTime() + 40 * day));
    expect(await testApp.application.outbox.purgeExpiredNow()).toBe(2);
    expect(await remaining()).toEqual([
      'b-newest-sent', // Ben's newest finished push: he can be reached
      'd-failed', // failed: kept for the statistics' year
      'f-unrecorded', // its outcome is not recorded yet
      'g-uncertain',
      'h-gul-failed',
      'i-fay-failed',
      'j-gul-sent', // Gül's newest: without it her older failure would say she cannot be reached
      'k-ana-newer',
      'l-cem-newer',
      'nudge:r2:1:ana', // its sibling's outcome is being recorded
      'nudge:r2:1:dan',
    ]);
    expect(await health.failingMembers(members)).toEqual(failingBefore);
    expect(await health.problemCounts(year)).toEqual(problemsBefore);
    expect(await hasLiveDelivery(db, 'nudge:r2:1:')).toBe(true);

    // Once the sibling's outcome is recorded, nothing about request r2 is under way any more.
    await db.update(outbox).set({ outcomeRecordedAt: clock.now() });
    expect(await testApp.application.outbox.purgeExpiredNow()).toBe(2);
    expect(await remaining()).not.toContain('nudge:r2:1:ana');
    expect(await remaining()).not.toContain('f-unrecorded');

    // Day 401: failed and uncertain rows past their own period go too, but each member's newest
    // push stays: Fay's (failed) still says she cannot be reached.
    clock.set(new Date(start.getTime() + 401 * day));
    await testApp.application.outbox.purgeExpiredNow();
    expect(await remaining()).toEqual([
      'b-newest-sent',
      'i-fay-failed',
      'j-gul-sent',
      'k-ana-newer',
      'l-cem-newer',
      'nudge:r2:1:dan',
    ]);
    expect([...(await health.failingMembers(members))]).toEqual(['fay']);
  });

  it('deletes a backlog in batches until none is left', async () => {
    const { db } = testApp.application.database;
    await db.delete(outbox);
    clock.set(start);
    for (let index = 0; index < 10; index++) await finished(`batch-${String(index)}`, 'sent');
    clock.set(new Date(start.getTime() + 31 * day));
    const retention = createOutboxRetention({
      db,
      clock,
      logger: testApp.application.logger,
      settings: { sentRetentionMs: 30 * day, failedRetentionMs: 400 * day },
      batchSize: 3,
    });
    expect(await retention.purgeOnce()).toBe(10);
    expect(await remaining()).toEqual([]);
  });
});

describe('outbox retention settings', () => {
  it('default to 30 days for sent rows and 400 for failed and uncertain ones', () => {
    expect(loadConfig({}).outbox).toEqual({ sentRetentionMs: 30 * day, failedRetentionMs: 400 * day });
    expect(loadConfig({ OUTBOX_RETENTION: 'P7D', OUTBOX_FAILED_RETENTION: 'P2Y' }).outbox).toEqual({
      sentRetentionMs: 7 * day,
      failedRetentionMs: 730 * day,
    });
  });

  it('refuse at start what is not a duration of at least a day, both at once', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ OUTBOX_RETENTION: '30 days', OUTBOX_FAILED_RETENTION: 'PT1H' });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/OUTBOX_RETENTION: .*"30 days"/);
    expect(problems.join('\n')).toMatch(/OUTBOX_FAILED_RETENTION: .*"PT1H"/);
  });
});
