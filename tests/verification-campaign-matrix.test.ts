// The full re-verification campaign on both messengers: fifty overdue contacts, twenty-five on
// Telegram (the Bot API emulator) and twenty-five on Matrix (the test homeserver, end-to-end
// encrypted DMs the bot opens), an API process (this one) and worker processes (the production
// entry point with RUN_MODE=worker). The worker that syncs the Matrix account is SIGKILLed while
// the homeserver holds one of its prompts on the wire, and Redis is flushed at once (queues,
// timers and the Matrix sync lock gone); the standby worker or a new one takes the Matrix account over. Every
// contact gets their prompt: exactly once on Matrix (the homeserver keeps one event per
// transaction id, and the resent prompt carries the same one), at least once on Telegram (twice
// only where the outbox row says it was resent after the crash). Every kind of answer on both
// messengers, proposals approved and rejected, reminders and flags for the silent, the digest.
// Placement (a weekend and a national holiday skipped) is checked on the pinned API clock before
// the workers, which run on the real clock, start.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { transactionIdFor } from '../bots/matrix/reply-sender.ts';
import { resentAfterCrash } from '../src/outbox/index.ts';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import { eventually, outboxSettled, withinDeadline } from './support/eventually.ts';
import { chooseNumbered } from './support/matrix-bot-fixture.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import type { ReceivedMessage } from './support/matrix-test-client.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestClock, type TestClock } from './support/test-clock.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  linkOverdueContacts,
  linkOverdueMatrixContacts,
  overdueRegistry,
  promptText,
  verificationRow,
  writeVerificationPolicy,
  type LinkedPerson,
  type MatrixLinkedPerson,
} from './support/verification-fixtures.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const perMessenger = 25;
// Every wait's deadline: it only bounds a hang (worker processes start slowly on a saturated machine).
const hangMs = 180_000;
const botPassword = 'bot-account-password';
let homeserver: TestHomeserver;
let emulator: TelegramEmulator;
let redis: PrivateRedis;
let clock: TestClock;
let testApp: TestApp;
let botUserId: string;
let policyFile: string;
let onTelegram: LinkedPerson[];
let onMatrix: MatrixLinkedPerson[];
let coordinator: TelegramPerson;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  emulator = await startTelegramEmulator({ recordCalls: true });
  redis = await startPrivateRedis();
  botUserId = homeserver.registerUser('counterpart', botPassword).userId;
  // The bot's account is exempt from the message rate limit, as the README advises operators
  // (this story is about crashes; matrix-rate-limit.test.ts runs the bot limited).
  homeserver.exemptFromRateLimit(botUserId);
  policyFile = writeVerificationPolicy('default: { every: P6M, remindAfter: PT30S, reminders: 1 }\n');
  // Friday 4 December 2026, 19:00 in Tashkent: after office hours before a weekend, and the
  // Tuesday after it is Uzbekistan's Constitution Day.
  clock = createTestClock('2026-12-04T14:00:00Z');
  // The API side takes answers through the API and plans; it connects to no messenger and runs
  // no consumers (the Matrix bot connects only in worker processes).
  testApp = await startTestApp('verification_matrix', {
    loadDemo: false,
    clock,
    env: {
      RUN_MODE: 'api',
      REDIS_URL: redis.url,
      ...messengerEnv(emulator.apiRoot),
      VERIFICATION_POLICY_FILE: policyFile,
    },
  });
  await testApp.application.registry.importRegistry(undefined, overdueRegistry(2 * perMessenger));
  onTelegram = await linkOverdueContacts(testApp.application, emulator, perMessenger);
  onMatrix = await linkOverdueMatrixContacts(testApp.application, homeserver, perMessenger, 2 * perMessenger);
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
}, hangMs);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await Promise.all(onMatrix.map((person) => person.user.stop()));
  await testApp.close();
  await redis.close();
  await emulator.close();
  await homeserver.close();
});

afterEach(() => emulator.expectCallbackQueriesAnswered());

