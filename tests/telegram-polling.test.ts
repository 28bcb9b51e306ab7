// Several replicas in polling mode: Telegram allows one getUpdates consumer per bot, so replicas
// share a lease in Redis. Two real bots against one emulator; the second takes over when the first stops.
import { hangDeadlineMs } from './support/hang-deadline.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot, type TelegramBot } from '../bots/telegram/index.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { eventually } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
const bots: TelegramBot[] = [];

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('telegram_polling');
});

afterAll(async () => {
  await Promise.all(bots.map((bot) => bot.stop()));
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const lockTtlMs = 3000;

/** One replica's bot, as the composition root builds it, with leases short enough for a test. */
function replica(): TelegramBot {
  const { application } = testApp;
  const bot = createTelegramBot({
    token: emulator.token,
    apiRoot: emulator.apiRoot,
    engine: application.engine,
    translator: application.translator,
    defaultLocale: 'en',
    redis: application.redis,
    logger: createLogger('silent'),
    retry: { baseDelayMs: 50 },
    polling: { lockTtlMs, retryEveryMs: 100, timeoutSeconds: 1 },
  });
  bots.push(bot);
  return bot;
}

const until = async (condition: () => boolean, timeoutMs = hangDeadlineMs): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('two replicas in polling mode', () => {
  it('poll one at a time; when the poller stops, the other takes over and nothing is answered twice', async () => {
    // A failing optional call must not keep a replica from serving.
    emulator.failNext('setMyCommands', { errorCode: 500 }, 50);
    const first = replica();
    const second = replica();
    await Promise.all([first.start(), second.start()]);
    await until(() => first.isPolling() || second.isPolling());
    // The poller keeps its lease by renewing it: watch two renewals (the lease's remaining time
    // jumping back up) without the holder changing and without the other replica polling.
    const redis = testApp.application.redis.client!;
    const [leaseKey] = await redis.keys(`${testApp.application.redis.prefix}:telegram:poller:*`);
    expect(leaseKey).toBeDefined();
    const holder = await redis.get(leaseKey!);
    let renewals = 0;
    let previousTtl = await redis.pttl(leaseKey!);
    await eventually(async () => {
      expect([first.isPolling(), second.isPolling()].filter(Boolean)).toHaveLength(1);
      expect(await redis.get(leaseKey!)).toBe(holder);
      const ttl = await redis.pttl(leaseKey!);
      if (ttl > previousTtl) renewals += 1;
      previousTtl = ttl;
      return renewals >= 2 ? true : undefined;
    }, 'the poller to renew its lease twice');

    const member = await createMember(testApp, { name: 'Replica User', country: 'AM' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Replica' });
    const chat = emulator.privateChat(user);
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    await emulator.waitForMessages(chat, 1);

    const [leader, follower] = first.isPolling() ? [first, second] : [second, first];
    await leader.stop();
    await until(() => follower.isPolling());
    emulator.sendUserMessage(user, chat, '/whoami');
    const messages = await emulator.waitForMessages(chat, 2);
    expect(messages[1]?.text).toContain('You are Replica User');

    // A later message answered proves both earlier ones were processed: had the new poller
    // received an update the old one had already answered, the answer would be here by now.
    emulator.sendUserMessage(user, chat, '/help');
    await emulator.waitForMessages(chat, 3);
    const texts = emulator.sentMessages(chat).map((message) => message.text ?? '');
    expect(texts.filter((text) => text.includes('You are Replica User'))).toHaveLength(1);
    expect(texts).toHaveLength(3);
    // Never two pollers at once: Telegram would have refused one with 409 Conflict.
    expect(emulator.apiCalls('getUpdates').filter((call) => call.errorCode === 409)).toEqual([]);
  });

  it('answers a button even when Telegram refuses to stop its spinner', async () => {
    const bot = bots.find((candidate) => candidate.isPolling())!;
    expect(bot).toBeDefined();
    const member = await createMember(testApp, { name: 'Spinner User', country: 'AM' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Spinner' });
    const chat = emulator.privateChat(user);
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    emulator.sendUserMessage(user, chat, '/language');
    const [, choice] = await emulator.waitForMessages(chat, 2);
    emulator.failNext('answerCallbackQuery', {
      errorCode: 400,
      description: 'Bad Request: query is too old',
    });
    const { callbackQueryId } = emulator.pressButton(user, choice!, 'chat:lang:ru');
    expect((await emulator.waitForMessages(chat, 3))[2]?.text).toBe('Теперь я буду отвечать по-русски.');
    emulator.expectUnanswered(callbackQueryId);
  });
});
