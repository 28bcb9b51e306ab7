// The Telegram bot in webhook mode: Telegram (the emulator) posts updates to our Fastify route,
// which checks the secret token and handles each update id once.
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { freePort } from '../src/net/free-port.ts';

const secret = 'webhook-secret-for-tests_0123456789';
let emulator: TelegramEmulator;
let testApp: TestApp;
let webhookUrl: string;

beforeAll(async () => {
  // Our webhook server here is local plain HTTP on a free port, which Telegram would refuse.
  emulator = await startTelegramEmulator({ insecureWebhooks: true });
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
  testApp = await startTestApp('telegram_webhook', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TELEGRAM_WEBHOOK_URL: webhookUrl,
      TELEGRAM_WEBHOOK_SECRET: secret,
    },
  });
  await testApp.application.app.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('webhook mode', () => {
  it('registers the webhook with its secret and serves a member end to end', async () => {
    expect(emulator.webhook()).toMatchObject({ url: webhookUrl, secretToken: secret });
    const member = await createMember(testApp, { name: 'Webhook Member', country: 'UZ' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Webhook', languageCode: 'ru' });
    const chat = emulator.privateChat(user);
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    expect((await emulator.waitForMessages(chat, 1))[0]?.text).toContain('Webhook Member');
    emulator.sendUserMessage(user, chat, 'кто занимается экстрадицией в Киргизии');
    expect((await emulator.waitForMessages(chat, 2))[1]?.text).toContain('Бакыт Демо-Токтогулов');
  });

  it('refuses a caller without the right secret token', async () => {
    const stranger = emulator.createUser({ firstName: 'Forger' });
    const update = {
      update_id: 990_000_001,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: stranger.id, type: 'private', first_name: 'Forger' },
        from: stranger,
        text: '/help',
      },
    };
    const wrong = await post(update, { 'x-telegram-bot-api-secret-token': `${secret}x` });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await post(update)).status).toBe(401);
    expect(emulator.sentMessages(emulator.privateChat(stranger))).toEqual([]);
  });

  it('handles an update delivered twice only once', async () => {
    // The updates are posted straight to our webhook, past the emulator: it never saw them write.
    const user = emulator.createUser({ firstName: 'Twice', hasStartedBot: true });
    const chat = emulator.privateChat(user);
    const update: Update = {
      update_id: 990_000_002,
      message: {
        message_id: 7,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: user,
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
      },
    };
    const headers = { 'x-telegram-bot-api-secret-token': secret };
    const [first, second] = await Promise.all([post(update, headers), post(update, headers)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await emulator.waitForMessages(chat, 1);
    expect((await post(update, headers)).status).toBe(200);
    // A later update of the same chat is answered after the earlier ones (updates of a chat are
    // handled in order): once its answer is there, a repeated answer would be there too.
    const marker = structuredClone(update);
    marker.update_id = 990_000_003;
    marker.message!.message_id = 8;
    marker.message!.text = '/start';
    marker.message!.entities = [{ type: 'bot_command', offset: 0, length: 6 }];
    expect((await post(marker, headers)).status).toBe(200);
    const [help, start] = await emulator.waitForMessages(chat, 2);
    expect(help?.text).toContain('/help');
    expect(start?.text).not.toBe(help?.text);
    expect(emulator.sentMessages(chat)).toHaveLength(2);
  });

  it('rejects a body that is not an update', async () => {
    const response = await post({ hello: 'world' }, { 'x-telegram-bot-api-secret-token': secret });
    expect(response.status).toBe(400);
  });
});
