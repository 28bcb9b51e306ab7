// Stories of informal consultations between members on Telegram: a real grammY bot run by the
// application against the Bot API emulator, real Postgres and Redis, pushes through the outbox.
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
import { outboxSettled } from './support/eventually.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
/** Bakyt, the person behind kg-001 (head of extradition, Kyrgyzstan). */
let bakyt: TelegramPerson;
/** Nurbek, behind kg-003 (asset recovery, e-evidence, MLA), same authority as Bakyt. */
let nurbek: TelegramPerson;

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('consult_tg', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      RECONCILE_INTERVAL_SECONDS: '2',
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
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const countOf = (person: TelegramPerson, needle: string | RegExp): number =>
  textsIn(emulator, person.chat).filter((text) =>
    typeof needle === 'string' ? text.includes(needle) : needle.test(text),
  ).length;

const startedNotice = /Consultation C-\d+ is on its way|consultation C-\d+ went to the national coordinator/;

/** Starts a consultation in chat with `/consult`, answering the guided questions; resolves to its reference. */
async function consultInChat(asker: TelegramPerson, command: string, description: string): Promise<string> {
  const asked = countOf(asker, 'Is this consultation sensitive?');
  emulator.sendUserMessage(asker.user, asker.chat, command);
  const sensitivity = await waitForMessage(emulator, asker.chat, 'Is this consultation sensitive?', {
    count: asked + 1,
  });
  const prompted = countOf(asker, 'Describe your question');
  press(emulator, asker, sensitivity, 'consult:sens:n');
  await waitForMessage(emulator, asker.chat, 'Describe your question', { count: prompted + 1 });
  const started = countOf(asker, startedNotice);
  emulator.sendUserMessage(asker.user, asker.chat, description);
  const notice = await waitForMessage(emulator, asker.chat, startedNotice, { count: started + 1 });
  const ref = /C-\d+/.exec(notice.text ?? '')?.[0];
  if (ref === undefined) throw new Error(`no reference in "${notice.text ?? ''}"`);
  return ref;
}

describe('a consultation between two members on Telegram', () => {
  it('is routed to the head of extradition, accepted, relayed three messages each way in order, and closed', async () => {
    const dana = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
    const ref = await consultInChat(
      dana,
      '/consult KG extradition',
      'Before I send a formal request for bank records, what do you need from me?',
    );
    expect(textsIn(emulator, dana.chat).at(-1)).toContain(
      `Consultation ${ref} is on its way to Bakyt Demo-Toktogulov`,
    );

    // Bakyt gets the question on his own messenger, with the description and three choices.
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    expect(request.text).toContain('Dana Asker');
    expect(request.text).toContain('what do you need from me?');
    expect(emulator.buttons(request).map((button) => button.text)).toEqual([
      'Accept',
      'Decline',
      'Forward to a colleague',
    ]);
    press(emulator, bakyt, request, `consult:accept:`);
    await waitForMessage(emulator, bakyt.chat, `You accepted consultation ${ref}`);
    const accepted = await waitForMessage(emulator, dana.chat, `accepted consultation ${ref}`);
    expect(accepted.text).toContain('Bakyt Demo-Toktogulov (General Prosecutor');

    for (let i = 1; i <= 3; i++) emulator.sendUserMessage(dana.user, dana.chat, `asker message ${i}`);
    for (let i = 1; i <= 3; i++) emulator.sendUserMessage(bakyt.user, bakyt.chat, `counterpart message ${i}`);
    await waitForMessage(emulator, bakyt.chat, 'asker message 3');
    await waitForMessage(emulator, dana.chat, 'counterpart message 3');

    // Each side reads the other's messages exactly once, in order, marked with the consultation,
    // the sender's name and authority, and threaded under the conversation's first message.
    const atBakyt = emulator
      .sentMessages(bakyt.chat)
      .filter((message) => (message.text ?? '').includes('asker message'));
    expect(atBakyt.map((message) => message.text)).toEqual(
      [1, 2, 3].map((i) => `[${ref}] Dana Asker (Kazakhstan):\nasker message ${i}`),
    );
    for (const message of atBakyt) expect(message.reply_to_message?.message_id).toBe(request.message_id);
    const atDana = emulator
      .sentMessages(dana.chat)
      .filter((message) => (message.text ?? '').includes('counterpart message'));
    expect(atDana.map((message) => message.text?.split('\n')[1])).toEqual(
      [1, 2, 3].map((i) => `counterpart message ${i}`),
    );
    expect(atDana[0]?.text).toMatch(new RegExp(`^\\[${ref}\\] Bakyt Demo-Toktogulov \\(General Prosecutor`));
    for (const message of atDana) expect(message.reply_to_message?.message_id).toBe(accepted.message_id);

    // Dana answers Bakyt's second message with a Telegram reply: it still goes to him.
    emulator.sendUserMessage(dana.user, dana.chat, 'a reply to your second', {
      replyTo: atDana[1]!.message_id,
    });
    await waitForMessage(emulator, bakyt.chat, 'a reply to your second');

    emulator.sendUserMessage(dana.user, dana.chat, '/close');
    await waitForMessage(emulator, dana.chat, `Consultation ${ref} is closed`);
    await waitForMessage(emulator, bakyt.chat, `Dana Asker closed consultation ${ref}`);

    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'closed');
    expect(detail.messages).toEqual({ fromAsker: 4, fromCounterpart: 3 });
    expect(detail.counterpart?.contactId).toBe('kg-001');
    expect(detail.firstAnswerAt).not.toBeNull();
    // Both sides wrote at once, so only each side's own order is fixed; the log numbers them 1..7.
    expect(detail.messageLog.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(detail.messageLog.filter((entry) => entry.from === 'asker').map((entry) => entry.length)).toEqual([
      15,
      15,
      15,
      'a reply to your second'.length,
    ]);
    expect(detail.messageLog.every((entry) => entry.platform === 'telegram' && entry.relayed)).toBe(true);
    // Metadata only: neither the API nor the audit log carries a message body.
    expect(JSON.stringify(detail)).not.toContain('asker message');
    const audit = await testApp.database.handle.db.execute(
      sql`select details from audit_log where action like 'consultation.%'`,
    );
    expect(JSON.stringify(audit)).not.toContain('asker message');
    expect(JSON.stringify(audit)).not.toContain('bank records');

    // Without a retention period nothing of the content stays at rest: no bodies, and the
    // description went once the consultation was accepted.
    const stored = (await testApp.database.handle.db.execute<{ bodies: number; descriptions: number }>(
      sql`select (select count(*)::int from consultation_messages where body_ciphertext is not null) as bodies,
                 (select count(*)::int from consultations where description_ciphertext is not null and status <> 'pending') as descriptions`,
    )) as Iterable<{ bodies: number; descriptions: number }>;
    expect([...stored]).toEqual([{ bodies: 0, descriptions: 0 }]);

    // Once closed, Dana's next message is an ordinary question again, not relayed.
    const atBakytBefore = emulator.sentMessages(bakyt.chat).length;
    emulator.sendUserMessage(dana.user, dana.chat, 'who handles MLA in Uzbekistan');
    await waitForMessage(emulator, dana.chat, 'Dilnoza Demo-Rashidova');
    expect(emulator.sentMessages(bakyt.chat)).toHaveLength(atBakytBefore);
  });

  it('is declined with a reason the asker reads', async () => {
    const timur = await telegramPerson(testApp, emulator, { name: 'Timur Asker', country: 'UZ' });
    // Country and competence in free words, as the ask module reads them.
    const ref = await consultInChat(
      timur,
      '/consult экстрадиция в Киргизию',
      'Is a provisional arrest request possible before the formal one?',
    );
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    press(emulator, bakyt, request, 'consult:decline:');
    await waitForMessage(emulator, bakyt.chat, `Why do you decline consultation ${ref}?`);
    emulator.sendUserMessage(
      bakyt.user,
      bakyt.chat,
      'Provisional arrest goes through Interpol; please contact the NCB.',
    );
    await waitForMessage(emulator, bakyt.chat, `You declined consultation ${ref}`);
    const declined = await waitForMessage(emulator, timur.chat, `declined consultation ${ref}`);
    expect(declined.text).toContain(
      'Reason: Provisional arrest goes through Interpol; please contact the NCB.',
    );
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'declined');
    expect(detail.routes.map((route) => route.outcome)).toEqual(['declined']);
  });

  it('is forwarded by the contact to a colleague of the same authority, who accepts', async () => {
    const aliya = await telegramPerson(testApp, emulator, { name: 'Aliya Asker', country: 'KZ' });
    // She starts from the answer to her question: its button carries the country and competence.
    emulator.sendUserMessage(aliya.user, aliya.chat, 'who handles extradition in Kyrgyzstan');
    const answer = await waitForMessage(emulator, aliya.chat, 'Bakyt Demo-Toktogulov');
    press(emulator, aliya, answer, 'consult:start:KG:extradition');
    press(
      emulator,
      aliya,
      await waitForMessage(emulator, aliya.chat, 'Is this consultation sensitive?'),
      'consult:sens:n',
    );
    await waitForMessage(
      emulator,
      aliya.chat,
      'Describe your question in a few sentences (Kyrgyzstan, Extradition)',
    );
    emulator.sendUserMessage(
      aliya.user,
      aliya.chat,
      'Which documents prove dual criminality for cyber fraud?',
    );
    const ref = /C-\d+/.exec((await waitForMessage(emulator, aliya.chat, startedNotice)).text ?? '')![0];
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    press(emulator, bakyt, request, 'consult:forward:');
    const choice = await waitForMessage(emulator, bakyt.chat, `Forward consultation ${ref} to:`);
    // Colleagues of the same authority, active only: the retired former head is not offered.
    const offered = emulator.buttons(choice).map((button) => button.text);
    expect(offered).toContain('Nurbek Demo-Usenov');
    expect(offered).not.toContain('Emil Demo-Sydykov');
    press(emulator, bakyt, choice, `consult:fwd:${ref.slice(2)}:kg-003`);
    await waitForMessage(emulator, bakyt.chat, `Consultation ${ref} is forwarded to Nurbek Demo-Usenov`);
    await waitForMessage(
      emulator,
      aliya.chat,
      `Bakyt Demo-Toktogulov forwarded consultation ${ref} to Nurbek Demo-Usenov`,
    );
    const forwarded = await waitForMessage(emulator, nurbek.chat, `Consultation request ${ref}`);
    expect(forwarded.text).toContain('Bakyt Demo-Toktogulov forwarded it to you.');
    expect(forwarded.text).toContain('dual criminality');

    // The first recipient can no longer act on it.
    press(emulator, bakyt, request, 'consult:accept:');
    await waitForMessage(emulator, bakyt.chat, `Consultation ${ref} is no longer waiting for you`);

    press(emulator, nurbek, forwarded, 'consult:accept:');
    await waitForMessage(emulator, aliya.chat, `Nurbek Demo-Usenov (General Prosecutor`);
    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'accepted');
    expect(detail.routes.map((route) => [route.contactId, route.reason, route.outcome])).toEqual([
      ['kg-001', 'initial', 'forwarded'],
      ['kg-003', 'forwarded', 'accepted'],
    ]);
    expect(detail.counterpart?.contactId).toBe('kg-003');
    await api(testApp, aliya.token, 'POST', `/v1/consultations/${ref}/close`);
  });

  it('goes to the deputy when the contact asked for is on leave', async () => {
    await sendOnLeave(testApp, 'kg-002');
    const sara = await telegramPerson(testApp, emulator, { name: 'Sara Asker', country: 'KZ' });
    const started = await api<ConsultationDetailBody>(testApp, sara.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      contactId: 'kg-002',
      description: 'Can the surrender hearing be held by video link?',
    });
    expect(started.status).toBe(201);
    expect(started.body.routes).toMatchObject([
      { kind: 'deputy', contactId: 'kg-001', standingInFor: 'kg-002', memberIds: [bakyt.member.id] },
    ]);
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${started.body.ref}`);
    expect(request.text).toContain('You receive it as the deputy of Aigul Demo-Asanova, who is away.');
    await waitForMessage(emulator, sara.chat, `stands in for Aigul Demo-Asanova`);
    await api(testApp, sara.token, 'POST', `/v1/consultations/${started.body.ref}/close`);
    await waitForMessage(emulator, bakyt.chat, `The asker withdrew consultation ${started.body.ref}`);
  });

  it('lets a member with two open consultations choose where a message goes', async () => {
    const olga = await telegramPerson(testApp, emulator, { name: 'Olga Asker', country: 'KZ' });
    const first = await consultInChat(olga, '/consult KG extradition', 'First question');
    press(
      emulator,
      bakyt,
      await waitForMessage(emulator, bakyt.chat, `Consultation request ${first}`),
      'consult:accept:',
    );
    const second = await consultInChat(olga, '/consult KG asset_recovery', 'Second question');
    press(
      emulator,
      nurbek,
      await waitForMessage(emulator, nurbek.chat, `Consultation request ${second}`),
      'consult:accept:',
    );
    await waitForMessage(emulator, olga.chat, `accepted consultation ${second}`);

    emulator.sendUserMessage(olga.user, olga.chat, 'which one is this for?');
    const choose = await waitForMessage(emulator, olga.chat, 'You have several open consultations');
    expect(emulator.buttons(choose).map((button) => button.text)).toEqual([
      `${first}: Bakyt Demo-Toktogulov`,
      `${second}: Nurbek Demo-Usenov`,
    ]);
    press(emulator, olga, choose, `consult:to:${second.slice(2)}`);
    await waitForMessage(
      emulator,
      nurbek.chat,
      `[${second}] Olga Asker (Kazakhstan):\nwhich one is this for?`,
    );
    expect(textsIn(emulator, bakyt.chat).some((text) => text.includes('which one is this for?'))).toBe(false);

    // /close with two open: she picks which.
    emulator.sendUserMessage(olga.user, olga.chat, '/close');
    const closeChoice = await waitForMessage(emulator, olga.chat, 'Which consultation do you want to close?');
    press(emulator, olga, closeChoice, `consult:close:${first.slice(2)}`);
    await waitForMessage(emulator, bakyt.chat, `Olga Asker closed consultation ${first}`);
    // Now one is left: her messages go there without asking.
    emulator.sendUserMessage(olga.user, olga.chat, 'only one left');
    await waitForMessage(emulator, nurbek.chat, 'only one left');
    await api(testApp, olga.token, 'POST', `/v1/consultations/${second}/close`);
  });

  it('never lets an unknown account or an outsider inject messages or act on a consultation', async () => {
    const kamila = await telegramPerson(testApp, emulator, { name: 'Kamila Asker', country: 'KZ' });
    const ref = await consultInChat(kamila, '/consult KG extradition', 'A question for Bakyt');
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${ref}`);
    press(emulator, bakyt, request, 'consult:accept:');
    await waitForMessage(emulator, kamila.chat, `accepted consultation ${ref}`);
    const atBakyt = emulator.sentMessages(bakyt.chat).length;
    const atKamila = emulator.sentMessages(kamila.chat).length;

    // A stranger (never linked) writes to the bot and replays the consultation's buttons.
    const stranger = emulator.createUser({ firstName: 'Stranger', languageCode: 'en' });
    const strangerChat = emulator.privateChat(stranger);
    emulator.sendUserMessage(stranger, strangerChat, 'hello, relay this please');
    await waitForMessage(emulator, strangerChat, 'this account is not linked to a member yet');
    // A button under an inline message carries no chat: the bot answers the presser privately.
    emulator.injectUpdate({
      callback_query: {
        id: 'forged-1',
        from: stranger,
        chat_instance: 'x',
        data: `consult:close:${ref.slice(2)}`,
      },
    });
    await waitForMessage(emulator, strangerChat, 'this account is not linked', { count: 2 });

    // A linked member who is not part of it presses forged buttons.
    const outsider = await telegramPerson(testApp, emulator, { name: 'Outsider Member', country: 'TJ' });
    for (const action of [
      `consult:close:${ref.slice(2)}`,
      `consult:accept:${ref.slice(2)}`,
      `consult:to:${ref.slice(2)}`,
    ]) {
      emulator.injectUpdate({
        callback_query: { id: `forged-${action}`, from: outsider.user, chat_instance: 'y', data: action },
      });
    }
    await waitForMessage(emulator, outsider.chat, /not yours|no longer held|no longer waiting/, { count: 3 });
    const outsiderSeen = emulator.sentMessages(outsider.chat).length;
    emulator.sendUserMessage(outsider.user, outsider.chat, 'let me in');
    // Counted only once the bot has answered that message (the outsider's chat is handled in
    // order) and every push it queued has been delivered: a relay would be there by now.
    await emulator.waitForMessages(outsider.chat, outsiderSeen + 1);
    await outboxSettled(testApp.application);

    const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'accepted');
    expect(detail.messages).toEqual({ fromAsker: 0, fromCounterpart: 0 });
    expect(emulator.sentMessages(bakyt.chat)).toHaveLength(atBakyt);
    expect(emulator.sentMessages(kamila.chat)).toHaveLength(atKamila);
    const outsiderView = await api(testApp, outsider.token, 'GET', `/v1/consultations/${ref}`);
    expect(outsiderView.status).toBe(404);
    await api(testApp, kamila.token, 'POST', `/v1/consultations/${ref}/close`);
  });
});

