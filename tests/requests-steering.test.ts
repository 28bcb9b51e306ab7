// The requester steers their own requests from the chat, on Telegram (the Bot API emulator): a
// Russian-speaking member registers a request with every prompt in Russian, later opens it from
// /запросы, adds the counterpart's reference and marks it executed; the nudge timer is gone from
// Redis and the counterpart is told. A coordinator's /requests shows the country's requests,
// outgoing and incoming. Real Postgres and Redis, the whole application.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
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
import { startTestApp, type TestApp } from './support/test-app.ts';
import { webConsoleClient } from './support/web-console-client.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
/** Dilshod, behind uz-002 (mutual legal assistance, Uzbekistan), on Telegram. */
let dilshod: TelegramPerson;

// The first nudge comes within the hour, so its timer is in Redis while the story runs.
const policies = `
default: { firstNudgeAfter: PT30M, repeatEvery: PT1H, escalateAfterUnanswered: 3 }
`;

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  const directory = mkdtempSync(join(tmpdir(), 'requests-steering-'));
  writeFileSync(join(directory, 'policies.yaml'), policies);
  testApp = await startTestApp('requests_steering', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      NUDGE_POLICIES_FILE: join(directory, 'policies.yaml'),
    },
  });
  // The office works around the clock, so the first nudge is due in 30 minutes whenever this runs.
  const hours = await api(testApp, testApp.adminToken, 'PATCH', '/v1/contacts/uz-002', {
    workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' },
  });
  expect(hours.status).toBe(200);
  dilshod = await telegramPerson(testApp, emulator, {
    name: 'Dilshod Member',
    country: 'UZ',
    contactId: 'uz-002',
  });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const seen = (person: TelegramPerson) => emulator.sentMessages(person.chat).length;
async function converse(person: TelegramPerson, text: string): Promise<Message> {
  const before = seen(person);
  emulator.sendUserMessage(person.user, person.chat, text);
  return (await emulator.waitForMessages(person.chat, before + 1))[before]!;
}
async function tap(person: TelegramPerson, message: Message, action: string): Promise<Message> {
  const before = seen(person);
  press(emulator, person, message, action);
  return (await emulator.waitForMessages(person.chat, before + 1))[before]!;
}

/** The delayed BullMQ timers of a request's nudges. */
async function nudgeTimers(requestId: string): Promise<string[]> {
  const jobs = await testApp.application.queues.queue('nudges').getJobs(['delayed', 'waiting']);
  return jobs
    .filter((job) => (job.data as { requestId?: string }).requestId === requestId)
    .map((job) => job.id ?? '');
}

const cyrillic = /[А-Яа-яЁё]/;

