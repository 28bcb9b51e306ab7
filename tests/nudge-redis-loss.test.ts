// Redis is where the timers and delivery jobs live, but not the truth: Postgres is. Stories of
// Redis losing everything (FLUSHALL), Redis down for a while, and a messenger answering 429, 5xx
// or not at all: every nudge still arrives, once. A private redis-server, so flushing and
// stopping it disturbs no other test file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resentAfterCrash } from '../src/outbox/index.ts';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { createToken } from './support/chat-fixtures.ts';
import {
  linkCounterparts,
  registryWithCounterparts,
  type LinkedCounterpart,
} from './support/nudge-fixtures.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { eventually, outboxSettled, withinDeadline } from './support/eventually.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let emulator: TelegramEmulator;
let redis: PrivateRedis;
let testApp: TestApp;
let counterparts: LinkedCounterpart[];
let requesterToken: string;
let requesterChat: number;
let nextCounterpart = 0;

beforeAll(async () => {
  emulator = await startTelegramEmulator();
  redis = await startPrivateRedis();
  const directory = mkdtempSync(join(tmpdir(), 'nudge-redis-'));
  const policiesFile = join(directory, 'policies.yaml');
  writeFileSync(
    policiesFile,
    'default: { firstNudgeAfter: PT2S, repeatEvery: PT1H, escalateAfterUnanswered: 0, respectWorkingTime: false }\n',
  );
  testApp = await startTestApp('nudge_redis_loss', {
    loadDemo: false,
    env: {
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      NUDGE_POLICIES_FILE: policiesFile,
      RECONCILE_INTERVAL_SECONDS: '1',
      WORKER_LOCK_SECONDS: '2',
    },
  });
  await testApp.application.registry.importRegistry(undefined, registryWithCounterparts(80));
  counterparts = await linkCounterparts(testApp.application, emulator, 80);
  const requester = await testApp.application.members.create(undefined, {
    name: 'Aigerim Requester',
    country: 'KZ',
    role: 'member',
    locale: 'en',
  });
  requesterToken = await createToken(testApp, requester.id);
  // Linked without a /start through the emulator: the story assumes she started the bot earlier.
  const user = emulator.createUser({ firstName: 'Aigerim', hasStartedBot: true });
  const invite = await testApp.application.invites.create(undefined, requester.id);
  await testApp.application.invites.redeem(invite.code, {
    platform: 'telegram',
    platformUserId: String(user.id),
    chatId: String(user.id),
  });
  requesterChat = user.id;
}, 180_000);

afterAll(async () => {
  await testApp.close();
  await redis.close();
  await emulator.close();
});

/** Registers requests to the next `count` counterparts; resolves to their chats and references. */
async function registerRequests(
  count: number,
  label: string,
): Promise<{ chatId: number; reference: string; id: string }[]> {
  const registered = [];
  for (let index = 0; index < count; index++) {
    const counterpart = counterparts[nextCounterpart++]!;
    const reference = `${label}-${index}`;
    // Producers fail fast: a dead Redis never holds up registering a request (the deadline only
    // bounds a hang; how fast is a benchmark's business).
    const response = await withinDeadline(
      testApp.application.app.inject({
        method: 'POST',
        url: '/v1/requests',
        headers: { authorization: `Bearer ${requesterToken}` },
        payload: {
          type: 'mla',
          toCountry: 'UZ',
          contactId: counterpart.contactId,
          ourReference: reference,
          subject: 'Bank records',
          sentAt: new Date().toISOString(),
        },
      }),
      `registering request ${reference}`,
      60_000,
    );
    expect(response.statusCode, response.body).toBe(201);
    registered.push({ chatId: counterpart.chatId, reference, id: response.json().id as string });
  }
  return registered;
}

const received = (chatId: number, reference: string) =>
  emulator.sentMessages(chatId).filter((message) => message.text?.includes(reference) === true).length;

async function expectEachDeliveredOnce(
  requests: { chatId: number; reference: string }[],
  timeoutMs = 90_000,
): Promise<void> {
  await eventually(
    () => (requests.every((request) => received(request.chatId, request.reference) > 0) ? true : undefined),
    `a nudge for each of ${requests.length} requests`,
    timeoutMs,
  );
  // Every delivery finished, the queue drained and a reconciler pass settled: a duplicate would
  // have been sent by now.
  await outboxSettled(testApp.application);
  expect(requests.map((request) => received(request.chatId, request.reference))).toEqual(
    requests.map(() => 1),
  );
}

/** The request's next nudge time as the API reports it. */
async function nextNudgeAt(id: string): Promise<number | undefined> {
  const response = await testApp.application.app.inject({
    method: 'GET',
    url: `/v1/requests/${id}`,
    headers: { authorization: `Bearer ${requesterToken}` },
  });
  const value = response.json<{ nextNudgeAt: string | null }>().nextNudgeAt;
  return value === null ? undefined : Date.parse(value);
}

