// Handover story: Bakyt (kg-001, on Matrix) retires with Nurbek (kg-003, on Telegram) as his
// successor while he holds two consultations (one sensitive, its request in his encrypted Matrix
// room) and three pending requests. One transaction moves everything; every item moves once, every
// party is told once, and the nudges go on for Nurbek on the schedule they had.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, identities } from '../src/db/schema.ts';
import { createInvite, createMember, createToken, type CreatedMember } from './support/chat-fixtures.ts';
import {
  api,
  telegramPerson,
  textsIn,
  waitForConsultation,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { outboxSettled } from './support/eventually.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import { startTestMatrixUser, type TestMatrixUser } from './support/matrix-test-client.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

let homeserver: TestHomeserver;
let emulator: TelegramEmulator;
let testApp: TestApp;
let botUserId: string;
let bakyt: { member: CreatedMember; token: string; user: TestMatrixUser; dm: string };
let nurbek: TelegramPerson;
let dana: TelegramPerson;
let coordinator: TelegramPerson;

// The first nudge is due an hour after sending, so always after the retirement: the test moves the
// application's clock past it and lets the armed nudge timers fire (no real hour, and no race
// between the retirement and a short real-time delay). Then none for another day.
const policies = `
default: { firstNudgeAfter: PT1H, repeatEvery: P1D, escalateAfterUnanswered: 0 }
extradition: { firstNudgeAfter: PT1H, repeatEvery: P1D, escalateAfterUnanswered: 0 }
`;
const hour = 3_600_000;
// The demo day (kg-002 on leave naming Bakyt as deputy), whatever today's date.
const clock = createTestClock(demoDay);
const aroundTheClock = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  emulator = await startTelegramEmulator();
  botUserId = homeserver.registerUser('counterpart', 'bot-account-password').userId;
  // The bot's account is exempt from the message rate limit, as the README advises operators to
  // arrange (Synapse's override_ratelimit); matrix-rate-limit.test.ts runs it without.
  homeserver.exemptFromRateLimit(botUserId);
  const directory = mkdtempSync(join(tmpdir(), 'handover-'));
  writeFileSync(join(directory, 'policies.yaml'), policies);
  testApp = await startTestApp('handover', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      MATRIX_HOMESERVER_URL: homeserver.url,
      MATRIX_USER_ID: botUserId,
      MATRIX_PASSWORD: 'bot-account-password',
      MATRIX_STORE_KEY: 'matrix-store-key-for-handover-tests-0123456',
      NUDGE_POLICIES_FILE: join(directory, 'policies.yaml'),
      RECONCILE_INTERVAL_SECONDS: '2',
      WORKER_LOCK_SECONDS: '4',
    },
  });
  for (const contact of ['kg-001', 'kg-003']) {
    const patched = await testApp.application.app.inject({
      method: 'PATCH',
      url: `/v1/contacts/${contact}`,
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: { workingHours: aroundTheClock },
    });
    expect(patched.statusCode, patched.body).toBe(200);
  }
  const deadline = Date.now() + 20_000;
  while (testApp.application.bots.matrix?.status() !== 'syncing') {
    if (Date.now() > deadline) throw new Error('the Matrix bot never synced');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
  bakyt = { member, token: await createToken(testApp, member.id), user, dm };
  nurbek = await telegramPerson(testApp, emulator, {
    name: 'Nurbek Member',
    country: 'KG',
    contactId: 'kg-003',
  });
  dana = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Kyrgyz Coordinator',
    country: 'KG',
    role: 'coordinator',
  });
}, 120_000);

