// A sensitive consultation whose counterpart is on the web console. The console is TLS to our own
// server, not end-to-end encrypted (bots/web/web-messenger.ts), so the README's promise applies as
// to Telegram: the counterpart gets the request without its description and a notice instead of
// each message, and what they type there is not relayed; a counterpart who also linked Matrix gets
// it all in their encrypted room and nothing in the console. Every distinctive word of every
// secret is then looked for in everything the Telegram emulator and the homeserver saw (the rooms
// are encrypted, so only ciphertext may carry it), in every table, in Redis (the console's pushes
// are kept there for replay) and in the application's log lines at trace level.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createInvite, createMember, createToken, type CreatedMember } from './support/chat-fixtures.ts';
import {
  api,
  telegramPerson,
  waitForConsultation,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import { everythingMatrixSaw, everythingTelegramSaw, leakedWords } from './support/leak-search.ts';
import { body, botMessagesBeforeMarker } from './support/matrix-bot-fixture.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import {
  startTestMatrixUser,
  type ReceivedMessage,
  type TestMatrixUser,
} from './support/matrix-test-client.ts';
import { everythingInRedis, everythingStored } from './support/storage-leaks.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { webConsoleClient, type ConsoleMember } from './support/web-console-client.ts';

interface MatrixPerson {
  member: CreatedMember;
  token: string;
  user: TestMatrixUser;
  /** The encrypted DM with the bot, where the member linked. */
  dm: string;
}

interface ConsolePush {
  text: string;
  buttons?: { label: string; action: string }[];
}

let homeserver: TestHomeserver;
let emulator: TelegramEmulator;
let testApp: TestApp;
let client: ReturnType<typeof webConsoleClient>;
let botUserId: string;
const logLines: string[] = [];
/** Aliya (Kazakhstan) asks on Matrix. */
let aliya: MatrixPerson;
/** Dana (Kazakhstan) is on Telegram only. */
let dana: TelegramPerson;
/** Bakyt, behind kg-001 (extradition), linked only the web console. */
let bakyt: ConsoleMember;
/** Nurbek, behind kg-003 (asset recovery), linked the web console and then Matrix. */
let nurbek: ConsoleMember & { matrix: TestMatrixUser; dm: string };

const fromBot = (user: TestMatrixUser, dm: string) =>
  user.received.filter((message) => message.roomId === dm && message.sender === botUserId);

async function botSays(user: TestMatrixUser, dm: string, needle: string): Promise<ReceivedMessage> {
  try {
    return await user.waitForMessage(
      (message) => message.roomId === dm && message.sender === botUserId && body(message).includes(needle),
    );
  } catch (error) {
    throw new Error(
      `${user.userId} never read "${needle}"; the bot said:\n${fromBot(user, dm).map(body).join('\n---\n')}`,
      { cause: error },
    );
  }
}

/** A new encrypted DM with the bot, linked to `memberId` with a fresh invite. */
async function linkMatrix(localpart: string, memberId: string, name: string) {
  const invite = await createInvite(testApp, memberId);
  const user = await startTestMatrixUser(homeserver, localpart);
  const dm = await user.createEncryptedDm(botUserId);
  await user.waitForJoin(dm, botUserId);
  await user.client.sendTextMessage(dm, `!link ${invite.code}`);
  await botSays(user, dm, name);
  return { user, dm };
}

/** What the console was pushed for this member, oldest first (the replay store a console reads). */
async function pushesTo(member: ConsoleMember): Promise<ConsolePush[]> {
  const { client: redis, prefix } = testApp.application.redis;
  const entries = await redis!.xrange(`${prefix}:web:pushes:${member.memberId}`, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as ConsolePush);
}

const waitForPush = (member: ConsoleMember, needle: string): Promise<ConsolePush> =>
  eventually(
    async () => (await pushesTo(member)).find((push) => push.text.includes(needle)),
    `a console push containing "${needle}"`,
  );

