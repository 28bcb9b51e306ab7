// The coordinators' weekly digest, on Telegram (the Bot API emulator): each coordinator gets one
// on the configured weekday and hour in their own time zone and working hours, in their language,
// listing what needs them: entries not re-confirmed, changes waiting for approval, escalated
// requests nobody answered, contacts we cannot reach or who have no messenger. The clock reads
// Monday 7 December 2026, just before 09:00 in Tashkent and Almaty (both UTC+5). Its entries carry
// the one-tap actions of the flag and /stale (Verify, Prompt again, Invite).
import { and, eq } from 'drizzle-orm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/audit/audit-schema.ts';
import { formalRequests } from '../src/requests/requests-schema.ts';
import type { VerificationStateItem } from '../src/verification/index.ts';
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

let emulator: TelegramEmulator;
let testApp: TestApp;
let clock: TestClock;
const people: Record<string, TelegramPerson> = {};

const policy = `
default: { every: P6M, remindAfter: P7D, reminders: 1 }
unreachableAfterFailures: 1
digest: { weekday: 1, hour: 9 }
`;

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  const directory = mkdtempSync(join(tmpdir(), 'digest-'));
  writeFileSync(join(directory, 'policy.yaml'), policy);
  clock = createTestClock('2026-12-07T02:00:00Z');
  testApp = await startTestApp('verification-digest', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: join(directory, 'policy.yaml'),
      RECONCILE_INTERVAL_SECONDS: '2',
    },
  });
  people.uzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
  people.kzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Kazakh Coordinator',
    country: 'KZ',
    role: 'coordinator',
    locale: 'ru',
  });
  people.dilnoza = await telegramPerson(testApp, emulator, {
    name: 'Dilnoza Member',
    country: 'UZ',
    contactId: 'uz-002',
  });
  people.jasur = await telegramPerson(testApp, emulator, {
    name: 'Jasur Member',
    country: 'UZ',
    contactId: 'uz-003',
  });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