describe('a requester steers their request from the chat', () => {
  it('a Russian-speaking member registers a request in Russian, adds their reference and marks it executed: the timer is gone and the counterpart is told', async () => {
    const member = await createMember(testApp, { name: 'Айгерим Запросова', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const user = emulator.createUser({ firstName: 'Aigerim', languageCode: 'ru' });
    const aigerim: TelegramPerson = {
      member,
      token: await createToken(testApp, member.id),
      user,
      chat: emulator.privateChat(user),
    };
    emulator.sendUserMessage(user, aigerim.chat, `/start ${invite.code}`);
    await emulator.waitForMessages(aigerim.chat, 1);

    // Asking first: the answer comes in HTML parse mode, names bold, chats and e-mail tappable links.
    emulator.clearApiCalls();
    const answer = await converse(aigerim, 'кто занимается экстрадицией в Узбекистане');
    const [call] = emulator
      .apiCalls('sendMessage')
      .filter((sent) => String(sent.params.chat_id) === String(aigerim.chat.id));
    expect(call?.params.parse_mode).toBe('HTML');
    const entities = answer.entities ?? [];
    const shown = (entity: { offset: number; length: number }) =>
      (answer.text ?? '').slice(entity.offset, entity.offset + entity.length);
    expect(entities.flatMap((entity) => (entity.type === 'text_link' ? [entity.url] : []))).toEqual([
      'https://t.me/sardor_demo',
      'https://matrix.to/#/@sardor:casc.example',
      'mailto:demo-yusupov@uz-gpo.example.org',
    ]);
    expect(entities.filter((entity) => entity.type === 'bold').map(shown)).toEqual([
      'Экстрадиция (выдача) — Узбекистан',
      '1. Сардор Демо-Юсупов',
    ]);
    expect(answer.text).toContain('Начальник отдела экстрадиции, Международно-правовое управление');
    expect(answer.text).toContain('Телефон: +000 01 877322');
    expect((answer.text ?? '').split('\n').filter((line) => line.startsWith(' '))).toEqual([]);

    // Registering: every prompt in Russian, whatever language the typed answers are in.
    const type = await converse(aigerim, '/новыйзапрос');
    const country = await tap(aigerim, type, 'req:new:t:mla');
    const sent = await tap(aigerim, country, 'req:new:c:UZ');
    const urgent = await tap(aigerim, sent, 'req:new:s:0');
    const reference = await tap(aigerim, urgent, 'req:new:u:0');
    const subject = await converse(aigerim, 'KZ-MLA-2026/77');
    const done = await converse(aigerim, 'Bank records of a shell company');
    expect(done.text).toMatch(/^Зарегистрирован: KZ-MLA-2026\/77/);
    for (const prompt of [type, country, sent, urgent, reference, subject, done]) {
      expect(prompt.text, prompt.text).toMatch(cyrillic);
      expect(prompt.text).not.toMatch(/\b(Request|Which|When|Registered)\b|г\.\./);
    }
    const [request] = (
      await api<{ items: { id: string }[] }>(testApp, aigerim.token, 'GET', '/v1/requests?mine=true')
    ).body.items;
    const id = request!.id;
    expect(await nudgeTimers(id)).toHaveLength(1);

    // Later: /запросы lists it with a button that opens it.
    const list = await converse(aigerim, '/запросы');
    expect(list.text).toContain('Ваши запросы:');
    expect(list.text).toContain('KZ-MLA-2026/77');
    const card = await tap(aigerim, list, `rqm:${id}`);
    expect(card.text).toContain('Запрос KZ-MLA-2026/77');
    expect(card.text).toContain('Узбекистан');
    expect(emulator.buttons(card).map((button) => button.text)).toEqual([
      'получен',
      'в работе',
      'исполнен',
      'отказано',
      'Отозвать',
      'Указать их номер',
    ]);

    // Their reference, typed when they gave it.
    const ask = await tap(aigerim, card, `rqm:${id}:theirs`);
    expect(ask.text).toContain('Запрос KZ-MLA-2026/77: введите номер');
    const saved = await converse(aigerim, 'UZ-2026/1187');
    expect(saved.text).toBe('Запрос KZ-MLA-2026/77: их номер — UZ-2026/1187.');

    // Executed: the nudges stop, the timer is gone, the counterpart hears it in their language.
    const again = await tap(aigerim, await converse(aigerim, '/запросы'), `rqm:${id}`);
    expect(again.text).toContain('Ваш номер: UZ-2026/1187');
    const closed = await tap(aigerim, again, `rqm:${id}:done`);
    expect(closed.text).toBe(
      'Запрос KZ-MLA-2026/77 закрыт: исполнен. Напоминания остановлены, адресат уведомлён.',
    );
    const detail = await api<{ status: string; nextNudgeAt: string | null; theirReference: string }>(
      testApp,
      aigerim.token,
      'GET',
      `/v1/requests/${id}`,
    );
    expect(detail.body).toMatchObject({
      status: 'executed',
      nextNudgeAt: null,
      theirReference: 'UZ-2026/1187',
    });
    expect(await nudgeTimers(id)).toEqual([]);
    await waitForMessage(
      emulator,
      dilshod.chat,
      'Request KZ-MLA-2026/77 (Mutual legal assistance) from Kazakhstan was closed by the requester: executed.',
    );

    // A closed request offers no more buttons, and /запросы no longer offers it.
    const after = await converse(aigerim, '/запросы');
    expect(after.text).toContain('исполнен');
    expect(
      emulator.buttons(after).map((button) => 'callback_data' in button && button.callback_data),
    ).not.toContain(`rqm:${id}`);
    for (const text of textsIn(emulator, aigerim.chat).slice(1)) expect(text).toMatch(cyrillic);
  });

  it('withdrawing from the chat stops the nudges and tells the counterpart', async () => {
    const timur = await telegramPerson(testApp, emulator, { name: 'Timur Requester', country: 'KZ' });
    const created = await api<{ id: string }>(testApp, timur.token, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'UZ',
      ourReference: 'KZ-MLA-2026/78',
      subject: 'Witness hearing',
      sentAt: new Date().toISOString(),
    });
    const id = created.body.id;
    expect(await nudgeTimers(id)).toHaveLength(1);
    const list = await converse(timur, '/requests');
    const card = await tap(timur, list, `rqm:${id}`);
    expect(card.text).toContain('Request KZ-MLA-2026/78');

    const withdrawn = await tap(timur, card, `rqm:${id}:wd`);
    expect(withdrawn.text).toBe(
      'Request KZ-MLA-2026/78 is closed: withdrawn. Its reminders have stopped and the addressee has been told.',
    );
    expect(await nudgeTimers(id)).toEqual([]);
    await waitForMessage(
      emulator,
      dilshod.chat,
      'Request KZ-MLA-2026/78 (Mutual legal assistance) from Kazakhstan was closed by the requester: withdrawn.',
    );
  });

  it("a coordinator's /requests shows the country's requests, outgoing and incoming, the overdue first", async () => {
    const coordinator = await telegramPerson(testApp, emulator, {
      name: 'Uzbek Coordinator',
      country: 'UZ',
      role: 'coordinator',
    });
    const outgoing = await api(testApp, coordinator.token, 'POST', '/v1/requests', {
      type: 'extradition',
      toCountry: 'KG',
      ourReference: 'UZ-EXT-2026/5',
      subject: 'Extradition of a suspect',
      sentAt: new Date().toISOString(),
    });
    expect(outgoing.status).toBe(201);
    // An incoming request whose nudge went unanswered: overdue, so first among the incoming.
    const requester = await telegramPerson(testApp, emulator, { name: 'Late Requester', country: 'KZ' });
    const late = await api<{ id: string }>(testApp, requester.token, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'UZ',
      ourReference: 'KZ-MLA-2026/80',
      subject: 'Late one',
      sentAt: new Date().toISOString(),
    });
    await testApp.database.handle.db.execute(
      sql`update formal_requests set unanswered_nudges = 1 where id = ${late.body.id}`,
    );
    const list = await converse(coordinator, '/requests');
    const text = list.text ?? '';
    const incoming = text.slice(text.indexOf('Sent to Uzbekistan:'));
    expect(incoming.split('\n')[1]).toMatch(/^⚠ KZ-MLA-2026\/80 /);
    expect(text).toContain('Sent from Uzbekistan:');
    expect(text).toContain('Sent to Uzbekistan:');
    expect(text.indexOf('UZ-EXT-2026/5')).toBeLessThan(text.indexOf('Sent to Uzbekistan:'));
    expect(text.indexOf('KZ-MLA-2026/77')).toBeGreaterThan(text.indexOf('Sent to Uzbekistan:'));
    // The coordinator steers the country's outgoing requests, not the incoming ones.
    const actions = emulator
      .buttons(list)
      .map((button) => ('callback_data' in button ? button.callback_data : ''));
    expect(actions).toContain(`rqm:${(outgoing.body as { id: string }).id}`);
    expect(actions.filter((action) => action.startsWith('rqm:'))).toHaveLength(1);
  });
});

