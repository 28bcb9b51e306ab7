// A coordinator's one-tap actions on Telegram (the Bot API emulator): the flag after unanswered
// reminders and `/stale` (`/устаревшие`) carry, per contact, Verify (on their behalf), Prompt again
// (someone is linked) and Invite (nobody is). Each acts once however often it is tapped, is audited
// as its API equivalent, and is refused for a contact of another country (a forged button) or to a
// member who coordinates nothing. Long lists come a page of five contacts at a time. The web
// console shows the same buttons. The clock reads Friday 4 December 2026, 19:00 in Almaty.
import { and, eq } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/audit/audit-schema.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { createTestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { sessionCookie, webConsoleClient } from './support/web-console-client.ts';
import {
  fireVerificationTimerNow,
  makeDueNow,
  verificationRow,
  verificationSteppedPast,
  writeVerificationPolicy,
} from './support/verification-fixtures.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;
let madina: TelegramPerson;
let kzCoordinator: TelegramPerson;
let uzCoordinator: TelegramPerson;
let admin: TelegramPerson;
const prompt = 'Please check your entry';

interface ContactBody {
  verifiedAt: string;
}
const contact = async (id: string) =>
  (await api<ContactBody>(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body;
const audited = (action: string, id: string) =>
  testApp.application.database.db
    .select({ actor: auditLog.actor })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.subject, `contact:${id}`)));
const callbackData = (message: Message): string[] =>
  emulator.buttons(message).flatMap((button) => ('callback_data' in button ? [button.callback_data] : []));

/** Sends `text` and waits for the bot's next message in that chat. */
async function say(person: TelegramPerson, text: string) {
  const before = emulator.sentMessages(person.chat).length;
  emulator.sendUserMessage(person.user, person.chat, text);
  await emulator.waitForMessages(person.chat, before + 1);
  return emulator.sentMessages(person.chat)[before]!;
}

/** Presses the button starting with `prefix` and waits for the answer. */
async function tap(person: TelegramPerson, message: Message, prefix: string) {
  const before = emulator.sentMessages(person.chat).length;
  void press(emulator, person, message, prefix);
  await emulator.waitForMessages(person.chat, before + 1);
  return emulator.sentMessages(person.chat)[before]!;
}

beforeAll(async () => {
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('verification-coordinator-actions', {
    clock: createTestClock('2026-12-04T14:00:00Z'),
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: writeVerificationPolicy(
        'default: { every: P6M, remindAfter: PT1H, reminders: 1 }\n',
      ),
    },
  });
  madina = await telegramPerson(testApp, emulator, {
    name: 'Madina Member',
    country: 'KZ',
    contactId: 'kz-002',
  });
  kzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Kazakh Coordinator',
    country: 'KZ',
    role: 'coordinator',
  });
  uzCoordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
  admin = await telegramPerson(testApp, emulator, { name: 'Network Admin', country: null, role: 'admin' });
}, 120_000);

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

afterEach(() => emulator.expectCallbackQueriesAnswered());

