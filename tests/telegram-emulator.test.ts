// The Telegram Bot API emulator's protocol, driven by real grammY bots: long polling, webhooks,
// injected failures and flood limits must behave like Telegram, or every Telegram test built on the
// emulator proves nothing.
import type { IncomingHttpHeaders } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { run } from '@grammyjs/runner';
import { Bot, webhookCallback, type GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { expectBotApiError, useTelegramEmulator } from './support/telegram-emulator-harness.ts';
import { startTelegramEmulator } from './support/telegram-emulator.ts';

const harness = useTelegramEmulator({ webhookRetryDelayMs: 20 });
const { telegram, createBot, startPolling, startWebhookServer, callRaw } = harness;

describe('long polling', () => {
  it('delivers a user message with its command entity and shows the bot reply in the chat', async () => {
    const bot = createBot();
    const seenEntities: string[] = [];
    bot.command('start', async (ctx) => {
      seenEntities.push(...(ctx.message?.entities ?? []).map((entity) => entity.type));
      await ctx.reply(`Hello, ${ctx.from?.first_name ?? ''}! Your code: ${ctx.match}`);
    });
    await startPolling(bot);
    const alice = telegram.createUser({ firstName: 'Alice', languageCode: 'ru' });

    telegram.sendUserMessage(alice, telegram.privateChat(alice), '/start ABC123');

    const [reply] = await telegram.waitForMessages(alice.id, 1);
    expect(reply?.text).toBe('Hello, Alice! Your code: ABC123');
    expect(reply?.from?.id).toBe(telegram.bot.id);
    expect(seenEntities).toEqual(['bot_command']);
    // The next poll confirmed the update: nothing stays pending.
    await telegram.waitForCall('getUpdates', (call) => Number(call.params.offset) > 0);
  });

  it('answers 409 to the older of two concurrent long polls and to getUpdates while a webhook is set', async () => {
    const first = callRaw('getUpdates', { body: new URLSearchParams({ timeout: '5' }) });
    await expect.poll(() => telegram.apiCalls('getUpdates').length).toBe(1);
    const second = callRaw('getUpdates', { body: new URLSearchParams({ timeout: '1' }) });

    expect((await first).status).toBe(409);
    expect((await first).body.description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    expect((await second).body).toEqual({ ok: true, result: [] });

    await callRaw('setWebhook', { body: new URLSearchParams({ url: 'https://bot.example.org:8443/hook' }) });
    const whileWebhook = await callRaw('getUpdates');
    expect(whileWebhook.status).toBe(409);
    expect(whileWebhook.body.description).toMatch(/can't use getUpdates method while webhook is active/);
  });

  it('serves @grammyjs/runner, which polls concurrently with its own offsets', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply(ctx.message.text.toUpperCase()));
    const runner = run(bot, { runner: { fetch: { timeout: 2 } } });
    const users = Array.from({ length: 5 }, () => telegram.createUser());
    try {
      for (const user of users) telegram.sendUserMessage(user, user.id, `hello ${user.id}`);
      for (const user of users)
        expect((await telegram.waitForMessages(user.id, 1))[0]?.text).toBe(`HELLO ${user.id}`);
    } finally {
      await runner.stop();
    }
  });

  it('honours offset, limit and a long-poll timeout that ends when an update arrives', async () => {
    const bob = telegram.createUser();
    for (const text of ['one', 'two', 'three']) telegram.sendUserMessage(bob, bob.id, text);

    const firstTwo = (await callRaw('getUpdates', { body: new URLSearchParams({ limit: '2' }) })).body
      .result as Update[];
    expect(firstTwo.map((update) => update.message?.text)).toEqual(['one', 'two']);
    const offset = firstTwo[1]!.update_id + 1;
    const rest = (await callRaw('getUpdates', { body: new URLSearchParams({ offset: String(offset) }) })).body
      .result as Update[];
    expect(rest.map((update) => update.message?.text)).toEqual(['three']);

    // A poll that would wait longer than the test may run: only the arriving update can end it.
    const waiting = callRaw('getUpdates', {
      body: new URLSearchParams({ offset: String(offset + 1), timeout: '300' }),
    });
    await expect
      .poll(() => telegram.apiCalls('getUpdates').filter((call) => call.ok === undefined))
      .toHaveLength(1);
    telegram.sendUserMessage(bob, bob.id, 'four');
    const arrived = (await waiting).body.result as Update[];
    expect(arrived.map((update) => update.message?.text)).toEqual(['four']);
  });
});

describe('webhook mode', () => {
  // The stories below deliver to a local plain-HTTP server on a free port, which Telegram would refuse.
  beforeEach(() => {
    telegram.acceptInsecureWebhooks();
  });

  it('takes only https:// on the ports Telegram allows, unless the emulator was told otherwise', async () => {
    const strict = await startTelegramEmulator({ floodLimits: false });
    try {
      const bot = new Bot(strict.token, { client: { apiRoot: strict.apiRoot } });
      await expectBotApiError(
        bot.api.setWebhook('http://bot.example.org/hook'),
        400,
        'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
      );
      await expectBotApiError(
        bot.api.setWebhook('https://bot.example.org:8080/hook'),
        400,
        'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
      );
      expect((await bot.api.getWebhookInfo()).url).toBe('');
      for (const url of [
        'https://bot.example.org/a',
        'https://bot.example.org:88/b',
        'https://bot.example.org:8443/c',
      ])
        expect(await bot.api.setWebhook(url)).toBe(true);
      expect((await bot.api.getWebhookInfo()).url).toBe('https://bot.example.org:8443/c');
    } finally {
      await strict.close();
    }
  });

  it('posts updates with the secret header, retries after a non-2xx answer, and executes a webhook reply', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    await bot.init();
    const handle = webhookCallback(bot, 'http', { secretToken: 'hook-secret_1' });
    const headers: IncomingHttpHeaders[] = [];
    let failuresLeft = 1;
    const url = await startWebhookServer((request, response) => {
      headers.push(request.headers);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        request.resume();
        response.writeHead(503).end();
        return;
      }
      void handle(request, response);
    });
    await bot.api.setWebhook(url, { secret_token: 'hook-secret_1' });
    const carol = telegram.createUser();
    const clock = telegram.pinClock();

    telegram.sendUserMessage(carol, carol.id, 'hi');

    const [reply] = await telegram.waitForMessages(carol.id, 1);
    expect(reply?.text).toBe('echo: hi');
    expect(headers).toHaveLength(2);
    expect(headers.every((header) => header['x-telegram-bot-api-secret-token'] === 'hook-secret_1')).toBe(
      true,
    );
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({
      url,
      pending_update_count: 0,
      last_error_message: 'Wrong response from the webhook: 503 Service Unavailable',
    });

    // A bot may answer the webhook POST with a method call instead of calling the API.
    await bot.api.deleteWebhook();
    const replyingUrl = await startWebhookServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ method: 'sendMessage', chat_id: carol.id, text: 'via webhook reply' }));
    });
    await bot.api.setWebhook(replyingUrl);
    // A webhook reply gets no answer, so a 429 would lose it: the reply comes a second after the echo.
    clock.advance(1000);
    telegram.sendUserMessage(carol, carol.id, 'again');
    const messages = await telegram.waitForMessages(carol.id, 2);
    expect(messages[1]?.text).toBe('via webhook reply');
    expect(telegram.apiCalls('sendMessage').at(-1)?.viaWebhookReply).toBe(true);
  });

  it('reports an unreachable webhook in getWebhookInfo and keeps the update pending', async () => {
    const bot = createBot();
    await bot.api.setWebhook('http://127.0.0.1:9/unreachable');
    const tom = telegram.createUser();
    telegram.sendUserMessage(tom, tom.id, 'anyone there?');

    await expect
      .poll(async () => (await bot.api.getWebhookInfo()).last_error_message)
      .toBe('Connection refused');
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(1);
    await bot.api.deleteWebhook({ drop_pending_updates: true });
    expect(telegram.pendingUpdateCount).toBe(0);
  });

  it('delivers an injected duplicate update twice, with the same update_id', async () => {
    const received: number[] = [];
    const url = await startWebhookServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push((JSON.parse(body) as Update).update_id);
        response.end();
      });
    });
    await callRaw('setWebhook', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    const dave = telegram.createUser();
    const { update } = telegram.sendUserMessage(dave, dave.id, 'once');

    telegram.injectUpdate(structuredClone(update!));

    await expect.poll(() => received, { timeout: 20_000 }).toEqual([update!.update_id, update!.update_id]);
  });
});