describe('a messenger that answers 429, 5xx or not at all', () => {
  it('retries, delivers, and never duplicates', async () => {
    const before = emulator.tooManyRequestsCount;
    emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 1 }, 2);
    emulator.failNext('sendMessage', { errorCode: 502, description: 'Bad Gateway' }, 2);
    emulator.failNext('sendMessage', { dropConnection: true }, 1);
    const requests = await registerRequests(5, 'FLAKY');
    await expectEachDeliveredOnce(requests);
    expect(emulator.tooManyRequestsCount - before).toBe(2);
    const rows = await testApp.application.database.db
      .select({ state: outboxTable.state })
      .from(outboxTable)
      .where(eq(outboxTable.kind, 'request-nudge'));
    expect(rows.map((row) => row.state)).toEqual(rows.map(() => 'sent'));
  });

  it('a counterpart who blocked the bot: recorded as undeliverable, and the requester is told', async () => {
    // The counterpart the next request goes to has blocked the bot before it is registered.
    emulator.blockBot(counterparts[nextCounterpart]!.chatId);
    const [request] = await registerRequests(1, 'BLOCKED');
    const notice = await eventually(
      () =>
        emulator.sentMessages(requesterChat).find((message) => message.text?.includes('BLOCKED-0') === true),
      'the requester to be told the nudge could not be delivered',
    );
    expect(notice.text).toContain('could not be delivered');
    // Nothing left to deliver or retry: a nudge sent after all would have arrived by now.
    await outboxSettled(testApp.application);
    expect(received(request!.chatId, 'BLOCKED-0')).toBe(0);
    const detail = await testApp.application.app.inject({
      method: 'GET',
      url: `/v1/requests/${request!.id}`,
      headers: { authorization: `Bearer ${requesterToken}` },
    });
    const events = detail.json<{ events: { kind: string; details: unknown }[] }>().events;
    expect(events.find((event) => event.kind === 'nudge_undeliverable')?.details).toMatchObject({
      reason: 'failed',
      error: 'telegram_403',
    });
  });
});

describe('a delivery found half done after a crash', () => {
  it('is never sent again: the outcome is recorded as uncertain', async () => {
    const [request] = await registerRequests(1, 'HALFDONE');
    const db = testApp.application.database.db;
    // Wait for its nudge to be delivered, then replay the moment of a crash on a copy of that row:
    // claimed ("sending") by a worker that died before marking it.
    const delivered = await eventually(async () => {
      const [row] = await db
        .select()
        .from(outboxTable)
        .where(like(outboxTable.dedupeKey, `nudge:${request!.id}:0:%`));
      return row?.state === 'sent' ? row : undefined;
    }, 'the nudge of HALFDONE-0 marked sent');
    expect(received(request!.chatId, 'HALFDONE-0')).toBe(1);
    const minuteAgo = new Date(Date.now() - 60_000);
    await db.insert(outboxTable).values({
      id: 'ocrashed-while-sending-1',
      dedupeKey: `nudge:${request!.id}:crash-replay`,
      kind: 'request-nudge',
      subject: `request:${request!.id}`,
      memberId: delivered.memberId,
      platform: 'telegram',
      chatId: delivered.chatId,
      message: null,
      context: delivered.context,
      state: 'sending',
      attempts: 1,
      claimToken: 'token-of-a-dead-worker',
      claimedAt: minuteAgo,
      createdAt: minuteAgo,
      updatedAt: minuteAgo,
      queuedAt: minuteAgo,
    });
    await testApp.application.outbox.reconcileNow();
    const state = await eventually(async () => {
      const [row] = await db
        .select({ state: outboxTable.state })
        .from(outboxTable)
        .where(eq(outboxTable.id, 'ocrashed-while-sending-1'));
      return row?.state === 'sending' ? undefined : (row?.state ?? 'missing');
    }, 'the replayed half-done delivery to be resolved');
    expect(state).toBe('uncertain');
    await outboxSettled(testApp.application);
    expect(received(request!.chatId, 'HALFDONE-0')).toBe(1);
    const detail = await testApp.application.app.inject({
      method: 'GET',
      url: `/v1/requests/${request!.id}`,
      headers: { authorization: `Bearer ${requesterToken}` },
    });
    const kinds = detail.json<{ events: { kind: string }[] }>().events.map((event) => event.kind);
    expect(kinds).toContain('nudge_delivery_uncertain');
  });
});

