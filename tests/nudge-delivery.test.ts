// Stories of nudges about pending requests, end to end: the application (API and workers in one
// process) with real Postgres and Redis, delivering through a real grammY bot to the Telegram Bot
// API emulator, where the counterparts tap their one-tap answers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chat, Message, User } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
// The application's clock, pinned to the demo day: the follow-ups an hour apart come when the test
// moves it on (anHourLater), not after real time that a loaded machine could stretch.
const clock = createTestClock(demoDay);

// A second instead of weeks for the first nudge, so it comes on its own; the next ones an hour on.
const policies = `
default: { firstNudgeAfter: PT1S, repeatEvery: PT1H, escalateAfterUnanswered: 3 }
extradition: { firstNudgeAfter: PT1S, repeatEvery: PT1H, escalateAfterUnanswered: 2 }
`;

/**
 * Moves the application's clock on by an hour and runs now the nudge timer jobs armed for then (a
 * job run early waits again: only those now due fire).
 */
async function anHourLater() {
  clock.advance(3_600_000);
  await testApp.application.queues.queue('nudges').promoteJobs();
}

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  const directory = mkdtempSync(join(tmpdir(), 'nudge-delivery-'));
  writeFileSync(join(directory, 'policies.yaml'), policies);
  testApp = await startTestApp('nudge_delivery', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      NUDGE_POLICIES_FILE: join(directory, 'policies.yaml'),
      RECONCILE_INTERVAL_SECONDS: '2',
      WORKER_LOCK_SECONDS: '4',
    },
  });
  // These offices work around the clock, so the stories do not depend on when the suite runs.
  for (const contact of ['uz-001', 'uz-002', 'kz-001', 'kz-002', 'am-001']) {
    const response = await testApp.application.app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${contact}`,
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' } },
    });
    expect(response.statusCode, response.body).toBe(200);
  }
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

interface Person {
  user: User;
  chat: Chat.PrivateChat;
  token: string;
}

/** A member with a Telegram account linked through an invite, as a coordinator would set it up. */
async function person(
  name: string,
  input: { country: string; contactId?: string; locale?: 'en' | 'ru'; role?: 'member' | 'coordinator' },
): Promise<Person> {
  const member = await createMember(testApp, { name, ...input });
  const invite = await createInvite(testApp, member.id);
  const user = emulator.createUser({
    firstName: name.split(' ')[0] ?? name,
    languageCode: input.locale ?? 'en',
  });
  const chat = emulator.privateChat(user);
  emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
  await emulator.waitForMessages(chat, 1);
  return { user, chat, token: await createToken(testApp, member.id) };
}

async function register(requester: Person, body: Record<string, unknown>): Promise<string> {
  const response = await testApp.application.app.inject({
    method: 'POST',
    url: '/v1/requests',
    headers: { authorization: `Bearer ${requester.token}` },
    payload: { sentAt: clock.now().toISOString(), subject: 'Bank records', ...body },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

async function requestDetail(token: string, id: string) {
  const response = await testApp.application.app.inject({
    method: 'GET',
    url: `/v1/requests/${id}`,
    headers: { authorization: `Bearer ${token}` },
  });
  return response.json<{
    status: string;
    contactId: string | null;
    events: { kind: string; details: Record<string, unknown> }[];
  }>();
}

// Deadlines only bound a hang: nothing here is expected to take long.
const nthMessage = async (chat: Chat, n: number, timeoutMs = 90_000): Promise<Message> =>
  (await emulator.waitForMessages(chat, n, timeoutMs))[n - 1]!;

function tap(who: Person, message: Message, label: string) {
  const button = emulator.buttons(message).find((candidate) => candidate.text === label);
  expect(
    button,
    `a "${label}" button among ${JSON.stringify(emulator.buttons(message).map((b) => b.text))}`,
  ).toBeDefined();
  return emulator.pressButton(who.user, message, (button as { callback_data: string }).callback_data);
}

describe('a nudge about a pending MLA request', () => {
  it('reaches the Uzbek contact point in Russian; "received" acknowledges it and the requester is told', async () => {
    const requester = await person('Aigerim Requester', { country: 'KZ' });
    const counterpart = await person('Dilshod Counterpart', {
      country: 'UZ',
      contactId: 'uz-002',
      locale: 'ru',
    });
    const id = await register(requester, {
      type: 'mla',
      toCountry: 'UZ',
      contactId: 'uz-002',
      ourReference: 'KZ-MLA-2026/117',
      subject: 'Bank records of a shell company',
    });

    const nudge = await nthMessage(counterpart.chat, 2);
    expect(nudge.text).toContain('KZ-MLA-2026/117');
    expect(nudge.text).toContain('Bank records of a shell company');
    expect(nudge.text).toContain('Напоминание');
    expect(emulator.buttons(nudge).map((button) => button.text)).toEqual([
      'Получен',
      'В работе',
      'Нужна информация',
      'Исполнен',
      'Отказано',
      'Не ко мне',
    ]);
    for (const button of emulator.buttons(nudge))
      expect(Buffer.byteLength((button as { callback_data: string }).callback_data)).toBeLessThanOrEqual(64);

    tap(counterpart, nudge, 'Получен');
    expect((await nthMessage(counterpart.chat, 3)).text).toContain('Спасибо');
    const notice = await nthMessage(requester.chat, 2);
    expect(notice.text).toContain('KZ-MLA-2026/117');
    expect(notice.text).toContain('received');

    // The delivered mark is written after the platform call returns, so a fast tap on "received"
    // can be recorded before it: wait for both events, then accept them in either order.
    const detail = await eventually(async () => {
      const current = await requestDetail(requester.token, id);
      return current.events.some((event) => event.kind === 'nudge_delivered') ? current : undefined;
    }, 'the nudge recorded as delivered');
    expect(detail.status).toBe('acknowledged');
    expect(detail.events[0]?.kind).toBe('registered');
    expect(detail.events.map((event) => event.kind).sort()).toEqual([
      'answer',
      'nudge_delivered',
      'registered',
    ]);
    const eventOfKind = (kind: string) => detail.events.find((event) => event.kind === kind)?.details;
    expect(eventOfKind('nudge_delivered')).toMatchObject({
      seq: 0,
      contactId: 'uz-002',
      platform: 'telegram',
    });
    expect(eventOfKind('answer')).toMatchObject({ answer: 'acknowledged', contactId: 'uz-002' });
    // Exactly one nudge reached the counterpart: counted once every delivery has finished, the
    // queue drained and a reconciler pass settled, so a second send would have come by now.
    await outboxSettled(testApp.application);
    expect(
      emulator
        .sentMessages(counterpart.chat)
        .filter(
          (message) =>
            message.text?.includes('KZ-MLA-2026/117') === true && message.text.includes('Напоминание'),
        ),
    ).toHaveLength(1);
  });

  it('"not mine": the counterpart picks a colleague of the same authority, who is nudged next', async () => {
    const requester = await person('Nurlan Requester', { country: 'KG' });
    const wrongPerson = await person('Kanat Wrongdesk', { country: 'KZ', contactId: 'kz-002', locale: 'en' });
    const colleague = await person('Saule Rightdesk', { country: 'KZ', contactId: 'kz-001' });
    const id = await register(requester, {
      type: 'mla',
      toCountry: 'KZ',
      contactId: 'kz-002',
      ourReference: 'KG-2026/44',
    });

    const nudge = await nthMessage(wrongPerson.chat, 2);
    tap(wrongPerson, nudge, 'Not mine');
    const choice = await nthMessage(wrongPerson.chat, 3);
    expect(choice.text).toContain('KG-2026/44');
    // Colleagues of the same authority, kz-001 among them; never the person who said "not mine".
    const data = emulator
      .buttons(choice)
      .map((button) => (button as { callback_data: string }).callback_data);
    expect(data.some((action) => action.endsWith(':to:kz-002'))).toBe(false);
    const target = emulator
      .buttons(choice)
      .find((button) => (button as { callback_data: string }).callback_data.endsWith(':to:kz-001'));
    emulator.pressButton(wrongPerson.user, choice, (target as { callback_data: string }).callback_data);
    expect((await nthMessage(wrongPerson.chat, 4)).text).toContain('KG-2026/44');

    const colleagueNudge = await nthMessage(colleague.chat, 2);
    expect(colleagueNudge.text).toContain('KG-2026/44');
    expect((await nthMessage(requester.chat, 2)).text).toMatch(/handled by a colleague/);
    const detail = await requestDetail(requester.token, id);
    expect(detail.contactId).toBe('kz-001');
    expect(detail.events.map((event) => event.kind)).toContain('reassigned');
  });

  it('a contact point with no Counterpart account: the undeliverable nudge is recorded and the requester told', async () => {
    const requester = await person('Gulnara Requester', { country: 'KZ' });
    const id = await register(requester, {
      type: 'mla',
      toCountry: 'AM',
      contactId: 'am-001',
      ourReference: 'KZ-MLA-2026/500',
    });
    const notice = await nthMessage(requester.chat, 2);
    expect(notice.text).toContain('KZ-MLA-2026/500');
    expect(notice.text).toContain('could not be delivered');
    const detail = await requestDetail(requester.token, id);
    expect(detail.events.find((event) => event.kind === 'nudge_undeliverable')?.details).toMatchObject({
      reason: 'no_member',
    });
  });
});

describe('silence', () => {
  it("after two unanswered nudges, the requested country's coordinator is told, and so is the requester", async () => {
    const requester = await person('Asel Requester', { country: 'KZ' });
    const counterpart = await person('Bobur Silent', { country: 'UZ', contactId: 'uz-001' });
    const coordinator = await person('Malika Coordinator', { country: 'UZ', role: 'coordinator' });
    const id = await register(requester, {
      type: 'extradition',
      toCountry: 'UZ',
      contactId: 'uz-001',
      ourReference: 'KZ-EXT-2026/77',
      subject: 'Extradition of a suspect',
    });

    // The first nudge comes a second after registering; each next one when the clock is an hour on.
    // The third finds two unanswered: the coordinator is told (and the counterpart nudged a third time).
    const nudgesSeen = (count: number) =>
      eventually(
        () =>
          emulator
            .sentMessages(counterpart.chat)
            .filter((message) => message.text?.includes('KZ-EXT-2026/77') === true).length >= count
            ? true
            : undefined,
        `nudge ${count} to the silent counterpart`,
        90_000,
      );
    await nudgesSeen(1);
    await anHourLater();
    await nudgesSeen(2);
    await anHourLater();
    const escalation = await nthMessage(coordinator.chat, 2);
    expect(escalation.text).toContain('KZ-EXT-2026/77');
    expect(escalation.text).toMatch(/No answer after 2 follow-ups/);
    expect((await nthMessage(requester.chat, 2)).text).toMatch(/coordinator for Uzbekistan has been told/);

    // The coordinator answers for the silent counterpart: escalation resets, the requester hears it.
    // (The clock stays where it is: no further nudge falls due meanwhile.)
    tap(coordinator, escalation, 'In progress');
    await eventually(
      async () => ((await requestDetail(requester.token, id)).status === 'in_progress' ? true : undefined),
      'the request in progress',
    );
    await outboxSettled(testApp.application);
    const events = (await requestDetail(requester.token, id)).events.map((event) => event.kind);
    expect(events.filter((kind) => kind === 'escalated')).toHaveLength(1);
    // Withdrawn: no more nudges.
    await testApp.application.app.inject({
      method: 'POST',
      url: `/v1/requests/${id}/withdraw`,
      headers: { authorization: `Bearer ${requester.token}` },
    });
  });
});

describe('requests in the chat', () => {
  it('a prosecutor registers a request in a few taps and sees it in /requests', async () => {
    const requester = await person('Timur Chatty', { country: 'KZ' });
    emulator.sendUserMessage(
      requester.user,
      requester.chat,
      '/newrequest KZ-MLA-2026/900 Hearing of two witnesses',
    );
    const typeQuestion = await nthMessage(requester.chat, 2);
    tap(requester, typeQuestion, 'Mutual legal assistance');
    const countryQuestion = await nthMessage(requester.chat, 3);
    tap(requester, countryQuestion, 'Uzbekistan');
    const sentQuestion = await nthMessage(requester.chat, 4);
    tap(requester, sentQuestion, 'A week ago');
    const urgentQuestion = await nthMessage(requester.chat, 5);
    tap(requester, urgentQuestion, 'No');
    const done = await nthMessage(requester.chat, 6);
    expect(done.text).toContain('Registered: KZ-MLA-2026/900');
    expect(done.text).toContain('Follow-ups go to');

    emulator.sendUserMessage(requester.user, requester.chat, '/requests');
    const list = await nthMessage(requester.chat, 7);
    expect(list.text).toMatch(
      /KZ-MLA-2026\/900 · Mutual legal assistance → Uzbekistan · sent, no news yet · 7 days/,
    );
  });

  it('a reference can be typed when the command was sent alone', async () => {
    const requester = await person('Zarina Typist', { country: 'KZ' });
    emulator.sendUserMessage(requester.user, requester.chat, '/newrequest');
    tap(requester, await nthMessage(requester.chat, 2), 'Extradition');
    tap(requester, await nthMessage(requester.chat, 3), 'Uzbekistan');
    tap(requester, await nthMessage(requester.chat, 4), 'Today');
    tap(requester, await nthMessage(requester.chat, 5), 'Yes');
    expect((await nthMessage(requester.chat, 6)).text).toContain('type your reference');
    emulator.sendUserMessage(requester.user, requester.chat, 'KZ-EXT-2026/901');
    expect((await nthMessage(requester.chat, 7)).text).toContain('short, non-sensitive subject');
    emulator.sendUserMessage(requester.user, requester.chat, 'Extradition of a fugitive');
    expect((await nthMessage(requester.chat, 8)).text).toContain('Registered: KZ-EXT-2026/901');
  });
});