afterAll(async () => {
  await bakyt.user.stop();
  await testApp.close();
  await emulator.close();
  await homeserver.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

const count = (texts: string[], needle: string) => texts.filter((text) => text.includes(needle)).length;

describe('a contact retires with a successor', () => {
  it('moves two consultations and three requests once each, tells everyone once, and the nudges go on', async () => {
    // Two consultations for Bakyt: one he accepted, one sensitive still waiting in his Matrix room.
    const open = await api<{ ref: string }>(testApp, dana.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      contactId: 'kg-001',
      description: 'Which documents do you need for a provisional arrest?',
    });
    expect(open.status).toBe(201);
    const accepted = await api(testApp, bakyt.token, 'POST', `/v1/consultations/${open.body.ref}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const sensitive = await api<{ ref: string }>(testApp, dana.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      contactId: 'kg-001',
      sensitive: true,
      description: 'The person sought is an informant; how do we proceed?',
    });
    expect(sensitive.status).toBe(201);
    const inMatrix = await bakyt.user.waitForMessage(
      (message) =>
        message.roomId === bakyt.dm && String(message.content.body).includes(`request ${sensitive.body.ref}`),
    );
    expect(inMatrix.encrypted).toBe(true);

    // Three pending extradition requests addressed to Bakyt.
    const requestIds: string[] = [];
    for (const reference of ['KZ-EXT-1', 'KZ-EXT-2', 'KZ-EXT-3']) {
      const created = await api<{ id: string; nextNudgeAt: string }>(
        testApp,
        dana.token,
        'POST',
        '/v1/requests',
        {
          type: 'extradition',
          toCountry: 'KG',
          contactId: 'kg-001',
          ourReference: reference,
          subject: 'Provisional arrest',
          sentAt: clock.now().toISOString(),
        },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      requestIds.push(created.body.id);
    }
    const before = await Promise.all(
      requestIds.map(
        async (id) =>
          (await api<{ nextNudgeAt: string }>(testApp, dana.token, 'GET', `/v1/requests/${id}`)).body,
      ),
    );

    const coordinatorToken = coordinator.token;
    const retired = await api<{
      consultations: { ref: string; to: string }[];
      requests: { requestId: string; to: string; nextNudgeAt: string }[];
      deputyOf: string[];
    }>(testApp, coordinatorToken, 'POST', '/v1/contacts/kg-001/retire', { successorId: 'kg-003' });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect(retired.body.consultations.map((moved) => moved.ref).sort()).toEqual(
      [open.body.ref, sensitive.body.ref].sort(),
    );
    expect(retired.body.consultations.every((moved) => moved.to === 'kg-003')).toBe(true);
    expect(retired.body.requests.map((moved) => moved.requestId).sort()).toEqual([...requestIds].sort());
    expect(retired.body.requests.every((moved) => moved.to === 'kg-003')).toBe(true);
    // Kg-002 (on leave) names Bakyt as deputy: the coordinator hears about it.
    expect(retired.body.deputyOf).toEqual(['kg-002']);
    // The schedule continues where it was (both work around the clock, so no moving).
    for (const [index, moved] of retired.body.requests.entries()) {
      const previous = before[requestIds.indexOf(moved.requestId)];
      expect(moved.nextNudgeAt, `request ${String(index)}`).toBe(previous?.nextNudgeAt);
    }

    // A second retirement finds nothing to move.
    const again = await api(testApp, coordinatorToken, 'POST', '/v1/contacts/kg-001/retire', {
      successorId: 'kg-003',
    });
    expect(again.status).toBe(409);

    // Nurbek gets both consultations, the sensitive one without its description (Telegram is not encrypted).
    await waitForMessage(emulator, nurbek.chat, `Consultation request ${open.body.ref}`);
    await waitForMessage(emulator, nurbek.chat, `Sensitive consultation request ${sensitive.body.ref}`);
    // Dana hears about each consultation and each request.
    await waitForMessage(emulator, dana.chat, `consultation ${open.body.ref} now goes to Nurbek`);
    await waitForMessage(emulator, dana.chat, `consultation ${sensitive.body.ref} now goes to Nurbek`);
    for (const reference of ['KZ-EXT-1', 'KZ-EXT-2', 'KZ-EXT-3'])
      await waitForMessage(emulator, dana.chat, `your request ${reference} now goes to their successor`);
    await waitForMessage(emulator, coordinator.chat, 'still name them as deputy');

    // Nothing was nudged before its time.
    expect(textsIn(emulator, nurbek.chat).filter((text) => text.includes('Their reference'))).toEqual([]);

    // An hour later the nudges are due, on the schedule they had, and go to Nurbek. The timer jobs
    // armed for them (an hour ahead) are made to run now, as their delay running out would.
    clock.advance(hour + 60_000);
    await testApp.application.queues.queue('nudges').promoteJobs();
    for (const reference of ['KZ-EXT-1', 'KZ-EXT-2', 'KZ-EXT-3'])
      await waitForMessage(emulator, nurbek.chat, `Their reference: ${reference}`, { timeoutMs: 90_000 });

    // Every push (the handover's notices, the nudges) has reached its final state with its outcome
    // recorded, and a reconciler pass found nothing more to send: a second delivery of any of them
    // would be in the chats now. The next nudges are a day away.
    await outboxSettled(testApp.application);
    const atNurbek = textsIn(emulator, nurbek.chat);
    expect(count(atNurbek, `request ${open.body.ref}`)).toBe(1);
    expect(count(atNurbek, `request ${sensitive.body.ref}`)).toBe(1);
    expect(atNurbek.join('\n')).not.toContain('informant');
    const atDana = textsIn(emulator, dana.chat);
    expect(count(atDana, `consultation ${open.body.ref} now goes to`)).toBe(1);
    expect(count(atDana, `consultation ${sensitive.body.ref} now goes to`)).toBe(1);
    for (const reference of ['KZ-EXT-1', 'KZ-EXT-2', 'KZ-EXT-3'])
      expect(count(atDana, `your request ${reference} now goes to`)).toBe(1);
    expect(count(textsIn(emulator, coordinator.chat), 'still name them as deputy')).toBe(1);
    // Bakyt is never nudged: the requests are no longer his.
    expect(
      bakyt.user.received.filter((message) => String(message.content.body).includes('Their reference')),
    ).toEqual([]);

    // The consultations wait for Nurbek; the accepted one has lost its counterpart.
    for (const ref of [open.body.ref, sensitive.body.ref]) {
      const detail = await waitForConsultation(testApp, ref, (body) => body.status === 'rerouted');
      const last = detail.routes.at(-1);
      expect(last).toMatchObject({
        kind: 'contact',
        reason: 'handover',
        contactId: 'kg-003',
        outcome: 'waiting',
      });
      expect(detail.routes.filter((route) => route.reason === 'handover')).toHaveLength(1);
      expect(detail.counterpart).toBeNull();
    }
    // Nurbek takes over the conversation Bakyt had accepted.
    const taken = await api(testApp, nurbek.token, 'POST', `/v1/consultations/${open.body.ref}/accept`);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    await waitForMessage(emulator, dana.chat, `Nurbek Demo-Usenov`, { count: 2 });

    // Each request moved once, and says so in its history.
    for (const id of requestIds) {
      const detail = await api<{
        contactId: string;
        events: { kind: string; details: Record<string, unknown> }[];
      }>(testApp, dana.token, 'GET', `/v1/requests/${id}`);
      expect(detail.body.contactId).toBe('kg-003');
      expect(detail.body.events.filter((event) => event.kind === 'reassigned')).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ reason: 'handover', to: 'kg-003' }) }),
      ]);
    }

    // Bakyt keeps his Matrix link: it belongs to the member, not to the record.
    const links = await testApp.application.database.db
      .select()
      .from(identities)
      .where(eq(identities.memberId, bakyt.member.id));
    expect(links.map((link) => link.platform)).toEqual(['matrix']);

    // Everything is in the audit log.
    await testApp.application.audit.flush();
    const actions = (
      await testApp.application.database.db.select({ action: auditLog.action }).from(auditLog)
    ).map((entry) => entry.action);
    expect(actions.filter((action) => action === 'contact.retire')).toHaveLength(1);
    expect(actions.filter((action) => action === 'consultation.handover')).toHaveLength(2);
    expect(actions.filter((action) => action === 'request.handover')).toHaveLength(3);
  }, 150_000);

  it('refuses a successor from another country and a coordinator of another country', async () => {
    const foreign = await api(testApp, testApp.adminToken, 'POST', '/v1/contacts/kg-003/retire', {
      successorId: 'uz-001',
    });
    expect(foreign.status).toBe(400);
    const kazakh = await createMember(testApp, {
      name: 'Kazakh Coordinator',
      country: 'KZ',
      role: 'coordinator',
    });
    const token = await createToken(testApp, kazakh.id);
    const refused = await api(testApp, token, 'POST', '/v1/contacts/kg-003/retire', {});
    expect(refused.status).toBe(403);
  });
});

describe("a coordinator's edit retires a contact", () => {
  const remove = (id: string) =>
    testApp.application.app.inject({
      method: 'DELETE',
      url: `/v1/contacts/${id}`,
      headers: { authorization: `Bearer ${coordinator.token}` },
    });

  it('hands the work over as the retire action does, and a contact holding work cannot be removed', async () => {
    // Two new colleagues of Nurbek: Aigul (kg-010, on Telegram) and kg-011 (no messenger).
    const template = await api(testApp, coordinator.token, 'GET', '/v1/contacts/kg-003');
    const { verifiedAt: _at, verifiedBy: _by, deputy: _deputy, ...base } = template.body;
    for (const [id, name] of [
      ['kg-010', 'Aigul Demo-Asanova'],
      ['kg-011', 'Timur Demo-Osmonov'],
    ] as const) {
      const created = await api(testApp, coordinator.token, 'POST', '/v1/contacts', {
        ...base,
        id,
        name: { en: name },
        workingHours: aroundTheClock,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    await telegramPerson(testApp, emulator, { name: 'Aigul Member', country: 'KG', contactId: 'kg-010' });
    const consultation = await api<{ ref: string }>(testApp, dana.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'mla',
      contactId: 'kg-010',
      description: 'Can you hear a witness by video link?',
    });
    expect(consultation.status, JSON.stringify(consultation.body)).toBe(201);
    const requestTo = async (contactId: string, ourReference: string) => {
      const created = await api<{ id: string }>(testApp, dana.token, 'POST', '/v1/requests', {
        type: 'mla',
        toCountry: 'KG',
        contactId,
        ourReference,
        subject: 'Hearing of a witness',
        sentAt: clock.now().toISOString(),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id;
    };
    const aigulsRequest = await requestTo('kg-010', 'KZ-MLA-10');
    const timursRequest = await requestTo('kg-011', 'KZ-MLA-11');
    const requestOf = async (id: string) =>
      (
        await api<{ contactId: string | null; events: { kind: string; details: Record<string, unknown> }[] }>(
          testApp,
          dana.token,
          'GET',
          `/v1/requests/${id}`,
        )
      ).body;

    // Removing a contact that holds a pending request is refused: retire it first.
    const refused = await remove('kg-011');
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.body).toContain('retired first');
    expect(refused.body).toContain('kg-011');
    expect((await requestOf(timursRequest)).contactId).toBe('kg-011');

    // The coordinator edits Aigul's record to retired, naming Nurbek in the deputy field.
    const edited = await api<{ status: string; deputy: string }>(
      testApp,
      coordinator.token,
      'PATCH',
      '/v1/contacts/kg-010',
      { status: 'retired', deputy: 'kg-003' },
    );
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ status: 'retired', deputy: 'kg-003' });
    const detail = await waitForConsultation(testApp, consultation.body.ref, (body) =>
      body.routes.some((route) => route.reason === 'handover'),
    );
    expect(detail.routes.at(-1)).toMatchObject({
      reason: 'handover',
      contactId: 'kg-003',
      outcome: 'waiting',
    });
    const moved = await requestOf(aigulsRequest);
    expect(moved.contactId).toBe('kg-003');
    expect(moved.events.filter((event) => event.kind === 'reassigned')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'handover', to: 'kg-003' }) }),
    ]);
    await waitForMessage(emulator, nurbek.chat, `Consultation request ${consultation.body.ref}`);
    await waitForMessage(emulator, dana.chat, `consultation ${consultation.body.ref} now goes to Nurbek`);
    await waitForMessage(emulator, dana.chat, 'your request KZ-MLA-10 now goes to their successor');

    // Without a deputy in the edit, kg-011's request goes to the next in the ranking; then the
    // retired record holds nothing and may be removed.
    const retired = await api(testApp, coordinator.token, 'PATCH', '/v1/contacts/kg-011', {
      status: 'retired',
    });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    const next = await requestOf(timursRequest);
    expect(next.contactId).not.toBe('kg-011');
    expect(next.events.filter((event) => event.kind === 'reassigned')).toHaveLength(1);
    const removed = await remove('kg-011');
    expect(removed.statusCode, removed.body).toBe(204);

    // An import retiring Nurbek, who now holds Aigul's work, is refused whole: retire him first.
    const admin = { authorization: `Bearer ${testApp.adminToken}` };
    const exported = await testApp.application.app.inject({
      method: 'GET',
      url: '/v1/registry/export',
      headers: admin,
    });
    const file = exported.json<{ contacts: { id: string; status: string }[] }>();
    const imported = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/registry/import',
      headers: admin,
      payload: {
        ...file,
        contacts: file.contacts.map((record) =>
          record.id === 'kg-003' ? { ...record, status: 'retired' } : record,
        ),
      },
    });
    expect(imported.statusCode, imported.body).toBe(409);
    expect(imported.body).toContain('kg-003');
    expect((await requestOf(aigulsRequest)).contactId).toBe('kg-003');

    await testApp.application.audit.flush();
    const entries = await testApp.application.database.db
      .select({ action: auditLog.action, subject: auditLog.subject, details: auditLog.details })
      .from(auditLog);
    const audited = (action: string, subject: string) =>
      entries.filter((entry) => entry.action === action && entry.subject === subject).length;
    expect(audited('contact.retire', 'contact:kg-010')).toBe(1);
    expect(audited('contact.retire', 'contact:kg-011')).toBe(1);
    expect(audited('request.handover', `request:${aigulsRequest}`)).toBe(1);
    expect(audited('request.handover', `request:${timursRequest}`)).toBe(1);
    const consultationsMoved = entries.filter(
      (entry) =>
        entry.action === 'consultation.handover' &&
        (entry.details as { ref?: string } | null)?.ref === consultation.body.ref,
    );
    expect(consultationsMoved).toHaveLength(1);
  }, 120_000);
});
