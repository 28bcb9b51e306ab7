// The stage for Matrix bot stories: a test homeserver, the whole application with the bot
// configured, and helpers to follow what the bot says to real matrix-js-sdk users.
import { createMatrixBot, type MatrixBot, type MatrixBotOptions } from '../../bots/matrix/index.ts';
import type { Clock } from '../../src/clock/index.ts';
import {
  type HomeserverOptions,
  startMatrixHomeserver,
  type TestHomeserver,
} from './matrix-homeserver/index.ts';
import { type ReceivedMessage, startTestMatrixUser, type TestMatrixUser } from './matrix-test-client.ts';
import { startTestApp, type TestApp } from './test-app.ts';

export const botPassword = 'bot-account-password';
export const storeKey = 'matrix-store-key-for-tests-0123456789abcdef';

export const body = (message: ReceivedMessage): string => String(message.content.body);

/** Answers a numbered choice: types the number of the line with `label` in the bot's `message`. */
export async function chooseNumbered(user: TestMatrixUser, message: ReceivedMessage, label: string) {
  const line = body(message)
    .split('\n')
    .map((text) => /^(\d+)\. (.*)$/.exec(text))
    .find((match) => match?.[2]?.includes(label) === true);
  if (line?.[1] === undefined) throw new Error(`no choice "${label}" in: ${body(message)}`);
  await user.client.sendTextMessage(message.roomId, line[1]);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** See MatrixBotFixture.messagesBeforeMarker; for stories that build their own stage. */
export async function botMessagesBeforeMarker(
  user: TestMatrixUser,
  roomId: string,
  botUserId: string,
): Promise<ReceivedMessage[]> {
  const fromBot = () =>
    user.received.filter((message) => message.roomId === roomId && message.sender === botUserId);
  const seen = fromBot().length;
  await user.client.sendTextMessage(roomId, '!help');
  const marker = await user.waitForMessage(
    (message) =>
      message.roomId === roomId &&
      message.sender === botUserId &&
      fromBot().indexOf(message) >= seen &&
      /^(Commands:|Команды:)/m.test(body(message)),
  );
  const all = fromBot();
  return all.slice(0, all.indexOf(marker));
}

export interface MatrixBotFixture {
  homeserver: TestHomeserver;
  testApp: TestApp;
  botUserId: string;
  /** Admin API call through the application. */
  api(
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  readiness(): Promise<{ checks: Record<string, string> }>;
  /** Everything the bot said to `user` in `roomId`, in order. */
  botMessages(user: TestMatrixUser, roomId: string): ReceivedMessage[];
  /** The bot's next message in the room after the first `seen` ones. */
  nextFromBot(
    user: TestMatrixUser,
    roomId: string,
    seen: number,
    timeoutMs?: number,
  ): Promise<ReceivedMessage>;
  /**
   * Sends `!help` and waits for its answer. The bot handles a room's events in order and delivers
   * its replies in the order it wrote them, so once the help arrives every earlier event has been
   * handled and answered: a duplicate would be here by now. Resolves with the bot's messages in the
   * room before the help (so a "nothing twice" check counts after the fact, not after a sleep).
   */
  messagesBeforeMarker(user: TestMatrixUser, roomId: string): Promise<ReceivedMessage[]>;
  /**
   * A member with an invite code, on Matrix, linked in an encrypted DM with the bot; `member` adds
   * fields of the member (the contact they are behind, their language, admin). `country` null: an
   * admin of no country.
   */
  linkedMember(
    localpart: string,
    name: string,
    country: string | null,
    member?: { contactId?: string; locale?: 'en' | 'ru'; role?: 'member' | 'admin' },
  ): Promise<{ user: TestMatrixUser; dm: string; memberId: string }>;
  /** Another bot process of the same application (a replica, or another account). */
  anotherBot(overrides: Partial<MatrixBotOptions> & Pick<MatrixBotOptions, 'account'>): MatrixBot;
  close(): Promise<void>;
}

/**
 * `clock` pins the application's date (see test-clock.ts); `env` adds configuration (policy files).
 * The bot's account is exempt from the homeserver's message rate limit, as the README advises
 * operators to arrange (Synapse's override_ratelimit), unless `botRateLimited` (people's accounts
 * are always limited).
 */
export async function startMatrixBotFixture(
  label: string,
  {
    env = {},
    botRateLimited = false,
    homeserverOptions = {},
    ...options
  }: {
    clock?: Clock;
    env?: Record<string, string>;
    botRateLimited?: boolean;
    homeserverOptions?: HomeserverOptions;
  } = {},
): Promise<MatrixBotFixture> {
  const homeserver = await startMatrixHomeserver(homeserverOptions);
  const botUserId = homeserver.registerUser('counterpart', botPassword).userId;
  if (!botRateLimited) homeserver.exemptFromRateLimit(botUserId);
  const testApp = await startTestApp(label, {
    env: {
      MATRIX_HOMESERVER_URL: homeserver.url,
      MATRIX_USER_ID: botUserId,
      MATRIX_PASSWORD: botPassword,
      MATRIX_STORE_KEY: storeKey,
      ...env,
    },
    ...options,
  });
  await waitFor(
    () => (testApp.application.bots.matrix?.status() === 'syncing' ? true : undefined),
    'the bot to sync',
  );
  const users: TestMatrixUser[] = [];

  const api: MatrixBotFixture['api'] = async (method, url, payload) => {
    const response = await testApp.application.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${testApp.adminToken}` },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const botMessages: MatrixBotFixture['botMessages'] = (user, roomId) =>
    user.received.filter((message) => message.roomId === roomId && message.sender === botUserId);
  const nextFromBot: MatrixBotFixture['nextFromBot'] = (user, roomId, seen, timeoutMs) =>
    user.waitForMessage(
      (message) =>
        message.roomId === roomId &&
        message.sender === botUserId &&
        botMessages(user, roomId).indexOf(message) >= seen,
      timeoutMs,
    );

  const messagesBeforeMarker: MatrixBotFixture['messagesBeforeMarker'] = (user, roomId) =>
    botMessagesBeforeMarker(user, roomId, botUserId);

  return {
    homeserver,
    testApp,
    botUserId,
    api,
    messagesBeforeMarker,
    readiness: async () => (await testApp.application.app.inject({ method: 'GET', url: '/readyz' })).json(),
    botMessages,
    nextFromBot,
    async linkedMember(localpart, name, country, extra = {}) {
      const member = await api('POST', '/v1/members', { name, country, role: 'member', ...extra });
      const invite = await api('POST', `/v1/members/${String(member.body.id)}/invites`);
      const user = await startTestMatrixUser(homeserver, localpart);
      users.push(user);
      const dm = await user.createEncryptedDm(botUserId);
      await user.waitForJoin(dm, botUserId);
      await nextFromBot(user, dm, 0);
      await user.client.sendTextMessage(dm, `!link ${String(invite.body.code)}`);
      await user.waitForMessage(
        (message) => message.roomId === dm && message.sender === botUserId && body(message).includes(name),
      );
      return { user, dm, memberId: String(member.body.id) };
    },
    anotherBot(overrides) {
      const { application } = testApp;
      return createMatrixBot({
        storeKey,
        engine: application.engine,
        identities: application.identities,
        translator: application.translator,
        defaultLocale: 'en',
        db: application.database.db,
        redis: application.redis,
        logger: application.logger,
        ...overrides,
      });
    },
    async close() {
      for (const user of users) await user.stop();
      await testApp.close();
      await homeserver.close();
    },
  };
}
