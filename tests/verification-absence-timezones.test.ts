// After an absence, the prompt comes on the contact's first working day after it, in their own
// time zone: not at UTC midnight (the evening before in New York, inside an evening shift) and not
// on the UTC date (already the next morning in Almaty, where the absence has begun). Telegram
// through the Bot API emulator; the clock reads Thursday 10 December 2026, 20:00 UTC: 15:00 in
// New York, 01:00 on Friday in Almaty (UTC+5).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableTimers as durableTimersTable } from '../src/timers/timers-schema.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestClock, type TestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { promptText, writeVerificationPolicy } from './support/verification-fixtures.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let clock: TestClock;
let coordinator: TelegramPerson;
let jim: TelegramPerson;
let aigerim: TelegramPerson;

// New York (us-001): an evening shift, Monday to Friday 12:00-22:00, away Monday 7 to Friday
// 11 December. First working day after: Monday 14 December, 12:00 in New York (17:00 UTC). At UTC
// midnight after the absence it would be Friday 19:00 in New York: inside the shift and the absence.
const newYork = {
  workingHours: { days: [1, 2, 3, 4, 5], start: '12:00', end: '22:00' },
  outOfOffice: { start: '2026-12-07', end: '2026-12-11' },
  promptAt: '2026-12-14T17:00:00.000Z',
};
// Almaty (kz-001): office hours, away Friday 11 to Tuesday 15 December (Friday has begun there,
// Thursday still runs in UTC). Wednesday 16 December is Independence Day: first working day after
// is Thursday 17 December, 09:00 in Almaty (04:00 UTC), not Friday 09:00 inside the absence.
const almaty = {
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  outOfOffice: { start: '2026-12-11', end: '2026-12-15' },
  promptAt: '2026-12-17T04:00:00.000Z',
};

async function timerDue(contactId: string): Promise<string | undefined> {
  const [timer] = await testApp.application.database.db
    .select()
    .from(durableTimersTable)
    .where(eq(durableTimersTable.key, `verify:${contactId}`));
  return timer?.dueAt.toISOString();
}

const prompts = (person: TelegramPerson) =>
  textsIn(emulator, person.chat).filter((text) => text.includes(promptText));

/** Moves the clock to a few seconds before `at` and lets the timers see it. */
async function clockJustBefore(at: string) {
  clock.set(new Date(Date.parse(at) - 3_000));
  await testApp.application.timers.reconcileNow();
}

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  clock = createTestClock('2026-12-10T20:00:00Z');
  testApp = await startTestApp('verification-absence-timezones', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: writeVerificationPolicy(
        'default: { every: P6M, remindAfter: P7D, reminders: 1 }\n',
      ),
      RECONCILE_INTERVAL_SECONDS: '2',
    },
  });
  // Both records last verified two years ago: overdue, so only the absence holds the prompt back.
  const patch = (id: string, body: Record<string, unknown>) =>
    testApp.application.registry.updateContact(undefined, id, body);
  for (const [id, { workingHours, outOfOffice }] of [
    ['us-001', newYork],
    ['kz-001', almaty],
  ] as const)
    await patch(id, { verifiedAt: '2024-12-01', workingHours, outOfOffice });
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'US Coordinator',
    country: 'US',
    role: 'coordinator',
  });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