describe('the weekly digest', () => {
  it('is placed on the configured weekday and hour in the coordinator’s own time zone', () => {
    const { digest } = testApp.application.registryTruth;
    const uz = { country: 'UZ', contactId: null };
    // Friday evening in Tashkent: Monday 09:00 (04:00 UTC).
    expect(digest.nextAt(uz, Date.parse('2026-12-04T14:00:00Z')).toISOString()).toBe(
      '2026-12-07T04:00:00.000Z',
    );
    // Monday 09:00 has passed: the next Monday.
    expect(digest.nextAt(uz, Date.parse('2026-12-07T04:00:00Z')).toISOString()).toBe(
      '2026-12-14T04:00:00.000Z',
    );
  });

  it('tells each coordinator once, in their language, what needs them', async () => {
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    const kzCoordinator = people.kzCoordinator as TelegramPerson;
    const db = testApp.application.database.db;
    // A change waiting for approval: Dilnoza proposes a new title.
    const proposed = await api(testApp, (people.dilnoza as TelegramPerson).token, 'POST', '/v1/proposals', {
      contactId: 'uz-002',
      changes: { title: 'Head of the International Cooperation Department' },
    });
    expect(proposed.status).toBe(201);
    // An escalated request to Uzbekistan nobody has answered.
    const request = await api<{ id: string }>(testApp, testApp.adminToken, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'UZ',
      fromCountry: 'KZ',
      contactId: 'uz-001',
      ourReference: 'KZ-MLA-2026-0042',
      subject: 'Bank records',
      sentAt: '2026-11-02T06:00:00Z',
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    await db
      .update(formalRequests)
      .set({ escalatedAt: new Date('2026-11-30T06:00:00Z') })
      .where(eq(formalRequests.id, request.body.id));
    // Jasur blocked the bot: the prompt a coordinator sends fails for good, and he is unreachable.
    emulator.blockBot((people.jasur as TelegramPerson).user);
    expect((await api(testApp, uzCoordinator.token, 'POST', '/v1/contacts/uz-003/reverify')).status).toBe(
      202,
    );
    await eventually(async () => {
      const states = await api<{ items: { contactId: string; state: string }[] }>(
        testApp,
        uzCoordinator.token,
        'GET',
        '/v1/verification',
      );
      return states.body.items.find((item) => item.contactId === 'uz-003' && item.state === 'unreachable');
    }, 'uz-003 to be unreachable');

    // A few seconds before 09:00 on Monday in Tashkent and Almaty; the planner gives each
    // coordinator a digest timer.
    clock.set('2026-12-07T03:59:56Z');
    await testApp.application.registryTruth.planOnce();

    const uz = await waitForMessage(emulator, uzCoordinator.chat, 'Weekly registry digest for UZ', {
      timeoutMs: 90_000,
    });
    const uzText = uz.text ?? '';
    expect(uzText).toContain('Changes waiting for your approval (1):');
    expect(uzText).toContain('Dilnoza Demo-Rashidova (uz-002): title');
    expect(uzText).toContain('Escalated requests still unanswered (1):');
    expect(uzText).toContain('KZ-MLA-2026-0042 from KZ');
    expect(uzText).toContain('escalated 2026-11-30');
    expect(uzText).toContain('Contacts we cannot reach');
    expect(uzText).toMatch(/\(uz-003\): messages fail since 2026-12-07/);
    expect(uzText).toMatch(/\(uz-001\): no linked messenger/);

    const kz = await waitForMessage(emulator, kzCoordinator.chat, 'Еженедельная сводка по реестру: KZ', {
      timeoutMs: 90_000,
    });
    const kzText = kz.text ?? '';
    // kz-004 was last verified on 1 March 2025: more than six months ago.
    expect(kzText).toMatch(/Записи без подтверждения \(\d+\):/);
    expect(kzText).toContain('(kz-004)');
    expect(kzText).not.toContain('uz-');

    // Each timer moved on to next Monday 09:00; then nothing more was sent: one digest each.
    for (const person of [uzCoordinator, kzCoordinator]) {
      const timer = await eventually(async () => {
        const [row] = await db
          .select()
          .from(durableTimersTable)
          .where(eq(durableTimersTable.key, `digest:${person.member.id}`));
        return row?.dueAt.toISOString() === '2026-12-14T04:00:00.000Z' ? row : undefined;
      }, 'the next digest timer');
      expect(timer.dueAt.toISOString()).toBe('2026-12-14T04:00:00.000Z');
    }
    await outboxSettled(testApp.application);
    expect(
      textsIn(emulator, uzCoordinator.chat).filter((text) => text.includes('Weekly registry')),
    ).toHaveLength(1);
    expect(
      textsIn(emulator, kzCoordinator.chat).filter((text) => text.includes('Еженедельная')),
    ).toHaveLength(1);
    // Planning again changes nothing: the coordinators already have their timers.
    await testApp.application.registryTruth.planOnce();
    await testApp.application.timers.reconcileNow();
    await outboxSettled(testApp.application);
    expect(
      textsIn(emulator, uzCoordinator.chat).filter((text) => text.includes('Weekly registry')),
    ).toHaveLength(1);
  }, 120_000);

  it('carries the one-tap actions of /stale: Verify on an entry verifies the record once, audited', async () => {
    const uzCoordinator = people.uzCoordinator as TelegramPerson;
    const kzCoordinator = people.kzCoordinator as TelegramPerson;
    const digestIn = (person: TelegramPerson, title: string) => {
      const message = emulator.sentMessages(person.chat).find((sent) => sent.text?.includes(title) === true);
      if (message === undefined) throw new Error(`no digest "${title}"`);
      return message;
    };
    const uz = digestIn(uzCoordinator, 'Weekly registry digest for UZ');
    const actions = emulator
      .buttons(uz)
      .flatMap((button) => ('callback_data' in button ? [`${button.text} = ${button.callback_data}`] : []));
    // Jasur (unreachable, linked): verify, prompt again, invite; Sardor (no messenger): verify,
    // invite; Dilnoza's entry waits for a proposal and needs none of them.
    expect(actions.map((action) => action.replace(/(vco:[a-z]):[0-9a-z]+:/, '$1:<seq>:'))).toEqual([
      'Verify: Jasur Demo-Aliev = vco:v:<seq>:uz-003',
      'Prompt again: Jasur Demo-Aliev = vco:p:<seq>:uz-003',
      'Invite: Jasur Demo-Aliev = vco:i:<seq>:uz-003',
      'Verify: Sardor Demo-Yusupov = vco:v:<seq>:uz-001',
      'Invite: Sardor Demo-Yusupov = vco:i:<seq>:uz-001',
    ]);
    // In Russian for the Kazakh coordinator, kz-004 (not re-confirmed) among them.
    const kzLabels = emulator.buttons(digestIn(kzCoordinator, 'Еженедельная сводка по реестру: KZ'));
    expect(kzLabels.some((button) => button.text.startsWith('Подтвердить: '))).toBe(true);
    expect(
      kzLabels.some((button) => 'callback_data' in button && button.callback_data.endsWith(':kz-004')),
    ).toBe(true);

    const verify = async () => {
      const before = emulator.sentMessages(uzCoordinator.chat).length;
      void press(emulator, uzCoordinator, uz, 'vco:v:');
      const replies = await emulator.waitForMessages(uzCoordinator.chat, before + 1);
      return replies[before]?.text ?? '';
    };
    expect(await verify()).toContain('Jasur Demo-Aliev (uz-003) is verified on their behalf, today.');
    const record = await api<{ verifiedAt: string; verifiedBy?: string }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/contacts/uz-003',
    );
    // Tashkent's date, by the coordinator.
    expect(record.body).toMatchObject({ verifiedAt: '2026-12-07', verifiedBy: uzCoordinator.member.id });
    const audited = () =>
      testApp.application.database.db
        .select({ actor: auditLog.actor })
        .from(auditLog)
        .where(and(eq(auditLog.action, 'contact.verify'), eq(auditLog.subject, 'contact:uz-003')));
    expect(await audited()).toEqual([{ actor: `member:${uzCoordinator.member.id}` }]);
    // A second tap on the same digest does nothing again.
    expect(await verify()).toContain('Already done for Jasur Demo-Aliev');
    expect(await audited()).toHaveLength(1);
  }, 60_000);

  it('past five contacts, a last button opens the whole list with its buttons', () => {
    const { digest } = testApp.application.registryTruth;
    const entry = (index: number): VerificationStateItem => ({
      contactId: `uz-9${String(index)}`,
      country: 'UZ',
      state: 'overdue',
      since: null,
      verifiedAt: '2025-01-01',
      lastSource: null,
      promptedAt: null,
      reminders: 0,
      nextStep: null,
      nextAt: null,
      linked: false,
      seq: 1,
    });
    const content = {
      country: 'UZ',
      stale: [1, 2, 3, 4, 5, 6, 7].map(entry),
      proposals: [],
      escalations: { items: [], total: 0 },
      unreachable: [],
      unlinked: [],
    };
    for (const [locale, label] of [
      ['en', 'All 7 entries, with their actions'],
      ['ru', 'Все записи (7) с действиями'],
    ] as const) {
      const { buttons } = digest.render(locale, content);
      // Five contacts with Verify and Invite each, then the whole list (/stale's first page).
      expect(buttons).toHaveLength(11);
      expect(buttons.at(-1)).toEqual({ label, action: 'vco:n:0' });
    }
  });
});
