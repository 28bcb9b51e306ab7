// Stories of consultations nobody takes in time, contacts without a messenger, and sensitive
// consultations, with an accept window of seconds (CONSULTATION_ACCEPT_WITHIN_SECONDS) so the
// deadlines (BullMQ delayed jobs) really fire.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  press,
  sendOnLeave,
  telegramPerson,
  textsIn,
  waitForConsultation,
  waitForMessage,
  type ConsultationDetailBody,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { deadlineJobId } from '../src/consultations/index.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import { everythingTelegramSaw, leakedWords } from './support/leak-search.ts';
import { createTestClock } from './support/test-clock.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

const acceptWithinSeconds = 3;
/**
 * The application's clock: today (sendOnLeave dates a leave from today), moved forward where a
 * story needs time to pass without waiting.
 */
const clock = createTestClock(new Date());
const retentionSeconds = 4;
let emulator: TelegramEmulator;
let testApp: TestApp;
let bakyt: TelegramPerson;
let nurbek: TelegramPerson;
let kgCoordinator: TelegramPerson;
let kzCoordinator: TelegramPerson;

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('consult_routing', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      CONSULTATION_ACCEPT_WITHIN_SECONDS: String(acceptWithinSeconds),
      RECONCILE_INTERVAL_SECONDS: '60',
      CONSULTATION_BODY_RETENTION: `PT${retentionSeconds}S`,
    },
  });
  bakyt = await telegramPerson(testApp, emulator, {
    name: 'Bakyt Member',
    country: 'KG',
    contactId: 'kg-001',
  });
  nurbek = await telegramPerson(testApp, emulator, {
    name: 'Nurbek Member',
    country: 'KG',
    contactId: 'kg-003',
  });
  kgCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Kyrgyz Coordinator',
    country: 'KG',
    role: 'coordinator',
  });
  kzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Kazakh Coordinator',
    country: 'KZ',
    role: 'coordinator',
  });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const start = (person: TelegramPerson, body: Record<string, unknown>) =>
  api<ConsultationDetailBody>(testApp, person.token, 'POST', '/v1/consultations', body);

describe('a consultation nobody accepts in time', () => {
  it('moves to the next contact (the deputy of one on leave), then the coordinator, then ends, keeping the asker informed', async () => {
    await sendOnLeave(testApp, 'kg-002');
    const asker = await telegramPerson(testApp, emulator, { name: 'Patient Asker', country: 'UZ' });
    const started = await start(asker, {
      country: 'KG',
      competence: 'mla',
      description: 'Can you serve documents by post?',
    });
    expect(started.status).toBe(201);
    const ref = started.body.ref;
    // MLA in Kyrgyzstan: Nurbek is in office; Aigul is on leave, so her deputy Bakyt comes next.
    expect(started.body.routes).toMatchObject([{ kind: 'contact', contactId: 'kg-003' }]);
    await waitForMessage(emulator, nurbek.chat, `Consultation request ${ref}`);
    await waitForMessage(emulator, asker.chat, `Consultation ${ref} is on its way to Nurbek Demo-Usenov`);

    await waitForMessage(
      emulator,
      asker.chat,
      `Nobody accepted consultation ${ref} in time, so it now goes to Bakyt Demo-Toktogulov`,
      { timeoutMs: 45_000 },
    );
    await waitForMessage(emulator, nurbek.chat, `Consultation ${ref} moved on to someone else`);
    const atDeputy = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    expect(atDeputy.text).toContain('You receive it as the deputy of Aigul Demo-Asanova');

    await waitForMessage(emulator, asker.chat, `it now goes to the national coordinator of Kyrgyzstan`, {
      timeoutMs: 45_000,
    });
    const atCoordinator = await waitForMessage(emulator, kgCoordinator.chat, `Consultation request ${ref}`);
    expect(atCoordinator.text).toContain('nobody accepted it in time');

    await waitForMessage(
      emulator,
      asker.chat,
      `Nobody accepted consultation ${ref}, not even the national coordinator`,
      { timeoutMs: 45_000 },
    );
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'expired');
    expect(detail.routes.map((route) => [route.kind, route.contactId, route.reason, route.outcome])).toEqual([
      ['contact', 'kg-003', 'initial', 'timed_out'],
      ['deputy', 'kg-001', 'timeout', 'timed_out'],
      ['coordinator', null, 'timeout', 'timed_out'],
    ]);
    // The step that timed out can no longer be accepted.
    press(emulator, bakyt, atDeputy, 'consult:accept:');
    await waitForMessage(emulator, bakyt.chat, `Consultation ${ref} is no longer waiting for you`);
  });
});

