// A full-size re-verification campaign under crashes: fifty overdue contacts on Telegram (users
// who have started the bot), prompted by worker processes (the production entry point with
// RUN_MODE=worker), one of which is SIGKILLed in the middle of sending a prompt, and Redis is
// flushed while the campaign runs. No prompt is lost: the prompts the killed worker had claimed
// (their outcome unknown) are sent again, so each contact gets their prompt, twice at most and only
// where a crash left the first send's outcome unknown (a prompt is cheap to duplicate, unlike a
// nudge). Answers of every kind are taken; the silent get exactly one reminder and one flag to
// their coordinator. Workers run on the real clock, so the API does
// too; the pinned-date placement story and the Matrix side are in verification-campaign.test.ts.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';

import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  linkOverdueContacts,
  overdueRegistry,
  promptText,
  writeVerificationPolicy,
  type LinkedPerson,
} from './support/verification-fixtures.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const contactCount = 50;
// Every wait's deadline: it only bounds a hang (worker processes start slowly on a saturated machine).
const hangMs = 180_000;
let emulator: TelegramEmulator;
let redis: PrivateRedis;
let testApp: TestApp;
let policyFile: string;
let people: LinkedPerson[];
let coordinator: TelegramPerson;
const workers: WorkerProcess[] = [];
const labels = new Map<WorkerProcess, string>();

beforeAll(async () => {
  emulator = await startTelegramEmulator({ recordCalls: true });
  redis = await startPrivateRedis();
  policyFile = writeVerificationPolicy('default: { every: P6M, remindAfter: PT20S, reminders: 1 }\n');
  // The API side takes the answers and plans; it runs no consumers: worker processes send.
  testApp = await startTestApp('verification_full', {
    loadDemo: false,

    env: {
      RUN_MODE: 'api',
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: policyFile,
    },
  });
  await testApp.application.registry.importRegistry(undefined, overdueRegistry(contactCount));
  people = await linkOverdueContacts(testApp.application, emulator, contactCount);
  coordinator = await telegramPerson(testApp, emulator, {
    name: 'Uzbek Coordinator',
    country: 'UZ',
    role: 'coordinator',
  });
}, hangMs);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await testApp.close();
  await redis.close();
  await emulator.close();
});

afterEach(() => emulator.expectCallbackQueriesAnswered());

function startWorker(): WorkerProcess {
  const label = `worker-${workers.length + 1}`;
  const worker = startWorkerProcess({
    DATABASE_URL: testApp.database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: testApp.application.config.redis.prefix,
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRootFor(label),
    VERIFICATION_POLICY_FILE: policyFile,
    RECONCILE_INTERVAL_SECONDS: '1',
    WORKER_LOCK_SECONDS: '2',
  });
  workers.push(worker);
  labels.set(worker, label);
  return worker;
}

const promptsIn = (person: LinkedPerson) =>
  textsIn(emulator, person.chat).filter((text) => text.includes(promptText));
const asTelegramPerson = (person: LinkedPerson) => person as unknown as TelegramPerson;

