// The coordinators' weekly digest on Matrix (the test homeserver, end-to-end encrypted DMs): each
// coordinator gets it once, on the configured weekday and hour in their time zone, in their
// language, as formatted HTML (a heading per section) with the same words as the plain body; the
// next week's timer is set. The clock reads Monday 7 December 2026, 07:00 in Tashkent and Almaty
// (UTC+5), two hours before the digest hour. Telegram's side is in verification-digest.test.ts.
// `!устаревшие` lists the entries with their one-tap actions as numbered choices, one of which a
// coordinator answers by its number (verify on the person's behalf). The flag of a contact who did
// not answer carries the same actions as numbered choices.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableTimers as durableTimersTable } from '../src/timers/timers-schema.ts';
import { createToken } from './support/chat-fixtures.ts';
import { api } from './support/consultation-helpers.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import {
  body,
  chooseNumbered,
  startMatrixBotFixture,
  type MatrixBotFixture,
} from './support/matrix-bot-fixture.ts';
import {
  startTestMatrixUser,
  type ReceivedMessage,
  type TestMatrixUser,
} from './support/matrix-test-client.ts';
import { createTestClock, type TestClock } from './support/test-clock.ts';
import {
  fireVerificationTimerNow,
  makeDueNow,
  promptText,
  verificationRow,
  verificationSteppedPast,
  writeVerificationPolicy,
} from './support/verification-fixtures.ts';

let fixture: MatrixBotFixture;
let clock: TestClock;
type Coordinator = { user: TestMatrixUser; dm: string; memberId: string; token: string };
const coordinators: Partial<Record<'uz' | 'kz', Coordinator>> = {};

const policy = `
default: { every: P6M, remindAfter: P7D, reminders: 1 }
digest: { weekday: 1, hour: 9 }
`;

/** A coordinator on Matrix: an encrypted DM with the bot, linked with `!link CODE` (or `!привязать`). */
async function matrixCoordinator(localpart: string, name: string, country: string, locale: 'en' | 'ru') {
  const member = await fixture.api('POST', '/v1/members', { name, country, role: 'coordinator', locale });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  const memberId = String(member.body.id);
  const invite = await fixture.api('POST', `/v1/members/${memberId}/invites`);
  const token = await createToken(fixture.testApp, memberId);
  const user = await startTestMatrixUser(fixture.homeserver, localpart);
  const dm = await user.createEncryptedDm(fixture.botUserId);
  await user.waitForJoin(dm, fixture.botUserId);
  await fixture.nextFromBot(user, dm, 0);
  const command = locale === 'ru' ? '!привязать' : '!link';
  await user.client.sendTextMessage(dm, `${command} ${String(invite.body.code)}`);
  await user.waitForMessage(
    (message) =>
      message.roomId === dm && message.sender === fixture.botUserId && body(message).includes(name),
    30_000,
  );
  return { user, dm, memberId, token };
}

beforeAll(async () => {
  clock = createTestClock('2026-12-07T02:00:00Z');
  fixture = await startMatrixBotFixture('verification_digest_matrix', {
    clock,
    env: { VERIFICATION_POLICY_FILE: writeVerificationPolicy(policy), RECONCILE_INTERVAL_SECONDS: '2' },
  });
  coordinators.uz = await matrixCoordinator('uzcoord', 'Uzbek Coordinator', 'UZ', 'en');
  coordinators.kz = await matrixCoordinator('kzcoord', 'Kazakh Coordinator', 'KZ', 'ru');
}, 120_000);

afterAll(async () => {
  await coordinators.uz?.user.stop();
  await coordinators.kz?.user.stop();
  await fixture.close();
});

const digestsIn = (person: { user: TestMatrixUser; dm: string }, title: string) =>
  fixture.botMessages(person.user, person.dm).filter((message) => body(message).includes(title));

const html = (message: ReceivedMessage) =>
  typeof message.content.formatted_body === 'string' ? message.content.formatted_body : '';