describe('a contact with no linked messenger', () => {
  it('sends the consultation to the country’s coordinator, tells the asker, and the coordinator can take it (texts kept only for the retention period)', async () => {
    const asker = await telegramPerson(testApp, emulator, { name: 'Asset Asker', country: 'KG' });
    // Asset recovery in Kazakhstan: Yerlan (kz-003) is nobody's account.
    const started = await start(asker, {
      country: 'KZ',
      competence: 'asset_recovery',
      description: 'Freezing orders: what evidence threshold?',
    });
    const ref = started.body.ref;
    expect(started.body.routes).toMatchObject([
      {
        kind: 'coordinator',
        reason: 'no_messenger',
        contactId: 'kz-003',
        memberIds: [kzCoordinator.member.id],
      },
    ]);
    const told = await waitForMessage(
      emulator,
      asker.chat,
      `consultation ${ref} went to the national coordinator of Kazakhstan`,
    );
    expect(told.text).toContain('Yerlan Demo-Abenov cannot be reached through a messenger');
    const request = await waitForMessage(emulator, kzCoordinator.chat, `Consultation request ${ref}`);
    expect(request.text).toContain('Freezing orders: what evidence threshold?');
    expect(request.text).toContain('Yerlan Demo-Abenov cannot be reached through a messenger');
    press(emulator, kzCoordinator, request, 'consult:accept:');
    await waitForMessage(
      emulator,
      asker.chat,
      `Kazakh Coordinator (Kazakhstan) accepted consultation ${ref}`,
    );
    emulator.sendUserMessage(
      kzCoordinator.user,
      kzCoordinator.chat,
      'Send me the court order, I will check.',
    );
    await waitForMessage(
      emulator,
      asker.chat,
      `[${ref}] Kazakh Coordinator (Kazakhstan):\nSend me the court order, I will check.`,
    );

    // This deployment keeps bodies for a retention period: encrypted at rest, bound to the record.
    const db = testApp.database.handle.db;
    const storedNow = async () => [
      ...((await db.execute<{ body: string | null; description: string | null }>(
        sql`select m.body_ciphertext as body, c.description_ciphertext as description
            from consultation_messages m join consultations c on c.id = m.consultation_id where c.number = ${Number(ref.slice(2))}`,
      )) as Iterable<{ body: string | null; description: string | null }>),
    ];
    const [kept] = await storedNow();
    expect(kept?.body).toEqual(expect.any(String));
    expect(kept?.description).toEqual(expect.any(String));
    expect(Buffer.from(kept!.body!, 'base64').toString('latin1')).not.toContain('court order');
    expect(Buffer.from(kept!.description!, 'base64').toString('latin1')).not.toContain('Freezing');

    // Accepted, so the deadline no longer runs: its timer fires (wait until the job is done) and
    // moves nothing on. Then the application's clock moves past the accept window and the
    // retention period, and a reconciler pass (which handles deadlines Postgres says have passed)
    // still moves nothing on, but purges the texts; the metadata stays.
    const [consultation] = [
      ...((await db.execute<{ id: string; route_seq: number }>(
        sql`select id, route_seq from consultations where number = ${Number(ref.slice(2))}`,
      )) as Iterable<{ id: string; route_seq: number }>),
    ];
    const deadlines = testApp.application.queues.queue('consultationDeadlines');
    await eventually(async () => {
      const job = await deadlines.getJob(deadlineJobId(consultation!.id, consultation!.route_seq));
      const state = job === undefined ? 'removed' : await job.getState();
      return state === 'completed' || state === 'removed' ? true : undefined;
    }, `the accept deadline timer of ${ref} to fire`);
    clock.advance((Math.max(acceptWithinSeconds, retentionSeconds) + 1) * 1000);
    await testApp.application.consultations.reconcileNow();
    expect(await storedNow()).toEqual([{ body: null, description: null }]);
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'accepted');
    expect(detail.routes).toHaveLength(1);
    expect(detail.messageLog).toMatchObject([
      { from: 'counterpart', length: 'Send me the court order, I will check.'.length },
    ]);
    await api(testApp, asker.token, 'POST', `/v1/consultations/${ref}/close`);
    await waitForMessage(emulator, kzCoordinator.chat, `Asset Asker closed consultation ${ref}`);
  });
});