describe('the same in the web console chat', () => {
  it('a member on the Russian console page opens a request from /запросы and marks it refused; the timer is gone', async () => {
    const web = webConsoleClient(testApp.application.app, testApp.adminToken);
    const member = await web.loggedInMember('Гульнара Консольная', 'KZ');
    const token = await createToken(testApp, member.memberId);
    const created = await api<{ id: string }>(testApp, token, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'UZ',
      ourReference: 'KZ-MLA-2026/79',
      subject: 'Company register extract',
      sentAt: new Date().toISOString(),
    });
    const id = created.body.id;
    expect(await nudgeTimers(id)).toHaveLength(1);
    const [list] = await web.say(member, { text: '/запросы', locale: 'ru' });
    expect(list?.text).toContain('KZ-MLA-2026/79');
    expect(list?.buttons?.map((button) => button.action)).toContain(`rqm:${id}`);
    const [card] = await web.say(member, { action: `rqm:${id}`, locale: 'ru' });
    expect(card?.buttons?.map((button) => button.label)).toContain('отказано');
    const [closed] = await web.say(member, { action: `rqm:${id}:ref`, locale: 'ru' });
    expect(closed?.text).toBe(
      'Запрос KZ-MLA-2026/79 закрыт: отказано. Напоминания остановлены, адресат уведомлён.',
    );
    expect(await nudgeTimers(id)).toEqual([]);
  });
});

describe('no dead ends', () => {
  it('a consultation nobody can be reached for gives the asker e-mail and phone, and is undeliverable, not unanswered', async () => {
    const aliya = await telegramPerson(testApp, emulator, { name: 'Aliya Asker', country: 'KZ' });
    // Nobody in Tajikistan has linked a messenger, and it has no coordinator.
    const started = await api<{ ref: string; status: string }>(
      testApp,
      aliya.token,
      'POST',
      '/v1/consultations',
      {
        country: 'TJ',
        competence: 'mla',
        description: 'Do you accept an advance copy by e-mail?',
      },
    );
    expect(started.status).toBe(201);
    const { ref } = started.body;
    const notice = await waitForMessage(emulator, aliya.chat, `Consultation ${ref} could not be delivered`);
    expect(notice.text).toContain('You can write or call them directly:');
    expect(notice.text).toMatch(/e-mail \S+@\S+/);
    expect(notice.text).toMatch(/phone \+[\d ]+/);
    const detail = await api<{ status: string }>(testApp, aliya.token, 'GET', `/v1/consultations/${ref}`);
    expect(detail.body.status).toBe('undeliverable');
    type Figures = { consultations: number; answered: number; undeliverable: number };
    const stats = await api<{
      rows: (Figures & { country: string })[];
      network: Figures;
      monthly: Figures[];
    }>(testApp, testApp.adminToken, 'GET', '/v1/stats/consultations');
    expect(stats.status).toBe(200);
    // Counted apart: undeliverable, neither a consultation left unanswered nor an answered one.
    expect(stats.body.rows.find((row) => row.country === 'TJ')).toMatchObject({
      consultations: 0,
      answered: 0,
      undeliverable: 1,
    });
    expect(stats.body.network.undeliverable).toBeGreaterThanOrEqual(1);
    expect(stats.body.monthly.reduce((total, row) => total + row.undeliverable, 0)).toBe(
      stats.body.network.undeliverable,
    );
  });
});
