// The Telegram Bot API emulator, driven by real grammY bots: it must behave like Telegram for an
// unmodified bot, or every Telegram test built on it proves nothing.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, InlineKeyboard, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';

let telegram: TelegramEmulator;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  telegram = await startTelegramEmulator({ webhookRetryDelayMs: 20 });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await telegram.close();
});

function createBot(): Bot {
  return new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
}

/** Starts long polling and stops the bot after the test. */
async function startPolling(bot: Bot): Promise<void> {
  await new Promise<void>((resolve) => {
    void bot.start({ timeout: 2, onStart: () => { resolve(); } }); // prettier-ignore
  });
  cleanups.push(async () => {
    await bot.stop();
  });
}

async function callRaw(method: string, init: RequestInit = {}, token = telegram.token): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${telegram.apiRoot}/bot${token}/${method}`, { method: 'POST', ...init });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function startWebhookServer(
  handler: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void,
): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); })); // prettier-ignore
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
}

async function expectBotApiError(promise: Promise<unknown>, code: number, description: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GrammyError);
  expect((error as GrammyError).error_code).toBe(code);
  expect((error as GrammyError).description).toMatch(description);
}

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

    await callRaw('setWebhook', { body: new URLSearchParams({ url: 'http://127.0.0.1:9/hook' }) });
    const whileWebhook = await callRaw('getUpdates');
    expect(whileWebhook.status).toBe(409);
    expect(whileWebhook.body.description).toMatch(/can't use getUpdates method while webhook is active/);
  });

  it('honours offset, limit and a long-poll timeout that ends when an update arrives', async () => {
    const bob = telegram.createUser();
    for (const text of ['one', 'two', 'three']) telegram.sendUserMessage(bob, bob.id, text);

    const firstTwo = (await callRaw('getUpdates', { body: new URLSearchParams({ limit: '2' }) })).body.result as Update[];
    expect(firstTwo.map((update) => update.message?.text)).toEqual(['one', 'two']);
    const offset = firstTwo[1]!.update_id + 1;
    const rest = (await callRaw('getUpdates', { body: new URLSearchParams({ offset: String(offset) }) })).body.result as Update[];
    expect(rest.map((update) => update.message?.text)).toEqual(['three']);

    const waiting = callRaw('getUpdates', { body: new URLSearchParams({ offset: String(offset + 1), timeout: '10' }) });
    setTimeout(() => telegram.sendUserMessage(bob, bob.id, 'four'), 100);
    const started = Date.now();
    const arrived = (await waiting).body.result as Update[];
    expect(arrived.map((update) => update.message?.text)).toEqual(['four']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('webhook mode', () => {
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

    telegram.sendUserMessage(carol, carol.id, 'hi');

    const [reply] = await telegram.waitForMessages(carol.id, 1);
    expect(reply?.text).toBe('echo: hi');
    expect(headers).toHaveLength(2);
    expect(headers.every((header) => header['x-telegram-bot-api-secret-token'] === 'hook-secret_1')).toBe(true);
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: 'Wrong response from the webhook: 503 Service Unavailable' });

    // A bot may answer the webhook POST with a method call instead of calling the API.
    await bot.api.deleteWebhook();
    const replyingUrl = await startWebhookServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ method: 'sendMessage', chat_id: carol.id, text: 'via webhook reply' }));
    });
    await bot.api.setWebhook(replyingUrl);
    telegram.sendUserMessage(carol, carol.id, 'again');
    const messages = await telegram.waitForMessages(carol.id, 2);
    expect(messages[1]?.text).toBe('via webhook reply');
    expect(telegram.apiCalls('sendMessage').at(-1)?.viaWebhookReply).toBe(true);
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
    await callRaw('setWebhook', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    const dave = telegram.createUser();
    const { update } = telegram.sendUserMessage(dave, dave.id, 'once');

    telegram.injectUpdate(structuredClone(update!) as unknown as Record<string, unknown>);

    await expect.poll(() => received, { timeout: 3000 }).toEqual([update!.update_id, update!.update_id]);
  });
});

describe('failures and flood limits', () => {
  it('answers 429 with retry_after once; auto-retry waits and the message is delivered exactly once', async () => {
    const bot = createBot();
    bot.api.config.use(autoRetry());
    const erin = telegram.createUser();
    telegram.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });

    const started = Date.now();
    await bot.api.sendMessage(erin.id, 'after the flood wait');

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(telegram.sentMessages(erin.id).map((message) => message.text)).toEqual(['after the flood wait']);
    const calls = telegram.apiCalls('sendMessage');
    expect(calls.map((call) => call.errorCode ?? 200)).toEqual([429, 200]);
    expect(telegram.tooManyRequestsCount).toBe(1);
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
    const bot = createBot();
    telegram.enforceRateLimits();
    const users = Array.from({ length: 35 }, () => telegram.createUser());

    const results = await Promise.allSettled(users.map((user) => bot.api.sendMessage(user.id, 'nudge')));

    const refused = results.filter((result) => result.status === 'rejected');
    expect(results.length - refused.length).toBe(30);
    expect(refused).toHaveLength(5);
    const reason = (refused[0] as PromiseRejectedResult).reason as GrammyError;
    expect(reason.error_code).toBe(429);
    expect(reason.parameters.retry_after).toBe(1);
    expect(telegram.rateLimitStats()).toMatchObject({ acceptedSends: 30, rejectedSends: 5, peakGlobalPerSecond: 30 });
    expect(telegram.tooManyRequestsCount).toBe(5);

    telegram.disableRateLimits();
    telegram.enforceRateLimits({ globalPerSecond: 1000 });
    const george = users[0]!;
    await bot.api.sendMessage(george.id, 'first');
    await expectBotApiError(bot.api.sendMessage(george.id, 'second'), 429, 'Too Many Requests: retry after 1');
    await new Promise((resolve) => setTimeout(resolve, 1010));
    await bot.api.sendMessage(george.id, 'third');
    expect(telegram.sentMessages(george.id).map((message) => message.text)).toEqual(['nudge', 'first', 'third']);
  });
});

describe('validation like Telegram', () => {
  it('parses HTML into entities and refuses bad HTML with "can\'t parse entities"', async () => {
    const bot = createBot();
    const hana = telegram.createUser();
    const sent = await bot.api.sendMessage(hana.id, '<b>Kyrgyzstan</b> &amp; <a href="https://example.org">link</a> AT&T', {
      parse_mode: 'HTML',
    });
    expect(sent.text).toBe('Kyrgyzstan & link AT&T');
    expect(sent.entities).toEqual([
      { type: 'bold', offset: 0, length: 10 },
      { type: 'text_link', offset: 13, length: 4, url: 'https://example.org' },
    ]);

    const bad: [string, RegExp][] = [
      ['<b>unclosed', /Can't find end tag corresponding to start tag "b"/],
      ['line<br>break', /Unsupported start tag "br" at byte offset 4/],
      ['1 < 2', /Unsupported start tag "" at byte offset 2/],
      ['<b><i>crossed</b></i>', /Unmatched end tag at byte offset 13, expected "<\/i>", found "<\/b>"/],
      ['<span>spoiler?</span>', /Tag "span" must have class "tg-spoiler"/],
    ];
    for (const [html, description] of bad) {
      await expectBotApiError(bot.api.sendMessage(hana.id, html, { parse_mode: 'HTML' }), 400, /^Bad Request: can't parse entities: /);
      await expectBotApiError(bot.api.sendMessage(hana.id, html, { parse_mode: 'HTML' }), 400, description);
    }
    expect(telegram.sentMessages(hana.id)).toHaveLength(1);
  });

  it('limits text to 4096 characters after entity parsing', async () => {
    const bot = createBot();
    const ivan = telegram.createUser();
    await expectBotApiError(bot.api.sendMessage(ivan.id, 'x'.repeat(4097)), 400, 'Bad Request: message is too long');
    const sent = await bot.api.sendMessage(ivan.id, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    expect(sent.text).toHaveLength(4096);
    await expectBotApiError(bot.api.sendMessage(ivan.id, '  '), 400, 'Bad Request: message text is empty');
  });

  it('refuses callback data over 64 bytes with BUTTON_DATA_INVALID', async () => {
    const bot = createBot();
    const jana = telegram.createUser();
    const fits = new InlineKeyboard().text('ok', 'x'.repeat(64));
    await bot.api.sendMessage(jana.id, 'fits', { reply_markup: fits });
    for (const data of ['x'.repeat(65), 'я'.repeat(33)]) {
      const keyboard = new InlineKeyboard().text('too long', data);
      await expectBotApiError(bot.api.sendMessage(jana.id, 'no', { reply_markup: keyboard }), 400, 'Bad Request: BUTTON_DATA_INVALID');
    }
  });

  it('answers 401 to an unknown token and 404 to an unknown method; reads form and multipart bodies', async () => {
    expect(await callRaw('getMe', {}, '123:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect((await callRaw('sendTelepathy')).body).toEqual({ ok: false, error_code: 404, description: 'Not Found' });

    const kemal = telegram.createUser();
    const form = new FormData();
    form.set('chat_id', String(kemal.id));
    form.set('text', 'multipart');
    form.set('reply_markup', JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }));
    expect((await callRaw('sendMessage', { body: form })).status).toBe(200);
    expect((await callRaw('SENDMESSAGE', { body: new URLSearchParams({ chat_id: String(kemal.id), text: 'form' }) })).status).toBe(200);
    expect(telegram.sentMessages(kemal.id).map((message) => [message.text, message.reply_markup?.inline_keyboard.length])).toEqual([
      ['multipart', 1],
      ['form', undefined],
    ]);
  });

  it('refuses to write to unknown chats, users who blocked the bot and users who never started it', async () => {
    const bot = createBot();
    const lena = telegram.createUser();
    const stranger = telegram.createUser({ hasStartedBot: false });
    await expectBotApiError(bot.api.sendMessage(999, 'hi'), 400, 'Bad Request: chat not found');
    await expectBotApiError(bot.api.sendMessage(stranger.id, 'hi'), 403, "Forbidden: bot can't initiate conversation with a user");
    telegram.blockBot(lena);
    await expectBotApiError(bot.api.sendMessage(lena.id, 'hi'), 403, 'Forbidden: bot was blocked by the user');
  });
});

describe('buttons, edits, groups and commands', () => {
  it('a user taps a button; the bot answers the callback and edits the message, which drops the keyboard', async () => {
    const bot = createBot();
    bot.command('ask', (ctx) => ctx.reply('Consult?', { reply_markup: new InlineKeyboard().text('Accept', 'consult:accept') }));
    bot.callbackQuery('consult:accept', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Accepted' });
      await ctx.editMessageText('Accepted ✅');
    });
    await startPolling(bot);
    const maria = telegram.createUser();
    telegram.sendUserMessage(maria, maria.id, '/ask');
    const [question] = await telegram.waitForMessages(maria.id, 1);
    expect(telegram.buttons(question!).map((button) => button.text)).toEqual(['Accept']);
    expect(() => telegram.pressButton(maria, question!, 'consult:decline')).toThrow(/no button with callback data/);

    const { callbackQueryId } = telegram.pressButton(maria, question!, 'consult:accept');

    expect(await telegram.waitForCallbackAnswer(callbackQueryId)).toMatchObject({ text: 'Accepted', showAlert: false });
    await telegram.waitForCall('editMessageText');
    const edited = telegram.getMessage(maria.id, question!.message_id);
    expect(edited?.text).toBe('Accepted ✅');
    expect(edited?.reply_markup).toBeUndefined();
    await expectBotApiError(bot.api.editMessageText(maria.id, question!.message_id, 'Accepted ✅'), 400, /message is not modified/);
    await expectBotApiError(bot.api.answerCallbackQuery(callbackQueryId), 400, /query is too old/);
  });

  it('in a group with privacy mode the bot sees only commands, mentions of it and replies to it', async () => {
    const bot = createBot();
    const group = telegram.createGroup({ title: 'Prosecutors' });
    const nina = telegram.createUser();

    expect(telegram.sendUserMessage(nina, group, 'just chatting').update).toBeUndefined();
    expect(telegram.sendUserMessage(nina, group, '/help@other_bot').update).toBeUndefined();
    expect(telegram.sendUserMessage(nina, group, `/help@${telegram.bot.username}`).update).toBeDefined();
    expect(telegram.sendUserMessage(nina, group, `@${telegram.bot.username} who handles MLA?`).update).toBeDefined();
    const botMessage = await bot.api.sendMessage(group.id, 'Write to me privately for details.', { message_thread_id: 7 });
    expect(telegram.sendUserMessage(nina, group, 'thanks', { replyTo: botMessage }).update?.message?.reply_to_message?.message_id).toBe(
      botMessage.message_id,
    );
    const reply = await bot.api.sendMessage(group.id, 'You are welcome', { reply_parameters: { message_id: botMessage.message_id } });
    expect(reply.reply_to_message?.text).toBe('Write to me privately for details.');
    await expectBotApiError(bot.api.sendMessage(group.id, 'x', { reply_parameters: { message_id: 999 } }), 400, 'Bad Request: message to be replied not found');
    expect(telegram.pendingUpdateCount).toBe(3);
  });

  it('stores commands per scope and language and resolves the menu a user sees', async () => {
    const bot = createBot();
    const oleg = telegram.createUser({ languageCode: 'ru' });
    await bot.api.setMyCommands([{ command: 'help', description: 'Help' }]);
    await bot.api.setMyCommands([{ command: 'help', description: 'Справка' }], { language_code: 'ru' });
    await bot.api.setMyCommands([{ command: 'requests', description: 'Requests' }], { scope: { type: 'chat', chat_id: oleg.id } });

    expect(await bot.api.getMyCommands({ language_code: 'ru' })).toEqual([{ command: 'help', description: 'Справка' }]);
    expect(telegram.commandsShownTo(oleg, oleg.id).map((command) => command.command)).toEqual(['requests']);
    await bot.api.deleteMyCommands({ scope: { type: 'chat', chat_id: oleg.id } });
    expect(telegram.commandsShownTo(oleg, oleg.id)).toEqual([{ command: 'help', description: 'Справка' }]);
    await expectBotApiError(bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }]), 400, 'Bad Request: BOT_COMMAND_INVALID');
    expect(await bot.api.getChat(oleg.id)).toMatchObject({ id: oleg.id, type: 'private', first_name: oleg.first_name });
    expect(await bot.api.sendChatAction(oleg.id, 'typing')).toBe(true);
  });
});