describe('the prompt after an absence', () => {
  it('is listed for the first working day after it, inside the contact’s hours, in their zone', async () => {
    const states = await api<{ items: { contactId: string; nextAt: string | null }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/verification',
    );
    expect(states.status).toBe(200);
    const nextAt = new Map(states.body.items.map((item) => [item.contactId, item.nextAt]));
    expect(nextAt.get('us-001')).toBe(newYork.promptAt);
    expect(nextAt.get('kz-001')).toBe(almaty.promptAt);
  });

  it('is sent then, and not before, once the people behind the records link', async () => {
    jim = await telegramPerson(testApp, emulator, { name: 'Jim Member', country: 'US', contactId: 'us-001' });
    aigerim = await telegramPerson(testApp, emulator, {
      name: 'Aigerim Member',
      country: 'KZ',
      contactId: 'kz-001',
      locale: 'ru',
    });
    expect(await eventually(() => timerDue('us-001'), 'the prompt of us-001 to be planned')).toBe(
      newYork.promptAt,
    );
    expect(await eventually(() => timerDue('kz-001'), 'the prompt of kz-001 to be planned')).toBe(
      almaty.promptAt,
    );
    await outboxSettled(testApp.application);
    expect(prompts(jim)).toEqual([]);
    // What Aigerim has read so far: the link's welcome, nothing else.
    const aigerimBefore = textsIn(emulator, aigerim.chat).length;

    // Monday, just before noon in New York: Jim's prompt comes; Aigerim (still away) has none.
    await clockJustBefore(newYork.promptAt);
    await waitForMessage(emulator, jim.chat, promptText, { timeoutMs: 90_000 });
    await outboxSettled(testApp.application);
    expect(prompts(jim)).toHaveLength(1);
    expect(textsIn(emulator, aigerim.chat)).toHaveLength(aigerimBefore);

    // Thursday 09:00 in Almaty, the holiday skipped: Aigerim's prompt, in Russian.
    await clockJustBefore(almaty.promptAt);
    await eventually(
      async () => (textsIn(emulator, aigerim.chat).length > aigerimBefore ? true : undefined),
      'the prompt of kz-001',
      90_000,
    );
    expect(await timerDue('kz-001')).not.toBe(almaty.promptAt);
  }, 240_000);

  it('"Today only", answered at 21:00 in New York, is New York’s today, and the prompt comes the next working day', async () => {
    // Monday 14 December, 21:00 in New York: already Tuesday 02:00 in UTC.
    clock.set('2026-12-15T02:00:00Z');
    const prompt = emulator
      .sentMessages(jim.chat)
      .find((message) => (message.text ?? '').includes(promptText));
    void press(emulator, jim, prompt as never, 'vfy:away:');
    const from = await waitForMessage(emulator, jim.chat, 'From when are you away?');
    void press(emulator, jim, from, 'away:f:0');
    const until = await waitForMessage(emulator, jim.chat, 'Until when are you away?');
    void press(emulator, jim, until, 'away:u:0');
    const deputy = await waitForMessage(emulator, jim.chat, 'Who stands in for you');
    void press(emulator, jim, deputy, 'away:d:-');
    await waitForMessage(emulator, jim.chat, 'Recorded: you are away until 2026-12-14');
    const contact = await api<{ outOfOffice: unknown }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/contacts/us-001',
    );
    expect(contact.body.outOfOffice).toMatchObject({ start: '2026-12-14', end: '2026-12-14' });
    // Asked again on Tuesday at noon in New York.
    expect(
      await eventually(
        async () =>
          (await timerDue('us-001')) === '2026-12-15T17:00:00.000Z' ? '2026-12-15T17:00:00.000Z' : undefined,
        'the next prompt of us-001',
      ),
    ).toBe('2026-12-15T17:00:00.000Z');
  }, 120_000);

  it('"All correct" at 02:00 in Almaty verifies the record on Almaty’s date, not the UTC one before', async () => {
    // Thursday 17 December, 21:00 UTC: Friday 18 December, 02:00, in Almaty.
    clock.set('2026-12-17T21:00:00Z');
    const prompt = emulator
      .sentMessages(aigerim.chat)
      .find((message) =>
        emulator
          .buttons(message)
          .some((button) => 'callback_data' in button && button.callback_data.startsWith('vfy:ok:')),
      );
    if (prompt === undefined) throw new Error('no prompt in the chat of kz-001');
    void press(emulator, aigerim, prompt, 'vfy:ok:');
    const verifiedAt = await eventually(async () => {
      const contact = await api<{ verifiedAt: string }>(
        testApp,
        testApp.adminToken,
        'GET',
        '/v1/contacts/kz-001',
      );
      return contact.body.verifiedAt === '2024-12-01' ? undefined : contact.body.verifiedAt;
    }, 'the record of kz-001 to be verified');
    expect(verifiedAt).toBe('2026-12-18');
    // Fresh since the day began in Almaty (midnight there, 19:00 UTC the evening before).
    const states = await api<{ items: { contactId: string; state: string; since: string | null }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/verification?country=KZ',
    );
    expect(states.body.items.find((item) => item.contactId === 'kz-001')).toMatchObject({
      state: 'fresh',
      since: '2026-12-17T19:00:00.000Z',
    });
  }, 120_000);
});
