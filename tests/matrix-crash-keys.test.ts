// A Matrix worker dies after sending a member their re-verification prompt, before its sync loop
// saved the keys that message made: the first message into a new DM creates a room key and an Olm
// session with the member's device, and the member's client answers through that session. Here
// the bot's sync loop is stalled (its next /sync held by the homeserver) while the prompt goes
// out, then the worker is SIGKILLed and another worker takes the Matrix account over, restored
// from the last save. The member answers the prompt with its number and is answered: a delivery
// counts as done only once the keys it made are saved (or, cut short, it is sent again by the
// worker that takes over, with keys that worker holds).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { eventually, withinDeadline } from './support/eventually.ts';
import { chooseNumbered } from './support/matrix-bot-fixture.ts';
import type { TestHomeserver } from './support/matrix-homeserver/index.ts';
import {
  startMatrixWorkerStory,
  workerHangMs,
  type MatrixWorkerStory,
} from './support/matrix-worker-story.ts';
import type { PrivateRedis } from './support/private-redis.ts';
import type { TestApp } from './support/test-app.ts';
import { promptText, type MatrixLinkedPerson } from './support/verification-fixtures.ts';

let story: MatrixWorkerStory;
let homeserver: TestHomeserver;
let redis: PrivateRedis;
let testApp: TestApp;
let botUserId: string;
let person: MatrixLinkedPerson;

beforeAll(async () => {
  story = await startMatrixWorkerStory('matrix_crash_keys');
  ({ homeserver, redis, testApp, botUserId, person } = story);
}, workerHangMs);

afterAll(() => story.close());

const startSyncingWorker = () => story.startSyncingWorker();
const fromBot = (needle: string) => story.fromBot(needle);

describe('a Matrix worker killed after a prompt, before it saved the keys that prompt made', () => {
  it("answers the member's numbered answer from the worker that takes over", async () => {
    const first = await startSyncingWorker();

    // The bot's first message to the member needs an Olm session with their device: its claim of
    // the device's one-time key is held until the bot's sync loop waits on its next /sync, which it
    // asks for only once the previous one was saved. That /sync is held too: from here on the
    // first worker saves nothing on its own (a sync loop stalled, as by a slow homeserver), so
    // the keys the prompt makes are saved only if the delivery saves them.
    const claim = homeserver.holdNext(
      (request) =>
        request.method === 'POST' && request.userId === botUserId && request.path.endsWith('/keys/claim'),
    );
    await testApp.application.registryTruth.planOnce();
    await withinDeadline(claim.arrived, "the bot's claim of the member's one-time key", 90_000);
    const parked = homeserver.holdNext(
      (request) => request.method === 'GET' && request.userId === botUserId && request.path.endsWith('/sync'),
    );
    await withinDeadline(parked.arrived, "the bot's next /sync", 60_000);
    claim.release();
    const prompt = await person.user.waitForMessage(fromBot(promptText), 90_000);
    expect(prompt.encrypted).toBe(true);

    // The worker dies; the sync lock goes with Redis's keys (as after a failover), so a new worker
    // takes the account over at once, from the last saved state.
    await first.kill();
    parked.release();
    await redis.flushAll();
    await startSyncingWorker();

    // The prompt's delivery settles (sent, by either worker), and the member's client has taken
    // in every room key and Olm message the bot's device sent it (the server's queue for it empty).
    const db = testApp.application.database.db;
    const promptRow = async () =>
      (
        await db
          .select({ state: outboxTable.state, lastError: outboxTable.lastError })
          .from(outboxTable)
          .where(and(eq(outboxTable.kind, 'verification'), eq(outboxTable.chatId, person.user.userId)))
      )[0];
    await eventually(
      async () => ((await promptRow())?.state === 'sent' ? true : undefined),
      "the prompt's delivery settled",
      90_000,
    );
    await eventually(
      () => (homeserver.undeliveredToDevice(person.user.userId) === 0 ? true : undefined),
      "the member's client to have taken in what the bot sent it",
      60_000,
    );

    // The member answers the prompt they see, with its number, and is answered.
    await chooseNumbered(person.user, prompt, 'All correct');
    await person.user.waitForMessage(fromBot('your entry is confirmed'), 90_000);

    // Seen once, whichever worker's delivery it was (one sent again has the same transaction id).
    expect(person.user.received.filter(fromBot(promptText))).toHaveLength(1);
  }, 300_000);
});