function messengerEnv(telegramApiRoot: string): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: telegramApiRoot,
    MATRIX_HOMESERVER_URL: homeserver.url,
    MATRIX_USER_ID: botUserId,
    MATRIX_PASSWORD: botPassword,
    MATRIX_STORE_KEY: 'matrix-store-key-for-the-campaign-test-0123456',
  };
}

function startWorker(): WorkerProcess {
  const worker = startWorkerProcess({
    DATABASE_URL: testApp.database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: testApp.application.config.redis.prefix,
    ...messengerEnv(emulator.apiRootFor(`worker-${workers.length + 1}`)),
    VERIFICATION_POLICY_FILE: policyFile,
    RECONCILE_INTERVAL_SECONDS: '1',
    WORKER_LOCK_SECONDS: '2',
  });
  workers.push(worker);
  return worker;
}

const syncing = (worker: WorkerProcess) => worker.hasLogged('matrix: syncing');

// Telegram side.
const promptsIn = (person: LinkedPerson) =>
  textsIn(emulator, person.chat).filter((text) => text.includes(promptText));
const asTelegramPerson = (person: LinkedPerson) => person as unknown as TelegramPerson;

// Matrix side: what the bot sent a person, decrypted. The SDK records an event it could not decrypt
// as an m.bad.encrypted placeholder ("** Unable to decrypt: ..."), so it never matches a text.
const bodyOf = (message: ReceivedMessage) =>
  typeof message.content.body === 'string' ? message.content.body : '';
const fromBot = (person: MatrixLinkedPerson) =>
  person.user.received.filter((message) => message.sender === botUserId);
const matrixPrompts = (person: MatrixLinkedPerson) =>
  fromBot(person).filter((message) => bodyOf(message).includes(promptText));
const matrixTexts = (person: MatrixLinkedPerson, needle: string) =>
  fromBot(person).filter((message) => bodyOf(message).includes(needle));
const undecryptable = (person: MatrixLinkedPerson) =>
  fromBot(person).filter(
    (message) => message.type === 'm.room.encrypted' || message.content.msgtype === 'm.bad.encrypted',
  );

/**
 * Waits until every Matrix person's client has received (and decrypted, or given up on) every
 * event the bot sent into their rooms as the homeserver holds them: the homeserver having an event
 * does not mean the person's sync has brought it yet, and a count of what they received is only
 * "nothing twice" once it has.
 */
async function matrixClientsCaughtUp(timeoutMs = hangMs): Promise<void> {
  const botEventsFor = (userId: string) =>
    homeserver
      .roomIds()
      .filter((roomId) =>
        homeserver
          .roomEvents(roomId)
          .some(
            (event) =>
              event.type === 'm.room.member' &&
              event.state_key === userId &&
              (event.content as { membership?: unknown } | undefined)?.membership === 'join',
          ),
      )
      .flatMap((roomId) =>
        homeserver
          .roomEvents(roomId)
          .filter((event) => event.sender === botUserId && event.state_key === undefined)
          .map((event) => String(event.event_id)),
      );
  for (const person of onMatrix)
    await eventually(
      () => {
        const seen = new Set(person.user.received.map((message) => message.eventId));
        return botEventsFor(person.user.userId).every((id) => seen.has(id)) ? true : undefined;
      },
      `${person.contactId}'s client to have every event the bot sent them`,
      timeoutMs,
    );
}

function waitForBot(person: MatrixLinkedPerson, needle: string, timeoutMs = hangMs) {
  return person.user
    .waitForMessage((message) => message.sender === botUserId && bodyOf(message).includes(needle), timeoutMs)
    .catch((error: unknown) => {
      throw new Error(
        `${person.contactId}: no "${needle}" from the bot (${String(error)}); it has: ${JSON.stringify(
          fromBot(person).map((message) => [
            message.type,
            message.roomId,
            message.eventId,
            bodyOf(message).slice(0, 50),
          ]),
        )}`,
      );
    });
}

