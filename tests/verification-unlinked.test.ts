// Re-verification plans prompts only for contacts someone can be asked through. A record nobody
// behind has linked a messenger gets no durable timer and no flag of its own: it is on its
// coordinator's list (GET /v1/verification, /stale) as overdue and unlinked, computed from the
// data. When the person behind it links, their prompt is planned (and sent, in their working
// hours); when they unlink, the prompt still to come goes. Telegram through the Bot API emulator;
// the clock reads Friday 4 December 2026, 19:00 in Tashkent.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { durableTimers as durableTimersTable } from '../src/timers/timers-schema.ts';
import { contactVerifications } from '../src/verification/verification-schema.ts';
import { api, telegramPerson, waitForMessage, type TelegramPerson } from './support/consultation-helpers.ts';
import { eventually } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let coordinator: TelegramPerson;
let russianCoordinator: TelegramPerson;
let jasur: TelegramPerson;

const policy = `
default: { every: P6M, remindAfter: P7D, reminders: 1 }
`;
const aroundTheClock = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
const office = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };

interface Item {
  contactId: string;
  state: string;
  linked: boolean;
  nextStep: string | null;
  nextAt: string | null;
}

async function listed(): Promise<Map<string, Item>> {
  const response = await api<{ items: Item[] }>(testApp, coordinator.token, 'GET', '/v1/verification');
  expect(response.status).toBe(200);
  return new Map(response.body.items.map((item) => [item.contactId, item]));
}

async function timerOf(contactId: string) {
  const [timer] = await testApp.application.database.db
    .select()
    .from(durableTimersTable)
    .where(eq(durableTimersTable.key, `verify:${contactId}`));
  return timer;
}

const flagsAbout = async (contactId: string) =>
  testApp.application.database.db
    .select({ key: outboxTable.dedupeKey })
    .from(outboxTable)
    .where(like(outboxTable.dedupeKey, `verify-flag:${contactId}:%`));

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  const directory = mkdtempSync(join(tmpdir(), 'verification-unlinked-'));
  writeFileSync(join(directory, 'policy.yaml'), policy);
  testApp = await startTestApp('verification-unlinked', {
    clock: createTestClock('2026-12-04T14:00:00Z'),
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: join(directory, 'policy.yaml'),
      RECONCILE_INTERVAL_SECONDS: '2',
    },
  });
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
  russianCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Second Coordinator',
    country: 'UZ',
    role: 'coordinator',
    locale: 'ru',
  });
  // Three Uzbek records last verified two years ago: overdue. Nobody behind them has linked.
  // Through the registry service: the API no longer takes `verifiedAt` (it is set by verifying).
  const patch = (id: string, body: Record<string, unknown>) =>
    testApp.application.registry.updateContact(undefined, id, body);
  await patch('uz-001', { verifiedAt: '2024-12-01', workingHours: office });
  await patch('uz-002', { verifiedAt: '2024-12-01', workingHours: aroundTheClock });
  await patch('uz-003', { verifiedAt: '2024-12-01', workingHours: office });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

