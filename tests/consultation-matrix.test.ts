// Consultations across messengers: members on Telegram (Bot API emulator) and on Matrix (the test
// homeserver, real matrix-js-sdk clients with Rust crypto), one application with both bots.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken, type CreatedMember } from './support/chat-fixtures.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForConsultation,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { outboxSettled } from './support/eventually.ts';
import { everythingMatrixSaw, everythingTelegramSaw, leakedWords } from './support/leak-search.ts';
import { botMessagesBeforeMarker } from './support/matrix-bot-fixture.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import {
  startTestMatrixUser,
  type ReceivedMessage,
  type TestMatrixUser,
} from './support/matrix-test-client.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

interface MatrixPerson {
  member: CreatedMember;
  token: string;
  user: TestMatrixUser;
  /** The encrypted DM with the bot, where the member linked. */
  dm: string;
}

let homeserver: TestHomeserver;
let emulator: TelegramEmulator;
let testApp: TestApp;
let botUserId: string;
/** Bakyt, behind kg-001, on Matrix. */
let bakyt: MatrixPerson;
/** Nurbek, behind kg-003, on Telegram only. */
let nurbek: TelegramPerson;

const body = (message: ReceivedMessage): string => String(message.content.body);
const fromBot = (person: MatrixPerson) =>
  person.user.received.filter((message) => message.roomId === person.dm && message.sender === botUserId);

/** Waits for the bot's message in the person's DM whose text contains `needle`. */
async function botSays(person: MatrixPerson, needle: string, timeoutMs = 45_000): Promise<ReceivedMessage> {
  try {
    return await person.user.waitForMessage(
      (message) =>
        message.roomId === person.dm && message.sender === botUserId && body(message).includes(needle),
      timeoutMs,
    );
  } catch (error) {
    throw new Error(
      `${person.user.userId} never read "${needle}"; the bot said:\n${fromBot(person).map(body).join('\n---\n')}`,
      { cause: error },
    );
  }
}

async function matrixPerson(
  localpart: string,
  input: { name: string; country: string; contactId?: string },
): Promise<MatrixPerson> {
  const member = await createMember(testApp, { locale: 'en', ...input });
  const invite = await createInvite(testApp, member.id);
  const user = await startTestMatrixUser(homeserver, localpart);
  const dm = await user.createEncryptedDm(botUserId);
  await user.waitForJoin(dm, botUserId);
  const person = { member, token: await createToken(testApp, member.id), user, dm };
  await user.client.sendTextMessage(dm, `!link ${invite.code}`);
  await botSays(person, input.name);
  return person;
}

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  // The subject is the conversation, not Telegram's allowance (see conversationFloodLimits).
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  botUserId = homeserver.registerUser('counterpart', 'bot-account-password').userId;
  // The bot's account is exempt from the message rate limit, as the README advises operators to
  // arrange (Synapse's override_ratelimit); matrix-rate-limit.test.ts runs it without.
  homeserver.exemptFromRateLimit(botUserId);
  testApp = await startTestApp('consult_matrix', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      MATRIX_HOMESERVER_URL: homeserver.url,
      MATRIX_USER_ID: botUserId,
      MATRIX_PASSWORD: 'bot-account-password',
      MATRIX_STORE_KEY: 'matrix-store-key-for-consultation-tests-0123',
    },
  });
  const deadline = Date.now() + 20_000;
  while (testApp.application.bots.matrix?.status() !== 'syncing') {
    if (Date.now() > deadline) throw new Error('the Matrix bot never synced');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  bakyt = await matrixPerson('bakyt', { name: 'Bakyt Member', country: 'KG', contactId: 'kg-001' });
  nurbek = await telegramPerson(testApp, emulator, {
    name: 'Nurbek Member',
    country: 'KG',
    contactId: 'kg-003',
  });
}, 180_000);

afterAll(async () => {
  await bakyt.user.stop();
  await testApp.close();
  await emulator.close();
  await homeserver.close();
});

// Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
afterEach(() => emulator.expectCallbackQueriesAnswered());

