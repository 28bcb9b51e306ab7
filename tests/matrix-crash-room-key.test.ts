// A Matrix worker dies after it sent a member a room key over an Olm session its last save holds
// at an older step: the member's first prompt made the session (and was saved, as a delivery is);
// then the member opens a second room with the bot, and the bot's greeting there needs a new room
// key, sent over that session, which ratchets it forward. That to-device message is held on the
// wire and the worker is SIGKILLed there. The worker that takes over, restored from the last save,
// sent its next room key over the session as it was saved, with message keys the member's device
// had already used and refuses: the member could read nothing the bot sent into that room
// afterwards ("The sender's device has not sent us the keys"), as the campaign test saw once in
// about ten runs. Now a to-device message leaves only once the crypto state that made it is saved.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { eventually, withinDeadline } from './support/eventually.ts';
import type { TestHomeserver } from './support/matrix-homeserver/index.ts';
import {
  startMatrixWorkerStory,
  workerHangMs as hangMs,
  type MatrixWorkerStory,
} from './support/matrix-worker-story.ts';
import type { ReceivedMessage } from './support/matrix-test-client.ts';
import type { PrivateRedis } from './support/private-redis.ts';
import type { TestApp } from './support/test-app.ts';
import { promptText, type MatrixLinkedPerson } from './support/verification-fixtures.ts';

let story: MatrixWorkerStory;
let homeserver: TestHomeserver;
let redis: PrivateRedis;
let testApp: TestApp;
let botUserId: string;
let people: MatrixLinkedPerson[];

beforeAll(async () => {
  story = await startMatrixWorkerStory('matrix_crash_room_key');
  ({ homeserver, redis, testApp, botUserId } = story);
  people = [story.person];
}, hangMs);

afterAll(() => story.close());

const startSyncingWorker = () => story.startSyncingWorker();
const fromBot = (needle: string) => story.fromBot(needle);
const bodyOf = (message: ReceivedMessage) =>
  typeof message.content.body === 'string' ? message.content.body : '';

async function push(roomId: string, key: string, text: string): Promise<void> {
  const { outbox } = testApp.application;
  await testApp.application.database.db.transaction((tx) =>
    outbox.service.addInTransaction(tx, [
      {
        dedupeKey: key,
        address: { platform: 'matrix', chatId: roomId },
        message: { text, locale: 'en' },
        kind: 'crash-test',
      },
    ]),
  );
  await outbox.service.dispatch([key]);
}

describe('a Matrix worker killed after a room key ratcheted an Olm session its last save holds older', () => {
  it('lets the member read what the worker that takes over sends into that room', async () => {
    const first = await startSyncingWorker();
    const [person] = people as [MatrixLinkedPerson];
    await testApp.application.registryTruth.planOnce();
    await person.user.waitForMessage(fromBot(promptText), hangMs);
    const db = testApp.application.database.db;
    await eventually(
      async () => {
        const [row] = await db
          .select({ state: outboxTable.state })
          .from(outboxTable)
          .where(and(eq(outboxTable.kind, 'verification'), eq(outboxTable.chatId, person.user.userId)));
        return row?.state === 'sent' ? true : undefined;
      },
      'the prompt delivered (its keys saved)',
      hangMs,
    );

    // The member opens a second room with the bot; the bot's greeting there needs a new room key,
    // sent over the Olm session the prompt made, which ratchets it forward. That to-device message
    // is held on the wire, and the worker is SIGKILLed there: its last save came before it.
    const share = homeserver.holdNext(
      (request) =>
        request.method === 'PUT' && request.userId === botUserId && request.path.includes('/sendToDevice/'),
    );
    const second = await person.user.createEncryptedDm(botUserId);
    await withinDeadline(share.arrived, "the room key of the bot's greeting in the second room", hangMs);
    await first.kill();
    share.release();
    await redis.flushAll();
    await startSyncingWorker();

    // The worker that took over sends into the second room, with a room key it makes and sends.
    const marker = homeserver.requests.length;
    const story = () =>
      JSON.stringify({
        received: person.user.received.map((message) => [
          message.roomId === second ? 'second room' : 'first room',
          message.type,
          bodyOf(message).slice(0, 60),
        ]),
        bot: homeserver.requests
          .slice(marker)
          .filter((request) => request.userId === botUserId && request.method === 'PUT')
          .map((request) => [request.path.replace(encodeURIComponent(second), 'SECOND'), request.status]),
      });
    await push(second, 'after-takeover', 'A notice after the takeover');
    await person.user
      .waitForMessage(fromBot('A notice after the takeover'), hangMs)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}: ${story()}`);
      });
    // Everything the bot sent into the second room is readable (the greeting sent again by the
    // new worker is the held one: one event).
    await eventually(
      () => (homeserver.undeliveredToDevice(person.user.userId) === 0 ? true : undefined),
      "the member's client to have taken in what the bot sent it",
      hangMs,
    );
    const inSecond = person.user.received.filter(
      (message) => message.roomId === second && message.sender === botUserId,
    );
    expect(
      inSecond.filter(
        (message) => message.type === 'm.room.encrypted' || message.content.msgtype === 'm.bad.encrypted',
      ),
      story(),
    ).toEqual([]);
    expect(inSecond.length, story()).toBe(
      homeserver
        .roomEvents(second)
        .filter((event) => event.sender === botUserId && event.type === 'm.room.encrypted').length,
    );
  }, 600_000);
});