describe('a sensitive consultation', () => {
  it('cannot be started with a description typed into Telegram', async () => {
    const asker = await telegramPerson(testApp, emulator, { name: 'Careful Asker', country: 'KZ' });
    emulator.sendUserMessage(asker.user, asker.chat, '/consult KG extradition');
    const question = await waitForMessage(emulator, asker.chat, 'Is this consultation sensitive?');
    press(emulator, asker, question, 'consult:sens:y');
    await waitForMessage(
      emulator,
      asker.chat,
      'Sensitive consultations take place in end-to-end encrypted Matrix chats only',
    );
    const total = await api<{ total: number }>(testApp, asker.token, 'GET', '/v1/consultations');
    expect(total.body.total).toBe(0);
  });

  it('never carries its content to Telegram: the counterpart there gets a notice to move to Matrix', async () => {
    const asker = await telegramPerson(testApp, emulator, { name: 'Secret Asker', country: 'TJ' });
    const secret = 'The suspect is Mr Xanthopoulos, born 19800412, IBAN 400012-123456789';
    const started = await start(asker, {
      country: 'KG',
      competence: 'extradition',
      description: secret,
      sensitive: true,
    });
    expect(started.status).toBe(201);
    const ref = started.body.ref;
    expect(started.body.sensitive).toBe(true);
    const request = await waitForMessage(emulator, bakyt.chat, `Sensitive consultation request ${ref}`);
    expect(request.text).toContain('shown only in end-to-end encrypted Matrix chats');
    press(emulator, bakyt, request, 'consult:accept:');
    await waitForMessage(emulator, bakyt.chat, `You accepted sensitive consultation ${ref}`);

    emulator.sendUserMessage(bakyt.user, bakyt.chat, 'The arrest warrant is 77/2031');
    await waitForMessage(
      emulator,
      bakyt.chat,
      `Consultation ${ref} is sensitive: send your messages from Matrix. This message was not relayed.`,
    );
    emulator.sendUserMessage(asker.user, asker.chat, 'His passport is AB123456');
    await waitForMessage(
      emulator,
      asker.chat,
      `Consultation ${ref} is sensitive: send your messages from Matrix.`,
    );

    // Each distinctive word of what was said, in every call the bot made to Telegram (messages,
    // edits, callback answers), once every push has been delivered.
    await outboxSettled(testApp.application);
    expect(
      leakedWords(
        [secret, 'The arrest warrant is 77/20319461', 'His passport is AB123456'],
        everythingTelegramSaw(emulator),
      ),
    ).toEqual([]);
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'accepted');
    expect(detail.messages).toEqual({ fromAsker: 0, fromCounterpart: 0 });
    expect(textsIn(emulator, asker.chat).some((text) => text.includes('Bakyt Demo-Toktogulov'))).toBe(true);
    await api(testApp, asker.token, 'POST', `/v1/consultations/${ref}/close`);
  });
});
