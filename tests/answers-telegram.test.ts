// "Show all" on Telegram (the Bot API emulator): a country with more contacts than one answer shows
// answers with five cards, "…and N more" and a Show all button; tapping it sends every card, split
// between cards into messages Telegram accepts, with a registry name full of markup shown as typed.
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, press, telegramPerson, type TelegramPerson } from './support/consultation-helpers.ts';
import { extraUzbekContacts } from './support/registry-fixture.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
const hostile = `<b>O'Brien & "Sons"</b><a href="https://evil.example">x</a>`;

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('answers_telegram', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  for (const contact of extraUzbekContacts('uz-20', hostile)) {
    const created = await api(testApp, testApp.adminToken, 'POST', '/v1/contacts', contact);
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

describe('show all on Telegram', () => {
  it('five cards and a Show all button; tapping it brings all seven, markup in a name shown as typed', async () => {
    const asker: TelegramPerson = await telegramPerson(testApp, emulator, {
      name: 'Timur Asker',
      country: 'KZ',
    });
    const before = emulator.sentMessages(asker.chat).length;
    emulator.sendUserMessage(asker.user, asker.chat, 'who handles extradition in Uzbekistan');
    const [answer] = (await emulator.waitForMessages(asker.chat, before + 1)).slice(before) as [Message];
    const names = (message: Message) =>
      (message.entities ?? [])
        .filter((entity) => entity.type === 'bold')
        .map((entity) => (message.text ?? '').slice(entity.offset, entity.offset + entity.length))
        .filter((text) => /^\d+\. /.test(text));
    expect(names(answer)).toHaveLength(5);
    expect(answer.text).toContain('…and 2 more.');
    const labels = emulator.buttons(answer).map((button) => button.text);
    expect(labels).toContain('Show all 7 — Uzbekistan');

    const seen = emulator.sentMessages(asker.chat).length;
    press(emulator, asker, answer, 'ask:every:UZ:extradition');
    const [all] = (await emulator.waitForMessages(asker.chat, seen + 1)).slice(seen) as [Message];
    expect(names(all)).toHaveLength(7);
    expect(all.text).not.toContain('more.');
    expect(all.text).toContain(hostile);
    // The name's markup made nothing: the only links are the registry's channels.
    for (const entity of all.entities ?? [])
      if (entity.type === 'text_link') expect(entity.url).not.toContain('evil.example');
    expect(emulator.buttons(all).map((button) => button.text)).not.toContain('Show all 7 — Uzbekistan');
  });
});