describe('a member on Telegram consults a counterpart on Matrix', () => {
  it('accept, three messages each way, close: both sides see the right text, in order, exactly once', async () => {
    const dana = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
    emulator.sendUserMessage(dana.user, dana.chat, '/consult KG extradition');
    press(
      emulator,
      dana,
      await waitForMessage(emulator, dana.chat, 'Is this consultation sensitive?'),
      'consult:sens:n',
    );
    await waitForMessage(emulator, dana.chat, 'Describe your question');
    emulator.sendUserMessage(
      dana.user,
      dana.chat,
      'Before I send a formal request for bank records, what do you need from me?',
    );
    const started = await waitForMessage(emulator, dana.chat, 'is on its way to Bakyt Demo-Toktogulov');
    const ref = /C-\d+/.exec(started.text ?? '')![0];

    // On Matrix, in the encrypted DM: the request with numbered choices.
    const request = await botSays(bakyt, `Consultation request ${ref}`);
    expect(request.encrypted).toBe(true);
    expect(body(request)).toContain('what do you need from me?');
    expect(body(request)).toMatch(/1\. Accept\n2\. Decline\n3\. Forward to a colleague/);
    await bakyt.user.client.sendTextMessage(bakyt.dm, '1');
    await botSays(bakyt, `You accepted consultation ${ref}`);
    await waitForMessage(emulator, dana.chat, `Bakyt Demo-Toktogulov (General Prosecutor`);

    for (let i = 1; i <= 3; i++) emulator.sendUserMessage(dana.user, dana.chat, `from Telegram ${i}`);
    for (let i = 1; i <= 3; i++) await bakyt.user.client.sendTextMessage(bakyt.dm, `from Matrix ${i}`);
    await botSays(bakyt, 'from Telegram 3');
    await waitForMessage(emulator, dana.chat, 'from Matrix 3');
    // Before counting: both bots have handled everything sent so far (a later marker on each
    // side is answered) and every relay they queued has been delivered.
    await botMessagesBeforeMarker(bakyt.user, bakyt.dm, botUserId);
    const danaSeen = emulator.sentMessages(dana.chat).length;
    emulator.sendUserMessage(dana.user, dana.chat, '/help');
    await emulator.waitForMessages(dana.chat, danaSeen + 1);
    await outboxSettled(testApp.application);

    const atBakyt = fromBot(bakyt).filter((message) => body(message).includes('from Telegram'));
    expect(atBakyt.map(body)).toEqual(
      [1, 2, 3].map((i) => `[${ref}] Dana Asker (Kazakhstan):\nfrom Telegram ${i}`),
    );
    for (const message of atBakyt) {
      expect(message.encrypted).toBe(true);
      // Threaded under the request, where Matrix clients show threads.
      expect(message.content['m.relates_to']).toMatchObject({
        rel_type: 'm.thread',
        event_id: request.eventId,
      });
    }
    const atDana = textsIn(emulator, dana.chat).filter((text) => text.includes('from Matrix'));
    expect(atDana).toHaveLength(3);
    atDana.forEach((text, index) => {
      expect(text).toMatch(
        new RegExp(
          `^\\[${ref}\\] Bakyt Demo-Toktogulov \\(General Prosecutor's Office of the Kyrgyz Republic[^)]*\\):\nfrom Matrix ${index + 1}$`,
        ),
      );
    });

    // A bare number is a message too, not a stale choice of the request (2 was "Decline").
    await bakyt.user.client.sendTextMessage(bakyt.dm, '2');
    await waitForMessage(emulator, dana.chat, /\):\n2$/);

    await bakyt.user.client.sendTextMessage(bakyt.dm, '!close');
    await botSays(bakyt, `Consultation ${ref} is closed`);
    await waitForMessage(emulator, dana.chat, `Bakyt Demo-Toktogulov closed consultation ${ref}`);
    const detail = await waitForConsultation(
      testApp,
      ref,
      (consultation) => consultation.status === 'closed',
    );
    expect(detail.messages).toEqual({ fromAsker: 3, fromCounterpart: 4 });
    expect(
      detail.messageLog
        .filter((entry) => entry.from === 'counterpart')
        .every((entry) => entry.platform === 'matrix'),
    ).toBe(true);
    // The bot never wrote plaintext into the encrypted room.
    expect(
      homeserver
        .roomEvents(bakyt.dm)
        .filter((event) => event.type === 'm.room.message' && event.sender === botUserId),
    ).toEqual([]);
  });
});

