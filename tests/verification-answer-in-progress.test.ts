// A re-verification reminder never cuts across an answer in progress. On Matrix a choice is a
// numbered line, and the numbers refer to the bot's latest message that offered any: a reminder
// arriving while someone answers "Something changed" would take over the numbers, and their next
// "1" (for Phone) would answer "All correct" of the reminder, leaving the change unsaid. The
// rule is the core's, for every messenger: starting to answer puts the pending reminder off by
// `remindAfter` and takes back a reminder still queued in the outbox, and while a flow of the
// prompt's answers is open about the contact its next step waits until that flow would time out.
// Tested on Matrix (the test homeserver, encrypted DM) and on Telegram (the Bot API emulator),
// in one application. Reminders wait an hour; each reminder here comes from firing the contact's
// timer on purpose, so nothing races the answers.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { and, eq, isNotNull, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../src/outbox/outbox-schema.ts';
import {
  api,
  press,
  telegramPerson,
  textsIn,
  waitForMessage,
  type TelegramPerson,
} from './support/consultation-helpers.ts';
import {
  body,
  chooseNumbered,
  startMatrixBotFixture,
  type MatrixBotFixture,
} from './support/matrix-bot-fixture.ts';
import { eventually, outboxSettled } from './support/eventually.ts';
import type { ReceivedMessage, TestMatrixUser } from './support/matrix-test-client.ts';
import {
  conversationFloodLimits,
  startTelegramEmulator,
  type TelegramEmulator,
} from './support/telegram-emulator.ts';
import { createTestClock, type TestClock } from './support/test-clock.ts';
import {
  fireVerificationTimerNow,
  makeDueNow,
  promptText,
  verificationRow,
  verificationSteppedPast,
  writeVerificationPolicy,
} from './support/verification-fixtures.ts';

const hourMs = 3_600_000;
let fixture: MatrixBotFixture;
let emulator: TelegramEmulator;
let clock: TestClock;
type MatrixPerson = { user: TestMatrixUser; dm: string };
let onMatrix: MatrixPerson;
let lateOnMatrix: MatrixPerson;
let onTelegram: TelegramPerson;
let kzOnTelegram: TelegramPerson;
let kzOnMatrix: MatrixPerson;
let retriedOnTelegram: TelegramPerson;

beforeAll(async () => {
  emulator = await startTelegramEmulator({ floodLimits: conversationFloodLimits });
  // Friday 4 December 2026, 19:00 in Tashkent; the contacts are made to work around the clock.
  clock = createTestClock('2026-12-04T14:00:00Z');
  fixture = await startMatrixBotFixture('verification_answer_in_progress', {
    clock,
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      VERIFICATION_POLICY_FILE: writeVerificationPolicy(
        'default: { every: P6M, remindAfter: PT1H, reminders: 1 }\n',
      ),
      RECONCILE_INTERVAL_SECONDS: '2',
    },
  });
  onMatrix = await fixture.linkedMember('sardor', 'Sardor Member', 'UZ', { contactId: 'uz-001' });
  lateOnMatrix = await fixture.linkedMember('jasur', 'Jasur Member', 'UZ', { contactId: 'uz-003' });
  onTelegram = await telegramPerson(fixture.testApp, emulator, {
    name: 'Dilnoza Member',
    country: 'UZ',
    contactId: 'uz-002',
  });
  kzOnTelegram = await telegramPerson(fixture.testApp, emulator, {
    name: 'Aigerim Member',
    country: 'KZ',
    contactId: 'kz-001',
  });
  kzOnMatrix = await fixture.linkedMember('nurlan', 'Nurlan Member', 'KZ', { contactId: 'kz-002' });
  retriedOnTelegram = await telegramPerson(fixture.testApp, emulator, {
    name: 'Bolat Member',
    country: 'KZ',
    contactId: 'kz-003',
  });
}, 120_000);

afterAll(async () => {
  await fixture.close();
  await emulator.close();
});