const actionOf = (push: ConsolePush, label: RegExp): string => {
  const action = push.buttons?.find((button) => label.test(button.label))?.action;
  if (action === undefined) throw new Error(`no button ${String(label)} on "${push.text}"`);
  return action;
};

/** Every place a secret could have leaked to, after everything in flight has been delivered. */
async function everywhere(): Promise<Record<string, string[]>> {
  await outboxSettled(testApp.application);
  return {
    telegram: everythingTelegramSaw(emulator),
    matrix: everythingMatrixSaw(homeserver),
    database: await everythingStored(testApp),
    redis: await everythingInRedis(testApp),
    logs: [...logLines],
  };
}

function expectNoLeak(secrets: readonly string[], places: Record<string, string[]>): void {
  const found = Object.fromEntries(
    Object.entries(places).map(([place, texts]) => [place, leakedWords(secrets, texts)]),
  );
  expect(found).toEqual({ telegram: [], matrix: [], database: [], redis: [], logs: [] });
}

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  emulator = await startTelegramEmulator();
  botUserId = homeserver.registerUser('counterpart', 'bot-account-password').userId;
  // Exempt as the README advises operators to arrange; matrix-rate-limit.test.ts runs it limited.
  homeserver.exemptFromRateLimit(botUserId);
  testApp = await startTestApp('consult_web_sensitive', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      MATRIX_HOMESERVER_URL: homeserver.url,
      MATRIX_USER_ID: botUserId,
      MATRIX_PASSWORD: 'bot-account-password',
      MATRIX_STORE_KEY: 'matrix-store-key-for-web-sensitive-tests-01',
      // Everything the application logs, at its most talkative, is searched for the secrets.
      LOG_LEVEL: 'trace',
    },
    logDestination: { write: (line) => logLines.push(line) },
  });
  client = webConsoleClient(testApp.application.app, testApp.adminToken);
  await eventually(
    () => (testApp.application.bots.matrix?.status() === 'syncing' ? true : undefined),
    'the Matrix bot to sync',
  );
  const aliyaMember = await createMember(testApp, { name: 'Aliya Asker', country: 'KZ', locale: 'en' });
  aliya = {
    member: aliyaMember,
    token: await createToken(testApp, aliyaMember.id),
    ...(await linkMatrix('aliya', aliyaMember.id, 'Aliya Asker')),
  };
  dana = await telegramPerson(testApp, emulator, { name: 'Dana Asker', country: 'KZ' });
  bakyt = await client.loggedInMember('Bakyt Console', 'KG', 'kg-001');
  const nurbekConsole = await client.loggedInMember('Nurbek Console', 'KG', 'kg-003');
  const nurbekMatrix = await linkMatrix('nurbek', nurbekConsole.memberId, 'Nurbek Console');
  nurbek = { ...nurbekConsole, matrix: nurbekMatrix.user, dm: nurbekMatrix.dm };
}, 120_000);

afterAll(async () => {
  await aliya.user.stop();
  await nurbek.matrix.stop();
  await testApp.close();
  await emulator.close();
  await homeserver.close();
});

/** Consultations a story opened, closed after it whatever happened, so the next story starts clean. */
const opened: { ref: string; token: string }[] = [];
const remember = (ref: string, token: string): string => {
  opened.push({ ref, token });
  return ref;
};

afterEach(async () => {
  for (const { ref, token } of opened.splice(0))
    await api(testApp, token, 'POST', `/v1/consultations/${ref}/close`);
  // Every button pressed in a test was answered (the spinner stopped) within Telegram's window.
  await emulator.expectCallbackQueriesAnswered();
});