describe('the weekly digest on Matrix', () => {
  it('reaches each coordinator once, formatted, in their language; the next week is planned', async () => {
    const { testApp } = fixture;
    const uzCoordinator = coordinators.uz!;
    const kzCoordinator = coordinators.kz!;
    // A change waiting for approval (through the API, as the coordinator may propose too).
    const proposed = await api(testApp, uzCoordinator.token, 'POST', '/v1/proposals', {
      contactId: 'uz-002',
      changes: { title: 'Head of the International Cooperation Department' },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);

    // A few seconds before 09:00 on Monday in Tashkent and Almaty: the planner sets each
    // coordinator's digest timer, which fires on the pinned clock.
    clock.set('2026-12-07T03:59:56Z');
    await testApp.application.registryTruth.planOnce();

    const uz = await uzCoordinator.user.waitForMessage(
      (message) =>
        message.roomId === uzCoordinator.dm && body(message).includes('Weekly registry digest for UZ'),
      60_000,
    );
    expect(uz.encrypted).toBe(true);
    expect(uz.content.format).toBe('org.matrix.custom.html');
    expect(body(uz)).toContain('Changes waiting for your approval (1):');
    expect(body(uz)).toContain('Dilnoza Demo-Rashidova (uz-002): title');
    expect(body(uz)).toMatch(/\(uz-\d+\): no linked messenger/);
    // The same words, as HTML: the title and each section a heading, the items under it.
    expect(html(uz)).toContain('<h4>Weekly registry digest for UZ');
    expect(html(uz)).toContain('<h4>Changes waiting for your approval (1):</h4>');
    expect(html(uz)).toContain('<p>• Dilnoza Demo-Rashidova (uz-002): title</p>');
    expect(html(uz)).not.toContain('kz-');

    const kz = await kzCoordinator.user.waitForMessage(
      (message) =>
        message.roomId === kzCoordinator.dm && body(message).includes('Еженедельная сводка по реестру: KZ'),
      60_000,
    );
    expect(kz.encrypted).toBe(true);
    // kz-004 was last verified on 1 March 2025: more than six months ago.
    expect(body(kz)).toMatch(/Записи без подтверждения \(\d+\):/);
    expect(body(kz)).toContain('(kz-004)');
    expect(html(kz)).toMatch(/<h4>Записи без подтверждения \(\d+\):<\/h4>/);
    expect(html(kz)).toContain('<h4>Еженедельная сводка по реестру: KZ');
    expect(body(kz)).not.toContain('uz-');
    // Each entry's one-tap actions (those of the flag and !stale), as numbered choices.
    expect(body(kz)).toMatch(/^\d+\. Подтвердить: Данияр Демо-Омаров$/m);
    expect(body(kz)).toMatch(/^\d+\. Пригласить: Данияр Демо-Омаров$/m);
    expect(body(uz)).toMatch(/^\d+\. Verify: [A-Za-z -]+$/m);

    // Each timer moved on to next Monday 09:00, and nothing more was sent: one digest each (the
    // bot answers a room's messages in order, so once `!help` is answered a duplicate would show).
    const db = testApp.application.database.db;
    for (const person of [uzCoordinator, kzCoordinator]) {
      const timer = await eventually(async () => {
        const [row] = await db
          .select()
          .from(durableTimersTable)
          .where(eq(durableTimersTable.key, `digest:${person.memberId}`));
        return row?.dueAt.toISOString() === '2026-12-14T04:00:00.000Z' ? row : undefined;
      }, 'the next digest timer');
      expect(timer.dueAt.toISOString()).toBe('2026-12-14T04:00:00.000Z');
    }
    await testApp.application.registryTruth.planOnce();
    await testApp.application.timers.reconcileNow();
    await outboxSettled(testApp.application);
    await fixture.messagesBeforeMarker(uzCoordinator.user, uzCoordinator.dm);
    await fixture.messagesBeforeMarker(kzCoordinator.user, kzCoordinator.dm);
    expect(digestsIn(uzCoordinator, 'Weekly registry digest')).toHaveLength(1);
    expect(digestsIn(kzCoordinator, 'Еженедельная сводка')).toHaveLength(1);

    // A week later the next one comes, once.
    clock.set('2026-12-14T03:59:58Z');
    await testApp.application.timers.reconcileNow();
    await eventually(
      () => (digestsIn(uzCoordinator, 'Weekly registry digest').length === 2 ? true : undefined),
      'the second week’s digest',
      60_000,
    );
    await outboxSettled(testApp.application);
    await fixture.messagesBeforeMarker(uzCoordinator.user, uzCoordinator.dm);
    expect(digestsIn(uzCoordinator, 'Weekly registry digest')).toHaveLength(2);
  }, 180_000);

  it('answers a Russian-speaking coordinator’s !устаревшие with their country’s entries, in Russian', async () => {
    const kzCoordinator = coordinators.kz!;
    await kzCoordinator.user.client.sendTextMessage(kzCoordinator.dm, '!устаревшие');
    const stale = await kzCoordinator.user.waitForMessage(
      (message) => message.roomId === kzCoordinator.dm && body(message).startsWith('Требуют внимания'),
      60_000,
    );
    expect(stale.encrypted).toBe(true);
    // The list, then its one-tap actions as numbered choices.
    const [list = '', choices = ''] = body(stale).split('\n\n');
    const lines = list.split('\n');
    expect(Number(/^Требуют внимания: (\d+)$/.exec(lines[0] ?? '')?.[1])).toBe(lines.length - 1);
    // kz-004, last verified on 1 March 2025, is overdue; named in Russian.
    expect(lines.find((line) => line.includes('(kz-004)'))).toMatch(
      /^• [А-ЯЁа-яё -]+ \(kz-004\): просрочена с \d{4}-\d{2}-\d{2}, последняя проверка 2025-03-01, мессенджер не привязан$/,
    );
    expect(body(stale)).not.toMatch(/\(uz-|overdue|last verified/);
    // kz-004: nobody is linked, so Verify and Invite; "Verify" by its number, on their behalf.
    const verify = /^(\d+)\. Подтвердить: Данияр Демо-Омаров$/m.exec(choices)?.[1];
    expect(choices).toMatch(/^\d+\. Пригласить: Данияр Демо-Омаров$/m);
    expect(verify).toBeDefined();
    await kzCoordinator.user.client.sendTextMessage(kzCoordinator.dm, verify!);
    await kzCoordinator.user.waitForMessage(
      (message) =>
        message.roomId === kzCoordinator.dm &&
        body(message).includes('(kz-004) подтверждена вами за этого человека'),
      60_000,
    );
    const record = await api<{ verifiedAt: string }>(
      fixture.testApp,
      kzCoordinator.token,
      'GET',
      '/v1/contacts/kz-004',
    );
    expect(record.body.verifiedAt).toBe(clock.now().toISOString().slice(0, 10));
  }, 120_000);

  it('brings a coordinator the flag of a contact who did not answer, with its actions as numbered choices; "Verify" by its number', async () => {
    const uzCoordinator = coordinators.uz!;
    // Sardor (uz-001) is linked on Matrix, prompted, reminded and silent: the flag follows.
    const sardor = await fixture.linkedMember('sardor', 'Sardor Member', 'UZ', { contactId: 'uz-001' });
    await makeDueNow(fixture.testApp.application, 'uz-001');
    await sardor.user.waitForMessage(
      (message) => message.roomId === sardor.dm && body(message).includes(promptText),
      60_000,
    );
    for (const step of ['remind', 'flag']) {
      const row = await eventually(async () => {
        const current = await verificationRow(fixture.testApp.application, 'uz-001');
        return current?.nextStep === step ? current : undefined;
      }, `the ${step} of uz-001 to be next`);
      await fireVerificationTimerNow(fixture.testApp.application, 'uz-001');
      await verificationSteppedPast(fixture.testApp.application, 'uz-001', row.seq);
    }
    const flag = await uzCoordinator.user.waitForMessage(
      (message) =>
        message.roomId === uzCoordinator.dm && body(message).includes('(uz-001) has not re-confirmed'),
      60_000,
    );
    expect(flag.encrypted).toBe(true);
    expect(body(flag)).toMatch(/^\d+\. Verify: Sardor Demo-Yusupov$/m);
    expect(body(flag)).toMatch(/^\d+\. Prompt again: Sardor Demo-Yusupov$/m);
    await chooseNumbered(uzCoordinator.user, flag, 'Verify: Sardor Demo-Yusupov');
    await uzCoordinator.user.waitForMessage(
      (message) =>
        message.roomId === uzCoordinator.dm &&
        body(message).includes('(uz-001) is verified on their behalf, today.'),
      60_000,
    );
    const record = await api<{ verifiedAt: string }>(
      fixture.testApp,
      uzCoordinator.token,
      'GET',
      '/v1/contacts/uz-001',
    );
    expect(record.body.verifiedAt).toBe(fixture.testApp.application.registry.todayIn('UZ'));
    await outboxSettled(fixture.testApp.application);
  }, 180_000);
});
