// The answers of a re-verification prompt beyond the campaign story, on Telegram (the Bot API
// emulator): "Something changed" for every field the flow offers (messenger handles, languages and
// competences become proposals; working hours apply at once), an approved "I no longer handle this"
// hands the work over, reminders wait while the contact's own proposal is undecided, failures of
// any push to the person (not only prompts) make them unreachable, and a registry edit plans the
// contact's prompt at once. The clock reads Friday 4 December 2026, 19:00 in Tashkent.
// Reminders wait an hour (remindAfter), longer than any story here: a reminder comes only when a
// test fires the contact's timer on purpose, so no answer races it on a loaded machine.
import { and, eq } from 'drizzle-orm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { parseWorkingHours } from '../src/verification/truth-chat.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { createTestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  fireVerificationTimerNow,
  makeDueNow,
  verificationRow,
  verificationSteppedPast,
} from './support/verification-fixtures.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
const people: Record<string, TelegramPerson> = {};
const prompt = 'Please check your entry';

const policy = `
default: { every: P6M, remindAfter: PT1H, reminders: 1 }
unreachableAfterFailures: 2
`;

const contact = async (id: string) =>
  (await api(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body;
const row = (id: string) => verificationRow(testApp.application, id);
const fireTimerNow = (id: string) => fireVerificationTimerNow(testApp.application, id);
const steppedPast = (id: string, seq: number) => verificationSteppedPast(testApp.application, id, seq);

const dueNow = (id: string) => makeDueNow(testApp.application, id);

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  const directory = mkdtempSync(join(tmpdir(), 'answers-'));
  writeFileSync(join(directory, 'policy.yaml'), policy);
  testApp = await startTestApp('verification-answers', {
    clock: createTestClock('2026-12-04T14:00:00Z'),
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: join(directory, 'policy.yaml'),
      RECONCILE_INTERVAL_SECONDS: '2',
    },
  });
  for (const [id, name, contactId] of [
    ['sardor', 'Sardor Member', 'uz-001'],
    ['dilnoza', 'Dilnoza Member', 'uz-002'],
    ['jasur', 'Jasur Member', 'uz-003'],
    ['aidos', 'Aidos Member', 'kz-001'],
    ['farrukh', 'Farrukh Member', 'tj-001'],
  ] as const)
    people[id] = await telegramPerson(testApp, emulator, {
      name,
      country: contactId.slice(0, 2).toUpperCase(),
      contactId,
    });
  people.uzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

/** Answers "Something changed" on the latest prompt: the field, then the typed value. */
async function change(
  person: TelegramPerson,
  promptMessage: Parameters<typeof press>[2],
  field: string,
  value: string,
) {
  const before = textsIn(emulator, person.chat).filter((text) => text.includes('What changed?')).length;
  void press(emulator, person, promptMessage, 'vfy:chg:');
  const which = await waitForMessage(emulator, person.chat, 'What changed?', { count: before + 1 });
  void press(emulator, person, which, `vchg:f:${field}`);
  const asked = textsIn(emulator, person.chat).filter((text) => text.includes('The new value')).length;
  await waitForMessage(emulator, person.chat, 'The new value', { count: asked + 1 });
  emulator.sendUserMessage(person.user, person.chat, value);
}

describe('answers to a re-verification prompt', () => {
  it('reads working hours as days and hours', () => {
    expect(parseWorkingHours('Mon-Fri 09:00-18:00')).toEqual({
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '18:00',
    });
    expect(parseWorkingHours('2-6 8:30-17:00')).toEqual({
      days: [2, 3, 4, 5, 6],
      start: '08:30',
      end: '17:00',
    });
    for (const bad of ['', 'Fri-Mon 09:00-18:00', '1-5 18:00-09:00', 'weekdays', '1-8 09:00-18:00'])
      expect(parseWorkingHours(bad), bad).toBeUndefined();
  });

  it('"Something changed" covers handles, languages, competences and working hours', async () => {
    const sardor = people.sardor as TelegramPerson;
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    // The edit alone plans the prompt: no planner pass is called here.
    await dueNow('uz-001');
    const asked = await waitForMessage(emulator, sardor.chat, prompt, { timeoutMs: 60_000 });

    await change(sardor, asked, 'telegram', '@sardor_new');
    await waitForMessage(emulator, sardor.chat, 'Your coordinator confirms the change');
    await change(sardor, asked, 'languages', 'uz, ru, en, de');
    await waitForMessage(emulator, sardor.chat, 'Your coordinator confirms the change', { count: 2 });
    await change(sardor, asked, 'competences', 'mla, no_such_thing');
    await waitForMessage(emulator, sardor.chat, 'does not look right');
    emulator.sendUserMessage(sardor.user, sardor.chat, 'mla, extradition, jit');
    await waitForMessage(emulator, sardor.chat, 'Your coordinator confirms the change', { count: 3 });
    await change(sardor, asked, 'workingHours', 'Mon-Sun 00:00-23:59');
    await waitForMessage(emulator, sardor.chat, 'your working hours apply from now on');

    // Three proposals wait; the coordinator approves them all with one tap each.
    const proposals = await eventually(async () => {
      const listed = await api<{ items: { id: string; fields: string[] }[] }>(
        testApp,
        uzCoordinator.token,
        'GET',
        '/v1/proposals?status=pending',
      );
      return listed.body.items.length === 3 ? listed.body.items : undefined;
    }, 'three pending proposals');
    expect(proposals.map((proposal) => proposal.fields.join()).sort()).toEqual([
      'channels',
      'competences',
      'languages',
    ]);
    for (const proposal of proposals)
      expect(
        (await api(testApp, uzCoordinator.token, 'POST', `/v1/proposals/${proposal.id}/approve`)).status,
      ).toBe(200);
    const record = await contact('uz-001');
    expect((record.channels as Record<string, string>).telegram).toBe('@sardor_new');
    expect(record.languages).toEqual(['uz', 'ru', 'en', 'de']);
    expect(record.competences).toEqual(['mla', 'extradition', 'jit']);
    expect(record.workingHours).toMatchObject({ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' });
  }, 120_000);

  it('holds reminders while the contact’s own proposal waits, then reminds once it is rejected', async () => {
    const dilnoza = people.dilnoza as TelegramPerson;
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    await dueNow('uz-002');
    const asked = await waitForMessage(emulator, dilnoza.chat, prompt, { timeoutMs: 60_000 });
    await change(dilnoza, asked, 'email', 'dilnoza@uz-gpo.example.org');
    await waitForMessage(emulator, dilnoza.chat, 'Your coordinator confirms the change');
    const pending = async () =>
      (
        await api<{ items: { id: string }[] }>(
          testApp,
          uzCoordinator.token,
          'GET',
          '/v1/proposals?contactId=uz-002&status=pending',
        )
      ).body.items;
    // The answer is recorded (the proposal waits) before the reminder's timer fires.
    await eventually(async () => ((await pending()).length === 1 ? true : undefined), 'the proposal', 90_000);
    expect(await row('uz-002')).toMatchObject({ nextStep: 'remind', reminders: 0 });
    // The reminder's timer fires twice; each time its job holds: the same step, moved on, nothing sent.
    for (let firing = 0; firing < 2; firing++) {
      const before = (await row('uz-002'))?.seq ?? 0;
      await fireTimerNow('uz-002');
      await steppedPast('uz-002', before);
      expect(await row('uz-002')).toMatchObject({ nextStep: 'remind', reminders: 0 });
    }
    expect(textsIn(emulator, dilnoza.chat).filter((text) => text.includes('A reminder'))).toHaveLength(0);
    const [proposal] = await pending();
    expect(
      (await api(testApp, uzCoordinator.token, 'POST', `/v1/proposals/${proposal?.id ?? ''}/reject`)).status,
    ).toBe(200);
    await fireTimerNow('uz-002');
    await waitForMessage(emulator, dilnoza.chat, 'A reminder', { timeoutMs: 90_000 });
    expect(await row('uz-002')).toMatchObject({ nextStep: 'flag', reminders: 1 });
  }, 120_000);

  it('an approved "I no longer handle this" retires the record and hands the work over', async () => {
    const jasur = people.jasur as TelegramPerson;
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    const request = await api<{ id: string }>(testApp, testApp.adminToken, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'UZ',
      fromCountry: 'KZ',
      contactId: 'uz-003',
      ourReference: 'KZ-MLA-2026-0077',
      subject: 'Company records',
      sentAt: '2026-12-01T06:00:00Z',
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    await dueNow('uz-003');
    const asked = await waitForMessage(emulator, jasur.chat, prompt, { timeoutMs: 60_000 });
    void press(emulator, jasur, asked, 'vfy:gone:');
    const successor = await waitForMessage(emulator, jasur.chat, 'Who takes over from you?');
    void press(emulator, jasur, successor, 'vgone:s:uz-002');
    await waitForMessage(emulator, jasur.chat, 'Your coordinator will confirm it');
    const retirement = await waitForMessage(emulator, uzCoordinator.chat, 'no longer handle this work');
    void press(emulator, uzCoordinator, retirement, 'truth:ap:');
    await waitForMessage(emulator, jasur.chat, 'was approved');
    expect(await contact('uz-003')).toMatchObject({ status: 'retired' });
    const moved = await api<{ contactId: string }>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/requests/${request.body.id}`,
    );
    expect(moved.body.contactId).toBe('uz-002');
    // A retired record is not asked again.
    expect((await row('uz-003'))?.nextStep ?? null).toBeNull();
  }, 120_000);

  it('a reminder still queued when the contact answers is taken back, never sent', async () => {
    const farrukh = people.farrukh as TelegramPerson;
    await dueNow('tj-001');
    const asked = await waitForMessage(emulator, farrukh.chat, prompt, { timeoutMs: 60_000 });
    await outboxSettled(testApp.application);
    const prompts = () =>
      testApp.application.database.db
        .select({ state: outboxTable.state, key: outboxTable.dedupeKey, message: outboxTable.message })
        .from(outboxTable)
        .where(and(eq(outboxTable.kind, 'verification'), eq(outboxTable.subject, 'contact:tj-001')));
    // Deliveries stall, as behind a long queue on a busy day: BullMQ's own pause, in Redis.
    const deliveries = testApp.application.queues.queue('outbox');
    await deliveries.pause();
    try {
      const before = (await row('tj-001'))?.seq ?? 0;
      await fireTimerNow('tj-001');
      await steppedPast('tj-001', before);
      expect((await prompts()).map((written) => written.state).sort()).toEqual(['pending', 'sent']);
      void press(emulator, farrukh, asked, 'vfy:ok:');
      await eventually(
        async () => ((await row('tj-001'))?.lastSource === 'self' ? true : undefined),
        'the answer to be recorded',
        90_000,
      );
    } finally {
      await deliveries.resume();
    }
    await waitForMessage(emulator, farrukh.chat, 'your entry is confirmed');
    await outboxSettled(testApp.application);
    const reminder = (await prompts()).find((written) => written.state !== 'sent');
    expect(reminder).toMatchObject({ state: 'withdrawn', message: null });
    expect(textsIn(emulator, farrukh.chat).filter((text) => text.includes('A reminder'))).toHaveLength(0);
    expect(await row('tj-001')).toMatchObject({ nextStep: 'prompt', reminders: 0 });
  }, 120_000);

  it('counts failed pushes of any kind to the person, not only prompts', async () => {
    const aidos = people.aidos as TelegramPerson;
    emulator.blockBot(aidos.user);
    const outbox = testApp.application.outbox.service;
    const keys = ['a', 'b'].map((suffix) => `test-notice:${suffix}`);
    await testApp.application.database.db.transaction((tx) =>
      outbox.addInTransaction(
        tx,
        keys.map((key) => ({
          dedupeKey: key,
          memberId: aidos.member.id,
          address: { platform: 'telegram', chatId: String(aidos.chat.id) },
          message: { text: 'A notice about a request', locale: 'en' as const },
          kind: 'request-notice-test',
        })),
      ),
    );
    // The planner made the row for kz-001 at start; no prompt was involved.
    await outbox.dispatch(keys);
    await outboxSettled(testApp.application);
    expect(await row('kz-001')).toMatchObject({ failures: 2 });
    expect((await row('kz-001'))?.unreachableSince).not.toBeNull();
  }, 180_000);
});