describe('a sensitive consultation whose counterpart has only the web console', () => {
  it('asked on Matrix: the console gets the request and notices, never a word of the content', async () => {
    const description = 'Smuggler Quillbrook boards flight 773401 at Zerkalvo with passport XK4471902';
    const followUp = 'Quillbrook wired 88123917 to Talasbank yesterday';
    const reply = 'Vexmoor dossier 552107 is ready';

    await aliya.user.client.sendTextMessage(aliya.dm, '!consult KG extradition');
    await botSays(aliya.user, aliya.dm, 'Is this consultation sensitive?');
    await aliya.user.client.sendTextMessage(aliya.dm, '2');
    await botSays(aliya.user, aliya.dm, 'Describe your question');
    await aliya.user.client.sendTextMessage(aliya.dm, description);
    const started = await botSays(aliya.user, aliya.dm, 'is on its way to Bakyt Demo-Toktogulov');
    const ref = remember(/C-\d+/.exec(body(started))![0], aliya.token);

    // The console: the request, told it is sensitive, with its buttons but not its description.
    const request = await waitForPush(bakyt, `Sensitive consultation request ${ref}`);
    expect(request.text).toContain('Its description is shown only in end-to-end encrypted Matrix chats');
    const accepted = await client.say(bakyt, { action: actionOf(request, /^Accept/) });
    expect(accepted.map((message) => message.text).join('\n')).toContain(
      `You accepted sensitive consultation ${ref}`,
    );
    await botSays(aliya.user, aliya.dm, `accepted consultation ${ref}`);

    // Aliya's message is not relayed to the console: she is told, the console gets a notice.
    await aliya.user.client.sendTextMessage(aliya.dm, followUp);
    await botSays(
      aliya.user,
      aliya.dm,
      `Bakyt Demo-Toktogulov has no Matrix account linked, so your message in sensitive consultation ${ref} was not relayed`,
    );
    await waitForPush(bakyt, `[${ref}] Aliya Asker sent a message in a sensitive consultation`);

    // What Bakyt types in the console is refused, not relayed to Aliya's encrypted room either.
    const refused = await client.say(bakyt, { text: reply });
    expect(refused.map((message) => message.text).join('\n')).toContain(
      `Consultation ${ref} is sensitive: send your messages from Matrix. This message was not relayed.`,
    );

    // A marker after everything: Aliya's room has settled; the consultation log says what happened.
    await botMessagesBeforeMarker(aliya.user, aliya.dm, botUserId);
    const places = await everywhere();
    // Only Aliya's message counts as one of the consultation; Bakyt's was refused at the door.
    const detail = await waitForConsultation(
      testApp,
      ref,
      (consultation) => consultation.status === 'accepted',
    );
    expect(detail.messageLog).toMatchObject([{ from: 'asker', platform: 'matrix', relayed: false }]);
    expect(detail.messageLog).toHaveLength(1);
    expect(detail.counterpart).toMatchObject({ memberId: bakyt.memberId, contactId: 'kg-001' });

    // The console's pushes are among what is searched (the search can see them).
    expect(places.redis!.some((text) => text.includes(`Sensitive consultation request ${ref}`))).toBe(true);
    expectNoLeak([description, followUp, reply], places);
    expect(
      leakedWords(
        [reply],
        fromBot(aliya.user, aliya.dm).map((message) => JSON.stringify(message.content)),
      ),
    ).toEqual([]);
  });

  it('asked through the API by a member on Telegram: neither side reads a word of it', async () => {
    const description = 'Fugitive Ostrovane hides at Karakolpost farm 441907';
    const fromDana = 'Ostrovane owns the red Niva 01KG993';
    const fromBakyt = 'Brimwater confirms sighting 220731';
    const started = await api<{ ref: string }>(testApp, dana.token, 'POST', '/v1/consultations', {
      country: 'KG',
      competence: 'extradition',
      description,
      sensitive: true,
    });
    expect(started.status).toBe(201);
    const ref = remember(started.body.ref, dana.token);

    const request = await waitForPush(bakyt, `Sensitive consultation request ${ref}`);
    await client.say(bakyt, { action: actionOf(request, /^Accept/) });
    await waitForMessage(emulator, dana.chat, `accepted consultation ${ref}`);

    emulator.sendUserMessage(dana.user, dana.chat, fromDana);
    await waitForMessage(
      emulator,
      dana.chat,
      `Consultation ${ref} is sensitive: send your messages from Matrix`,
    );
    const refused = await client.say(bakyt, { text: fromBakyt });
    expect(refused.map((message) => message.text).join('\n')).toContain(
      `Consultation ${ref} is sensitive: send your messages from Matrix`,
    );
    const places = await everywhere();
    // Both were refused at the door: neither counts as a message of the consultation.
    const detail = await waitForConsultation(
      testApp,
      ref,
      (consultation) => consultation.status === 'accepted',
    );
    expect(detail.messageLog).toEqual([]);
    expect((await pushesTo(bakyt)).filter((push) => push.text.includes(ref)).length).toBeGreaterThan(0);
    expectNoLeak([description, fromDana, fromBakyt], places);
  });
});

