// On the embedded database the conversation engine remembers conversations with nothing in
// progress. That is only right if every write that could give a member's text a meaning reaches
// it before the writer goes on: the triggers' notices must arrive before the statement returns.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conversationActivityChannel,
  createQuietConversations,
  type QuietConversations,
} from '../src/chat/index.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';

let directory: string;
let database: DatabaseHandle;
let quiet: QuietConversations;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'counterpart-quiet-'));
  database = await openDatabase({ url: undefined, dataDir: directory });
  await database.migrate();
  quiet = createQuietConversations({ maxEntries: 3 });
  await database.listen(conversationActivityChannel, () => {
    quiet.changed();
  });
});
afterAll(async () => {
  await database.close();
  await rm(directory, { recursive: true, force: true });
});

describe('quiet conversations on the embedded database', () => {
  it.each([
    ['a conversation flow is started', sql`delete from conversation_flows where false`],
    ['a consultation changes', sql`update consultations set status = status where false`],
  ])('are forgotten, before the writer goes on, when %s', async (_, statement) => {
    quiet.remember('member-1\ntelegram\n1', quiet.ticket());
    expect(quiet.isQuiet('member-1\ntelegram\n1')).toBe(true);
    await database.db.execute(statement);
    expect(quiet.isQuiet('member-1\ntelegram\n1')).toBe(false);
  });

  it('are forgotten when the write is part of a transaction, at its commit', async () => {
    quiet.remember('member-1\ntelegram\n1', quiet.ticket());
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`update consultations set status = status where false`);
    });
    expect(quiet.isQuiet('member-1\ntelegram\n1')).toBe(false);
  });

  it('do not keep a finding read before a change', async () => {
    const ticket = quiet.ticket();
    await database.db.execute(sql`delete from conversation_flows where false`);
    quiet.remember('member-2\ntelegram\n2', ticket);
    expect(quiet.isQuiet('member-2\ntelegram\n2')).toBe(false);
  });

  it('hold a bounded number of conversations, the oldest forgotten first', () => {
    for (const key of ['a', 'b', 'c', 'd']) quiet.remember(key, quiet.ticket());
    expect(['a', 'b', 'c', 'd'].map((key) => quiet.isQuiet(key))).toEqual([false, true, true, true]);
  });
});
