// A re-verification campaign, scaled down to seven contacts so it runs in about a minute: five on
// Telegram (the Bot API emulator), one on Matrix (the test homeserver), two more only to check
// placement. The clock reads Friday 4 December 2026, 19:00 in Tashkent and Almaty: office prompts
// wait for Monday (the weekend skipped), a Tuesdays-only office for the Tuesday after Uzbekistan's
// Constitution Day. Contacts working around the clock are asked at once and answer every way;
// Redis is flushed mid-campaign and no reminder is lost or sent twice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { dueTimersFired } from './support/eventually.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import { startTestMatrixUser, type TestMatrixUser } from './support/matrix-test-client.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let homeserver: TestHomeserver;
let emulator: TelegramEmulator;
let redis: PrivateRedis;
let testApp: TestApp;
let botUserId: string;
const people: Record<string, TelegramPerson> = {};
let bakyt: { user: TestMatrixUser; dm: string };

const policy = `
default: { every: P6M, remindAfter: PT1H, reminders: 1 }
unreachableAfterFailures: 2
`;
const aroundTheClock = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
const prompt = 'Please check your entry';
const clock = createTestClock('2026-12-04T14:00:00Z');

/** Through the registry service: the API no longer takes `verifiedAt` (it is set by verifying). */
async function patch(id: string, body: Record<string, unknown>) {
  await testApp.application.registry.updateContact(undefined, id, body);
}

/**
 * Moves the application's clock on by an hour and runs now the timer jobs armed for then (a job
 * run early waits again: only those now due fire).
 */
async function anHourLater() {
  clock.advance(3_600_000);
  await testApp.application.queues.queue('timers').promoteJobs();
}

const contact = async (id: string) =>
  (await api(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body;

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  emulator = await startTelegramEmulator();
  redis = await startPrivateRedis();
  botUserId = homeserver.registerUser('counterpart', 'bot-account-password').userId;
  // The bot's account is exempt from the message rate limit, as the README advises operators to
  // arrange (Synapse's override_ratelimit); matrix-rate-limit.test.ts runs it without.
  homeserver.exemptFromRateLimit(botUserId);
  const directory = mkdtempSync(join(tmpdir(), 'verification-'));
  writeFileSync(join(directory, 'policy.yaml'), policy);
  testApp = await startTestApp('verification', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      MATRIX_HOMESERVER_URL: homeserver.url,
      MATRIX_USER_ID: botUserId,
      MATRIX_PASSWORD: 'bot-account-password',
      MATRIX_STORE_KEY: 'matrix-store-key-for-verification-tests-0123',
      VERIFICATION_POLICY_FILE: join(directory, 'policy.yaml'),
      REDIS_URL: redis.url,
      RECONCILE_INTERVAL_SECONDS: '2',
      WORKER_LOCK_SECONDS: '4',
    },
  });
  const deadline = Date.now() + 20_000;
  while (testApp.application.bots.matrix?.status() !== 'syncing') {
    if (Date.now() > deadline) throw new Error('the Matrix bot never synced');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const [id, name, country] of [
    ['uz-001', 'Sardor Member', 'UZ'],
    ['uz-002', 'Dilnoza Member', 'UZ'],
    ['uz-003', 'Jasur Member', 'UZ'],
    ['kz-001', 'Aidos Member', 'KZ'],
    ['kz-002', 'Madina Member', 'KZ'],
  ] as const)
    people[id] = await telegramPerson(testApp, emulator, { name, country, contactId: id });
  people.uzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
  people.kzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Kazakh Coordinator',
    country: 'KZ',
    role: 'coordinator',
  });
  const member = await createMember(testApp, {
    name: 'Bakyt Member',
    country: 'KG',
    contactId: 'kg-001',
    locale: 'en',
  });
  const invite = await createInvite(testApp, member.id);
  const user = await startTestMatrixUser(homeserver, 'bakyt');
  const dm = await user.createEncryptedDm(botUserId);
  await user.waitForJoin(dm, botUserId);
  await user.client.sendTextMessage(dm, `!link ${invite.code}`);
  await user.waitForMessage((message) => message.roomId === dm && message.sender === botUserId, 45_000);
  bakyt = { user, dm };
  await createToken(testApp, member.id);
}, 150_000);

