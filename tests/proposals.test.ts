// Proposals: a contact changes their own record. Working hours and absences apply at once; a new
// phone waits for a coordinator of that country, who approves with one tap on Telegram. Hostile
// cases: an account of another country, a proposer approving their own proposal, a coordinator of
// another country; malformed changes never reach the registry.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { and, eq, like } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/audit/audit-schema.ts';
import { outbox } from '../src/outbox/outbox-schema.ts';
import { registryProposals } from '../src/verification/verification-schema.ts';
import { createMember, createToken } from './support/chat-fixtures.ts';
import {
  api,
  press,
  telegramPerson,
  waitForMessage,
  textsIn,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { outboxSettled } from './support/eventually.ts';
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

/** The audit entries about a contact that name a proposal, oldest first. */
async function auditOf(subject: string, proposalId: string | undefined) {
  const rows = await testApp.application.database.db
    .select({ actor: auditLog.actor, action: auditLog.action, details: auditLog.details })
    .from(auditLog)
    .where(eq(auditLog.subject, subject))
    .orderBy(auditLog.seq);
  return rows.filter((row) => row.details.proposalId === proposalId);
}

const run = promisify(execFile);
const cliPath = resolve(import.meta.dirname, '../src/cli/main.ts');

/** `npm run cli -- ...` on the test app's database, as an operator runs it beside the server. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: testApp.database.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
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
}, 180_000);

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
    // Both are in the audit log: who proposed which fields (not the values), who rejected it.
    const proposalId = proposed.body.proposal?.id;
    expect(await auditOf('contact:kg-003', proposalId)).toEqual([
      {
        actor: `member:${nurbek.member.id}`,
        action: 'contact.proposal',
        details: { proposalId, kind: 'change', fields: ['title'] },
      },
      {
        actor: `member:${coordinator.member.id}`,
        action: 'contact.proposal_rejected',
        details: { proposalId, kind: 'change', fields: ['title'] },
      },
    ]);
  });

  it('a coordinator’s "send the prompt now" is audited', async () => {
    const sent = await api(testApp, coordinator.token, 'POST', '/v1/contacts/kg-003/reverify');
    expect(sent.status).toBe(202);
    const entries = await testApp.application.database.db
      .select({ actor: auditLog.actor })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'contact.reverify'), eq(auditLog.subject, 'contact:kg-003')));
    expect(entries).toEqual([{ actor: `member:${coordinator.member.id}` }]);
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

describe('a contact retires while their proposals wait', () => {
  /** Outbox rows of a voided proposal's notice (one per account of the proposer). */
  const voidNotices = async (proposalId: string) =>
    testApp.application.database.db
      .select({ state: outbox.state })
      .from(outbox)
      .where(like(outbox.dedupeKey, `truth:proposal:${proposalId}:voided:%`));
  const proposalOf = async (id: string) =>
    (
      await api<{ items: { id: string; status: string; decidedBy: string | null }[] }>(
        testApp,
        testApp.adminToken,
        'GET',
        '/v1/proposals',
      )
    ).body.items.find((item) => item.id === id);
  const exportedWith = async (changes: Record<string, Record<string, unknown>>) => {
    const exported = await api<{ contacts: { id: string }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      '/v1/registry/export',
    );
    return {
      ...exported.body,
      contacts: exported.body.contacts.map((record) => ({ ...record, ...changes[record.id] })),
    };
  };
  const newColleague = async (id: string, name: string) => {
    const template = await api(testApp, coordinator.token, 'GET', '/v1/contacts/kg-003');
    const { verifiedAt: _at, verifiedBy: _by, deputy: _deputy, outOfOffice: _away, ...base } = template.body;
    const created = await api(testApp, coordinator.token, 'POST', '/v1/contacts', {
      ...base,
      id,
      name: { en: name, ru: name },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  };

  it('retired with a successor: the proposal is voided, audited, and the proposer told once in Russian; a refused retirement voids nothing', async () => {
    await newColleague('kg-020', 'Aida Demo-Sydykova');
    const aida = await telegramPerson(testApp, emulator, {
      name: 'Aida Member',
      country: 'KG',
      contactId: 'kg-020',
      locale: 'ru',
    });
    const proposed = await api<Proposed>(testApp, aida.token, 'POST', '/v1/proposals', {
      contactId: 'kg-020',
      changes: { title: 'Senior prosecutor' },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const proposalId = proposed.body.proposal?.id ?? '';
    // Aida holds a pending request from Kazakhstan.
    const request = await api<{ id: string }>(testApp, kazakh.token, 'POST', '/v1/requests', {
      type: 'mla',
      toCountry: 'KG',
      contactId: 'kg-020',
      ourReference: 'KZ-MLA-20',
      subject: 'Hearing of a witness',
      sentAt: new Date().toISOString(),
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);

    // An import retiring her without the handover is refused, and so is its dry run: the
    // transaction rolls back, so nothing is voided and no notice is written.
    const retiredFile = await exportedWith({ 'kg-020': { status: 'retired' } });
    for (const url of ['/v1/registry/import?dryRun=true', '/v1/registry/import']) {
      const refused = await testApp.application.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${testApp.adminToken}` },
        payload: retiredFile,
      });
      expect(refused.statusCode, `${url}: ${refused.body}`).toBe(409);
      expect(refused.body).toContain(
        'contact \\"kg-020\\" holds 0 open consultation(s) and 1 pending request(s)',
      );
    }
    expect((await proposalOf(proposalId))?.status).toBe('pending');
    expect(await voidNotices(proposalId)).toEqual([]);
    expect((await contact('kg-020')).status).toBe('active');

    // The coordinator retires her with Nurbek as successor.
    const retired = await api(testApp, coordinator.token, 'POST', '/v1/contacts/kg-020/retire', {
      successorId: 'kg-003',
    });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect(await proposalOf(proposalId)).toMatchObject({ status: 'voided', decidedBy: 'system' });
    expect(await auditOf('contact:kg-020', proposalId)).toEqual([
      {
        actor: `member:${aida.member.id}`,
        action: 'contact.proposal',
        details: { proposalId, kind: 'change', fields: ['title'] },
      },
      {
        actor: `member:${coordinator.member.id}`,
        action: 'contact.proposal_voided',
        details: {
          proposalId,
          kind: 'change',
          fields: ['title'],
          reason: 'contact_retired',
          by: 'contact.retire',
        },
      },
    ]);
    const notice = 'Предложенное вами изменение (title) записи «Aida Demo-Sydykova» в реестре отозвано';
    await waitForMessage(emulator, aida.chat, notice);
    // Every push settled (a duplicate would have been sent by now): exactly one notice.
    await outboxSettled(testApp.application);
    expect(await voidNotices(proposalId)).toEqual([{ state: 'sent' }]);
    expect(textsIn(emulator, aida.chat).filter((text) => text.includes(notice))).toHaveLength(1);
    // Voided is final: nobody decides it afterwards.
    const late = await api(testApp, coordinator.token, 'POST', `/v1/proposals/${proposalId}/approve`);
    expect(late.status).toBe(409);
  }, 120_000);

  it('an import retiring a contact voids the proposal waiting for them, by the importer, and the proposer is told once', async () => {
    await newColleague('kg-021', 'Timur Demo-Osmonov');
    // The coordinator proposes a change to kg-021 (someone else decides it), then an admin imports
    // a registry with kg-021 retired (no open work: allowed).
    const proposed = await api<Proposed>(testApp, coordinator.token, 'POST', '/v1/proposals', {
      contactId: 'kg-021',
      changes: { languages: ['ky', 'ru'] },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const proposalId = proposed.body.proposal?.id ?? '';
    const imported = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/registry/import',
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      payload: await exportedWith({ 'kg-021': { status: 'retired' } }),
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await proposalOf(proposalId))?.status).toBe('voided');
    const voided = (await auditOf('contact:kg-021', proposalId)).filter(
      (entry) => entry.action === 'contact.proposal_voided',
    );
    expect(voided).toEqual([
      {
        actor: expect.stringMatching(/^member:/),
        action: 'contact.proposal_voided',
        details: {
          proposalId,
          kind: 'change',
          fields: ['languages'],
          reason: 'contact_retired',
          by: 'registry.import',
        },
      },
    ]);
    const notice =
      'Your proposed change (languages) to the registry entry of Timur Demo-Osmonov was withdrawn';
    await waitForMessage(emulator, coordinator.chat, notice);
    await outboxSettled(testApp.application);
    expect(await voidNotices(proposalId)).toEqual([{ state: 'sent' }]);
    expect(textsIn(emulator, coordinator.chat).filter((text) => text.includes(notice))).toHaveLength(1);
  }, 120_000);

  it('approving after the contact was retired is refused with a 409 saying why, in chat too, and nothing changes', async () => {
    await newColleague('kg-022', 'Bolot Demo-Asanov');
    const bolot = await telegramPerson(testApp, emulator, {
      name: 'Bolot Member',
      country: 'KG',
      contactId: 'kg-022',
    });
    const proposed = await api<Proposed>(testApp, bolot.token, 'POST', '/v1/proposals', {
      contactId: 'kg-022',
      changes: { title: 'Chief of the extradition unit' },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const proposalId = proposed.body.proposal?.id ?? '';
    // The coordinator has the one-tap Approve in chat, but retires Bolot before tapping it.
    const pushed = await waitForMessage(
      emulator,
      coordinator.chat,
      /Bolot Demo-Asanov[\s\S]*Chief of the extradition unit/,
    );
    const retired = await api(testApp, coordinator.token, 'POST', '/v1/contacts/kg-022/retire', {});
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect(await proposalOf(proposalId)).toMatchObject({ status: 'voided' });
    await waitForMessage(emulator, bolot.chat, 'was withdrawn: the entry has been retired');
    const before = { record: await contact('kg-022'), audit: await auditOf('contact:kg-022', proposalId) };

    const late = await api<{ error: { code: string; message: string; details: unknown } }>(
      testApp,
      coordinator.token,
      'POST',
      `/v1/proposals/${proposalId}/approve`,
    );
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'conflict',
      message:
        'the proposal was voided: contact kg-022 was retired or removed from the registry, so there is nothing left to decide',
      details: { reason: 'contact_left', contactId: 'kg-022' },
    });
    void press(emulator, coordinator, pushed, 'truth:ap:');
    await waitForMessage(emulator, coordinator.chat, 'This proposal can no longer be decided');

    // A proposal recorded in the instant the retirement committed (its check read the registry
    // before) escapes the voiding and stays pending: the guard refuses to decide it all the same.
    const [racing] = await testApp.application.database.db
      .insert(registryProposals)
      .values({
        id: 'racingpropo1',
        contactId: 'kg-022',
        country: 'KG',
        kind: 'change',
        fields: ['title'],
        changes: { title: 'Chief of everything' },
        status: 'pending',
        proposedBy: bolot.member.id,
        createdAt: new Date(),
      })
      .returning();
    for (const verb of ['approve', 'reject']) {
      const refused = await api<{ error: { message: string } }>(
        testApp,
        coordinator.token,
        'POST',
        `/v1/proposals/${racing?.id ?? ''}/${verb}`,
      );
      expect(refused.status, verb).toBe(409);
      expect(refused.body.error.message).toBe(
        'contact kg-022 is retired; the proposal cannot be approved or rejected',
      );
    }

    // Nothing changed: the record, both proposals, the audit log, and no outcome told to Bolot.
    expect(await contact('kg-022')).toEqual(before.record);
    expect(await auditOf('contact:kg-022', proposalId)).toEqual(before.audit);
    expect(await auditOf('contact:kg-022', 'racingpropo1')).toEqual([]);
    expect(await proposalOf(proposalId)).toMatchObject({ status: 'voided' });
    expect(await proposalOf('racingpropo1')).toMatchObject({ status: 'pending', decidedBy: null });
    const outcomes = await testApp.application.database.db
      .select({ key: outbox.dedupeKey })
      .from(outbox)
      .where(like(outbox.dedupeKey, `truth:proposal:%:approved:%`));
    expect(
      outcomes.filter((row) => row.key.includes(proposalId) || row.key.includes('racingpropo1')),
    ).toEqual([]);
  }, 120_000);

  it('an import from the command line retiring a contact voids their proposal, audited as the CLI, and the proposer is told once', async () => {
    await newColleague('kg-023', 'Saltanat Demo-Ibraeva');
    const saltanat = await telegramPerson(testApp, emulator, {
      name: 'Saltanat Member',
      country: 'KG',
      contactId: 'kg-023',
      locale: 'ru',
    });
    const proposed = await api<Proposed>(testApp, saltanat.token, 'POST', '/v1/proposals', {
      contactId: 'kg-023',
      changes: { title: 'Senior prosecutor' },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const proposalId = proposed.body.proposal?.id ?? '';

    // An operator retires her in a registry file imported from the command line (no server call).
    const directory = await mkdtemp(join(tmpdir(), 'counterpart-proposals-cli-'));
    try {
      const path = join(directory, 'retiring.json');
      await writeFile(path, JSON.stringify(await exportedWith({ 'kg-023': { status: 'retired' } })));
      const dry = await cli('registry', 'import', '--dry-run', path);
      expect(dry.code, dry.stderr).toBe(0);
      // A dry run rolls back: nothing voided, nobody told.
      expect(await proposalOf(proposalId)).toMatchObject({ status: 'pending' });
      expect(await voidNotices(proposalId)).toEqual([]);
      const imported = await cli('registry', 'import', path);
      expect(imported.code, imported.stderr).toBe(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }

    expect(await proposalOf(proposalId)).toMatchObject({ status: 'voided', decidedBy: 'system' });
    expect(
      (await auditOf('contact:kg-023', proposalId)).filter(
        (entry) => entry.action === 'contact.proposal_voided',
      ),
    ).toEqual([
      {
        actor: 'cli',
        action: 'contact.proposal_voided',
        details: {
          proposalId,
          kind: 'change',
          fields: ['title'],
          reason: 'contact_retired',
          by: 'registry.import',
        },
      },
    ]);
    // The CLI runs no messenger: the server's worker delivers the notice it wrote.
    const notice = 'Предложенное вами изменение (title) записи «Saltanat Demo-Ibraeva» в реестре отозвано';
    await waitForMessage(emulator, saltanat.chat, notice);
    await outboxSettled(testApp.application);
    expect(await voidNotices(proposalId)).toEqual([{ state: 'sent' }]);
    expect(textsIn(emulator, saltanat.chat).filter((text) => text.includes(notice))).toHaveLength(1);
    const late = await api(testApp, coordinator.token, 'POST', `/v1/proposals/${proposalId}/approve`);
    expect(late.status).toBe(409);
  }, 120_000);
});
