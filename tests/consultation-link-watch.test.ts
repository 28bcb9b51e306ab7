// No dead ends: a consultation nobody can be reached for offers one tap, "tell me and the
// coordinator when someone links". Through the Telegram emulator, an asker taps it (twice, at
// once), Tajikistan's coordinator links, then the two Tajik contacts the notice named link by
// invite code at the same moment: the asker and the coordinator each get exactly one notice, in
// their own language. A forged button for someone else's consultation is refused. The same in
// the web console, where a contact's first console login is the link. Real Postgres and Redis.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember } from './support/chat-fixtures.ts';
import {
  api,
  press,
  telegramPerson,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { outboxSettled } from './support/eventually.ts';
import { openSse } from './support/sse-reader.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { sessionCookie, webConsoleClient } from './support/web-console-client.ts';

let emulator: TelegramEmulator;
let testApp: TestApp;

beforeAll(async () => {
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  testApp = await startTestApp('consult_link_watch', {
    env: { TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
  });
});

afterAll(async () => {
  await testApp.close();
  await emulator.close();
});

afterEach(() => emulator.expectCallbackQueriesAnswered());

const texts = (person: { chat: TelegramPerson['chat'] }) =>
  emulator.sentMessages(person.chat).map((message) => message.text ?? '');

type WatchRow = { fired_at: string | null; told: string[] };
async function watchRows(consultationRef: string): Promise<WatchRow[]> {
  const rows = await testApp.database.handle.db.execute<WatchRow>(sql`
    select w.fired_at, w.told_member_ids as told from consultation_link_watches w
    join consultations c on c.id = w.consultation_id where c.number = ${Number(consultationRef.slice(2))}`);
  return [...(rows as Iterable<WatchRow>)];
}

/** A Telegram user who links with `/start CODE`; resolves once the bot has answered. */
async function linkOnTelegram(memberId: string, name: string, languageCode: 'en' | 'ru') {
  const invite = await createInvite(testApp, memberId);
  const user = emulator.createUser({ firstName: name, languageCode });
  const chat = emulator.privateChat(user);
  return { user, chat, start: () => emulator.sendUserMessage(user, chat, `/start ${invite.code}`) };
}

describe('tell me and the coordinator when someone links (Telegram)', () => {
  it('one tap; when a Tajik MLA contact links by invite code, the asker and the coordinator each get one notice, in their language', async () => {
    const aliya = await telegramPerson(testApp, emulator, { name: 'Aliya Asker', country: 'KZ' });
    // Tajikistan's coordinator exists but has not linked a messenger yet; nobody in Tajikistan has.
    const coordinator = await createMember(testApp, {
      name: 'Шахло Координатор',
      country: 'TJ',
      role: 'coordinator',
      locale: 'ru',
    });
    const started = await api<{ ref: string }>(testApp, aliya.token, 'POST', '/v1/consultations', {
      country: 'TJ',
      competence: 'mla',
      description: 'Do you accept an advance copy by e-mail?',
    });
    expect(started.status).toBe(201);
    const { ref } = started.body;
    const notice = await waitForMessage(emulator, aliya.chat, `Consultation ${ref} could not be delivered`);
    // The e-mail addresses are links; phones stay text (Telegram makes them tappable itself).
    const links = (notice.entities ?? []).flatMap((entity) =>
      entity.type === 'text_link' ? [entity.url] : [],
    );
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((url) => url.startsWith('mailto:'))).toBe(true);
    expect(notice.text).toMatch(/phone \+[\d ]+/);

    // A double tap: both presses reach the bot before either is answered.
    const watchAction = `consult:watch:${ref.slice(2)}`;
    const before = texts(aliya).length;
    press(emulator, aliya, notice, watchAction);
    press(emulator, aliya, notice, watchAction);
    await emulator.waitForMessages(aliya.chat, before + 2, 45_000);
    const answers = texts(aliya).slice(before);
    expect(answers.filter((text) => text.startsWith('Done.'))).toHaveLength(1);
    expect(answers.filter((text) => text.startsWith('You are already waiting'))).toHaveLength(1);
    expect(await watchRows(ref)).toEqual([{ fired_at: null, told: [] }]);

    // Someone else's consultation: a forged button is refused and changes nothing.
    const outsider = await telegramPerson(testApp, emulator, { name: 'Outsider Member', country: 'KZ' });
    emulator.injectUpdate({
      callback_query: { id: 'forged-watch', from: outsider.user, chat_instance: 'z', data: watchAction },
    });
    await waitForMessage(emulator, outsider.chat, 'This consultation is not yours.');
    expect(await watchRows(ref)).toEqual([{ fired_at: null, told: [] }]);

    // The coordinator links (not a contact: nothing fires yet).
    const coordinatorChat = await linkOnTelegram(coordinator.id, 'Shahlo', 'ru');
    coordinatorChat.start();
    await emulator.waitForMessages(coordinatorChat.chat, 1);

    // Both Tajik contacts the notice named link at the same moment.
    const tj1 = await createMember(testApp, { name: 'Farrukh Contact', country: 'TJ', contactId: 'tj-001' });
    const tj2 = await createMember(testApp, { name: 'Nilufar Contact', country: 'TJ', contactId: 'tj-002' });
    const first = await linkOnTelegram(tj1.id, 'Farrukh', 'en');
    const second = await linkOnTelegram(tj2.id, 'Nilufar', 'en');
    first.start();
    second.start();
    await emulator.waitForMessages(first.chat, 1);
    await emulator.waitForMessages(second.chat, 1);
    const linked = await waitForMessage(emulator, aliya.chat, 'has linked a messenger');
    await outboxSettled(testApp.application);

    const askerNotices = texts(aliya).filter((text) => text.includes('has linked a messenger'));
    expect(askerNotices).toHaveLength(1);
    expect(askerNotices[0]).toContain(`consultation ${ref} could not be delivered`);
    const coordinatorNotices = emulator
      .sentMessages(coordinatorChat.chat)
      .map((message) => message.text ?? '')
      .filter((text) => text.includes('подключил(а) мессенджер'));
    expect(coordinatorNotices).toHaveLength(1);
    expect(coordinatorNotices[0]).toContain('Aliya Asker');
    expect(coordinatorNotices[0]).toContain(ref);
    // The contacts themselves were not told anything about the watch.
    for (const contact of [first, second])
      expect(emulator.sentMessages(contact.chat).some((message) => (message.text ?? '').includes(ref))).toBe(
        false,
      );
    const [row] = await watchRows(ref);
    expect(row?.fired_at).not.toBeNull();

    // One tap on the notice starts a consultation with the contact who linked.
    const consultButton = emulator
      .buttons(linked)
      .find(
        (button) => 'callback_data' in button && button.callback_data.startsWith('consult:start:TJ:mla:'),
      );
    expect(consultButton).toBeDefined();

    // Later links fire nothing more.
    const tj1Again = await createMember(testApp, {
      name: 'Farrukh Second',
      country: 'TJ',
      contactId: 'tj-001',
    });
    const again = await linkOnTelegram(tj1Again.id, 'Farrukh2', 'en');
    again.start();
    await emulator.waitForMessages(again.chat, 1);
    await outboxSettled(testApp.application);
    expect(texts(aliya).filter((text) => text.includes('has linked a messenger'))).toHaveLength(1);
  });

  it('a delivered consultation has nothing to wait for', async () => {
    const asker = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
    const started = await api<{ ref: string }>(testApp, asker.token, 'POST', '/v1/consultations', {
      country: 'TJ',
      competence: 'mla',
      description: 'A question that reaches the linked contact',
    });
    expect(started.status).toBe(201);
    const ref = started.body.ref;
    await waitForMessage(emulator, asker.chat, `Consultation ${ref} is on its way`);
    emulator.injectUpdate({
      callback_query: {
        id: 'watch-delivered',
        from: asker.user,
        chat_instance: 'd',
        data: `consult:watch:${ref.slice(2)}`,
      },
    });
    await waitForMessage(
      emulator,
      asker.chat,
      `Consultation ${ref} reached someone, so there is nobody to wait for.`,
    );
    expect(await watchRows(started.body.ref)).toEqual([]);
  });
});

describe('the same in the web console', () => {
  it('the asker taps the button in the console; a Turkmen contact’s first console login tells them once', async () => {
    const web = webConsoleClient(testApp.application.app, testApp.adminToken);
    const asker = await web.loggedInMember('Web Asker', 'KZ');
    // The guided flow: sensitivity, then the description.
    await web.say(asker, { text: '/consult TM mla' });
    const [description] = await web.say(asker, { action: 'consult:sens:n' });
    expect(description?.expects?.kind).toBe('text');
    const [undeliverable] = await web.say(asker, { text: 'Can an advance copy go by e-mail?' });
    expect(undeliverable?.text).toContain('could not be delivered');
    const rich = (
      undeliverable as { rich?: { blocks: { kind: string; line?: { inlines: { href?: string }[] } }[] } }
    ).rich;
    const hrefs = (rich?.blocks ?? []).flatMap(
      (block) => block.line?.inlines.flatMap((inline) => inline.href ?? []) ?? [],
    );
    expect(hrefs.some((href) => href.startsWith('mailto:'))).toBe(true);
    expect(hrefs.some((href) => /^tel:\+\d+$/.test(href))).toBe(true);
    const watch = undeliverable?.buttons?.find((button) => button.action.startsWith('consult:watch:'));
    expect(watch?.label).toBe('Tell me and the coordinator when someone links');

    // Turkmenistan's coordinator logs in after the notice: told once, when the asker taps.
    const coordinator = await web.loggedInMember('Turkmen Coordinator', 'TM');
    await api(testApp, testApp.adminToken, 'PATCH', `/v1/members/${coordinator.memberId}`, {
      role: 'coordinator',
    });
    const base = await web.baseUrl();
    const stream = await openSse(`${base}/console/events`, { cookie: `${sessionCookie}=${asker.secret}` });
    const coordinatorStream = await openSse(`${base}/console/events`, {
      cookie: `${sessionCookie}=${coordinator.secret}`,
    });
    await stream.next('ready');
    await coordinatorStream.next('ready');
    const [done] = await web.say(asker, { action: watch!.action });
    expect(done?.text).toMatch(/^Done\. The national coordinator of Turkmenistan has been told/);
    const toldNow = JSON.parse((await coordinatorStream.next('push', 60_000)).data) as { text: string };
    expect(toldNow.text).toContain('Web Asker');
    expect(toldNow.text).toContain('Please invite them');

    // The contact behind tm-002 logs in to the console for the first time: that is their link.
    await web.loggedInMember('Turkmen Contact', 'TM', 'tm-002');
    const pushed = JSON.parse((await stream.next('push', 60_000)).data) as {
      text: string;
      buttons?: { action: string }[];
    };
    expect(pushed.text).toContain('has linked a messenger');
    expect(pushed.buttons?.[0]?.action).toBe('consult:start:TM:mla:tm-002');
    await outboxSettled(testApp.application);
    const pushes = stream.received.filter(
      (event) => event.event === 'push' && event.data.includes('has linked a messenger'),
    );
    expect(pushes).toHaveLength(1);
    // Told at the tap, so not again at the link.
    expect(coordinatorStream.received.filter((event) => event.event === 'push')).toHaveLength(1);
    stream.close();
    coordinatorStream.close();

    // The notice's button consults the person who linked, not whoever ranks first.
    await web.say(asker, { action: 'consult:start:TM:mla:tm-002' });
    await web.say(asker, { action: 'consult:sens:n' });
    const [routed] = await web.say(asker, { text: 'Can an advance copy go by e-mail now?' });
    expect(routed?.text).toMatch(/is on its way to/);
    const ref = /C-\d+/.exec(routed?.text ?? '')?.[0] ?? '';
    const detail = await api<{ routes: { contactId: string | null }[] }>(
      testApp,
      testApp.adminToken,
      'GET',
      `/v1/consultations/${ref}`,
    );
    expect(detail.body.routes[0]?.contactId).toBe('tm-002');
  });
});
