// A guided draft on Telegram, which is not end-to-end encrypted: the member writes the request
// with /draft and gets a checklist and a one-time web console link, never the draft's text over
// Telegram; the link gives the Word file once; /cancel midway leaves nothing.
import mammoth from 'mammoth';
import { sql } from 'drizzle-orm';
import type { Chat, User } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { everythingTelegramSaw, leakedWords } from './support/leak-search.ts';
import { findLeaks } from './support/storage-leaks.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
const logLines: string[] = [];

const facts = 'Cordelia Thistlewood moved 5,120,774 tenge through Marlowebank in May';
const assistance = 'Pelloquin ledgers 6615 at Marlowebank';

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('draft_telegram', {
    clock: createTestClock(demoDay),
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot, LOG_LEVEL: 'trace' },
    logDestination: { write: (line) => logLines.push(line) },
  });
});
afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

async function linkedMember(name: string): Promise<{ user: User; chat: Chat.PrivateChat }> {
  const member = await createMember(testApp, { name, country: 'KZ' });
  const invite = await createInvite(testApp, member.id);
  const user = emulator.createUser({ firstName: name.split(' ')[0] ?? name, languageCode: 'en' });
  const chat = emulator.privateChat(user);
  emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
  await emulator.waitForMessages(chat, 1);
  return { user, chat };
}

describe('a guided draft on Telegram', () => {
  it('gives the checklist and a one-time link, never the draft, over Telegram', async () => {
    const { user, chat } = await linkedMember('Madina Telegramova');
    let count = 1;
    const say = async (text: string, expected: string) => {
      emulator.sendUserMessage(user, chat, text);
      count += 1;
      const reply = (await emulator.waitForMessages(chat, count))[count - 1]?.text ?? '';
      expect(reply).toContain(expected);
      return reply;
    };
    await say('/draft', 'Which country will receive the request?');
    await say('Uzbekistan', 'What kind of request to Uzbekistan?');
    await say('Mutual legal assistance', '1/9 · Summary of facts');
    await say(facts, '2/9');
    await say('-', '3/9');
    await say('-', '4/9 · Assistance sought');
    await say(assistance, '5/9');
    for (let step = 6; step <= 9; step++) await say('-', `${step}/9`);
    const done = await say('-', '2 of 5 required elements written');
    expect(done).toContain('This chat is not end-to-end encrypted');
    const token = /\/console\/drafts\/([A-Za-z0-9_-]{43})/.exec(done)?.[1] ?? '';
    expect(token).not.toBe('');

    // Nothing the bot sent through Telegram carries a word of the draft.
    expect(leakedWords([facts, assistance], everythingTelegramSaw(emulator))).toEqual([]);
    expect(emulator.apiCalls().some((call) => call.method === 'sendDocument')).toBe(false);

    const file = await testApp.application.app.inject({ method: 'POST', url: `/console/drafts/${token}` });
    expect(file.statusCode).toBe(200);
    const { value: document } = await mammoth.extractRawText({ buffer: file.rawPayload });
    expect(document).toContain('Генеральная прокуратура Республики Узбекистан');
    expect(document).toContain('Минская конвенция');
    expect(document).toContain(facts);
    expect(document).toContain(assistance);
    expect(
      (await testApp.application.app.inject({ method: 'POST', url: `/console/drafts/${token}` })).statusCode,
    ).toBe(404);
  });

  it('/cancel midway leaves no flow behind', async () => {
    const { user, chat } = await linkedMember('Timur Cancelbek');
    emulator.sendUserMessage(user, chat, '/draft');
    await emulator.waitForMessages(chat, 2);
    emulator.sendUserMessage(user, chat, 'Kyrgyzstan');
    await emulator.waitForMessages(chat, 3);
    const rows = async () =>
      (await testApp.database.handle.db.execute(
        sql`select f.flow from conversation_flows f join members m on m.id = f.member_id where m.name = 'Timur Cancelbek'`,
      )) as { flow: string }[];
    expect(await rows()).toEqual([{ flow: 'draft' }]);
    emulator.sendUserMessage(user, chat, '/cancel');
    const [, , , cancelled] = await emulator.waitForMessages(chat, 4);
    expect(cancelled?.text).toContain('Cancelled. Nothing of the draft was kept.');
    expect(await rows()).toEqual([]);
  });

  it('kept the draft in no table and no log line', async () => {
    const words = ['Cordelia', 'Thistlewood', '5,120,774', 'Marlowebank', 'Pelloquin'];
    expect(await findLeaks(testApp, words, logLines)).toEqual([]);
  });
});
