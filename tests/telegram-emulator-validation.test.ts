// The Telegram Bot API emulator refuses what Telegram refuses (bad HTML, long texts, oversized
// callback data, unknown chats) and models buttons, edits, groups and command menus like Telegram.
import { InlineKeyboard } from 'grammy';
import { describe, expect, it } from 'vitest';
import { expectBotApiError, useTelegramEmulator } from './support/telegram-emulator-harness.ts';

const harness = useTelegramEmulator();
const { telegram, createBot, startPolling, callRaw } = harness;

describe('validation like Telegram', () => {
  it('parses HTML into entities and refuses bad HTML with "can\'t parse entities"', async () => {
    const bot = createBot();
    const hana = telegram.createUser({ hasStartedBot: true });
    const sent = await bot.api.sendMessage(
      hana.id,
      '<b>Kyrgyzstan</b> &amp; <a href="https://example.org">link</a> AT&T',
      {
        parse_mode: 'HTML',
      },
    );
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
      await expectBotApiError(
        bot.api.sendMessage(hana.id, html, { parse_mode: 'HTML' }),
        400,
        /^Bad Request: can't parse entities: /,
      );
      await expectBotApiError(bot.api.sendMessage(hana.id, html, { parse_mode: 'HTML' }), 400, description);
    }
    expect(telegram.sentMessages(hana.id)).toHaveLength(1);
  });

  it('limits text to 4096 characters after entity parsing', async () => {
    const bot = createBot();
    const ivan = telegram.createUser({ hasStartedBot: true });
    await expectBotApiError(
      bot.api.sendMessage(ivan.id, 'x'.repeat(4097)),
      400,
      'Bad Request: message is too long',
    );
    const sent = await bot.api.sendMessage(ivan.id, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' });
    expect(sent.text).toHaveLength(4096);
    await expectBotApiError(bot.api.sendMessage(ivan.id, '  '), 400, 'Bad Request: message text is empty');
  });

  it('refuses callback data over 64 bytes with BUTTON_DATA_INVALID', async () => {
    const bot = createBot();
    const jana = telegram.createUser({ hasStartedBot: true });
    const fits = new InlineKeyboard().text('ok', 'x'.repeat(64));
    await bot.api.sendMessage(jana.id, 'fits', { reply_markup: fits });
    for (const data of ['x'.repeat(65), 'я'.repeat(33)]) {
      const keyboard = new InlineKeyboard().text('too long', data);
      await expectBotApiError(
        bot.api.sendMessage(jana.id, 'no', { reply_markup: keyboard }),
        400,
        'Bad Request: BUTTON_DATA_INVALID',
      );
    }
  });

  it('limits inline keyboards: 8 buttons a row, 100 in all, labels of 1-64 characters, one action a button', async () => {
    const bot = createBot();
    const ula = telegram.createUser({ hasStartedBot: true });
    const clock = telegram.pinClock(); // refusals are checked before the flood limits count a send
    const row = (count: number, text = 'b') =>
      Array.from({ length: count }, (_, index) => ({ text: `${text}${index}`, callback_data: `d${index}` }));
    const send = (inline_keyboard: unknown[][]) =>
      bot.api.sendMessage(ula.id, 'keyboard', { reply_markup: { inline_keyboard } as never });
    await send([row(8), ...Array.from({ length: 11 }, () => row(8)), row(4)]); // 100 buttons, 8 a row
    const refused: [unknown[][], string | RegExp][] = [
      [[row(9)], 'Bad Request: BUTTON_ROWS_TOO_LONG'],
      [[...Array.from({ length: 12 }, () => row(8)), row(5)], 'Bad Request: reply markup is too long'],
      [[[{ text: 'x'.repeat(65), callback_data: 'a' }]], 'Bad Request: BUTTON_TEXT_INVALID'],
      [[[{ text: '   ', callback_data: 'a' }]], 'Bad Request: text must be non-empty'],
      [
        [[{ text: 'two', callback_data: 'a', url: 'https://example.org' }]],
        /exactly one of the fields url, callback_data/,
      ],
      [[[{ text: 'none' }]], 'Bad Request: text buttons are unallowed in the inline keyboard'],
    ];
    for (const [keyboard, description] of refused) await expectBotApiError(send(keyboard), 400, description);
    clock.advance(1000);
    await bot.api.sendMessage(ula.id, 'label', {
      reply_markup: new InlineKeyboard().text('я'.repeat(64), 'ok'),
    });
    expect(telegram.sentMessages(ula.id)).toHaveLength(2);
  });

  it('answers 401 to an unknown token and 404 to an unknown method; reads form and multipart bodies', async () => {
    expect(await callRaw('getMe', {}, '123:wrong')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect((await callRaw('sendTelepathy')).body).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found',
    });

    const kemal = telegram.createUser({ hasStartedBot: true });
    const clock = telegram.pinClock();
    const form = new FormData();
    form.set('chat_id', String(kemal.id));
    form.set('text', 'multipart');
    form.set('reply_markup', JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }));
    expect((await callRaw('sendMessage', { body: form })).status).toBe(200);
    clock.advance(1000); // one message a second per chat
    expect(
      (
        await callRaw('SENDMESSAGE', {
          body: new URLSearchParams({ chat_id: String(kemal.id), text: 'form' }),
        })
      ).status,
    ).toBe(200);
    expect(
      telegram
        .sentMessages(kemal.id)
        .map((message) => [message.text, message.reply_markup?.inline_keyboard.length]),
    ).toEqual([
      ['multipart', 1],
      ['form', undefined],
    ]);
  });

  it('tells the bot when a user blocks it or it is removed from a group, then refuses to send there', async () => {
    const bot = createBot();
    const updates: string[] = [];
    bot.on('my_chat_member', (ctx) => {
      updates.push(
        `${ctx.chat.type}: ${ctx.myChatMember.old_chat_member.status} -> ${ctx.myChatMember.new_chat_member.status}`,
      );
    });
    bot.on('message', () => undefined);
    await startPolling(bot);
    const sara = telegram.createUser();
    const group = telegram.createGroup();

    telegram.blockBot(sara);
    telegram.setBotMembership(group, 'kicked');

    await expectBotApiError(
      bot.api.sendMessage(sara.id, 'hi'),
      403,
      'Forbidden: bot was blocked by the user',
    );
    await expectBotApiError(
      bot.api.sendMessage(group.id, 'hi'),
      403,
      'Forbidden: bot was kicked from the group chat',
    );
    telegram.sendUserMessage(sara, sara.id, '/start');
    await expect
      .poll(() => updates)
      .toEqual(['private: member -> kicked', 'group: member -> kicked', 'private: kicked -> member']);
    await bot.api.sendMessage(sara.id, 'welcome back');
  });

  it('refuses to write to unknown chats, users who blocked the bot and users who never started it', async () => {
    const bot = createBot();
    const lena = telegram.createUser({ hasStartedBot: true });
    // By default a user has never written to the bot, as most of Telegram has not.
    const stranger = telegram.createUser();
    await expectBotApiError(bot.api.sendMessage(999, 'hi'), 400, 'Bad Request: chat not found');
    await expectBotApiError(
      bot.api.sendMessage(stranger.id, 'hi'),
      403,
      "Forbidden: bot can't initiate conversation with a user",
    );
    // Writing to the bot starts it.
    telegram.sendUserMessage(stranger, stranger.id, 'hello');
    await bot.api.sendMessage(stranger.id, 'now you may');
    telegram.blockBot(lena);
    await expectBotApiError(
      bot.api.sendMessage(lena.id, 'hi'),
      403,
      'Forbidden: bot was blocked by the user',
    );
  });
});