describe('a coordinator acts with one tap', () => {
  it('from the flag: the prompt again, once; the flag’s buttons then do nothing', async () => {
    await makeDueNow(testApp.application, 'kz-002');
    await waitForMessage(emulator, madina.chat, prompt, { timeoutMs: 60_000 });
    // The reminder, then the flag.
    for (const step of ['remind', 'flag']) {
      const row = await verificationRow(testApp.application, 'kz-002');
      expect(row?.nextStep).toBe(step);
      await fireVerificationTimerNow(testApp.application, 'kz-002');
      await verificationSteppedPast(testApp.application, 'kz-002', row!.seq);
    }
    const flag = await waitForMessage(emulator, kzCoordinator.chat, 'has not re-confirmed', {
      timeoutMs: 60_000,
    });
    expect(emulator.buttons(flag).map((button) => button.text)).toEqual([
      'Verify: Madina Demo-Seitova',
      'Prompt again: Madina Demo-Seitova',
    ]);
    const prompts = textsIn(emulator, madina.chat).filter((text) => text.includes(prompt)).length;
    expect((await tap(kzCoordinator, flag, 'vco:p:')).text).toContain(
      'The prompt goes to Madina Demo-Seitova (kz-002) again now.',
    );
    await waitForMessage(emulator, madina.chat, prompt, { count: prompts + 1, timeoutMs: 60_000 });
    expect(await audited('contact.reverify', 'kz-002')).toEqual([
      { actor: `member:${kzCoordinator.member.id}` },
    ]);
    // The same button again, and the flag's Verify: the round moved on, nothing is done.
    expect((await tap(kzCoordinator, flag, 'vco:p:')).text).toContain('Already done for Madina');
    expect((await tap(kzCoordinator, flag, 'vco:v:')).text).toContain('Already done for Madina');
    expect(await audited('contact.reverify', 'kz-002')).toHaveLength(1);
    expect((await contact('kz-002')).verifiedAt).toBe('2025-01-01');
  });

  it('from /stale: verify on their behalf, once even when tapped twice at once', async () => {
    const stale = await say(kzCoordinator, '/stale');
    expect(stale.text).toContain('Madina Demo-Seitova (kz-002)');
    const verify = callbackData(stale).find((data) => data.startsWith('vco:v:') && data.endsWith(':kz-002'));
    expect(verify).toBeDefined();
    const before = emulator.sentMessages(kzCoordinator.chat).length;
    void emulator.pressButton(kzCoordinator.user, stale, verify!);
    void emulator.pressButton(kzCoordinator.user, stale, verify!);
    await emulator.waitForMessages(kzCoordinator.chat, before + 2);
    const answers = textsIn(emulator, kzCoordinator.chat).slice(before);
    expect(answers.filter((text) => text.includes('is verified on their behalf, today'))).toHaveLength(1);
    expect(answers.filter((text) => text.includes('Already done for Madina'))).toHaveLength(1);
    expect((await contact('kz-002')).verifiedAt).toBe('2026-12-04');
    expect(await audited('contact.verify', 'kz-002')).toEqual([
      { actor: `member:${kzCoordinator.member.id}` },
    ]);
    const state = await api<{ state: string; lastSource: string | null; nextStep: string | null }>(
      testApp,
      kzCoordinator.token,
      'GET',
      '/v1/verification?country=KZ',
    );
    expect(
      (
        state.body as unknown as { items: { contactId: string; state: string; lastSource: string }[] }
      ).items.find((item) => item.contactId === 'kz-002'),
    ).toMatchObject({ state: 'fresh', lastSource: 'coordinator' });
  });

  it('an invite for a contact nobody is linked for, once, that links them', async () => {
    const stale = await say(kzCoordinator, '/stale');
    expect(stale.text).toContain('Daniyar Demo-Omarov (kz-004)');
    const invite = callbackData(stale).find((data) => data.startsWith('vco:i:') && data.endsWith(':kz-004'));
    expect(invite).toBeDefined();
    // No prompt for a contact nobody can be asked through.
    expect(callbackData(stale).some((data) => data.startsWith('vco:p:') && data.endsWith(':kz-004'))).toBe(
      false,
    );
    const issued = await tap(kzCoordinator, stale, invite!);
    expect(issued.text).toContain('An invite for Daniyar Demo-Omarov (kz-004)');
    const code = /Code: ([A-Z0-9]{12})/.exec(issued.text ?? '')?.[1];
    expect(code).toBeDefined();
    expect(issued.text).toContain(`login?code=${code!}`);
    expect((await tap(kzCoordinator, stale, invite!)).text).toContain('Already done for Daniyar');
    const created = await testApp.application.database.db
      .select({ actor: auditLog.actor, action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.actor, `member:${kzCoordinator.member.id}`));
    expect(created.filter((entry) => entry.action === 'member.create')).toHaveLength(1);
    expect(created.filter((entry) => entry.action === 'invite.create')).toHaveLength(1);
    // Forwarded and used: the person behind kz-004 is linked.
    const daniyar = emulator.createUser({ firstName: 'Daniyar', languageCode: 'en' });
    const chat = emulator.privateChat(daniyar);
    emulator.sendUserMessage(daniyar, chat, `/start ${code!}`);
    await emulator.waitForMessages(chat, 1);
    const states = await api<{ items: { contactId: string; linked: boolean }[] }>(
      testApp,
      kzCoordinator.token,
      'GET',
      '/v1/verification?country=KZ',
    );
    expect(states.body.items.find((item) => item.contactId === 'kz-004')?.linked).toBe(true);
  });

  it('refuses a forged button for another country’s contact, and a member who coordinates nothing', async () => {
    const before = (await contact('tj-002')).verifiedAt;
    const row = await verificationRow(testApp.application, 'tj-002');
    const seq = (row?.seq ?? 0).toString(36);
    for (const [person, id] of [
      [kzCoordinator, 'forged-kz'],
      [madina, 'forged-member'],
    ] as const) {
      const count = emulator.sentMessages(person.chat).length;
      emulator.injectUpdate({
        callback_query: { id, from: person.user, chat_instance: 'x', data: `vco:v:${seq}:tj-002` },
      });
      await emulator.waitForMessages(person.chat, count + 1);
      expect(textsIn(emulator, person.chat).at(-1)).toContain('That entry is not one of your country’s');
    }
    const count = emulator.sentMessages(uzCoordinator.chat).length;
    emulator.injectUpdate({
      callback_query: {
        id: 'forged-uz',
        from: uzCoordinator.user,
        chat_instance: 'y',
        data: `vco:i:${seq}:tj-002`,
      },
    });
    await emulator.waitForMessages(uzCoordinator.chat, count + 1);
    expect(textsIn(emulator, uzCoordinator.chat).at(-1)).toContain('That entry is not one of your country’s');
    expect((await contact('tj-002')).verifiedAt).toBe(before);
    expect(await audited('contact.verify', 'tj-002')).toEqual([]);
    // Nothing moved: the round of that contact is where it was.
    expect((await verificationRow(testApp.application, 'tj-002'))?.seq ?? 0).toBe(row?.seq ?? 0);
  });

  it('pages a long list five contacts at a time, within Telegram’s button limits, in Russian too', async () => {
    for (const id of ['ge-001', 'ge-002', 'se-001', 'se-002']) await makeDueNow(testApp.application, id);
    const stale = await say(admin, '/stale');
    const total = Number(/^(\d+) entries need attention/.exec(stale.text ?? '')?.[1]);
    expect(total).toBeGreaterThan(5);
    const first = callbackData(stale);
    const contactsOnFirst = new Set(
      first.filter((data) => !data.startsWith('vco:n:')).map((data) => data.split(':')[3]),
    );
    expect(contactsOnFirst.size).toBe(5);
    expect(first.at(-1)).toBe('vco:n:5');
    for (const data of first) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    const next = await tap(admin, stale, 'vco:n:5');
    expect(next.text).toContain(`Entries 6–${String(Math.min(10, total))} of ${String(total)}:`);
    const onNext = new Set(
      callbackData(next)
        .filter((data) => !data.startsWith('vco:n:'))
        .map((data) => data.split(':')[3]),
    );
    expect(onNext.size).toBe(Math.min(5, total - 5));
    for (const id of onNext) expect(contactsOnFirst.has(id)).toBe(false);
    // In Russian, for a Russian-speaking coordinator.
    const russian = await telegramPerson(testApp, emulator, {
      name: 'Kazakh Coordinator Two',
      country: 'KZ',
      role: 'coordinator',
      locale: 'ru',
    });
    const list = await say(russian, '/устаревшие');
    expect(list.text).toContain('Требуют внимания');
    expect(emulator.buttons(list).map((button) => button.text)).toContain('Подтвердить: Данияр Демо-Омаров');
  });

  it('in the web console: buttons under /stale, verify by a click', async () => {
    const web = webConsoleClient(testApp.application.app, testApp.adminToken);
    const created = await api<{ id: string }>(testApp, testApp.adminToken, 'POST', '/v1/members', {
      name: 'Tajik Coordinator',
      country: 'TJ',
      role: 'coordinator',
    });
    const login = await web.login({ code: await web.inviteFor(created.body.id) });
    const secret = login.cookies.find((cookie) => cookie.name === sessionCookie)?.value;
    expect(secret).toBeDefined();
    const coordinator = { memberId: created.body.id, secret: secret! };
    const [stale] = await web.say(coordinator, { text: '/stale' });
    expect(stale?.text).toContain('(tj-002)');
    const verify = stale?.buttons?.find(
      (button) => button.action.startsWith('vco:v:') && button.action.endsWith(':tj-002'),
    );
    expect(verify?.label).toBe('Verify: Zarina Demo-Karimova');
    const [done] = await web.say(coordinator, { action: verify!.action });
    expect(done?.text).toContain('Zarina Demo-Karimova (tj-002) is verified on their behalf, today.');
    const [again] = await web.say(coordinator, { action: verify!.action });
    expect(again?.text).toContain('Already done for Zarina');
    expect(await audited('contact.verify', 'tj-002')).toEqual([{ actor: `member:${created.body.id}` }]);
  });

  it('an invite tapped while a "send the prompt now" waits for an answer in progress keeps that prompt coming', async () => {
    const prompts = () => textsIn(emulator, madina.chat).filter((text) => text.includes(prompt)).length;
    const given = prompts();
    // Madina starts answering (Something changed) on a record that is not due.
    const opened = emulator.sentMessages(madina.chat).length;
    emulator.injectUpdate({
      callback_query: { id: 'madina-chg', from: madina.user, chat_instance: 'm', data: 'vfy:chg:kz-002' },
    });
    await emulator.waitForMessages(madina.chat, opened + 1);
    // Her coordinator asks for the prompt now: it waits for her answer to finish.
    const before = await verificationRow(testApp.application, 'kz-002');
    const reverified = await api(testApp, kzCoordinator.token, 'POST', '/v1/contacts/kz-002/reverify');
    expect(reverified.status, JSON.stringify(reverified.body)).toBeLessThan(300);
    await verificationSteppedPast(testApp.application, 'kz-002', (before?.seq ?? 0) + 1);
    const waiting = await verificationRow(testApp.application, 'kz-002');
    expect(waiting).toMatchObject({ nextStep: 'prompt', promptedAt: null });
    // Meanwhile the coordinator taps Invite for kz-002, offered at that step.
    const count = emulator.sentMessages(kzCoordinator.chat).length;
    emulator.injectUpdate({
      callback_query: {
        id: 'invite-while-forced',
        from: kzCoordinator.user,
        chat_instance: 'k',
        data: `vco:i:${waiting!.seq.toString(36)}:kz-002`,
      },
    });
    await emulator.waitForMessages(kzCoordinator.chat, count + 1);
    expect(textsIn(emulator, kzCoordinator.chat).at(-1)).toContain(
      'An invite for Madina Demo-Seitova (kz-002)',
    );
    // She gives up her answer; the prompt's time comes: it goes out although the record is fresh.
    expect((await say(madina, '/cancel')).text).toBeDefined();
    const invited = await verificationRow(testApp.application, 'kz-002');
    expect(invited?.seq).toBe(waiting!.seq + 1);
    await fireVerificationTimerNow(testApp.application, 'kz-002');
    await verificationSteppedPast(testApp.application, 'kz-002', invited!.seq);
    expect(await verificationRow(testApp.application, 'kz-002')).toMatchObject({
      nextStep: 'remind',
      promptedAt: expect.any(Date),
    });
    await waitForMessage(emulator, madina.chat, prompt, { count: given + 1, timeoutMs: 60_000 });
  });
});