afterAll(async () => {
  await bakyt.user.stop();
  await testApp.close();
  await emulator.close();
  await homeserver.close();
  await redis.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

describe('a re-verification campaign', () => {
  it('places office prompts inside working hours: the weekend and a national holiday skipped', async () => {
    const template = await contact('uz-002');
    for (const [id, days] of [
      ['uz-p1', [1, 2, 3, 4, 5]],
      ['uz-p2', [2]],
    ] as const) {
      await testApp.application.registry.createContact(undefined, {
        ...(template as never as Parameters<typeof testApp.application.registry.createContact>[1]),
        id,
        name: { en: `Placement ${id}`, ru: `Размещение ${id}` },
        channels: { email: `${id}@uz-gpo.example.org` },
        deputy: null,
        outOfOffice: null,
        workingHours: { days: [...days], start: '09:00', end: '18:00' },
      });
      await patch(id, { verifiedAt: '2025-01-01' });
    }
    await testApp.application.registryTruth.planOnce();
    const listed = await api<{ items: { contactId: string; nextAt: string; state: string }[] }>(
      testApp,
      people.uzCoordinator?.token ?? '',
      'GET',
      '/v1/verification',
    );
    const byId = new Map(listed.body.items.map((item) => [item.contactId, item]));
    // Friday 19:00 in Tashkent: Monday 09:00 (04:00 UTC); Tuesdays only: not the 8th (a holiday), the 15th.
    expect(byId.get('uz-p1')).toMatchObject({ nextAt: '2026-12-07T04:00:00.000Z', state: 'overdue' });
    expect(byId.get('uz-p2')).toMatchObject({ nextAt: '2026-12-15T04:00:00.000Z', state: 'overdue' });
    // The demo's other records are fresh: their next round is in 2027.
    expect(byId.get('uz-001')?.state).toBe('fresh');
  });

  it('asks every due contact once on their messenger, takes every kind of answer, and survives a Redis flush', async () => {
    for (const id of ['uz-001', 'uz-002', 'uz-003', 'kz-001', 'kz-002', 'kg-001'])
      await patch(id, { workingHours: aroundTheClock, verifiedAt: '2025-01-01' });
    await testApp.application.registryTruth.planOnce();
    // Everyone is asked, with their own record and four answers.
    const asked: Record<string, Awaited<ReturnType<typeof waitForMessage>>> = {};
    for (const id of ['uz-001', 'uz-002', 'uz-003', 'kz-001', 'kz-002']) {
      const person = people[id];
      if (person === undefined) throw new Error(id);
      asked[id] = await waitForMessage(emulator, person.chat, prompt, { timeoutMs: 60_000 });
    }
    expect(asked['uz-002']?.text).toContain('Dilnoza Demo-Rashidova');
    const onMatrix = await bakyt.user.waitForMessage(
      (message) => message.roomId === bakyt.dm && String(message.content.body).includes(prompt),
    );
    expect(String(onMatrix.content.body)).toMatch(/1\. All correct\n2\. Something changed/);

    // Redis loses everything while the reminders wait; the reconciler rebuilds them from Postgres.
    await redis.flushAll();

    // All correct, on Telegram and on Matrix.
    void press(emulator, people['uz-001'] as TelegramPerson, asked['uz-001'] as never, 'vfy:ok:');
    await waitForMessage(emulator, (people['uz-001'] as TelegramPerson).chat, 'your entry is confirmed');
    await bakyt.user.client.sendTextMessage(bakyt.dm, '1');
    await bakyt.user.waitForMessage(
      (message) =>
        message.roomId === bakyt.dm && String(message.content.body).includes('your entry is confirmed'),
    );

    // Something changed: a new phone, which the coordinator approves with one tap.
    const dilnoza = people['uz-002'] as TelegramPerson;
    void press(emulator, dilnoza, asked['uz-002'] as never, 'vfy:chg:');
    const which = await waitForMessage(emulator, dilnoza.chat, 'What changed?');
    void press(emulator, dilnoza, which, 'vchg:f:phone');
    await waitForMessage(emulator, dilnoza.chat, 'The new value');
    emulator.sendUserMessage(dilnoza.user, dilnoza.chat, '+998 71 555 0101');
    await waitForMessage(emulator, dilnoza.chat, 'Your coordinator confirms the change');
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    const phoneProposal = await waitForMessage(emulator, uzCoordinator.chat, '+998 71 555 0101');
    void press(emulator, uzCoordinator, phoneProposal, 'truth:ap:');
    await waitForMessage(emulator, dilnoza.chat, 'was approved');
    expect(((await contact('uz-002')).channels as Record<string, string>).phone).toBe('+998 71 555 0101');

    // I no longer handle this, naming a successor: the coordinator rejects it.
    const jasur = people['uz-003'] as TelegramPerson;
    void press(emulator, jasur, asked['uz-003'] as never, 'vfy:gone:');
    const successor = await waitForMessage(emulator, jasur.chat, 'Who takes over from you?');
    void press(emulator, jasur, successor, 'vgone:s:uz-001');
    await waitForMessage(emulator, jasur.chat, 'Your coordinator will confirm it');
    const retirement = await waitForMessage(emulator, uzCoordinator.chat, 'no longer handle this work');
    void press(emulator, uzCoordinator, retirement, 'truth:rj:');
    await waitForMessage(emulator, jasur.chat, 'was not approved');
    expect((await contact('uz-003')).status).toBe('active');

    // I am away: a week, with a colleague standing in; it applies at once.
    const aidos = people['kz-001'] as TelegramPerson;
    void press(emulator, aidos, asked['kz-001'] as never, 'vfy:away:');
    const from = await waitForMessage(emulator, aidos.chat, 'From when are you away?');
    void press(emulator, aidos, from, 'away:f:0');
    const until = await waitForMessage(emulator, aidos.chat, 'Until when are you away?');
    void press(emulator, aidos, until, 'away:u:7');
    const deputy = await waitForMessage(emulator, aidos.chat, 'Who stands in for you');
    void press(emulator, aidos, deputy, 'away:d:kz-002');
    await waitForMessage(emulator, aidos.chat, 'Recorded: you are away until 2026-12-11');
    expect(await contact('kz-001')).toMatchObject({
      deputy: 'kz-002',
      outOfOffice: { start: '2026-12-04', end: '2026-12-11' },
    });

    // Madina does not answer: an hour later one reminder, an hour after that her coordinator hears
    // about it. The application's clock is moved on and the timer jobs armed for those moments run
    // now, as their delay running out would (no real hour, and no race with the answers above).
    const madina = people['kz-002'] as TelegramPerson;
    await anHourLater();
    await waitForMessage(emulator, madina.chat, 'A reminder', { timeoutMs: 90_000 });
    await anHourLater();
    const kzCoordinator = people.kzCoordinator as TelegramPerson;
    await waitForMessage(emulator, kzCoordinator.chat, 'Madina Demo-Seitova (kz-002) has not re-confirmed', {
      timeoutMs: 90_000,
    });
    // Every timer due by now has fired and every push is delivered, after a reconciler pass: a
    // timer firing twice after the flush would have sent its duplicate by now, and nothing else is
    // due within the hour (no second reminder or flag on its way).
    expect(await dueTimersFired(testApp.application, clock)).toEqual([]);
    for (const id of ['uz-001', 'uz-002', 'uz-003', 'kz-001', 'kz-002']) {
      const texts = textsIn(emulator, (people[id] as TelegramPerson).chat);
      expect(
        texts.filter((text) => text.includes(prompt)),
        id,
      ).toHaveLength(1);
    }
    expect(textsIn(emulator, madina.chat).filter((text) => text.includes('A reminder'))).toHaveLength(1);
    // Aidos answered "I am away" to the same round: an answer, so no reminder (Madina's, due at the
    // same moment, came and went).
    expect(textsIn(emulator, aidos.chat).filter((text) => text.includes('A reminder'))).toHaveLength(0);
    expect(
      textsIn(emulator, kzCoordinator.chat).filter((text) => text.includes('(kz-002) has not re-confirmed')),
    ).toHaveLength(1);
    expect(
      bakyt.user.received.filter(
        (message) => message.roomId === bakyt.dm && String(message.content.body).includes(prompt),
      ),
    ).toHaveLength(1);

    // The states the coordinators see, and /stale on demand.
    const uzStates = await api<{
      items: { contactId: string; state: string; lastSource: string | null; verifiedAt: string }[];
    }>(testApp, uzCoordinator.token, 'GET', '/v1/verification?country=UZ');
    const uz = new Map(uzStates.body.items.map((item) => [item.contactId, item]));
    expect(uz.get('uz-001')).toMatchObject({ state: 'fresh', lastSource: 'self', verifiedAt: '2026-12-04' });
    expect(uz.get('uz-002')?.state).toBe('fresh');
    const kzStates = await api<{
      items: { contactId: string; state: string; nextStep: string | null; nextAt: string | null }[];
    }>(testApp, kzCoordinator.token, 'GET', '/v1/verification');
    expect(kzStates.body.items.find((item) => item.contactId === 'kz-002')?.state).toBe('overdue');
    // Away says nothing about his record, still overdue: he is asked again on the first day after
    // the absence (until 11 December; he works around the clock: 12 December, 00:00 in Almaty,
    // 19:00 UTC the day before).
    expect(kzStates.body.items.find((item) => item.contactId === 'kz-001')).toMatchObject({
      state: 'overdue',
      promptedAt: null,
      nextStep: 'prompt',
      nextAt: '2026-12-11T19:00:00.000Z',
    });
    emulator.sendUserMessage(kzCoordinator.user, kzCoordinator.chat, '/stale');
    await waitForMessage(emulator, kzCoordinator.chat, 'Madina Demo-Seitova (kz-002): overdue');
    // A coordinator of another country sees nothing of it.
    expect((await api(testApp, uzCoordinator.token, 'GET', '/v1/verification?country=KZ')).status).toBe(403);
  }, 180_000);

  it('a coordinator sends the prompt again now, and /imback ends an absence', async () => {
    const madina = people['kz-002'] as TelegramPerson;
    const kzCoordinator = people.kzCoordinator as TelegramPerson;
    const sent = await api<{ state: { state: string } }>(
      testApp,
      kzCoordinator.token,
      'POST',
      '/v1/contacts/kz-002/reverify',
    );
    expect(sent.status).toBe(202);
    await waitForMessage(emulator, madina.chat, prompt, { count: 2, timeoutMs: 60_000 });
    const aidos = people['kz-001'] as TelegramPerson;
    emulator.sendUserMessage(aidos.user, aidos.chat, '/imback');
    await waitForMessage(emulator, aidos.chat, 'Welcome back');
    expect((await contact('kz-001')).outOfOffice ?? null).toBeNull();
    expect((await api(testApp, kzCoordinator.token, 'POST', '/v1/contacts/uz-001/reverify')).status).toBe(
      403,
    );
  }, 180_000);
});