/** Answers a numbered choice on Matrix: the number of the line with `label` in `message`. */
const choose = (person: MatrixLinkedPerson, message: ReceivedMessage, label: string) =>
  chooseNumbered(person.user, message, label);

async function say(person: MatrixLinkedPerson, message: ReceivedMessage, text: string) {
  await person.user.client.sendTextMessage(message.roomId, text);
}

describe('a two-messenger re-verification campaign with the Matrix worker killed and Redis flushed', () => {
  it('places office prompts inside working hours: the weekend and a national holiday skipped', async () => {
    await testApp.application.registryTruth.planOnce();
    const listed = await api<{ items: { contactId: string; nextAt: string; state: string }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/verification?country=UZ',
    );
    const byId = new Map(listed.body.items.map((item) => [item.contactId, item]));
    // Friday 19:00 in Tashkent: Monday 09:00 (04:00 UTC); Tuesdays only: not the 8th (a holiday), the 15th.
    expect(byId.get('uz-p1')).toMatchObject({ nextAt: '2026-12-07T04:00:00.000Z', state: 'overdue' });
    expect(byId.get('uz-p2')).toMatchObject({ nextAt: '2026-12-15T04:00:00.000Z', state: 'overdue' });
    // Around the clock: asked at once, on either messenger.
    for (const id of ['uz-c0', `uz-c${perMessenger}`])
      expect(new Date(byId.get(id)?.nextAt ?? 0).getTime(), id).toBeLessThanOrEqual(clock.now().getTime());
  });

  it('prompts every contact once on Matrix and at least once on Telegram across the crash, takes every answer, and sends the digest', async () => {
    // The workers run on the real clock: from here the API does too.
    clock.set(new Date());
    // The coordinator's weekly digest was armed on the pinned Friday, for the Monday after it. On
    // the real clock that Monday may be past, and the digest would go out as soon as a worker
    // starts, before any answer: it is moved out of the story's way until the story brings it due.
    await testApp.application.timers.timers.schedule(
      `digest:${coordinator.member.id}`,
      new Date(Date.now() + 28 * 24 * 3600_000),
      { memberId: coordinator.member.id },
    );
    await testApp.application.registryTruth.planOnce();

    // Three Matrix prompts go out; the fourth the bot sends is held by the homeserver: the syncing
    // worker is killed with it on the wire, then the homeserver acts on it. The hold is set before
    // any worker starts, so the fourth send is held however fast the bot goes.
    let botSends = 0;
    const held = homeserver.holdNext(
      (request) =>
        request.method === 'PUT' &&
        request.userId === botUserId &&
        request.path.includes('/send/m.room.encrypted/') &&
        ++botSends === 4,
    );

    // The first worker syncs the Matrix account; the second stands by (both send Telegram prompts).
    const first = startWorker();
    await withinDeadline(first.ready, 'the first worker to start', hangMs);
    await eventually(() => (syncing(first) ? true : undefined), 'the first worker to sync Matrix', hangMs);
    const second = startWorker();
    await withinDeadline(second.ready, 'the second worker to start', hangMs);

    const call = await withinDeadline(held.arrived, 'a Matrix prompt to be sent', hangMs);
    expect(syncing(second), 'the second worker was standing by').toBe(false);
    await first.kill();
    held.release();
    // Redis loses its queues, timers and the sync lock; the reconcilers rebuild from Postgres and
    // the standby worker (or the new one) takes the Matrix account over.
    await redis.flushAll();
    const third = startWorker();
    const heldRoom = decodeURIComponent(/\/rooms\/([^/]+)\//.exec(call.path)?.[1] ?? '');

    // Every contact's prompt is sent: its row (the lowest sequence number) ends sent.
    const db = testApp.application.database.db;
    const verificationRows = () =>
      db
        .select({
          id: outboxTable.id,
          state: outboxTable.state,
          chatId: outboxTable.chatId,
          lastError: outboxTable.lastError,
          dedupeKey: outboxTable.dedupeKey,
          sentAt: outboxTable.sentAt,
        })
        .from(outboxTable)
        .where(eq(outboxTable.kind, 'verification'));
    const promptRows = async () => {
      const firstRow = new Map<string, Awaited<ReturnType<typeof verificationRows>>[number]>();
      const seqOf = (key: string) => Number(key.split(':')[2]);
      for (const row of await verificationRows()) {
        const earlier = firstRow.get(row.chatId);
        if (earlier === undefined || seqOf(row.dedupeKey) < seqOf(earlier.dedupeKey))
          firstRow.set(row.chatId, row);
      }
      return firstRow;
    };
    await eventually(
      async () => {
        const rows = [...(await promptRows()).values()];
        return rows.length === 2 * perMessenger && rows.every((row) => row.state === 'sent')
          ? true
          : undefined;
      },
      "every contact's prompt sent",
      hangMs,
    );
    await eventually(
      () => (syncing(second) || syncing(third) ? true : undefined),
      'another worker to take the Matrix account over',
      hangMs,
    );
    for (const person of onMatrix) await waitForBot(person, promptText, hangMs);
    // Their clients have taken in every room key and Olm message the bot's device sent them: a
    // prompt sent again after the crash came with keys of the worker that took over, and a client
    // answers through the newest session it has.
    for (const person of onMatrix)
      await eventually(
        () => (homeserver.undeliveredToDevice(person.user.userId) === 0 ? true : undefined),
        `${person.contactId}'s client to have taken in what the bot's device sent it`,
        hangMs,
      );

    const rows = await promptRows();
    const resent = new Set(
      [...rows.values()].filter((row) => row.lastError === resentAfterCrash).map((row) => row.chatId),
    );
    const allowedTelegramPrompts = (person: LinkedPerson) =>
      resent.has(String(person.chat.id)) ? [1, 2] : [1];
    for (const person of onTelegram)
      expect(allowedTelegramPrompts(person), person.contactId).toContain(promptsIn(person).length);

    const telegramPrompt = new Map(
      onTelegram.map((person) => [
        person.contactId,
        emulator.sentMessages(person.chat).find((message) => (message.text ?? '').includes(promptText))!,
      ]),
    );
    const matrixPrompt = new Map(onMatrix.map((person) => [person.contactId, matrixPrompts(person)[0]!]));
    expect(bodyOf(matrixPrompt.get(onMatrix[0]!.contactId)!)).toMatch(
      /1\. All correct\n2\. Something changed/,
    );

    // Who answers what: the last prompted stay silent, so once their flags have come, every
    // reminder and flag of those who answered would have come due too (see below). On Matrix
    // the multi-step answers are given to the reminder: a reminder arriving mid-way would offer
    // its own numbered choices and drop the unfinished answer (Telegram's buttons belong to their
    // message, so there they answer the prompt).
    const byPromptTime = <T>(people: T[], chatOf: (person: T) => string) =>
      [...people].sort(
        (a, b) =>
          (rows.get(chatOf(a))?.sentAt?.getTime() ?? 0) - (rows.get(chatOf(b))?.sentAt?.getTime() ?? 0),
      );
    const tgOrder = byPromptTime(onTelegram, (person) => String(person.chat.id));
    const mxOrder = byPromptTime(onMatrix, (person) => person.user.userId);
    const tgSilent = tgOrder.slice(perMessenger - 2);
    const mxSilent = mxOrder.slice(perMessenger - 2);
    const confirmingTelegram = tgOrder.slice(0, perMessenger - 5);
    const confirmingMatrix = mxOrder.slice(0, perMessenger - 5);
    const [tgChanger, tgLeaver, tgAway] = tgOrder.slice(perMessenger - 5, perMessenger - 2) as [
      LinkedPerson,
      LinkedPerson,
      LinkedPerson,
    ];
    const [mxChanger, mxLeaver, mxAway] = mxOrder.slice(perMessenger - 5, perMessenger - 2) as [
      MatrixLinkedPerson,
      MatrixLinkedPerson,
      MatrixLinkedPerson,
    ];
    const nameOf = (contactId: string) => `Counterpart ${contactId.slice(4)} Demo`;
    // A colleague offered as a button (the first eight of the authority, demo contacts first).
    const deputyOf = (person: { contactId: string }) => ({
      contactId: person.contactId === 'uz-c0' ? 'uz-c1' : 'uz-c0',
    });

    const flows = [
      // Something changed on Telegram: a new phone, approved by the coordinator.
      async () => {
        const changer = asTelegramPerson(tgChanger);
        void press(emulator, changer, telegramPrompt.get(tgChanger.contactId)!, 'vfy:chg:');
        const which = await waitForMessage(emulator, changer.chat, 'What changed?', { timeoutMs: hangMs });
        void press(emulator, changer, which, 'vchg:f:phone');
        await waitForMessage(emulator, changer.chat, 'The new value', { timeoutMs: hangMs });
        emulator.sendUserMessage(changer.user, changer.chat, '+998 71 555 0140');
        await waitForMessage(emulator, changer.chat, 'Your coordinator confirms the change', {
          timeoutMs: hangMs,
        });
        const proposal = await waitForMessage(emulator, coordinator.chat, '+998 71 555 0140', {
          timeoutMs: hangMs,
        });
        void press(emulator, coordinator, proposal, 'truth:ap:');
        await waitForMessage(emulator, changer.chat, 'was approved', { timeoutMs: hangMs });
      },
      // Something changed on Matrix: a new phone, rejected by the coordinator.
      async () => {
        await choose(mxChanger, await waitForBot(mxChanger, 'A reminder', hangMs), 'Something changed');
        await choose(mxChanger, await waitForBot(mxChanger, 'What changed?'), 'Phone');
        await say(mxChanger, await waitForBot(mxChanger, 'The new value'), '+998 71 555 0177');
        await waitForBot(mxChanger, 'Your coordinator confirms the change');
        const proposal = await waitForMessage(emulator, coordinator.chat, '+998 71 555 0177', {
          timeoutMs: hangMs,
        });
        void press(emulator, coordinator, proposal, 'truth:rj:');
        await waitForBot(mxChanger, 'was not approved');
      },
      // I no longer handle this, naming a successor: rejected on Telegram, approved on Matrix.
      async () => {
        const leaver = asTelegramPerson(tgLeaver);
        void press(emulator, leaver, telegramPrompt.get(tgLeaver.contactId)!, 'vfy:gone:');
        const successor = await waitForMessage(emulator, leaver.chat, 'Who takes over from you?', {
          timeoutMs: hangMs,
        });
        void press(emulator, leaver, successor, `vgone:s:${deputyOf(tgLeaver).contactId}`);
        await waitForMessage(emulator, leaver.chat, 'Your coordinator will confirm it', {
          timeoutMs: hangMs,
        });
        const retirement = await waitForMessage(
          emulator,
          coordinator.chat,
          `${nameOf(tgLeaver.contactId)} says they no longer handle this work`,
          { timeoutMs: hangMs },
        );
        void press(emulator, coordinator, retirement, 'truth:rj:');
        await waitForMessage(emulator, leaver.chat, 'was not approved', { timeoutMs: hangMs });
      },
      async () => {
        await choose(mxLeaver, await waitForBot(mxLeaver, 'A reminder', hangMs), 'I no longer handle this');
        await choose(
          mxLeaver,
          await waitForBot(mxLeaver, 'Who takes over from you?'),
          nameOf(deputyOf(mxLeaver).contactId),
        );
        await waitForBot(mxLeaver, 'Your coordinator will confirm it');
        const retirement = await waitForMessage(
          emulator,
          coordinator.chat,
          `${nameOf(mxLeaver.contactId)} says they no longer handle this work`,
          { timeoutMs: hangMs },
        );
        void press(emulator, coordinator, retirement, 'truth:ap:');
        await waitForBot(mxLeaver, 'was approved');
      },
      // I am away, with a colleague standing in, on both.
      async () => {
        const away = asTelegramPerson(tgAway);
        void press(emulator, away, telegramPrompt.get(tgAway.contactId)!, 'vfy:away:');
        const from = await waitForMessage(emulator, away.chat, 'From when are you away?', {
          timeoutMs: hangMs,
        });
        void press(emulator, away, from, 'away:f:0');
        const until = await waitForMessage(emulator, away.chat, 'Until when are you away?', {
          timeoutMs: hangMs,
        });
        void press(emulator, away, until, 'away:u:7');
        const deputy = await waitForMessage(emulator, away.chat, 'Who stands in for you', {
          timeoutMs: hangMs,
        });
        void press(emulator, away, deputy, `away:d:${deputyOf(tgAway).contactId}`);
        await waitForMessage(emulator, away.chat, 'Recorded: you are away until', { timeoutMs: hangMs });
      },
      async () => {
        await choose(mxAway, await waitForBot(mxAway, 'A reminder', hangMs), 'I am away');
        await choose(mxAway, await waitForBot(mxAway, 'From when are you away?'), 'From today');
        await choose(mxAway, await waitForBot(mxAway, 'Until when are you away?'), 'A week');
        await choose(
          mxAway,
          await waitForBot(mxAway, 'Who stands in for you'),
          nameOf(deputyOf(mxAway).contactId),
        );
        await waitForBot(mxAway, 'Recorded: you are away until');
      },
    ];
    // All correct: twenty on each messenger, at once (while the others give their answers).
    for (const person of confirmingTelegram)
      void press(emulator, asTelegramPerson(person), telegramPrompt.get(person.contactId)!, 'vfy:ok:');
    for (const person of confirmingMatrix)
      await choose(person, matrixPrompt.get(person.contactId)!, 'All correct');
    await Promise.all(flows.map((flow) => flow()));
    for (const person of confirmingTelegram)
      await waitForMessage(emulator, person.chat, 'your entry is confirmed', { timeoutMs: hangMs });
    for (const person of confirmingMatrix) await waitForBot(person, 'your entry is confirmed', hangMs);

    // The held push (a prompt, or an early contact's reminder): nobody could know whether it had
    // reached the homeserver, so it was sent again (under the same transaction id: see below).
    const heldPerson = await eventually(
      () => onMatrix.find((person) => person.user.received.some((message) => message.roomId === heldRoom)),
      'the person of the held room',
      hangMs,
    );
    const heldRow = await eventually(
      async () =>
        (await verificationRows()).find(
          (row) =>
            row.chatId === heldPerson.user.userId &&
            row.state === 'sent' &&
            row.lastError === resentAfterCrash,
        ),
      'the held push sent again',
      hangMs,
    );
    expect(transactionIdFor(heldRow.id)).toBe(call.path.split('/').at(-1));

    // The silent ones, on both: one reminder each, then one flag each to the coordinator.
    for (const person of tgSilent)
      await waitForMessage(emulator, person.chat, 'A reminder', { timeoutMs: hangMs });
    for (const person of mxSilent) await waitForBot(person, 'A reminder', hangMs);
    for (const person of [...tgSilent, ...mxSilent])
      await waitForMessage(emulator, coordinator.chat, `(${person.contactId}) has not re-confirmed`, {
        timeoutMs: hangMs,
      });

    // The weekly digest comes due (its timer moved to now: the workers run on the real clock).
    await testApp.application.timers.timers.schedule(`digest:${coordinator.member.id}`, new Date(), {
      memberId: coordinator.member.id,
    });
    const digest = await waitForMessage(emulator, coordinator.chat, 'Weekly registry digest for UZ', {
      timeoutMs: hangMs,
    });

    // Everything settled: a duplicate would have been sent by now, and every Matrix client has
    // synced whatever the bot sent it.
    await outboxSettled(testApp.application, hangMs);
    await matrixClientsCaughtUp();
    const states = await api<{ items: { contactId: string; state: string; lastSource: string | null }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/verification?country=UZ',
    );
    const state = new Map(states.body.items.map((item) => [item.contactId, item]));

    // Exactly one prompt per Matrix contact (the resent one was kept once by its transaction id),
    // at most the resent ones twice on Telegram; every Matrix message the bot sent was readable.
    // For a failure message: every delivery to the person (its transaction id) and every send of
    // the bot into their rooms the homeserver answered (the transaction id it carried).
    const allRows = await db
      .select({
        id: outboxTable.id,
        kind: outboxTable.kind,
        dedupeKey: outboxTable.dedupeKey,
        state: outboxTable.state,
        lastError: outboxTable.lastError,
        attempts: outboxTable.attempts,
        chatId: outboxTable.chatId,
      })
      .from(outboxTable);
    const deliveriesTo = (person: MatrixLinkedPerson) => {
      const rooms = new Set(fromBot(person).map((message) => message.roomId));
      return `${person.contactId}: rows ${JSON.stringify(
        allRows
          .filter((row) => row.chatId === person.user.userId)
          .map(({ chatId: _chatId, ...row }) => ({ ...row, txn: transactionIdFor(row.id) })),
      )}; sends ${JSON.stringify(
        homeserver.requests
          .filter(
            (request) =>
              request.userId === botUserId &&
              request.method === 'PUT' &&
              request.path.includes('/send/') &&
              rooms.has(decodeURIComponent(/\/rooms\/([^/]+)\//.exec(request.path)?.[1] ?? '')),
          )
          .map((request) => [request.path.split('/').at(-1), request.status]),
      )}`;
    };
    for (const person of onMatrix) {
      expect(matrixPrompts(person), deliveriesTo(person)).toHaveLength(1);
      expect(undecryptable(person), deliveriesTo(person)).toEqual([]);
      // Nothing twice: a push sent again after the crash is the same event.
      const bodies = fromBot(person).map(bodyOf);
      expect(
        bodies.filter((body, index) => bodies.indexOf(body) !== index),
        deliveriesTo(person),
      ).toEqual([]);
    }
    const heldEvents = homeserver
      .roomEvents(heldRoom)
      .filter((event) => event.sender === botUserId && event.type === 'm.room.encrypted');
    expect(heldEvents.length, 'bot events in the held room').toBe(fromBot(heldPerson).length);
    for (const person of onTelegram)
      expect(allowedTelegramPrompts(person), person.contactId).toContain(promptsIn(person).length);

    // The silent: exactly one reminder and one flag each, and their record overdue.
    for (const person of tgSilent)
      expect(
        textsIn(emulator, person.chat).filter((text) => text.includes('A reminder')),
        person.contactId,
      ).toHaveLength(1);
    for (const person of mxSilent)
      expect(matrixTexts(person, 'A reminder'), person.contactId).toHaveLength(1);
    for (const person of [...tgSilent, ...mxSilent]) {
      expect(
        textsIn(emulator, coordinator.chat).filter((text) =>
          text.includes(`(${person.contactId}) has not re-confirmed`),
        ),
        person.contactId,
      ).toHaveLength(1);
      expect(state.get(person.contactId)?.state, person.contactId).toBe('overdue');
    }
    // An answer ends the round: nothing about it is written after the answer (no reminder, no flag
    // to the coordinator; under load a flag may come before a late answer). The silent were
    // prompted last, so their flags (awaited above) came due after every confirmer's reminder and
    // flag would have.
    const written = await db
      .select({
        chatId: outboxTable.chatId,
        dedupeKey: outboxTable.dedupeKey,
        createdAt: outboxTable.createdAt,
      })
      .from(outboxTable);
    const confirmers: { contactId: string; chatId: string }[] = [
      ...confirmingTelegram.map((person) => ({
        contactId: person.contactId,
        chatId: String(person.chat.id),
      })),
      ...confirmingMatrix.map((person) => ({ contactId: person.contactId, chatId: person.user.userId })),
    ];
    for (const { contactId, chatId } of confirmers) {
      const answeredAt = (await verificationRow(testApp.application, contactId))?.lastConfirmedAt;
      expect(answeredAt, contactId).toBeInstanceOf(Date);
      const roundAfterAnswer = written.filter(
        (row) =>
          row.createdAt > answeredAt! &&
          ((row.chatId === chatId && row.dedupeKey.startsWith(`verify:${contactId}:`)) ||
            row.dedupeKey.startsWith(`verify-flag:${contactId}:`)),
      );
      expect(roundAfterAnswer, contactId).toEqual([]);
    }
    // Those who confirmed: at most the one reminder, which may cross their answer (written before
    // it, delivered after the direct reply), and their record fresh by their own word.
    // (On Telegram twice where a reminder's row too was sent again after the crash.)
    const resentAny = new Set(
      (await verificationRows()).filter((row) => row.lastError === resentAfterCrash).map((row) => row.chatId),
    );
    for (const person of [...confirmingTelegram, tgChanger])
      expect(
        textsIn(emulator, person.chat).filter((text) => text.includes('A reminder')).length,
        person.contactId,
      ).toBeLessThanOrEqual(resentAny.has(String(person.chat.id)) ? 2 : 1);
    for (const person of confirmingMatrix) {
      expect(matrixTexts(person, 'A reminder').length, person.contactId).toBeLessThanOrEqual(1);
      expect(state.get(person.contactId), person.contactId).toMatchObject({
        state: 'fresh',
        lastSource: 'self',
      });
    }
    for (const person of [tgLeaver, tgAway]) expect(promptsIn(person).length).toBeGreaterThan(0);
    for (const person of [mxLeaver, mxAway, mxChanger])
      expect(matrixTexts(person, 'A reminder').length, person.contactId).toBeLessThanOrEqual(1);

    // What the answers did to the registry.
    const contact = async (id: string) =>
      (await api(testApp, testApp.adminToken, 'GET', `/v1/contacts/${id}`)).body;
    expect(((await contact(tgChanger.contactId)).channels as Record<string, string>).phone).toBe(
      '+998 71 555 0140',
    );
    expect(((await contact(mxChanger.contactId)).channels as Record<string, string>).phone).toBeUndefined();
    expect((await contact(tgLeaver.contactId)).status).toBe('active');
    expect((await contact(mxLeaver.contactId)).status).toBe('retired');
    expect(await contact(tgAway.contactId)).toMatchObject({ deputy: deputyOf(tgAway).contactId });
    expect(await contact(mxAway.contactId)).toMatchObject({ deputy: deputyOf(mxAway).contactId });
    expect(state.get(tgChanger.contactId)?.state).toBe('fresh');

    // The digest: the entries not re-confirmed (the silent ones among them), none of the confirmed,
    // no change left waiting (all four were decided), the contacts with no messenger.
    const digestText = digest.text ?? '';
    const stale = states.body.items.filter((item) => item.state === 'overdue' || item.state === 'prompted');
    expect(digestText).toContain(`Entries not re-confirmed (${stale.length}):`);
    const listedIds = [...digestText.matchAll(/\((uz-[a-z0-9-]+)\): (?:overdue|asked, no answer yet)/g)].map(
      (m) => m[1],
    );
    expect(listedIds.length).toBe(Math.min(stale.length, 10));
    for (const id of listedIds) expect(stale.map((item) => item.contactId)).toContain(id);
    for (const person of [...tgSilent, ...mxSilent])
      expect(stale.map((item) => item.contactId)).toContain(person.contactId);
    for (const person of [...confirmingTelegram, ...confirmingMatrix])
      expect(digestText).not.toContain(`(${person.contactId})`);
    expect(digestText).not.toContain('Changes waiting for your approval');
    expect(digestText).toContain('(uz-p1): no linked messenger');
    expect(
      textsIn(emulator, coordinator.chat).filter((text) => text.includes('Weekly registry digest')),
    ).toHaveLength(1);

    expect(await Promise.all([second, third].map((worker) => worker.terminate()))).toEqual([0, 0]);
  }, 1_800_000);
});