describe('a sensitive consultation', () => {
  let aliya: MatrixPerson;
  beforeAll(async () => {
    aliya = await matrixPerson('aliya', { name: 'Aliya Asker', country: 'KZ' });
  });
  afterAll(async () => {
    await aliya.user.stop();
  });

  it('is relayed between encrypted Matrix rooms', async () => {
    emulator.clearApiCalls();
    await aliya.user.client.sendTextMessage(aliya.dm, '!consult KG extradition');
    await botSays(aliya, 'Is this consultation sensitive?');
    await aliya.user.client.sendTextMessage(aliya.dm, '2');
    await botSays(aliya, 'Describe your question');
    await aliya.user.client.sendTextMessage(
      aliya.dm,
      'The fugitive Mr Y is hiding in Osh; can you arrest him?',
    );
    const started = await botSays(aliya, 'is on its way to Bakyt Demo-Toktogulov');
    const ref = /C-\d+/.exec(body(started))![0];
    const request = await botSays(bakyt, `Consultation request ${ref}`);
    expect(body(request)).toContain('The fugitive Mr Y is hiding in Osh');
    await bakyt.user.client.sendTextMessage(bakyt.dm, '1');
    await botSays(aliya, `accepted consultation ${ref}`);
    await aliya.user.client.sendTextMessage(aliya.dm, 'His passport is AB123456');
    const relayed = await botSays(bakyt, 'His passport is AB123456');
    expect(relayed.encrypted).toBe(true);
    await bakyt.user.client.sendTextMessage(bakyt.dm, 'Send the warrant');
    expect((await botSays(aliya, 'Send the warrant')).encrypted).toBe(true);
    // Every word of the secrets, in every call to Telegram and everything the homeserver saw in
    // the clear (the rooms' and to-device traffic is end-to-end encrypted).
    await outboxSettled(testApp.application);
    const secrets = [
      'The fugitive Mr Y is hiding in Osh; can you arrest him?',
      'His passport is AB123456',
      'Send the warrant',
    ];
    expect(leakedWords(secrets, everythingTelegramSaw(emulator))).toEqual([]);
    expect(leakedWords(secrets, everythingMatrixSaw(homeserver))).toEqual([]);
    await api(testApp, aliya.token, 'POST', `/v1/consultations/${ref}/close`);
  });

  it('never reaches a counterpart on Telegram: they get a notice to move to Matrix instead', async () => {
    emulator.clearApiCalls();
    const started = await api<{ ref: string }>(testApp, aliya.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'asset_recovery',
      description: 'Freeze the holdings KG-9988 of Mr Zarubin',
      sensitive: true,
    });
    const ref = started.body.ref;
    const request = await waitForMessage(emulator, nurbek.chat, `Sensitive consultation request ${ref}`);
    press(emulator, nurbek, request, 'consult:accept:');
    await waitForMessage(emulator, nurbek.chat, `Its content is relayed only in Matrix`);
    await botSays(aliya, `accepted consultation ${ref}`);

    await aliya.user.client.sendTextMessage(aliya.dm, 'The balance is 2.5 million');
    await botSays(
      aliya,
      `Nurbek Demo-Usenov has no Matrix account linked, so your message in sensitive consultation ${ref} was not relayed`,
    );
    await waitForMessage(
      emulator,
      nurbek.chat,
      `[${ref}] Aliya Asker sent a message in a sensitive consultation`,
    );
    emulator.sendUserMessage(nurbek.user, nurbek.chat, 'Which bank is it?');
    await waitForMessage(
      emulator,
      nurbek.chat,
      `Consultation ${ref} is sensitive: send your messages from Matrix`,
    );

    await botMessagesBeforeMarker(aliya.user, aliya.dm, botUserId);
    await outboxSettled(testApp.application);
    const secrets = ['Freeze the holdings KG-9988 of Mr Zarubin', 'The balance is 2.5 million'];
    expect(leakedWords(secrets, everythingTelegramSaw(emulator))).toEqual([]);
    expect(leakedWords(secrets, everythingMatrixSaw(homeserver))).toEqual([]);
    // Nor the other way: what Nurbek typed into Telegram never reaches Matrix.
    expect(
      leakedWords(
        ['Which bank is it?'],
        fromBot(aliya).map((message) => JSON.stringify(message.content)),
      ),
    ).toEqual([]);
    const detail = await waitForConsultation(
      testApp,
      ref,
      (consultation) => consultation.status === 'accepted',
    );
    expect(detail.messageLog).toMatchObject([{ from: 'asker', platform: 'matrix', relayed: false }]);
    await api(testApp, aliya.token, 'POST', `/v1/consultations/${ref}/close`);
  });
});
