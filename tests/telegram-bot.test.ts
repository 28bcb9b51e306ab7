// Stories of members using the Telegram bot in long-polling mode: a real grammY bot, run by the
// application, against a Telegram Bot API emulator over HTTP, with a real Postgres and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a member on Telegram', () => {
  it('links with the invite deep link, asks in Russian, taps a button and gets the answer', async () => {
    const member = await createMember(testApp, { name: 'Dana Testova', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    expect(invite.links.telegram).toBe(`https://t.me/${emulator.bot.username}?start=${invite.code}`);

    const user = emulator.createUser({ firstName: 'Dana', languageCode: 'ru' });
    const chat = emulator.privateChat(user);
    // Opening the deep link makes Telegram send "/start CODE".
    emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
    const [welcome] = await emulator.waitForMessages(chat, 1);
    expect(welcome?.text).toContain('Dana Testova');

    emulator.sendUserMessage(user, chat, 'кто занимается экстрадицией в Киргизии');
    const answer = (await emulator.waitForMessages(chat, 2))[1]!;
    expect(answer.text).toContain('Бакыт Демо-Токтогулов');
    const buttons = emulator.buttons(answer);
    expect(buttons.length).toBeGreaterThan(0);
    for (const button of buttons) expect(Buffer.byteLength(String(button.callback_data), 'utf8')).toBeLessThanOrEqual(64);

    const pressed = emulator.pressButton(user, answer, String(buttons[0]!.callback_data));
    const reply = (await emulator.waitForMessages(chat, 3))[2]!;
    expect(reply.text?.length).toBeGreaterThan(0);
    // The button's spinner was stopped.
    await emulator.waitForCallbackAnswer(pressed.callbackQueryId);
  });
});