describe('buttons, edits, groups and commands', () => {
  it('refuses a callback answer after 15 s and reports presses left unanswered', async () => {
    const bot = createBot();
    const clock = telegram.pinClock();
    const vera = telegram.createUser({ hasStartedBot: true });
    const keyboard = new InlineKeyboard().text('Slow', 'slow').text('Fast', 'fast');
    const message = await bot.api.sendMessage(vera.id, 'Pick', { reply_markup: keyboard });
    const slow = telegram.pressButton(vera, message, 'slow');
    const fast = telegram.pressButton(vera, message, 'fast');
    expect(telegram.unansweredCallbackQueries().map((query) => [query.data, query.expired])).toEqual([
      ['slow', false],
      ['fast', false],
    ]);
    await bot.api.answerCallbackQuery(fast.callbackQueryId);
    clock.advance(15_001);

    await expectBotApiError(bot.api.answerCallbackQuery(slow.callbackQueryId), 400, /query is too old/);
    expect(telegram.unansweredCallbackQueries()).toEqual([
      { id: slow.callbackQueryId, data: 'slow', chatId: vera.id, expired: true },
    ]);
    await expect(telegram.expectCallbackQueriesAnswered(1000)).rejects.toThrow(
      /answered too late or not at all/,
    );
  });

  it('a user taps a button; the bot answers the callback and edits the message, which drops the keyboard', async () => {
    const bot = createBot();
    bot.command('ask', (ctx) =>
      ctx.reply('Consult?', { reply_markup: new InlineKeyboard().text('Accept', 'consult:accept') }),
    );
    bot.callbackQuery('consult:accept', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Accepted' });
      await ctx.editMessageText('Accepted ✅');
    });
    await startPolling(bot);
    const maria = telegram.createUser();
    telegram.sendUserMessage(maria, maria.id, '/ask');
    const [question] = await telegram.waitForMessages(maria.id, 1);
    expect(telegram.buttons(question!).map((button) => button.text)).toEqual(['Accept']);
    expect(() => telegram.pressButton(maria, question!, 'consult:decline')).toThrow(
      /no button with callback data/,
    );

    const { callbackQueryId } = telegram.pressButton(maria, question!, 'consult:accept');

    expect(await telegram.waitForCallbackAnswer(callbackQueryId)).toMatchObject({
      text: 'Accepted',
      showAlert: false,
    });
    // The edit comes in the same second as the message: a 429 first, then the edit after the wait.
    await telegram.waitForCall('editMessageText', (call) => call.ok === true);
    const edited = telegram.getMessage(maria.id, question!.message_id);
    expect(edited?.text).toBe('Accepted ✅');
    expect(edited?.reply_markup).toBeUndefined();
    await expectBotApiError(
      bot.api.editMessageText(maria.id, question!.message_id, 'Accepted ✅'),
      400,
      /message is not modified/,
    );
    await expectBotApiError(bot.api.answerCallbackQuery(callbackQueryId), 400, /query is too old/);
  });

  it('in a group with privacy mode the bot sees only commands, mentions of it and replies to it', async () => {
    const bot = createBot();
    const group = telegram.createGroup({ title: 'Prosecutors' });
    const nina = telegram.createUser();

    expect(telegram.sendUserMessage(nina, group, 'just chatting').update).toBeUndefined();
    expect(telegram.sendUserMessage(nina, group, '/help@other_bot').update).toBeUndefined();
    expect(telegram.sendUserMessage(nina, group, `/help@${telegram.bot.username}`).update).toBeDefined();
    expect(
      telegram.sendUserMessage(nina, group, `@${telegram.bot.username} who handles MLA?`).update,
    ).toBeDefined();
    const botMessage = await bot.api.sendMessage(group.id, 'Write to me privately for details.', {
      message_thread_id: 7,
    });
    expect(
      telegram.sendUserMessage(nina, group, 'thanks', { replyTo: botMessage }).update?.message
        ?.reply_to_message?.message_id,
    ).toBe(botMessage.message_id);
    const reply = await bot.api.sendMessage(group.id, 'You are welcome', {
      reply_parameters: { message_id: botMessage.message_id },
    });
    expect(reply.reply_to_message?.text).toBe('Write to me privately for details.');
    await expectBotApiError(
      bot.api.sendMessage(group.id, 'x', { reply_parameters: { message_id: 999 } }),
      400,
      'Bad Request: message to be replied not found',
    );
    expect(telegram.pendingUpdateCount).toBe(3);
  });

  it('in a forum topic the reply stays in the topic', async () => {
    const bot = createBot();
    bot.on('message:text', (ctx) => ctx.reply('in topic'));
    await startPolling(bot);
    const forum = telegram.createGroup({ title: 'Network', isForum: true, botMembership: 'administrator' });
    const petra = telegram.createUser({ hasStartedBot: true });

    telegram.sendUserMessage(petra, forum, 'anyone on MLA?', { messageThreadId: 42 });

    const [reply] = await telegram.waitForMessages(forum.id, 1);
    expect(reply).toMatchObject({ text: 'in topic', message_thread_id: 42, is_topic_message: true });
    expect(reply?.chat).toMatchObject({ id: forum.id, type: 'supergroup', is_forum: true });
  });

  it('parses MarkdownV2 and refuses unescaped reserved characters', async () => {
    const bot = createBot();
    const rita = telegram.createUser({ hasStartedBot: true });
    const sent = await bot.api.sendMessage(
      rita.id,
      '*Kyrgyzstan* \\- [GPO](https://example.org) `kg\\-001`',
      { parse_mode: 'MarkdownV2' },
    );
    expect(sent.text).toBe('Kyrgyzstan - GPO kg-001');
    await expectBotApiError(
      bot.api.sendMessage(rita.id, 'v1.2', { parse_mode: 'MarkdownV2' }),
      400,
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
  });

  it('stores commands per scope and language and resolves the menu a user sees', async () => {
    const bot = createBot();
    const oleg = telegram.createUser({ languageCode: 'ru', hasStartedBot: true });
    await bot.api.setMyCommands([{ command: 'help', description: 'Help' }]);
    await bot.api.setMyCommands([{ command: 'help', description: 'Справка' }], { language_code: 'ru' });
    await bot.api.setMyCommands([{ command: 'requests', description: 'Requests' }], {
      scope: { type: 'chat', chat_id: oleg.id },
    });

    expect(await bot.api.getMyCommands({ language_code: 'ru' })).toEqual([
      { command: 'help', description: 'Справка' },
    ]);
    expect(telegram.commandsShownTo(oleg, oleg.id).map((command) => command.command)).toEqual(['requests']);
    await bot.api.deleteMyCommands({ scope: { type: 'chat', chat_id: oleg.id } });
    expect(telegram.commandsShownTo(oleg, oleg.id)).toEqual([{ command: 'help', description: 'Справка' }]);
    await expectBotApiError(
      bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }]),
      400,
      'Bad Request: BOT_COMMAND_INVALID',
    );
    expect(await bot.api.getChat(oleg.id)).toMatchObject({
      id: oleg.id,
      type: 'private',
      first_name: oleg.first_name,
    });
    expect(await bot.api.sendChatAction(oleg.id, 'typing')).toBe(true);
  });
});