describe('the consultations API', () => {
  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const person = await telegramPerson(testApp, emulator, { name: 'Api Asker', country: 'KZ' });
    const before = await api<{ total: number }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/consultations?scope=all',
    );
    const cases: [Record<string, unknown>, number][] = [
      [{ country: 'XX', competence: 'extradition', description: 'x' }, 400],
      [{ country: 'KG', competence: 'piracy', description: 'x' }, 400],
      [{ country: 'KG', competence: 'extradition', description: '' }, 400],
      [{ country: 'KG', competence: 'extradition', description: 'x'.repeat(2001) }, 400],
      [{ country: 'KG', competence: 'extradition', description: 'x', contactId: 'uz-001' }, 400],
      [{ country: 'KG', competence: 'extradition', description: 'x', extra: true }, 400],
    ];
    for (const [payload, status] of cases) {
      const response = await api<{ error: { code: string } }>(
        testApp,
        person.token,
        'POST',
        '/v1/consultations',
        payload,
      );
      expect(response.status, JSON.stringify(payload)).toBe(status);
      expect(response.body.error.code).toMatch(/validation_failed|bad_request/);
    }
    expect((await api(testApp, person.token, 'POST', '/v1/consultations/C-999999/accept')).status).toBe(404);
    expect((await api(testApp, person.token, 'GET', '/v1/consultations?scope=all')).status).toBe(403);
    expect((await api(testApp, person.token, 'GET', '/v1/consultations/stats')).status).toBe(403);
    const after = await api<{ total: number }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/consultations?scope=all',
    );
    expect(after.body.total).toBe(before.body.total);
  });

  it('lists mine, my country’s and all by role, and reports time to first answer by country and competence', async () => {
    const coordinator = await telegramPerson(testApp, emulator, {
      name: 'KG Coordinator',
      country: 'KG',
      role: 'coordinator',
    });
    const mine = await api<{ items: { ref: string; asker: { memberId: string }; counterpart: unknown }[] }>(
      testApp,
      bakyt.token,
      'GET',
      '/v1/consultations',
    );
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    const country = await api<{ items: { ref: string; country: string; asker: { country: string } }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/consultations?scope=country',
    );
    // Kyrgyzstan's coordinator sees every consultation of Bakyt (kg-001), and only Kyrgyz ones.
    expect(country.body.items.map((item) => item.ref)).toEqual(
      expect.arrayContaining(mine.body.items.map((item) => item.ref)),
    );
    expect(country.body.items.every((item) => item.country === 'KG' || item.asker.country === 'KG')).toBe(
      true,
    );
    const stats = await api<{
      items: {
        country: string;
        competence: string;
        consultations: number;
        answered: number;
        medianSeconds: number | null;
        p90Seconds: number | null;
      }[];
    }>(testApp, testApp.adminToken, 'GET', '/v1/consultations/stats?country=KG');
    const extradition = stats.body.items.find((item) => item.competence === 'extradition');
    expect(extradition?.consultations).toBeGreaterThanOrEqual(4);
    expect(extradition?.answered).toBeGreaterThanOrEqual(2);
    expect(extradition?.medianSeconds).toBeGreaterThanOrEqual(0);
    expect(extradition!.p90Seconds!).toBeGreaterThanOrEqual(extradition!.medianSeconds!);
  });
});
