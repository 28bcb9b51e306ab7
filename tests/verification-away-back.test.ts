// Self-service absence on Telegram (the Bot API emulator): `/back` ends an absence when no guided
// conversation is in progress (`/back`, `/назад`, `!back`, as `/imback` does), stays the flow's
// "previous step" inside one, and says something useful with nothing to end; `/away` asks from
// when (today by one tap, or a later day typed), and an absence starting later counts only from
// its first day (answers, the next re-verification prompt). The clock reads Friday 4 December
// 2026, 19:00 in Almaty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { createTestClock } from './support/test-clock.ts';
import { makeDueNow } from './support/verification-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let aidos: TelegramPerson;
let madina: TelegramPerson;
let yerlan: TelegramPerson;
const clock = createTestClock('2026-12-04T14:00:00Z');

const away = async (id: string) =>
  (
    await api<{ outOfOffice?: { start: string; end: string } | null }>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/contacts/${id}`,
    )
  ).body.outOfOffice ?? null;

async function sendOnLeave(id: string) {
  const response = await api(testApp, testApp.adminToken, 'PATCH', `/v1/contacts/${id}`, {
    outOfOffice: { start: '2026-12-01', end: '2026-12-20' },
  });
  expect(response.status).toBe(200);
}

/** Sends `text` and waits for the bot's next message in that chat. */
async function say(person: TelegramPerson, text: string) {
  const before = emulator.sentMessages(person.chat).length;
  emulator.sendUserMessage(person.user, person.chat, text);
  await emulator.waitForMessages(person.chat, before + 1);
  return emulator.sentMessages(person.chat)[before]!;
}

beforeAll(async () => {
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('verification-away-back', {
    clock,
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  aidos = await telegramPerson(testApp, emulator, {
    name: 'Aidos Member',
    country: 'KZ',
    contactId: 'kz-001',
  });
  madina = await telegramPerson(testApp, emulator, {
    name: 'Madina Member',
    country: 'KZ',
    contactId: 'kz-002',
    locale: 'ru',
  });
  yerlan = await telegramPerson(testApp, emulator, {
    name: 'Yerlan Member',
    country: 'KZ',
    contactId: 'kz-003',
  });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

describe('/back outside a guided conversation', () => {
  it('ends an absence, as /imback does; !back too', async () => {
    await sendOnLeave('kz-001');
    expect(await away('kz-001')).not.toBeNull();
    expect((await say(aidos, '/back')).text).toContain('Welcome back');
    expect(await away('kz-001')).toBeNull();
    await sendOnLeave('kz-001');
    expect((await say(aidos, '!back')).text).toContain('Welcome back');
    expect(await away('kz-001')).toBeNull();
  });

  it('ends it in Russian with /назад', async () => {
    await sendOnLeave('kz-002');
    expect((await say(madina, '/назад')).text).toContain('С возвращением');
    expect(await away('kz-002')).toBeNull();
  });

  it('with no absence, says what it does instead of "nothing to go back to"', async () => {
    expect((await say(aidos, '/back')).text).toContain('you are not recorded as away');
    expect((await say(madina, '/назад')).text).toContain('/отсутствую отмечает');
  });

  it('inside a flow is still the previous step, and leaves the absence alone', async () => {
    await sendOnLeave('kz-001');
    const first = await say(aidos, '/away');
    const firstQuestion = (first.text ?? '').split('\n')[0] ?? '';
    // The first question answered by its first button; then /back returns to it.
    const firstButton = emulator.buttons(first).find((button) => 'callback_data' in button);
    if (firstButton === undefined || !('callback_data' in firstButton)) throw new Error('no button');
    const asked = textsIn(emulator, aidos.chat).length;
    void press(emulator, aidos, first, firstButton.callback_data);
    await emulator.waitForMessages(aidos.chat, asked + 1);
    const again = await say(aidos, '/back');
    expect(again.text).toContain(firstQuestion);
    expect(await away('kz-001')).not.toBeNull();
    expect((await say(aidos, '/cancel')).text).not.toContain('Welcome back');
    expect(await away('kz-001')).not.toBeNull();
  });

  it('after a flow timed out says so, and leaves the absence alone', async () => {
    await sendOnLeave('kz-001');
    await say(aidos, '/away');
    clock.advance(31 * 60_000);
    const answer = await say(aidos, '/back');
    expect(answer.text).toContain('Time ran out');
    expect(answer.text).not.toContain('Welcome back');
    expect(await away('kz-001')).not.toBeNull();
    // Now with nothing in progress, it ends the absence.
    expect((await say(aidos, '/back')).text).toContain('Welcome back');
  });
});

interface AskBody {
  results: { contacts: { id: string; outOfOffice: { start: string; end: string } | null }[] }[];
}
const kazakhContacts = async () =>
  (
    await api<AskBody>(testApp, aidos.token, 'POST', '/v1/ask', {
      text: 'extradition Kazakhstan',
      locale: 'en',
    })
  ).body.results[0]?.contacts ?? [];

describe('/away asks from when', () => {
  it('refuses a first day in the past and a last day before the first', async () => {
    expect((await say(aidos, '/away')).text).toContain('From when are you away?');
    expect((await say(aidos, '2026-12-03')).text).toContain('That day has already passed');
    expect((await say(aidos, '2026-12-10')).text).toContain('Until when are you away?');
    expect((await say(aidos, '2026-12-08')).text).toContain('before your first day away (2026-12-10)');
    expect((await say(aidos, '/cancel')).text).toContain('Nothing was sent');
  });

  it('an absence starting later is recorded now and counts only from its first day', async () => {
    const from = await say(aidos, '/away');
    expect(from.text).toContain('From when are you away?');
    const until = await say(aidos, '2026-12-10');
    // Its one-tap answers count from the first day: "That day only", not "Today only".
    const labels = emulator.buttons(until).map((button) => button.text);
    expect(labels).toContain('That day only');
    expect(labels).not.toContain('Today only');
    const deputy = await say(aidos, '2026-12-18');
    expect(deputy.text).toContain('Who stands in for you meanwhile?');
    const before = emulator.sentMessages(aidos.chat).length;
    void press(emulator, aidos, deputy, 'away:d:kz-002');
    await emulator.waitForMessages(aidos.chat, before + 1);
    expect(textsIn(emulator, aidos.chat).at(-1)).toContain(
      'you will be away from 2026-12-10 until 2026-12-18',
    );
    expect(await away('kz-001')).toMatchObject({ start: '2026-12-10', end: '2026-12-18' });
    // Today (4 December, Almaty) Aidos is not away: answers show him in office.
    const today = await kazakhContacts();
    expect(today.map((contact) => contact.id)).toContain('kz-001');
    expect(today.find((contact) => contact.id === 'kz-001')?.outOfOffice).toBeNull();
    // On 11 December he is.
    clock.set('2026-12-11T05:00:00Z');
    const then = await kazakhContacts();
    expect(then.find((contact) => contact.id === 'kz-001')?.outOfOffice).toMatchObject({
      start: '2026-12-10',
      end: '2026-12-18',
    });
    clock.set('2026-12-04T14:30:00Z');
  });

  it('/back before it starts calls the planned absence off', async () => {
    expect((await say(aidos, '/back')).text).toContain(
      'Your planned absence (2026-12-10 to 2026-12-18) is called off',
    );
    expect(await away('kz-001')).toBeNull();
  });

  it('"From today" by one tap, in Russian', async () => {
    const from = await say(madina, '/отсутствую');
    expect(from.text).toContain('С какого числа вы отсутствуете?');
    const before = emulator.sentMessages(madina.chat).length;
    void press(emulator, madina, from, 'away:f:0');
    await emulator.waitForMessages(madina.chat, before + 1);
    const until = emulator.sentMessages(madina.chat)[before]!;
    expect(emulator.buttons(until).map((button) => button.text)).toContain('Только сегодня');
    const deputy = await say(madina, '2026-12-11');
    const after = emulator.sentMessages(madina.chat).length;
    void press(emulator, madina, deputy, 'away:d:-');
    await emulator.waitForMessages(madina.chat, after + 1);
    expect(textsIn(emulator, madina.chat).at(-1)).toContain('вы отсутствуете до 2026-12-11');
    expect(await away('kz-002')).toMatchObject({ start: '2026-12-04', end: '2026-12-11' });
  });

  it('answering a prompt "I am away" from a later day: asked again after the absence, not now', async () => {
    await makeDueNow(testApp.application, 'kz-003');
    const prompt = await waitForMessage(emulator, yerlan.chat, 'Please check your entry', {
      timeoutMs: 60_000,
    });
    void press(emulator, yerlan, prompt, 'vfy:away:');
    await waitForMessage(emulator, yerlan.chat, 'From when are you away?');
    await say(yerlan, '2026-12-10');
    const deputy = await say(yerlan, '2026-12-12');
    const before = emulator.sentMessages(yerlan.chat).length;
    void press(emulator, yerlan, deputy, 'away:d:-');
    await emulator.waitForMessages(yerlan.chat, before + 1);
    expect(textsIn(emulator, yerlan.chat).at(-1)).toContain('you will be away from 2026-12-10');
    const states = await api<{ items: { contactId: string; nextStep: string; nextAt: string }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/verification?country=KZ',
    );
    const state = states.body.items.find((item) => item.contactId === 'kz-003');
    // Local midnight of 13 December in Almaty (UTC+5), the first day after the absence.
    expect(state).toMatchObject({ nextStep: 'prompt', nextAt: '2026-12-12T19:00:00.000Z' });
  });
});