describe('an at-least-once push found half done after a crash', () => {
  it('is sent again and stays marked as resent, even when the resend first meets a 429', async () => {
    const db = testApp.application.database.db;
    const chatId = counterparts.at(-1)!.chatId;
    const minuteAgo = new Date(Date.now() - 60_000);
    // A worker claimed it and died before marking it; its send may or may not have arrived.
    emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 1 });
    await db.insert(outboxTable).values({
      id: 'ocrashed-while-sending-2',
      dedupeKey: 'push:at-least-once:crash-replay',
      kind: 'push',
      platform: 'telegram',
      chatId: String(chatId),
      message: { text: 'HALFDONE-AGAIN' },
      atLeastOnce: true,
      state: 'sending',
      attempts: 1,
      claimToken: 'token-of-another-dead-worker',
      claimedAt: minuteAgo,
      createdAt: minuteAgo,
      updatedAt: minuteAgo,
      queuedAt: minuteAgo,
    });
    await testApp.application.outbox.reconcileNow();
    const row = await eventually(async () => {
      const [found] = await db
        .select({
          state: outboxTable.state,
          lastError: outboxTable.lastError,
          attempts: outboxTable.attempts,
        })
        .from(outboxTable)
        .where(eq(outboxTable.id, 'ocrashed-while-sending-2'));
      return found?.state === 'sent' ? found : undefined;
    }, 'the half-done push sent again');
    // Refused once (the 429), then sent: the recipient may have it twice, and the row says so.
    expect(row.attempts).toBe(3);
    expect(row.lastError).toBe(resentAfterCrash);
    // Sent again once, not more: counted once the outbox has settled.
    await outboxSettled(testApp.application);
    expect(received(chatId, 'HALFDONE-AGAIN')).toBe(1);
  });
});

describe('Redis loses everything', () => {
  it('FLUSHALL right after registration and again mid-delivery: the reconciler restores every pending nudge, none lost, none doubled', async () => {
    const first = await registerRequests(30, 'FLUSH-A');
    await redis.flushAll();
    const second = await registerRequests(30, 'FLUSH-B');
    // Wait until some of them are being delivered, then flush again.
    await eventually(
      () =>
        second.filter((request) => received(request.chatId, request.reference) > 0).length >= 5
          ? true
          : undefined,
      'five of the second batch delivered',
    );
    await redis.flushAll();
    await expectEachDeliveredOnce([...first, ...second], 120_000);
  });
});

describe('Redis down for a while', () => {
  it('the API still answers questions and registers requests; the nudges arrive late, but they arrive', async () => {
    const before = await registerRequests(5, 'DOWN-A');
    await redis.stop();
    const question = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/ask',
      headers: { authorization: `Bearer ${requesterToken}` },
      payload: { text: 'who handles extradition in Kyrgyzstan' },
    });
    expect(question.statusCode).toBe(200);
    expect(question.json().results[0].contacts[0].id).toBe('kg-001');
    const during = await registerRequests(3, 'DOWN-B');
    // The nudges fall due while Redis is away. Wait until each one is due, or (a timer that fired
    // before Redis stopped, on a slow machine) delivered or fired with its delivery left waiting
    // for Redis, and no delivery is in flight: a delivery already past the rate limiter when Redis
    // died finishes, since it needs only the messenger and Postgres.
    const db = testApp.application.database.db;
    await eventually(async () => {
      for (const request of [...before, ...during]) {
        if (received(request.chatId, request.reference) > 0) continue;
        const [fired] = await db
          .select({ state: outboxTable.state })
          .from(outboxTable)
          .where(like(outboxTable.dedupeKey, `nudge:${request.id}:0:%`));
        if (fired?.state === 'pending') continue;
        if (fired !== undefined) return undefined;
        const due = await nextNudgeAt(request.id);
        if (due === undefined || due > Date.now()) return undefined;
      }
      const inFlight = await db
        .select({ id: outboxTable.id })
        .from(outboxTable)
        .where(eq(outboxTable.state, 'sending'));
      return inFlight.length === 0 ? true : undefined;
    }, 'the nudges of the requests registered around the outage to fall due');
    // Normally none went out before the outage (the timers are two seconds out); those that did
    // are only checked for arriving once.
    const late = [...before, ...during].filter(
      (request) => received(request.chatId, request.reference) === 0,
    );
    expect(late.length).toBeGreaterThanOrEqual(during.length);
    expect(during.every((request) => late.includes(request))).toBe(true);

    const restartedAt = Date.now();
    await redis.start();
    await expectEachDeliveredOnce([...before, ...during], 120_000);
    const sendTimes = emulator
      .apiCalls('sendMessage')
      .filter(
        (call) =>
          call.ok === true && late.some((request) => String(call.params.text).includes(request.reference)),
      )
      .map((call) => call.at);
    expect(sendTimes).toHaveLength(late.length);
    expect(Math.min(...sendTimes)).toBeGreaterThanOrEqual(restartedAt);
    const open = await db
      .select({ id: outboxTable.id })
      .from(outboxTable)
      .where(inArray(outboxTable.state, ['pending', 'sending']));
    expect(open).toEqual([]);
  });
});