describe('a sensitive consultation whose counterpart has the web console and Matrix', () => {
  it('goes to their encrypted room, and the console is pushed nothing of it', async () => {
    const description = 'Pendlewick holdings 661829 sit at Corvanbank';
    const followUp = 'Pendlewick balance is 3.4 million';
    const fromMatrix = 'Corvanbank froze deposit 509062';
    const fromConsole = 'Halvorsen nominee 778143 also signs';

    await aliya.user.client.sendTextMessage(aliya.dm, '!consult KG asset_recovery');
    await botSays(aliya.user, aliya.dm, 'Is this consultation sensitive?');
    await aliya.user.client.sendTextMessage(aliya.dm, '2');
    await botSays(aliya.user, aliya.dm, 'Describe your question');
    await aliya.user.client.sendTextMessage(aliya.dm, description);
    const started = await botSays(aliya.user, aliya.dm, 'is on its way to Nurbek Demo-Usenov');
    const ref = remember(/C-\d+/.exec(body(started))![0], aliya.token);

    // In Nurbek's encrypted room: the request with its description.
    const request = await botSays(nurbek.matrix, nurbek.dm, `Consultation request ${ref}`);
    expect(request.encrypted).toBe(true);
    expect(body(request)).toContain(description);
    await nurbek.matrix.client.sendTextMessage(nurbek.dm, '1');
    await botSays(aliya.user, aliya.dm, `accepted consultation ${ref}`);

    await aliya.user.client.sendTextMessage(aliya.dm, followUp);
    expect((await botSays(nurbek.matrix, nurbek.dm, followUp)).encrypted).toBe(true);
    await nurbek.matrix.client.sendTextMessage(nurbek.dm, fromMatrix);
    expect((await botSays(aliya.user, aliya.dm, fromMatrix)).encrypted).toBe(true);

    // Typed into his console instead, it is refused there and not relayed.
    const refused = await client.say(nurbek, { text: fromConsole });
    expect(refused.map((message) => message.text).join('\n')).toContain(
      `Consultation ${ref} is sensitive: send your messages from Matrix. This message was not relayed.`,
    );
    await botMessagesBeforeMarker(aliya.user, aliya.dm, botUserId);
    const places = await everywhere();
    const detail = await waitForConsultation(
      testApp,
      ref,
      (consultation) => consultation.status === 'accepted',
    );
    expect(detail.messageLog).toMatchObject([
      { from: 'asker', platform: 'matrix', relayed: true },
      { from: 'counterpart', platform: 'matrix', relayed: true },
    ]);
    expect(detail.messageLog).toHaveLength(2);
    // Nothing of this consultation was pushed to his console: it all went to Matrix.
    expect((await pushesTo(nurbek)).filter((push) => push.text.includes(ref))).toEqual([]);
    expectNoLeak([description, followUp, fromMatrix, fromConsole], places);
    expect(
      leakedWords(
        [fromConsole],
        fromBot(aliya.user, aliya.dm).map((message) => JSON.stringify(message.content)),
      ),
    ).toEqual([]);
  });
});