describe('contacts nobody can be asked through', () => {
  it('get no prompt timer and no flag of their own, and are listed for their coordinator', async () => {
    await testApp.application.registryTruth.planOnce();
    for (const id of ['uz-001', 'uz-002', 'uz-003']) {
      expect(await timerOf(id), id).toBeUndefined();
      expect(await flagsAbout(id), id).toEqual([]);
    }
    const items = await listed();
    // Overdue and unlinked; where the first prompt would go is computed (Monday 09:00 in Tashkent
    // for an office, at once for a contact working around the clock).
    expect(items.get('uz-001')).toMatchObject({
      state: 'overdue',
      linked: false,
      nextStep: 'prompt',
      nextAt: '2026-12-07T04:00:00.000Z',
    });
    expect(items.get('uz-002')).toMatchObject({ state: 'overdue', linked: false, nextStep: 'prompt' });
    // Every timer the planner left is a linked contact's.
    const timers = await testApp.application.database.db
      .select({ key: durableTimersTable.key })
      .from(durableTimersTable)
      .where(eq(durableTimersTable.kind, 'verify'));
    for (const { key } of timers) expect(items.get(key.slice('verify:'.length))?.linked, key).toBe(true);

    // `/stale` lists them for the coordinator.
    emulator.sendUserMessage(coordinator.user, coordinator.chat, '/stale');
    const stale = await waitForMessage(emulator, coordinator.chat, 'entries need attention', {
      timeoutMs: 60_000,
    });
    expect(stale.text).toMatch(/\(uz-001\): overdue/);
    expect(stale.text).toMatch(/\(uz-002\): overdue/);
  });

  it('are listed in Russian for a Russian-speaking coordinator who asks /устаревшие', async () => {
    emulator.sendUserMessage(russianCoordinator.user, russianCoordinator.chat, '/устаревшие');
    const stale = await waitForMessage(emulator, russianCoordinator.chat, 'Требуют внимания', {
      timeoutMs: 60_000,
    });
    const lines = (stale.text ?? '').split('\n');
    // The title counts the entries listed: every line after it is one record of Uzbekistan.
    expect(lines[0]).toMatch(/^Требуют внимания: \d+$/);
    expect(Number(lines[0]?.split(': ')[1])).toBe(lines.length - 1);
    // Names in Russian, the state in Russian and since when (due six months after the last
    // verification, the day in Tashkent), the day each was last verified, and nobody to ask.
    expect(lines).toContain(
      '• Сардор Демо-Юсупов (uz-001): просрочена с 2025-05-30, последняя проверка 2024-12-01, мессенджер не привязан',
    );
    expect(lines).toContain(
      '• Дилноза Демо-Рашидова (uz-002): просрочена с 2025-05-30, последняя проверка 2024-12-01, мессенджер не привязан',
    );
    expect(stale.text).not.toMatch(/overdue|last verified|\(kz-/);
  });

  it('get their prompt planned, and sent in their working hours, once the person behind links', async () => {
    const before = (await listed()).get('uz-003')?.nextAt;
    // uz-003 works office hours: planned for Monday 09:00, where the list said it would go.
    jasur = await telegramPerson(testApp, emulator, {
      name: 'Jasur Member',
      country: 'UZ',
      contactId: 'uz-003',
    });
    const planned = await eventually(timerOf.bind(null, 'uz-003'), 'the prompt of uz-003 to be planned');
    expect(planned.dueAt.toISOString()).toBe(before);
    expect((await listed()).get('uz-003')).toMatchObject({
      linked: true,
      nextStep: 'prompt',
      nextAt: before,
    });

    // uz-002 works around the clock: asked at once.
    const dilnoza = await telegramPerson(testApp, emulator, {
      name: 'Dilnoza Member',
      country: 'UZ',
      contactId: 'uz-002',
    });
    await waitForMessage(emulator, dilnoza.chat, 'Please check your entry', { timeoutMs: 90_000 });
    const item = (await listed()).get('uz-002');
    expect(item).toMatchObject({ state: 'prompted', linked: true });
    expect(await flagsAbout('uz-002')).toEqual([]);
  });

  it('lose the prompt still to come when the person behind is removed, without a flag', async () => {
    const removed = await testApp.application.app.inject({
      method: 'DELETE',
      url: `/v1/members/${jasur.member.id}`,
      headers: { authorization: `Bearer ${coordinator.token}` },
    });
    expect(removed.statusCode).toBe(204);
    await eventually(
      async () => ((await timerOf('uz-003')) === undefined ? true : undefined),
      'the prompt of uz-003 to be taken away',
    );
    const [row] = await testApp.application.database.db
      .select()
      .from(contactVerifications)
      .where(eq(contactVerifications.contactId, 'uz-003'));
    expect(row).toMatchObject({ nextStep: null, promptedAt: null, flaggedAt: null });
    expect(await flagsAbout('uz-003')).toEqual([]);
    expect((await listed()).get('uz-003')).toMatchObject({
      state: 'overdue',
      linked: false,
      nextStep: 'prompt',
    });
  });
});
