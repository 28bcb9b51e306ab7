// Stories of members using the Telegram bot in long-polling mode: a real grammY bot, run by the
// application, against a Telegram Bot API emulator over HTTP, with a real Postgres and Redis.
import type { Chat, User } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('telegram_bot', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

/** A member with a Telegram account linked through an invite, as a coordinator would set it up. */
async function linkedMember(
  name: string,
  options: { languageCode?: string; country?: string } = {},
): Promise<{ user: User; chat: Chat.PrivateChat }> {
  const member = await createMember(testApp, { name, country: options.country ?? 'KZ' });
  const invite = await createInvite(testApp, member.id);
  const user = emulator.createUser({
    firstName: name.split(' ')[0] ?? name,
    languageCode: options.languageCode ?? 'en',
  });
  const chat = emulator.privateChat(user);
  emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
  await emulator.waitForMessages(chat, 1);
  return { user, chat };
}

const lastText = async (chat: Chat, count: number): Promise<string> =>
  (await emulator.waitForMessages(chat, count))[count - 1]?.text ?? '';

describe('a member on Telegram', () => {
  it('links with the invite deep link, asks in Russian, taps a button and gets the answer', async () => {
    const member = await createMember(testApp, { name: 'Dana Testova', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    expect(invite.links.telegram).toBe(`https://t.me/${emulator.bot.username}?start=${invite.code}`);

    const user = emulator.createUser({ firstName: 'Dana', languageCode: 'en' });
    const chat = emulator.privateChat(user);
    // Opening the deep link makes Telegram send "/start CODE".
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    expect(await lastText(chat, 1)).toContain('Welcome, Dana Testova');

    emulator.sendUserMessage(user, chat, 'кто занимается экстрадицией в Киргизии');
    const answer = (await emulator.waitForMessages(chat, 2))[1]!;
    // Answered in the question's language, not the app's: the extradition head first, the retired one never.
    expect(answer.text).toContain('Бакыт Демо-Токтогулов');
    expect(answer.text).not.toContain('Эмиль Демо-Сыдыков');
    const buttons = emulator
      .buttons(answer)
      .map((button) => ({ text: button.text, data: 'callback_data' in button ? button.callback_data : '' }));
    for (const button of buttons) expect(Buffer.byteLength(button.data, 'utf8')).toBeLessThanOrEqual(64);

    const requirements = buttons.find((button) => button.data.startsWith('ask:req:KG:extradition'));
    expect(requirements?.text).toBe('Требования к запросу');
    const pressed = emulator.pressButton(user, answer, requirements!.data);
    // The button's answer stays in the conversation's language, though the button carried no text.
    expect(await lastText(chat, 3)).toContain('Требования к запросам');
    await emulator.waitForCallbackAnswer(pressed.callbackQueryId);
  });

  it('shows registry text literally: markup in a record is escaped, never interpreted', async () => {
    const patched = await testApp.application.app.inject({
      method: 'PATCH',
      url: '/v1/contacts/kz-001',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { title: 'Head of <b>MLA</b> & extradition <unit>' },
    });
    expect(patched.statusCode).toBe(200);
    const { user, chat } = await linkedMember('Erlan Markupov');
    emulator.sendUserMessage(user, chat, 'who handles extradition in Kazakhstan');
    const answer = await lastText(chat, 2);
    expect(answer).toContain('Head of <b>MLA</b> & extradition <unit>');
    const call = emulator.apiCalls('sendMessage').at(-1)!;
    expect(call.params.parse_mode).toBe('HTML');
    expect(String(call.params.text)).toContain(
      'Head of &lt;b&gt;MLA&lt;/b&gt; &amp; extradition &lt;unit&gt;',
    );
  });

  it('delivers an answer when Telegram first says "too many requests", after the wait it asks for', async () => {
    const { user, chat } = await linkedMember('Aliya Patient');
    emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });
    const before = emulator.tooManyRequestsCount;
    const callsBefore = emulator.apiCalls('sendMessage').length;
    emulator.sendUserMessage(user, chat, 'who handles MLA in Uzbekistan');
    expect(await lastText(chat, 2)).toMatch(/Uzbekistan/);
    expect(emulator.tooManyRequestsCount).toBe(before + 1);
    // The emulator refuses a send that comes back before retry_after: one 429, then the answer,
    // shows the bot waited as asked (no timing).
    const toChat = emulator
      .apiCalls('sendMessage')
      .slice(callsBefore)
      .filter((call) => String(call.params.chat_id) === String(chat.id));
    expect(toChat.map((call) => call.errorCode ?? 200)).toEqual([429, 200]);
  });

  it('retries after a server error and delivers once', async () => {
    const { user, chat } = await linkedMember('Timur Steady');
    emulator.failNext('sendMessage', { errorCode: 502 });
    emulator.sendUserMessage(user, chat, '/whoami');
    expect(await lastText(chat, 2)).toContain('You are Timur Steady');
    expect(emulator.sentMessages(chat)).toHaveLength(2);
  });

  it('offers a command menu in English and Russian, built from the command table', async () => {
    await emulator.waitForCall('setMyCommands', (call) => call.params.language_code === undefined);
    const english = emulator.commands({ languageCode: 'en' });
    const russian = emulator.commands({ languageCode: 'ru' });
    expect(english.map((command) => command.command)).toEqual(
      expect.arrayContaining(['help', 'link', 'language', 'whoami', 'unlink']),
    );
    expect(russian.map((command) => command.command)).toEqual(english.map((command) => command.command));
    expect(russian.find((command) => command.command === 'help')?.description).toBe('показать эту справку');
    expect(emulator.commands().length).toBe(english.length);
  });
});

describe('pushes through the adapter', () => {
  it('split a long message at line boundaries within Telegram’s limit, buttons under the last part', async () => {
    const { chat } = await linkedMember('Long Reader');
    const adapter = testApp.application.chatAdapters.find((candidate) => candidate.platform === 'telegram')!;
    const lines = Array.from(
      { length: 120 },
      (_, index) => `${index + 1}. Contact <${index}> & co — ${'x'.repeat(40)}`,
    );
    const sent = await adapter.send(String(chat.id), {
      text: lines.join('\n'),
      buttons: [{ label: 'More', action: 'ask:pick:KG:-' }],
    });
    const messages = emulator.sentMessages(chat).slice(1);
    expect(messages.length).toBeGreaterThan(1);
    expect(String(messages.at(-1)?.message_id)).toBe(sent.messageId);
    expect(messages.map((message) => message.text).join('\n')).toBe(lines.join('\n'));
    for (const message of messages) expect(message.text!.length).toBeLessThanOrEqual(4096);
    expect(messages.slice(0, -1).every((message) => emulator.buttons(message).length === 0)).toBe(true);
    expect(emulator.buttons(messages.at(-1)!).map((button) => button.text)).toEqual(['More']);
  });

  it('refuse content that must travel end-to-end encrypted', async () => {
    const { chat } = await linkedMember('Sensitive Reader');
    const adapter = testApp.application.chatAdapters.find((candidate) => candidate.platform === 'telegram')!;
    await expect(
      adapter.send(String(chat.id), { text: 'sensitive', requiresEncryption: true }),
    ).rejects.toThrow(/encrypted/);
    expect(emulator.sentMessages(chat)).toHaveLength(1);
  });
});

describe('someone without a membership', () => {
  it('is refused politely, told how to get an invite, and shown no registry data', async () => {
    const stranger = emulator.createUser({ firstName: 'Stranger', languageCode: 'ru' });
    const chat = emulator.privateChat(stranger);
    emulator.sendUserMessage(stranger, chat, 'кто занимается экстрадицией в Киргизии');
    const [refusal] = await emulator.waitForMessages(chat, 1);
    expect(refusal?.text).toContain('код приглашения');
    expect(refusal?.text).toContain('/start');
    expect(refusal?.text).not.toMatch(/Демо|Demo|kg-gpo|@/);
    expect(emulator.buttons(refusal!)).toEqual([]);
  });

  it('cannot reuse an invite someone already used: refused exactly like a wrong code', async () => {
    const member = await createMember(testApp, { name: 'Once Only', country: 'KG' });
    const invite = await createInvite(testApp, member.id);
    const first = emulator.createUser({ firstName: 'First' });
    emulator.sendUserMessage(first, emulator.privateChat(first), `/start ${invite.code}`);
    expect(await lastText(emulator.privateChat(first), 1)).toContain('Welcome, Once Only');

    const second = emulator.createUser({ firstName: 'Second' });
    const chat = emulator.privateChat(second);
    emulator.sendUserMessage(second, chat, `/start ${invite.code}`);
    const reused = await lastText(chat, 1);
    emulator.sendUserMessage(second, chat, '/start ABCDEFGHJKMN');
    const wrong = await lastText(chat, 2);
    expect(reused).toContain('not accepted');
    expect(reused).toBe(wrong);
    // Still a stranger.
    emulator.sendUserMessage(second, chat, 'who handles extradition in Kyrgyzstan');
    expect(await lastText(chat, 3)).toContain('not linked');
  });
});

describe('the bot in a group', () => {
  it('stays silent unless addressed, and then points to a private chat without contact details', async () => {
    const { user } = await linkedMember('Group Member');
    const group = emulator.createGroup({
      title: 'Prosecutors of the region',
      type: 'supergroup',
      botMembership: 'administrator',
    });
    // As an administrator the bot sees every message; it must still keep quiet.
    emulator.sendUserMessage(user, group, 'who handles extradition in Kyrgyzstan');
    emulator.sendUserMessage(user, group, `@${emulator.bot.username} who handles extradition in Kyrgyzstan`);
    const [pointer] = await emulator.waitForMessages(group, 1);
    expect(pointer?.text).toContain('private chat');
    expect(pointer?.text).not.toMatch(/Demo|@bakyt|\+000/);
    expect(pointer?.reply_to_message?.text).toContain('who handles extradition');
    // A command meant for another bot is not ours to answer; one for us is.
    emulator.sendUserMessage(user, group, '/help@some_other_bot');
    emulator.sendUserMessage(user, group, `/help@${emulator.bot.username}`);
    const messages = await emulator.waitForMessages(group, 2);
    expect(messages[1]?.text).toContain('/help');
    // A later addressed message is answered after everything before it (a chat's updates are
    // handled in order): only then is the count of answers final.
    emulator.sendUserMessage(user, group, `/start@${emulator.bot.username}`);
    const settled = await emulator.waitForMessages(group, 3);
    expect(settled[2]?.text).not.toContain('Commands:');
    expect(emulator.sentMessages(group)).toHaveLength(3);
  });
});