describe('failures and flood limits', () => {
  it('answers 429 with retry_after once; auto-retry waits and the message is delivered exactly once', async () => {
    const bot = createBot({ waitOutFloods: false });
    bot.api.config.use(autoRetry());
    const erin = telegram.createUser({ hasStartedBot: true });
    telegram.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });

    await bot.api.sendMessage(erin.id, 'after the flood wait');

    // The emulator refuses a call that comes back before its retry_after (below), so one 429 and
    // one success prove the wait was honoured without timing it.
    expect(telegram.sentMessages(erin.id).map((message) => message.text)).toEqual(['after the flood wait']);
    const calls = telegram.apiCalls('sendMessage');
    expect(calls.map((call) => call.errorCode ?? 200)).toEqual([429, 200]);
    expect(telegram.tooManyRequestsCount).toBe(1);
  });

  it('refuses a caller that comes back before the retry_after it was given, in that chat only', async () => {
    const bot = createBot({ waitOutFloods: false });
    let now = 5_000_000;
    telegram.setClock(() => now);
    const [hasty, other] = [
      telegram.createUser({ hasStartedBot: true }),
      telegram.createUser({ hasStartedBot: true }),
    ];
    telegram.failNext('sendMessage', { errorCode: 429, retryAfter: 3 });
    await expectBotApiError(bot.api.sendMessage(hasty.id, 'first'), 429, 'retry after 3');

    now += 1500;
    await expectBotApiError(bot.api.sendMessage(hasty.id, 'too soon'), 429, 'retry after 2');
    await bot.api.sendMessage(other.id, 'another chat is open');
    now += 1500;
    await bot.api.sendMessage(hasty.id, 'in time');

    expect(telegram.sentMessages(hasty.id).map((message) => message.text)).toEqual(['in time']);
  });

  it('fails with 500 or a dropped connection without taking effect', async () => {
    const bot = createBot();
    const frank = telegram.createUser();
    telegram.failNext('sendMessage', { errorCode: 500 });
    await expectBotApiError(bot.api.sendMessage(frank.id, 'lost'), 500, 'Internal Server Error');
    telegram.failNext('sendMessage', { dropConnection: true });
    await expect(bot.api.sendMessage(frank.id, 'lost too')).rejects.toThrow();
    expect(telegram.sentMessages(frank.id)).toEqual([]);
  });

  it('enforces 30 messages a second overall and 1 a second per chat over sliding windows, counting 429s', async () => {
    const bot = createBot({ waitOutFloods: false });
    telegram.enforceRateLimits();
    // The emulator's clock stands still while the 35 sends arrive, however slowly the machine
    // sends them, and moves a second only when the test says so.
    let now = 1_000_000;
    telegram.setClock(() => now);
    const users = Array.from({ length: 35 }, () => telegram.createUser({ hasStartedBot: true }));
    const sendToAll = (targets: typeof users): Promise<PromiseSettledResult<unknown>[]> =>
      Promise.allSettled(targets.map((user) => bot.api.sendMessage(user.id, 'nudge')));
    const refusals = (results: PromiseSettledResult<unknown>[]): GrammyError[] =>
      results.flatMap((result) => (result.status === 'rejected' ? [result.reason as GrammyError] : []));

    const burst = refusals(await sendToAll(users));

    expect(burst).toHaveLength(5);
    expect(burst.map((error) => [error.error_code, error.parameters.retry_after])).toEqual(
      Array(5).fill([429, 1]),
    );
    // A second later the window has slid past the burst: 30 more fit, the 31st does not.
    now += 1010;
    expect(refusals(await sendToAll(users.slice(0, 31)))).toHaveLength(1);
    expect(telegram.rateLimitStats()).toMatchObject({
      acceptedSends: 60,
      rejectedSends: 6,
      peakGlobalPerSecond: 30,
    });
    expect(telegram.rateLimitStats().averageSendsPerSecond).toBeGreaterThan(30);
    expect(telegram.tooManyRequestsCount).toBe(6);

    telegram.enforceRateLimits({ globalPerSecond: 1000 });
    const george = telegram.createUser({ hasStartedBot: true });
    await bot.api.sendMessage(george.id, 'first');
    await expectBotApiError(
      bot.api.sendMessage(george.id, 'second'),
      429,
      'Too Many Requests: retry after 1',
    );

    telegram.enforceRateLimits({ globalPerSecond: 1000, perChatPerSecond: 1000 });
    const group = telegram.createGroup();
    for (let index = 0; index < 20; index += 1) await bot.api.sendMessage(group.id, `group message ${index}`);
    await expectBotApiError(
      bot.api.sendMessage(group.id, 'one too many'),
      429,
      'Too Many Requests: retry after 60',
    );
    expect(telegram.sentMessages(group.id)).toHaveLength(20);
  });
});