const application = () => fixture.testApp.application;
const row = async (contactId: string) => {
  const found = await verificationRow(application(), contactId);
  if (found === undefined) throw new Error(`no verification row for ${contactId}`);
  return found;
};
/** Prompts and reminders written for the contact (their outbox keys start `verify:<contactId>:`). */
const promptsWritten = async (contactId: string) => (await promptStates(contactId)).length;

/** The states of the contact's prompts and reminders in the outbox, sorted. */
const promptStates = async (contactId: string) =>
  (
    await application()
      .database.db.select({ state: outbox.state })
      .from(outbox)
      .where(like(outbox.dedupeKey, `verify:${contactId}:%`))
  )
    .map((written) => written.state)
    .sort();

/** Waits until the round's reminder is planned after the prompt was sent. */
const reminderPlanned = (contactId: string) =>
  eventually(async () => {
    const current = await row(contactId);
    return current.nextStep === 'remind' && current.promptedAt !== null ? current : undefined;
  }, `the reminder of ${contactId} to be planned`);

/**
 * The reminder's time comes while the person is answering: its timer fires (as its due time would)
 * and the job decides to wait: the same step, moved on to when the open flow would time out, and
 * nothing written.
 */
async function reminderWaits(contactId: string) {
  const before = await row(contactId);
  await fireVerificationTimerNow(application(), contactId);
  await verificationSteppedPast(application(), contactId, before.seq);
  const after = await row(contactId);
  expect(after).toMatchObject({ nextStep: 'remind', reminders: 0 });
  // The flows wait 30 minutes for the next answer (CHAT_FLOW_TIMEOUT_SECONDS).
  expect(after.nextAt?.getTime()).toBeGreaterThan(clock.now().getTime() + 20 * 60_000);
  expect(await promptsWritten(contactId)).toBe(1);
}

function fromBot(needle: string, person: MatrixPerson = onMatrix): Promise<ReceivedMessage> {
  return person.user.waitForMessage(
    (message) =>
      message.roomId === person.dm && message.sender === fixture.botUserId && body(message).includes(needle),
    60_000,
  );
}

/** The contact's prompts and reminders in the outbox, by key. */
const promptRows = (contactId: string) =>
  application()
    .database.db.select({
      id: outbox.id,
      dedupeKey: outbox.dedupeKey,
      state: outbox.state,
      sendStartedAt: outbox.sendStartedAt,
      lastError: outbox.lastError,
    })
    .from(outbox)
    .where(like(outbox.dedupeKey, `verify:${contactId}:%`));

/**
 * The Postgres backends of this test's database whose update of the outbox waits for a lock, with
 * its statement matching `text` (and waiting for a lock of kind `waitEvent`, if given: `tuple`,
 * `transactionid`, `advisory`).
 */
async function outboxLockWaiters(text: string, waitEvent?: string): Promise<number[]> {
  const result: unknown = await application().database.db.execute(sql`
    select pid from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'
      and ${waitEvent === undefined ? sql`true` : sql`wait_event = ${waitEvent}`}
      and query ilike 'update "outbox"%' and query ilike ${`%${text}%`}`);
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  return (rows as { pid: number }[]).map((row) => row.pid);
}

/** How many of those there are. */
const outboxLockWaits = async (text: string) => (await outboxLockWaiters(text)).length;

/**
 * The Postgres backend running the answer's withdrawal, which waits on the held row, when it is a
 * process of this machine that the test may stop: a server elsewhere (another host, a container)
 * has its own process ids, so the id must name a local `postgres` process.
 */
