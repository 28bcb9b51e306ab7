// Proposals: a contact changes their own record. Working hours and absences apply at once; a new
// phone waits for a coordinator of that country, who approves with one tap on Telegram. Hostile
// cases: an account of another country, a proposer approving their own proposal, a coordinator of
// another country; malformed changes never reach the registry.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMember, createToken } from './support/chat-fixtures.ts';
import {
  api,
  press,
  telegramPerson,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let nurbek: TelegramPerson;
let coordinator: TelegramPerson;
let kazakh: TelegramPerson;

interface Proposed {
  proposal: { id: string; fields: string[]; status: string } | null;
  applied: string[];
}

const contact = async (id: string) =>
  (await api(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body;

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('proposals', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  nurbek = await telegramPerson(testApp, emulator, {
    name: 'Nurbek Member',
    country: 'KG',
    contactId: 'kg-003',
  });
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Kyrgyz Coordinator',
    country: 'KG',
    role: 'coordinator',
  });
  kazakh = await telegramPerson(testApp, emulator, {
    name: 'Kazakh Member',
    country: 'KZ',
    contactId: 'kz-001',
  });
}, 60_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

describe('a contact proposes changes to their own record', () => {
  it('working hours apply at once; the new phone waits for the coordinator, who approves with one tap', async () => {
    const hours = { days: [1, 2, 3, 4], start: '08:00', end: '17:00' };
    const phone = '+996 312 555 010';
    const before = await contact('kg-003');
    const proposed = await api<Proposed>(testApp, nurbek.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: {
        workingHours: hours,
        channels: { ...(before.channels as Record<string, string>), phone },
      },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    expect(proposed.body.applied).toEqual(['workingHours']);
    expect(proposed.body.proposal).toMatchObject({ fields: ['channels'], status: 'pending' });
    const meanwhile = await contact('kg-003');
    expect(meanwhile.workingHours).toEqual(hours);
    expect((meanwhile.channels as Record<string, string>).phone).not.toBe(phone);

    // The proposer cannot approve it, nor can a member of another country.
    const own = await api(
      testApp,
      nurbek.token,
      'POST',
      `/v1/proposals/${proposed.body.proposal?.id ?? ''}/approve`,
    );
    expect(own.status).toBe(403);

    const notice = await waitForMessage(
      emulator,
      coordinator.chat,
      'proposes a change to their registry record',
    );
    expect(notice.text).toContain(phone);
    void press(emulator, coordinator, notice, 'truth:ap:');
    await waitForMessage(emulator, coordinator.chat, 'Approved (channels)');
    await waitForMessage(emulator, nurbek.chat, 'Your proposed change (channels) was approved');
    const after = await contact('kg-003');
    expect((after.channels as Record<string, string>).phone).toBe(phone);
    // A second tap (or a second coordinator) finds it decided.
    void press(emulator, coordinator, notice, 'truth:ap:');
    await waitForMessage(emulator, coordinator.chat, 'already decided');

    const listed = await api<{ items: { id: string; status: string }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/proposals?status=approved',
    );
    expect(listed.body.items.map((item) => item.id)).toContain(proposed.body.proposal?.id);
  });

  it('a rejected title change leaves the record as it was and the proposer is told', async () => {
    const proposed = await api<Proposed>(testApp, nurbek.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: { title: 'Head of everything' },
    });
    expect(proposed.status).toBe(201);
    const rejected = await api<{ status: string }>(
      testApp,
      coordinator.token,
      'POST',
      `/v1/proposals/${proposed.body.proposal?.id ?? ''}/reject`,
    );
    expect(rejected.body.status).toBe('rejected');
    await waitForMessage(emulator, nurbek.chat, 'Your proposed change (title) was not approved');
    expect((await contact('kg-003')).title).not.toBe('Head of everything');
  });

  it('a linked account of another country cannot propose a new phone for a Kyrgyz contact', async () => {
    const refused = await api(testApp, kazakh.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: { channels: { phone: '+7 700 000 0000' } },
    });
    expect(refused.status).toBe(403);
    const pending = await api<{ items: unknown[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/proposals?status=pending',
    );
    expect(pending.body.items).toEqual([]);
  });

  it('a coordinator cannot approve their own proposal, nor a coordinator of another country', async () => {
    const proposed = await api<Proposed>(testApp, coordinator.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: { languages: ['ky', 'ru', 'en'] },
    });
    expect(proposed.status).toBe(201);
    const id = proposed.body.proposal?.id ?? '';
    expect((await api(testApp, coordinator.token, 'POST', `/v1/proposals/${id}/approve`)).status).toBe(403);
    const other = await createMember(testApp, {
      name: 'Kazakh Coordinator',
      country: 'KZ',
      role: 'coordinator',
    });
    const otherToken = await createToken(testApp, other.id);
    expect((await api(testApp, otherToken, 'POST', `/v1/proposals/${id}/approve`)).status).toBe(403);
    expect((await api(testApp, testApp.adminToken, 'POST', `/v1/proposals/${id}/approve`)).status).toBe(200);
  });

  it('refuses changes the registry would refuse, and a deputy from another authority', async () => {
    const badMail = await api<{ error: { details: { path: string }[] } }>(
      testApp,
      nurbek.token,
      'POST',
      '/v1/proposals',
      {
        contactId: 'kg-003',
        changes: { channels: { email: 'not an address' } },
      },
    );
    expect(badMail.status).toBe(400);
    expect(badMail.body.error.details.map((problem) => problem.path).join(' ')).toContain(
      '/changes/channels',
    );
    const foreignDeputy = await api(testApp, nurbek.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: { outOfOffice: { start: '2026-12-10', end: '2026-12-20' }, deputy: 'uz-001' },
    });
    expect(foreignDeputy.status).toBe(400);
    const status = await api(testApp, nurbek.token, 'POST', '/v1/proposals', {
      contactId: 'kg-003',
      changes: { status: 'retired' },
    });
    expect(status.status).toBe(400);
  });

  it('arbitrary change objects never break anything: refused or recorded, never a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            'title',
            'channels',
            'workingHours',
            'name',
            'competences',
            'id',
            'verifiedAt',
            'x',
          ),
          fc.anything({ maxDepth: 2 }),
          { maxKeys: 3 },
        ),
        async (changes) => {
          const response = await testApp.application.app.inject({
            method: 'POST',
            url: '/v1/proposals',
            headers: { authorization: `Bearer ${nurbek.token}` },
            payload: { contactId: 'kg-003', changes },
          });
          expect([201, 400], response.body).toContain(response.statusCode);
        },
      ),
      { numRuns: 40 },
    );
    // Whatever was recorded is still a valid registry.
    expect((await api(testApp, testApp.adminToken, 'GET', '/v1/contacts/kg-003')).status).toBe(200);
  });
});
