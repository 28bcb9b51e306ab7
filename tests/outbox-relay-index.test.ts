// The relay looks for deferred pushes (bulk nudges) five times a second in every worker, while
// finished pushes stay in the outbox for their retention period: its look must read only what waits, not the
// table's history, or a year of sent messages costs every worker a full scan five times a second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { claimDeferredRows } from '../src/outbox/outbox-relay.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('outbox_relay_index');
});

afterAll(async () => {
  await database.drop();
});

type Row = { id?: string; 'QUERY PLAN'?: string };
const rowsOf = (result: unknown): Row[] => result as Row[];

describe('the outbox relay with a long history of sent pushes', () => {
  it('reads the waiting rows through their own index and claims them oldest first', async () => {
    const { db } = database.handle;
    await db.execute(sql`
      insert into outbox (id, dedupe_key, kind, platform, chat_id, state, queued_at, sent_at, outcome_recorded_at, created_at)
      select 'sent-' || n, 'sent-' || n, 'nudge', 'telegram', '42', 'sent', now(), now(), now(),
             now() - interval '30 days' + n * interval '1 minute'
      from generate_series(1, 20000) as n`);
    await db.execute(sql`
      insert into outbox (id, dedupe_key, kind, platform, chat_id, state, queued_at, created_at) values
        ('deferred-late', 'deferred-late', 'nudge', 'telegram', '42', 'pending', null, now()),
        ('deferred-early', 'deferred-early', 'nudge', 'telegram', '42', 'pending', null, now() - interval '1 minute'),
        ('dispatched', 'dispatched', 'nudge', 'telegram', '42', 'pending', now(), now())`);
    await db.execute(sql`analyze outbox`);

    const plan = rowsOf(await db.execute(sql`explain ${claimDeferredRows(1000)}`))
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('outbox_deferred_idx');
    expect(plan).not.toMatch(/Seq Scan on outbox/);

    const claimed = rowsOf(await db.execute(claimDeferredRows(1))).map((row) => row.id);
    expect(claimed).toEqual(['deferred-early']);
    const rest = rowsOf(await db.execute(claimDeferredRows(1000))).map((row) => row.id);
    expect(rest).toEqual(['deferred-late']);
    expect(rowsOf(await db.execute(claimDeferredRows(1000)))).toEqual([]);
  });
});