async function answerBackendHere(): Promise<number | undefined> {
  const [pid] = await outboxLockWaiters('"outcome_recorded_at"');
  if (pid === undefined) throw new Error('the answer is not waiting on the held row');
  try {
    const command = await readFile(`/proc/${String(pid)}/cmdline`, 'latin1');
    return command.startsWith('postgres') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to a process; false where this test may not (another user's server). */
function signalled(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a Postgres backend, with a watchdog of its own that lets it go after 30 s whatever happens
 * to this test's process: a backend left stopped would hold its locks, and the next run could not
 * drop this file's database. False where the backend may not be stopped.
 */
function stoppedForAWhile(pid: number): boolean {
  if (!signalled(pid, 'SIGSTOP')) return false;
  spawn('sh', ['-c', `sleep 30; kill -CONT ${String(pid)} 2>/dev/null`], {
    detached: true,
    stdio: 'ignore',
  }).unref();
  return true;
}

/**
 * Releases the held row with the worker's claim and the answer's withdrawal both waiting on it,
 * while the answer's Postgres backend is stopped (SIGSTOP), as a busy machine may leave it
 * unscheduled: the claim goes through and the worker's last look comes before the withdrawal has
 * taken the row. The outbox's withdrawal turn must then hold the last look until the answer's
 * transaction is over: the backend is let go once the last look is seen waiting for that turn (or
 * once the reminder was handed over, which the story's assertions then report). Where the backend
 * cannot be stopped (not a local process, or not this user's), the row is simply released.
 */
async function releaseWhileTheAnswerStalls(
  hold: Awaited<ReturnType<typeof holdRowLocked>>,
  reminderId: string,
): Promise<void> {
  const answer = await answerBackendHere();
  const stopped = answer !== undefined && stoppedForAWhile(answer);
  try {
    hold.release();
    await hold.released;
    if (!stopped) return;
    await eventually(async () => {
      const lastLookWaitsForTheTurn = await outboxLockWaiters('set "send_started_at"', 'advisory');
      if (lastLookWaitsForTheTurn.length >= 1) return true;
      const handed = await application()
        .database.db.select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.id, reminderId), isNotNull(outbox.sendStartedAt)));
      return handed.length > 0 ? true : undefined;
    }, 'the worker’s last look to wait for the answer, or to hand the reminder over');
  } finally {
    if (stopped) signalled(answer, 'SIGCONT');
  }
}

/**
 * Holds an outbox row locked, as a busy database would, until `release()`: a worker's claim of it
 * (an UPDATE) waits meanwhile. Resolves once the lock is taken.
 */
async function holdRowLocked(id: string): Promise<{ release: () => void; released: Promise<unknown> }> {
  let release = () => {};
  const releasing = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const released = application().database.db.transaction(async (tx) => {
    await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, id)).for('update');
    locked();
    await releasing;
  });
  await Promise.race([isLocked, released]);
  return { release, released };
}

/** Fires the contact's reminder now and returns its outbox row, still pending (deliveries paused). */
async function reminderWritten(contactId: string) {
  const before = await row(contactId);
  await fireVerificationTimerNow(application(), contactId);
  await verificationSteppedPast(application(), contactId, before.seq);
  const reminder = (await promptRows(contactId)).find((written) => written.state === 'pending');
  if (reminder === undefined) throw new Error('no reminder written');
  return reminder;
}