describe('a full re-verification campaign with a worker killed and Redis flushed', () => {
  it('prompts every contact inside their hours, none lost to the crash, and takes every kind of answer', async () => {
    await testApp.application.registryTruth.planOnce();
    const listed = await api<{ items: { contactId: string; nextAt: string; state: string }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/verification?country=UZ',
    );
    const byId = new Map(listed.body.items.map((item) => [item.contactId, item]));
    // Workers run on the real clock, so the API does too: placement is checked as a property here
    // (inside the days and hours, never on Uzbekistan's Constitution Day); the pinned Friday-evening
    // story with exact dates is in verification-campaign.test.ts.
    const local = (at: string) =>
      Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Asia/Tashkent',
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
          month: '2-digit',
          day: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(new Date(at))
          .map((part) => [part.type, part.value]),
      );
    for (const [id, days] of [
      ['uz-p1', ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']],
      ['uz-p2', ['Tue']],
    ] as const) {
      const item = byId.get(id);
      expect(item?.state, id).toBe('overdue');
      const at = local(item!.nextAt);
      expect(days, id).toContain(at.weekday);
      expect(`${at.hour}:${at.minute}` >= '09:00' && `${at.hour}:${at.minute}` < '18:00', id).toBe(true);
      expect(`${at.month}-${at.day}`, id).not.toBe('12-08');
    }

    // Two workers share the campaign. Once five prompts went out, the next one a worker sends is
    // held by Telegram: that worker is killed mid-send, then Telegram acts on the call. The hold is
    // set before the workers start, so the sixth send is held however fast they go (and it is a
    // prompt: nothing else is sent before the first reminder, 20 s after the first prompt).
    const held = emulator.holdNext('sendMessage', 5);
    const live = [startWorker(), startWorker()];
    await withinDeadline(Promise.all(live.map((worker) => worker.ready)), 'the workers to start', hangMs);
    const call = await withinDeadline(held.arrived, 'a prompt to be sent', hangMs);
    const victim = live.find((worker) => labels.get(worker) === call.client);
    expect(victim, `the worker that sent ${JSON.stringify(call.client)}`).toBeDefined();
    live.splice(live.indexOf(victim!), 1);
    await victim!.kill();
    held.release();
    // Redis loses its queues and timers mid-campaign; the reconcilers rebuild them from Postgres.
    await redis.flushAll();
    live.push(startWorker());

    // Every contact's prompt is sent. A prompt the killed worker had claimed may or may not have
    // reached Telegram: it is sent again (at least once), and its row says so.
    const db = testApp.application.database.db;
    // A contact's prompt is its row with the lowest sequence number (`verify:<contact>:<seq>:…`);
    // on a slow machine the reminders (20 s later, the same kind) may already be written.
    const promptRows = async () => {
      const rows = await db
        .select({
          state: outboxTable.state,
          chatId: outboxTable.chatId,
          lastError: outboxTable.lastError,
          dedupeKey: outboxTable.dedupeKey,
        })
        .from(outboxTable)
        .where(eq(outboxTable.kind, 'verification'));
      const first = new Map<string, (typeof rows)[number]>();
      const seqOf = (key: string) => Number(key.split(':')[2]);
      for (const row of rows) {
        const earlier = first.get(row.chatId);
        if (earlier === undefined || seqOf(row.dedupeKey) < seqOf(earlier.dedupeKey))
          first.set(row.chatId, row);
      }
      return [...first.values()];
    };
    await eventually(
      async () => {
        const rows = await promptRows();
        return rows.length === contactCount && rows.every((row) => row.state === 'sent') ? true : undefined;
      },
      "every contact's prompt sent",
      hangMs,
    );
    const finalRows = await promptRows();
    expect(finalRows).toHaveLength(contactCount);
    const resentChats = new Set(
      finalRows.filter((row) => row.lastError === resentAfterCrash).map((row) => Number(row.chatId)),
    );
    // The held prompt reached Telegram after its worker died, so nobody can know it did: sent again.
    expect(resentChats.has(Number(call.params.chat_id))).toBe(true);
    const allowedPrompts = (person: LinkedPerson) => (resentChats.has(person.chat.id) ? [1, 2] : [1]);
    for (const person of people)
      expect(allowedPrompts(person), person.contactId).toContain(promptsIn(person).length);
    expect(promptsIn(people.find((person) => person.chat.id === Number(call.params.chat_id))!)).toHaveLength(
      2,
    );
    const received = people;
    const prompts = new Map(
      received.map((person) => [
        person.contactId,
        emulator.sentMessages(person.chat).find((message) => (message.text ?? '').includes(promptText))!,
      ]),
    );

    // All correct: forty of them at once.
    const confirming = received.slice(0, received.length - 10);
    for (const person of confirming)
      void press(emulator, asTelegramPerson(person), prompts.get(person.contactId)!, 'vfy:ok:');
    for (const person of confirming)
      await waitForMessage(emulator, person.chat, 'your entry is confirmed', { timeoutMs: 300_000 });

    // Something changed: a new phone, approved by the coordinator.
    const changer = asTelegramPerson(received.at(-10)!);
    void press(emulator, changer, prompts.get(received.at(-10)!.contactId)!, 'vfy:chg:');
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

    // I no longer handle this, naming a successor: rejected by the coordinator.
    const leaver = asTelegramPerson(received.at(-9)!);
    void press(emulator, leaver, prompts.get(received.at(-9)!.contactId)!, 'vfy:gone:');
    const successor = await waitForMessage(emulator, leaver.chat, 'Who takes over from you?', {
      timeoutMs: hangMs,
    });
    void press(emulator, leaver, successor, 'vgone:s:uz-c0');
    await waitForMessage(emulator, leaver.chat, 'Your coordinator will confirm it', { timeoutMs: hangMs });
    const retirement = await waitForMessage(emulator, coordinator.chat, 'no longer handle this work', {
      timeoutMs: hangMs,
    });
    void press(emulator, coordinator, retirement, 'truth:rj:');
    await waitForMessage(emulator, leaver.chat, 'was not approved', { timeoutMs: hangMs });

    // I am away, with a colleague standing in.
    const away = asTelegramPerson(received.at(-8)!);
    void press(emulator, away, prompts.get(received.at(-8)!.contactId)!, 'vfy:away:');
    const from = await waitForMessage(emulator, away.chat, 'From when are you away?', { timeoutMs: hangMs });
    void press(emulator, away, from, 'away:f:0');
    const until = await waitForMessage(emulator, away.chat, 'Until when are you away?', {
      timeoutMs: hangMs,
    });
    void press(emulator, away, until, 'away:u:7');
    const deputy = await waitForMessage(emulator, away.chat, 'Who stands in for you', { timeoutMs: hangMs });
    void press(emulator, away, deputy, 'away:d:uz-c0');
    await waitForMessage(emulator, away.chat, 'Recorded: you are away until', { timeoutMs: hangMs });

    // The silent ones: one reminder each, then one flag each to the coordinator.
    const silent = received.slice(-7);
    for (const person of silent) {
      await waitForMessage(emulator, person.chat, 'A reminder', { timeoutMs: hangMs });
      await waitForMessage(emulator, coordinator.chat, `(${person.contactId}) has not re-confirmed`, {
        timeoutMs: hangMs,
      });
    }

    // Every delivery reached a final state and a reconciler pass found nothing left to send: a
    // duplicate would have been sent by now.
    await outboxSettled(testApp.application, hangMs);
    const open = await db
      .select({ id: outboxTable.id })
      .from(outboxTable)
      .where(inArray(outboxTable.state, ['pending', 'sending']));
    expect(open).toHaveLength(0);
    const deliveries = await db
      .select({
        chatId: outboxTable.chatId,
        key: outboxTable.dedupeKey,
        state: outboxTable.state,
        lastError: outboxTable.lastError,
        claimedAt: outboxTable.claimedAt,
      })
      .from(outboxTable)
      .where(eq(outboxTable.kind, 'verification'));
    for (const person of people)
      expect(
        allowedPrompts(person),
        `${person.contactId}: ${JSON.stringify(
          deliveries.filter((row) => Number(row.chatId) === person.chat.id),
        )} ${JSON.stringify(
          emulator
            .apiCalls('sendMessage')
            .filter((call) => Number(call.params.chat_id) === person.chat.id)
            .map((call) => [call.client, String(call.params.text).slice(0, 60)]),
        )}`,
      ).toContain(promptsIn(person).length);
    // Those who answered: at most the one reminder that may have crossed their answer on a loaded
    // machine (a worker was already sending it when the answer was recorded; one still queued is
    // taken back), and none claimed after their answer's confirmation went out.
    const answeredWith: [LinkedPerson, string][] = [
      ...confirming.map((person): [LinkedPerson, string] => [person, 'your entry is confirmed']),
      [received.at(-10)!, 'was approved'],
      [received.at(-9)!, 'was not approved'],
      // Saying one is away answers the prompt too (the record is asked about after the absence).
      [received.at(-8)!, 'Recorded: you are away'],
    ];
    for (const [person, answer] of answeredWith) {
      const reminders = textsIn(emulator, person.chat).filter((text) => text.includes('A reminder'));
      expect(reminders.length, person.contactId).toBeLessThanOrEqual(1);
      // The rejected leaver's round goes on (reminded as usual).
      if (person === received.at(-9)) continue;
      const confirmedAt = emulator
        .apiCalls()
        .find(
          (call) =>
            Number(call.params.chat_id) === person.chat.id && String(call.params.text).includes(answer),
        )?.at;
      expect(confirmedAt, `${person.contactId}: the confirmation of the answer`).toBeDefined();
      const claimedLater = deliveries.filter(
        (row) =>
          Number(row.chatId) === person.chat.id &&
          row.claimedAt !== null &&
          row.claimedAt.getTime() > confirmedAt!,
      );
      expect(claimedLater, person.contactId).toEqual([]);
    }
    for (const person of silent) {
      expect(
        textsIn(emulator, person.chat).filter((text) => text.includes('A reminder')),
        person.contactId,
      ).toHaveLength(1);
      expect(
        textsIn(emulator, coordinator.chat).filter((text) =>
          text.includes(`(${person.contactId}) has not re-confirmed`),
        ),
        person.contactId,
      ).toHaveLength(1);
    }
    const states = await api<{ items: { contactId: string; state: string; lastSource: string | null }[] }>(
      testApp,
      coordinator.token,
      'GET',
      '/v1/verification?country=UZ',
    );
    const state = new Map(states.body.items.map((item) => [item.contactId, item]));
    expect(state.get('uz-c0')).toMatchObject({ state: 'fresh', lastSource: 'self' });
    expect(state.get(received.at(-10)!.contactId)?.state).toBe('fresh');
    for (const person of silent) expect(state.get(person.contactId)?.state, person.contactId).toBe('overdue');
    expect(await Promise.all(live.map((worker) => worker.terminate()))).toEqual([0, 0]);
  }, 1_800_000);
});
