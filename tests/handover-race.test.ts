// Race story: a coordinator retires a contact (handing their consultations to a successor) at the
// very moment the retiree, and the asker, act on those consultations through the API. The
// retirement locks the retiree's consultations; each action locks its consultation and appends to
// the audit chain. Whichever order they meet in, nobody gets a 500 (a Postgres deadlock surfaced
// as one before the audit lock was taken last), every consultation ends with one owner who is not
// the retiree, and the audit chain verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  telegramPerson,
  type ConsultationDetailBody,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { withinDeadline } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let asker: TelegramPerson;
let coordinator: TelegramPerson;
let template: Record<string, unknown>;

const aroundTheClock = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
// Each round retires a fresh contact holding this many consultations, each acted on during the
// retirement. The deadlock needed a particular interleaving; enough rounds make it a certainty
// on the code that had it (it showed in the first rounds of every run).
const rounds = 12;
const successorId = 'kg-003';
// Waiting for someone, or accepted; every other status has ended the consultation.
const openStatuses = ['pending', 'forwarded', 'rerouted', 'accepted'];

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  testApp = await startTestApp('handover-race', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
  const patched = await api(testApp, testApp.adminToken, 'PATCH', `/v1/contacts/${successorId}`, {
    workingHours: aroundTheClock,
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  await telegramPerson(testApp, emulator, { name: 'Nurbek Member', country: 'KG', contactId: successorId });
  asker = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Kyrgyz Coordinator',
    country: 'KG',
    role: 'coordinator',
  });
  const { body } = await api(testApp, coordinator.token, 'GET', `/v1/contacts/${successorId}`);
  const { verifiedAt: _at, verifiedBy: _by, deputy: _deputy, ...base } = body;
  template = base;
}, 60_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

/** A new colleague of the successor (same authority), with a member on Telegram behind the record. */
async function newColleague(id: string): Promise<TelegramPerson> {
  const created = await api(testApp, coordinator.token, 'POST', '/v1/contacts', {
    ...template,
    id,
    name: { en: `Colleague ${id}` },
    workingHours: aroundTheClock,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return telegramPerson(testApp, emulator, { name: `Colleague ${id}`, country: 'KG', contactId: id });
}

async function consultationFor(contactId: string): Promise<string> {
  const opened = await api<{ ref: string }>(testApp, asker.token, 'POST', '/v1/consultations', {
    country: 'KG',
    competence: 'mla',
    contactId,
    description: 'Can you hear a witness by video link?',
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return opened.body.ref;
}

/** Who holds the consultation now: its counterpart once accepted, else the contacts it waits for. */
function owners(detail: ConsultationDetailBody): string[] {
  if (detail.status === 'accepted') return [detail.counterpart?.contactId ?? 'nobody'];
  return detail.routes
    .filter((route) => route.outcome === 'waiting')
    .map((route) => route.contactId ?? `coordinator:${route.kind}`);
}

describe('a retirement races the retiree answering their consultations', () => {
  it('never fails with a 500, leaves every consultation with one owner, and keeps the audit chain whole', async () => {
    for (let round = 0; round < rounds; round += 1) {
      const retireeId = `kg-2${String(round).padStart(2, '0')}`;
      const retiree = await newColleague(retireeId);
      const refs = await Promise.all(Array.from({ length: 6 }, () => consultationFor(retireeId)));
      const [toAccept, toDecline, toForward, toWithdraw, acceptedToClose, acceptedToReaccept] = refs as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      // Two accepted beforehand, so the retirement moves accepted ones too (and the asker closes one).
      for (const ref of [acceptedToClose, acceptedToReaccept]) {
        const accepted = await api(testApp, retiree.token, 'POST', `/v1/consultations/${ref}/accept`);
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      }

      const act = (token: string, ref: string, verb: string, payload?: Record<string, unknown>) =>
        api(testApp, token, 'POST', `/v1/consultations/${ref}/${verb}`, payload).then((response) => ({
          what: `${verb} ${ref}`,
          ...response,
        }));
      const outcomes = await withinDeadline(
        Promise.all([
          api(testApp, coordinator.token, 'POST', `/v1/contacts/${retireeId}/retire`, { successorId }).then(
            (response) => ({ what: `retire ${retireeId}`, ...response }),
          ),
          act(retiree.token, toAccept, 'accept'),
          act(retiree.token, toDecline, 'decline', { reason: 'Not my competence' }),
          act(retiree.token, toForward, 'forward', { contactId: successorId }),
          act(asker.token, toWithdraw, 'close'),
          act(asker.token, acceptedToClose, 'close'),
          act(retiree.token, acceptedToReaccept, 'accept'),
        ]),
        `round ${String(round)}`,
      );
      for (const outcome of outcomes)
        expect(
          outcome.status,
          `round ${String(round)}: ${outcome.what}: ${JSON.stringify(outcome.body)}`,
        ).toBeLessThan(500);
      // The retirement itself always succeeds: the actions may only change what it moves.
      expect(outcomes[0].status, JSON.stringify(outcomes[0].body)).toBe(200);

      for (const ref of refs) {
        const { status, body } = await api<ConsultationDetailBody>(
          testApp,
          testApp.adminToken,
          'GET',
          `/v1/consultations/${ref}`,
        );
        expect(status).toBe(200);
        const held = owners(body);
        if (!openStatuses.includes(body.status)) {
          expect(held, `round ${String(round)}: ${ref} ended (${body.status}) yet waits`).toEqual([]);
          continue;
        }
        expect(held, `round ${String(round)}: ${ref} (${body.status})`).toHaveLength(1);
        expect(held, `round ${String(round)}: ${ref} (${body.status}) stayed with the retiree`).not.toContain(
          retireeId,
        );
      }
    }

    const application = testApp.application;
    await application.audit.flush();
    expect((await application.audit.verify()).problems).toEqual([]);
  }, 240_000);
});
