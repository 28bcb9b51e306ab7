// The Matrix bot, end to end: the whole application with the bot configured, a test homeserver,
// and a member using an ordinary matrix-js-sdk client with Rust crypto. Stories run in order and
// share the member's encrypted DM with the bot.
import { isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botReplyOutbox } from '../bots/matrix/state/matrix-state-schema.ts';
import { body, type MatrixBotFixture, startMatrixBotFixture, waitFor } from './support/matrix-bot-fixture.ts';
import type { TestHomeserver } from './support/matrix-homeserver/index.ts';
import {
  type ReceivedMessage,
  startTestMatrixUser,
  type TestMatrixUser,
} from './support/matrix-test-client.ts';
import type { TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';
import { leakedWords, registryDetailsOf } from './support/leak-search.ts';

describe('Matrix bot', () => {
  let fixture: MatrixBotFixture;
  let homeserver: TestHomeserver;
  let testApp: TestApp;
  let botUserId: string;
  let alice: TestMatrixUser;
  let dm: string;

  const api: MatrixBotFixture['api'] = (...args) => fixture.api(...args);
  const readiness = () => fixture.readiness();
  const botMessages = (user: TestMatrixUser, roomId: string): ReceivedMessage[] =>
    fixture.botMessages(user, roomId);
  const nextFromBot = (user: TestMatrixUser, roomId: string, seen: number, timeoutMs?: number) =>
    fixture.nextFromBot(user, roomId, seen, timeoutMs);

  beforeAll(async () => {
    // The demo registry's day: kg-002 is on leave, whatever day the suite runs.
    fixture = await startMatrixBotFixture('matrix', { clock: createTestClock(demoDay) });
    ({ homeserver, testApp, botUserId } = fixture);
    alice = await startTestMatrixUser(homeserver, 'alice');
  });

  afterAll(async () => {
    await alice.stop();
    await fixture.close();
  });

  it('a member invites the bot to an encrypted DM, links with a code, asks in Russian and answers a numbered choice', async () => {
    const member = await api('POST', '/v1/members', {
      name: 'Aliya Nurlanova',
      country: 'KZ',
      role: 'member',
    });
    expect(member.status).toBe(201);
    const invite = await api('POST', `/v1/members/${String(member.body.id)}/invites`);
    expect(invite.status).toBe(201);

    dm = await alice.createEncryptedDm(botUserId);
    await alice.waitForJoin(dm, botUserId);
    const greeting = await nextFromBot(alice, dm, 0);
    expect(greeting.encrypted).toBe(true);
    expect(body(greeting)).toContain('!link');

    await alice.client.sendTextMessage(dm, `!link ${String(invite.body.code)}`);
    const linked = await nextFromBot(alice, dm, 1);
    expect(body(linked)).toContain('Aliya Nurlanova');

    const expected = await api('POST', '/v1/ask', {
      text: 'кто занимается экстрадицией в Киргизии',
      askerCountry: 'KZ',
      locale: 'ru',
    });
    const question = 'кто занимается экстрадицией в Киргизии';
    await alice.client.sendTextMessage(dm, question);
    const answer = await nextFromBot(alice, dm, 2);
    expect(answer.encrypted).toBe(true);
    // The ranked answer, in Russian: kg-001 heads extradition in Kyrgyzstan and comes before
    // kg-002, who is on leave (with kg-001 as deputy). The same engine answers the API.
    const results = expected.body.results as { contacts: { id: string }[] }[];
    expect(results[0]?.contacts[0]?.id).toBe('kg-001');
    expect(body(answer)).toContain('Бакыт Демо-Токтогулов');
    expect(body(answer).indexOf('Бакыт Демо-Токтогулов')).toBeLessThan(
      body(answer).indexOf('Айгуль Демо-Асанова'),
    );
    const absent = body(answer).slice(body(answer).indexOf('Айгуль Демо-Асанова'));
    expect(absent).toContain('Отсутствует до');
    expect(absent).toContain('замещает: Бакыт Демо-Токтогулов');
    const expectedText = (expected.body.reply as { text: string }).text;
    expect(body(answer).split('\n')[0]).toBe(expectedText.split('\n')[0]);
    // Buttons arrive as a numbered list, in HTML with a plain fallback.
    expect(body(answer)).toMatch(/\n1\. .+/);
    expect(String(answer.content.formatted_body)).toContain('<ol><li>');
    expect(answer.content.format).toBe('org.matrix.custom.html');

    // Answer by number with a choice of the ask module (not the consultation one, which starts a dialogue).
    const buttons = (expected.body.reply as { buttons: { label: string; action: string }[] }).buttons;
    const pick = buttons.findIndex((button) => button.action.startsWith('ask:'));
    expect(pick).toBeGreaterThanOrEqual(0);
    expect(body(answer)).toContain(`${pick + 1}. ${buttons[pick]!.label}`);
    await alice.client.sendTextMessage(dm, String(pick + 1));
    const choice = await nextFromBot(alice, dm, 3);
    expect(choice.encrypted).toBe(true);
    expect(body(choice)).not.toContain('Эта кнопка больше не работает');
    expect(body(choice)).not.toBe(body(answer));

    // Never plaintext into the encrypted room.
    expect(
      homeserver
        .roomEvents(dm)
        .filter((event) => event.type === 'm.room.message' && event.sender === botUserId),
    ).toEqual([]);
  });

  it('restarts mid-conversation: the question asked while it was down is answered, nothing twice', async () => {
    const bot = testApp.application.bots.matrix!;
    const before = botMessages(alice, dm).length;
    await bot.stop();
    await alice.client.sendTextMessage(dm, 'who handles mutual legal assistance in Uzbekistan');
    bot.start();
    const whileDown = await nextFromBot(alice, dm, before);
    expect(whileDown.encrypted).toBe(true);
    expect(body(whileDown)).toMatch(/Uzbekistan/);

    await alice.client.sendTextMessage(dm, 'who handles asset recovery in Kazakhstan');
    const next = await nextFromBot(alice, dm, before + 1);
    expect(body(next)).toMatch(/Kazakhstan/);
    // Everything up to a later marker has been answered: exactly the two answers, once each.
    expect(await fixture.messagesBeforeMarker(alice, dm)).toHaveLength(before + 2);
    // The restart kept the device (persisted crypto store): no new device piled up.
    expect(homeserver.devicesOf(botUserId)).toHaveLength(1);
  });

  it('ignores malformed and unexpected events without a crash', async () => {
    const before = botMessages(alice, dm).length;
    homeserver.injectEvent(dm, alice.userId, 'm.room.message', { msgtype: 'm.text', body: 42 });
    homeserver.injectEvent(dm, alice.userId, 'm.room.message', {});
    homeserver.injectEvent(dm, alice.userId, 'com.example.unexpected', { anything: ['goes'] });
    homeserver.injectEvent(dm, alice.userId, 'm.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: 42, key: null },
    });
    homeserver.injectEvent(dm, alice.userId, 'm.room.encrypted', {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: 'not really',
      session_id: 'x',
    });
    // Plaintext in an encrypted room is not trusted: a server could have injected it.
    homeserver.injectEvent(dm, alice.userId, 'm.room.message', { msgtype: 'm.text', body: '!help' });
    homeserver.injectEvent(
      dm,
      alice.userId,
      'm.room.member',
      { membership: 'join', displayname: 7 },
      alice.userId,
    );

    await alice.client.sendTextMessage(dm, 'who handles extradition in Kyrgyzstan');
    const answer = await nextFromBot(alice, dm, before);
    expect(body(answer)).toMatch(/Kyrgyzstan/);
    // The injected events came before the question: none of them drew a reply (the plaintext
    // "!help" included), which a later marker proves without waiting on the clock.
    expect(await fixture.messagesBeforeMarker(alice, dm)).toHaveLength(before + 1);
    expect(testApp.application.bots.matrix?.status()).toBe('syncing');
  });

  it('refuses an unknown user, without registry data, and leaves the room', async () => {
    const mallory = await startTestMatrixUser(homeserver, 'mallory');
    try {
      const room = await mallory.createEncryptedDm(botUserId);
      await mallory.waitForJoin(room, botUserId);
      await nextFromBot(mallory, room, 0);
      await mallory.client.sendTextMessage(room, 'who handles extradition in Kyrgyzstan');
      const refusal = await nextFromBot(mallory, room, 1);
      expect(refusal.encrypted).toBe(true);
      expect(body(refusal)).not.toMatch(/Kyrgyz/i);
      // Nothing the registry holds about Kyrgyz contacts (names in both scripts, handles, e-mail
      // addresses, phone numbers), in anything the bot said to the stranger or left in the room.
      const saidToMallory = botMessages(mallory, room).map((message) => JSON.stringify(message.content));
      const roomState = homeserver.roomEvents(room).map((event) => JSON.stringify(event));
      expect(leakedWords(registryDetailsOf('KG'), [...saidToMallory, ...roomState])).toEqual([]);
      await waitFor(
        () => (mallory.client.getRoom(room)?.getMember(botUserId)?.membership === 'leave' ? true : undefined),
        'the bot to leave',
      );
    } finally {
      await mallory.stop();
    }
  });

  it('homeserver goes away and comes back: the pending reply is delivered and readiness follows', async () => {
    const before = botMessages(alice, dm).length;
    // The bot receives the question but its reply cannot get through...
    homeserver.dropRequests(
      ({ method, path, userId }) => userId === botUserId && method === 'PUT' && path.includes('/send/'),
    );
    await alice.client.sendTextMessage(dm, 'who handles electronic evidence in Armenia');
    const db = testApp.database.handle.db;
    await waitFor(
      async () =>
        (await db.select().from(botReplyOutbox).where(isNull(botReplyOutbox.sentAt))).length > 0
          ? true
          : undefined,
      'a pending reply',
    );
    // ...then the homeserver goes away altogether.
    await homeserver.stop();
    homeserver.dropRequests(undefined);
    await waitFor(
      async () => ((await readiness()).checks.matrix === 'down' ? true : undefined),
      '/readyz to report the bot down',
    );

    await homeserver.start();
    const reply = await nextFromBot(alice, dm, before, 90_000);
    expect(reply.encrypted).toBe(true);
    expect(body(reply)).toMatch(/Armenia/);
    await waitFor(
      async () => ((await readiness()).checks.matrix === 'ok' ? true : undefined),
      '/readyz to report the bot up',
    );
    expect(await fixture.messagesBeforeMarker(alice, dm)).toHaveLength(before + 1);
    expect(
      homeserver
        .roomEvents(dm)
        .filter((event) => event.type === 'm.room.message' && event.sender === botUserId),
    ).toEqual([]);
  }, 180_000);

  it('pushes through the adapter into the member’s encrypted DM, once per idempotency key', async () => {
    const adapter = testApp.application.bots.matrix!.adapter;
    const { messageId } = await adapter.send(
      alice.userId,
      { text: 'A consultation request is waiting for you.', requiresEncryption: true },
      { idempotencyKey: 'push-test-1' },
    );
    // Same key again: the homeserver deduplicates the transaction, the member sees it once.
    const again = await adapter.send(
      alice.userId,
      { text: 'A consultation request is waiting for you.', requiresEncryption: true },
      { idempotencyKey: 'push-test-1' },
    );
    expect(again.messageId).toBe(messageId);
    const pushed = await alice.waitForMessage((message) => message.eventId === messageId);
    expect(pushed.encrypted).toBe(true);
  });

  it('pushes to someone without a DM through a new room that the bot encrypts from the start', async () => {
    const carol = await startTestMatrixUser(homeserver, 'carol', { autoJoin: true });
    try {
      const adapter = testApp.application.bots.matrix!.adapter;
      const { messageId } = await adapter.send(
        carol.userId,
        { text: 'Your request was answered.', requiresEncryption: true },
        { idempotencyKey: 'push-test-2' },
      );
      const pushed = await carol.waitForMessage((message) => message.eventId === messageId);
      expect(pushed).toMatchObject({
        encrypted: true,
        sender: botUserId,
        content: { body: 'Your request was answered.' },
      });
      const created = homeserver.roomEvents(pushed.roomId);
      // m.room.encryption is part of the room's initial state, before any message.
      expect(created.findIndex((event) => event.type === 'm.room.encryption')).toBeLessThan(
        created.findIndex((event) => event.type === 'm.room.encrypted'),
      );
      expect(carol.client.getAccountData('m.direct' as never)).toBeUndefined();
      expect(testApp.application.bots.matrix!.status()).toBe('syncing');
    } finally {
      await carol.stop();
    }
  });

  it('in a group room, speaks only when addressed', async () => {
    homeserver.registerUser('dave');
    const { room_id: group } = await alice.client.createRoom({
      preset: 'private_chat' as never,
      invite: [botUserId, '@dave:localhost'],
      initial_state: [
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
    await alice.waitForJoin(group, botUserId);
    const greeting = await nextFromBot(alice, group, 0);
    await alice.client.sendTextMessage(group, 'who handles extradition in Kyrgyzstan');
    await alice.client.sendTextMessage(group, '!help');
    const help = await nextFromBot(alice, group, 1);
    expect(help.encrypted).toBe(true);
    expect(body(help)).toContain('!link');
    // The unaddressed question got no answer: only the greeting and the help, up to a later marker.
    expect(await fixture.messagesBeforeMarker(alice, group)).toEqual([greeting, help]);
  });

  it('answers a choice given as a reaction with the number’s keycap', async () => {
    const before = botMessages(alice, dm).length;
    await alice.client.sendTextMessage(dm, 'who handles extradition in Kyrgyzstan');
    const answer = await nextFromBot(alice, dm, before);
    // The choices are the list items of the formatted body; pick one that is not the consultation
    // request (which starts a dialogue of its own).
    const items = [...String(answer.content.formatted_body).matchAll(/<li>(.*?)<\/li>/g)].map(
      (match) => match[1]!,
    );
    const index = items.findIndex((label) => !/consult/i.test(label));
    expect(index).toBeGreaterThanOrEqual(0);
    const keycap = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣'][index]!;
    await alice.client.sendEvent(
      dm,
      'm.reaction' as never,
      { 'm.relates_to': { rel_type: 'm.annotation', event_id: answer.eventId, key: keycap } } as never,
    );
    const reply = await nextFromBot(alice, dm, before + 1);
    expect(reply.encrypted).toBe(true);
    expect(body(reply)).not.toBe(body(answer));
    expect(body(reply)).not.toContain('no longer works');
  });

  it('turns encryption on in an unencrypted DM before saying anything', async () => {
    const bob = await startTestMatrixUser(homeserver, 'bob');
    try {
      const { room_id: room } = await bob.client.createRoom({
        preset: 'trusted_private_chat' as never,
        is_direct: true,
        invite: [botUserId],
      });
      const greeting = await nextFromBot(bob, room, 0);
      expect(greeting.encrypted).toBe(true);
      const events = homeserver.roomEvents(room);
      expect(events.find((event) => event.type === 'm.room.encryption')?.sender).toBe(botUserId);
      expect(events.filter((event) => event.type === 'm.room.message' && event.sender === botUserId)).toEqual(
        [],
      );
    } finally {
      await bob.stop();
    }
  });
});