describe('a reminder while someone is answering the prompt', () => {
  it('on Matrix waits until the answer is given, and the numbers keep meaning the step’s choices', async () => {
    await makeDueNow(application(), 'uz-001');
    const asked = await fromBot(promptText);
    const prompted = await reminderPlanned('uz-001');

    // Starting to answer puts the reminder off: an hour from the start, not from the prompt.
    const startedAt = clock.now().getTime();
    await chooseNumbered(onMatrix.user, asked, 'Something changed');
    const which = await fromBot('What changed?');
    const started = await row('uz-001');
    expect(started.seq).toBeGreaterThan(prompted.seq);
    expect(started.nextAt?.getTime()).toBeGreaterThanOrEqual(startedAt + hourMs);

    // Its time comes at each step of the answer: it waits.
    await reminderWaits('uz-001');
    await chooseNumbered(onMatrix.user, which, 'Phone');
    await fromBot('The new value');
    await reminderWaits('uz-001');
    await onMatrix.user.client.sendTextMessage(onMatrix.dm, '+998 71 200 00 01');
    await fromBot('Your coordinator confirms the change');

    // The answer arrived whole: a phone proposal, and the record was not confirmed by a stray "1".
    const pending = await api<{ items: { id: string; changes: { channels?: Record<string, string> } }[] }>(
      fixture.testApp,
      fixture.testApp.adminToken,
      'GET',
      '/v1/proposals?contactId=uz-001&status=pending',
    );
    expect(pending.body.items).toHaveLength(1);
    expect(pending.body.items[0]?.changes.channels?.phone).toBe('+998 71 200 00 01');
    const record = await api(fixture.testApp, fixture.testApp.adminToken, 'GET', '/v1/contacts/uz-001');
    expect(record.body.verifiedAt).toBe('2025-01-01');

    // The answer given and its proposal rejected, the reminder comes when its timer fires, and its
    // own numbers answer it.
    const rejected = await api(
      fixture.testApp,
      fixture.testApp.adminToken,
      'POST',
      `/v1/proposals/${pending.body.items[0]?.id ?? ''}/reject`,
    );
    expect(rejected.status).toBe(200);
    await fireVerificationTimerNow(application(), 'uz-001');
    const reminder = await fromBot('A reminder');
    expect(await row('uz-001')).toMatchObject({ nextStep: 'flag', reminders: 1 });
    await chooseNumbered(onMatrix.user, reminder, 'All correct');
    await fromBot('your entry is confirmed');
  }, 180_000);

  it('on Matrix, a reminder still queued at the first tap is taken back: the step keeps its numbers', async () => {
    await makeDueNow(application(), 'uz-003');
    const asked = await fromBot(promptText, lateOnMatrix);
    await reminderPlanned('uz-003');
    await outboxSettled(application());
    // Deliveries stall, as behind a long queue on a busy day (BullMQ's own pause, in Redis); the
    // reminder's time comes, and it is written, a moment before the person taps.
    const deliveries = application().queues.queue('outbox');
    await deliveries.pause();
    try {
      const before = await row('uz-003');
      await fireVerificationTimerNow(application(), 'uz-003');
      await verificationSteppedPast(application(), 'uz-003', before.seq);
      expect(await promptStates('uz-003')).toEqual(['pending', 'sent']);
      await chooseNumbered(lateOnMatrix.user, asked, 'Something changed');
      const which = await fromBot('What changed?', lateOnMatrix);
      expect(await promptStates('uz-003')).toEqual(['sent', 'withdrawn']);
      await deliveries.resume();
      await chooseNumbered(lateOnMatrix.user, which, 'Phone');
      await fromBot('The new value', lateOnMatrix);
    } finally {
      await deliveries.resume();
    }
    await outboxSettled(application());
    const texts = fixture.botMessages(lateOnMatrix.user, lateOnMatrix.dm).map(body);
    expect(texts.filter((text) => text.includes('A reminder'))).toEqual([]);
  }, 180_000);

  it('on Telegram waits while "I am away" is answered, and comes once that answer is cancelled', async () => {
    await makeDueNow(application(), 'uz-002');
    const asked = await waitForMessage(emulator, onTelegram.chat, promptText, { timeoutMs: 60_000 });
    const prompted = await reminderPlanned('uz-002');
    const startedAt = clock.now().getTime();
    void press(emulator, onTelegram, asked, 'vfy:away:');
    await waitForMessage(emulator, onTelegram.chat, 'From when are you away?');
    const started = await row('uz-002');
    expect(started.seq).toBeGreaterThan(prompted.seq);
    expect(started.nextAt?.getTime()).toBeGreaterThanOrEqual(startedAt + hourMs);
    await reminderWaits('uz-002');

    // Cancelled: nobody is answering any more, and the reminder goes when its timer fires.
    emulator.sendUserMessage(onTelegram.user, onTelegram.chat, '/cancel');
    await waitForMessage(emulator, onTelegram.chat, 'Nothing was sent');
    await fireVerificationTimerNow(application(), 'uz-002');
    await waitForMessage(emulator, onTelegram.chat, 'A reminder', { timeoutMs: 60_000 });
    expect(await row('uz-002')).toMatchObject({ nextStep: 'flag', reminders: 1 });
    expect(await promptsWritten('uz-002')).toBe(2);
  }, 180_000);

  it('on Telegram, a reminder taken back before it was sent does not count: an unfinished answer is followed by that reminder, not the flag', async () => {
    const { chat, user } = kzOnTelegram;
    await makeDueNow(application(), 'kz-001');
    const asked = await waitForMessage(emulator, chat, promptText, { timeoutMs: 60_000 });
    await reminderPlanned('kz-001');
    await outboxSettled(application());
    // The reminder is written while deliveries stall (policy: one reminder, then the flag).
    const deliveries = application().queues.queue('outbox');
    await deliveries.pause();
    try {
      const before = await row('kz-001');
      await fireVerificationTimerNow(application(), 'kz-001');
      await verificationSteppedPast(application(), 'kz-001', before.seq);
      expect(await row('kz-001')).toMatchObject({ nextStep: 'flag', reminders: 1 });
      // The person taps "I am away" before it went: it is taken back, and not counted.
      void press(emulator, kzOnTelegram, asked, 'vfy:away:');
      await waitForMessage(emulator, chat, 'From when are you away?');
      expect(await promptStates('kz-001')).toEqual(['sent', 'withdrawn']);
      expect(await row('kz-001')).toMatchObject({ nextStep: 'remind', reminders: 0, flaggedAt: null });
    } finally {
      await deliveries.resume();
    }
    // The answer is left unfinished: the next step is the reminder they never saw, then the flag.
    emulator.sendUserMessage(user, chat, '/cancel');
    await waitForMessage(emulator, chat, 'Nothing was sent');
    await fireVerificationTimerNow(application(), 'kz-001');
    await waitForMessage(emulator, chat, 'A reminder', { timeoutMs: 60_000 });
    // Telegram has the reminder; its row is marked sent once the worker has the answer back.
    await outboxSettled(application());
    expect(await row('kz-001')).toMatchObject({ nextStep: 'flag', reminders: 1, flaggedAt: null });
    expect(await promptStates('kz-001')).toEqual(['sent', 'sent', 'withdrawn']);
  }, 180_000);

  it('on Matrix, a reminder a worker has claimed but not yet sent when the person taps is taken back, not sent after the answer', async () => {
    await makeDueNow(application(), 'kz-002');
    const asked = await fromBot(promptText, kzOnMatrix);
    await reminderPlanned('kz-002');
    await outboxSettled(application());
    const deliveries = application().queues.queue('outbox');
    await deliveries.pause();
    let hold: Awaited<ReturnType<typeof holdRowLocked>> | undefined;
    try {
      const reminder = await reminderWritten('kz-002');
      // The reminder's row is held locked (as by a busy database), so the worker's claim of it waits...
      hold = await holdRowLocked(reminder.id);
      await deliveries.resume();
      await eventually(
        async () => ((await outboxLockWaits('"claim_token"')) >= 1 ? true : undefined),
        'the worker to be claiming the reminder',
      );
      // ...and the person taps "Something changed" meanwhile: taking the reminder back waits behind
      // the claim. The claim goes first; the reminder is then claimed, and not yet sent.
      const tapped = chooseNumbered(kzOnMatrix.user, asked, 'Something changed');
      await eventually(
        async () => ((await outboxLockWaits('"outcome_recorded_at"')) >= 1 ? true : undefined),
        'the answer to be taking the reminder back',
      );
      await releaseWhileTheAnswerStalls(hold, reminder.id);
      await tapped;
      const which = await fromBot('What changed?', kzOnMatrix);
      // The worker's delivery job is over (it looked once more before sending, and dropped it)...
      await eventually(async () => {
        const job = await deliveries.getJob(reminder.id);
        const state = await job?.getState();
        return state === 'completed' || state === 'failed' ? true : undefined;
      }, 'the reminder’s delivery job to end');
      await outboxSettled(application());
      const rows = await promptRows('kz-002');
      expect(rows.find((written) => written.id === reminder.id)).toMatchObject({
        state: 'withdrawn',
        sendStartedAt: null,
      });
      // ...and the answer goes on: a reminder the bot had sent would have come first, and its
      // numbers would have taken the "1" for Phone (this step would then time out).
      await chooseNumbered(kzOnMatrix.user, which, 'Phone');
      await fromBot('The new value', kzOnMatrix);
      // Never shown, so not counted: the step after the unfinished answer is the reminder again.
      expect(await row('kz-002')).toMatchObject({ nextStep: 'remind', reminders: 0 });
    } finally {
      hold?.release();
      await hold?.released.catch(() => undefined);
      await deliveries.resume();
    }
    const texts = fixture.botMessages(kzOnMatrix.user, kzOnMatrix.dm).map(body);
    expect(texts.filter((text) => text.includes('A reminder'))).toEqual([]);
  }, 180_000);

  it('on Telegram, a reminder whose first send failed, claimed again for its retry but not yet sent when the person taps, is taken back', async () => {
    const { chat } = retriedOnTelegram;
    await makeDueNow(application(), 'kz-003');
    const asked = await waitForMessage(emulator, chat, promptText, { timeoutMs: 60_000 });
    await reminderPlanned('kz-003');
    await outboxSettled(application());
    const deliveries = application().queues.queue('outbox');
    await deliveries.pause();
    let hold: Awaited<ReturnType<typeof holdRowLocked>> | undefined;
    try {
      const written = await reminderWritten('kz-003');
      // Its first send is refused (Telegram asks to retry after three seconds)...
      emulator.failNext('sendMessage', { errorCode: 429, retryAfter: 3 });
      await deliveries.resume();
      const failed = await eventually(async () => {
        const current = (await promptRows('kz-003')).find((candidate) => candidate.id === written.id);
        return current?.state === 'pending' && current.lastError !== null ? current : undefined;
      }, 'the reminder’s first send to fail');
      expect(failed.sendStartedAt).not.toBeNull();
      // ...then its row is held locked (as by a busy database), so the retry's claim waits...
      hold = await holdRowLocked(written.id);
      await eventually(
        async () => ((await outboxLockWaits('"claim_token"')) >= 1 ? true : undefined),
        'the retry to be claiming the reminder',
      );
      // ...and the person taps "I am away" meanwhile: taking the reminder back waits behind the
      // claim, which goes first. Claimed again but not yet handed over, it is still taken back.
      void press(emulator, retriedOnTelegram, asked, 'vfy:away:');
      await eventually(
        async () => ((await outboxLockWaits('"outcome_recorded_at"')) >= 1 ? true : undefined),
        'the answer to be taking the reminder back',
      );
      await releaseWhileTheAnswerStalls(hold, written.id);
      await waitForMessage(emulator, chat, 'From when are you away?');
      await eventually(async () => {
        const job = await deliveries.getJob(written.id);
        const state = await job?.getState();
        return state === 'completed' || state === 'failed' ? true : undefined;
      }, 'the reminder’s delivery job to end');
      await outboxSettled(application());
      expect((await promptRows('kz-003')).find((candidate) => candidate.id === written.id)).toMatchObject({
        state: 'withdrawn',
      });
      // Tried once and refused, it may not have been seen, yet it counts as given: the step after
      // the unfinished answer is the flag, not another reminder.
      expect(await row('kz-003')).toMatchObject({ reminders: 1 });
    } finally {
      hold?.release();
      await hold?.released.catch(() => undefined);
      await deliveries.resume();
    }
    expect(textsIn(emulator, chat).filter((text) => text.includes('A reminder'))).toEqual([]);
  }, 180_000);
});
