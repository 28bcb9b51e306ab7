// A worker whose Matrix client is still starting takes Matrix deliveries from the queue too (one
// queue for every messenger). It must not spend their attempts failing with "not connected": the
// adapter says it cannot send from here yet, and the outbox puts the job back without a claim or a
// spent attempt until the client syncs. Here the test homeserver holds the worker's login (a
// homeserver slow to answer at start) while a push for a Matrix user is written; once the job has
// been taken and put back twice, the row shows no attempt; released, the push arrives once.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { eventually, withinDeadline } from './support/eventually.ts';
import { botPassword, storeKey } from './support/matrix-bot-fixture.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import { startTestMatrixUser, type TestMatrixUser } from './support/matrix-test-client.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

let homeserver: TestHomeserver;
let testApp: TestApp;
let person: TestMatrixUser;
let botUserId: string;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  homeserver = await startMatrixHomeserver();
  botUserId = homeserver.registerUser('counterpart', botPassword).userId;
  homeserver.exemptFromRateLimit(botUserId);
  // The API side writes the push; it runs no consumers and connects to no messenger.
  testApp = await startTestApp('outbox_matrix_starting', { loadDemo: false, env: { RUN_MODE: 'api' } });
  person = await startTestMatrixUser(homeserver, 'person', { autoJoin: true });
}, 120_000);

afterAll(async () => {
  await worker?.kill();
  await person.stop();
  await testApp.close();
  await homeserver.close();
});

describe('a Matrix push taken by a worker whose client is still starting', () => {
  it('spends no attempt while the client starts, and is delivered once when it syncs', async () => {
    // The bot logs in with its password: its login held, its client cannot be up.
    const login = homeserver.holdNext(
      (request) => request.method === 'POST' && request.path.endsWith('/login'),
    );
    worker = startWorkerProcess(
      {
        DATABASE_URL: testApp.database.url,
        REDIS_URL: testApp.application.config.redis.url ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: testApp.application.config.redis.prefix,
        MATRIX_HOMESERVER_URL: homeserver.url,
        MATRIX_USER_ID: botUserId,
        MATRIX_PASSWORD: botPassword,
        MATRIX_STORE_KEY: storeKey,
      },
      { watch: ['matrix_not_connected'] },
    );
    await withinDeadline(worker.ready, 'the worker to start', 60_000);
    await withinDeadline(login.arrived, 'the worker`s Matrix login', 60_000);

    const { outbox } = testApp.application;
    const dedupeKey = 'starting-client-notice';
    await testApp.application.database.db.transaction((tx) =>
      outbox.service.addInTransaction(tx, [
        {
          dedupeKey,
          address: { platform: 'matrix', chatId: person.userId },
          message: { text: 'A notice while the bot starts', locale: 'en' },
          kind: 'starting-test',
        },
      ]),
    );
    await outbox.service.dispatch([dedupeKey]);
    const row = async () =>
      (
        await testApp.application.database.db
          .select()
          .from(outboxTable)
          .where(eq(outboxTable.dedupeKey, dedupeKey))
      )[0];
    const written = await row();
    if (written === undefined) throw new Error('the push was not written');

    // The worker took the job and put it back (delayed), twice: the client is still starting.
    const deliveries = testApp.application.queues.queue('outbox');
    for (let taken = 0; taken < 2; taken++) {
      await eventually(async () => {
        const job = await deliveries.getJob(written.id);
        return job !== undefined && (await job.getState()) === 'delayed' ? true : undefined;
      }, 'the job put back');
      // Put back without a claim or a spent attempt (not failed with matrix_not_connected).
      expect(await row()).toMatchObject({ state: 'pending', attempts: 0, lastError: null });
      await eventually(async () => {
        const job = await deliveries.getJob(written.id);
        return job !== undefined && (await job.getState()) !== 'delayed' ? true : undefined;
      }, 'the job offered again');
    }
    const job = await deliveries.getJob(written.id);
    expect(job?.attemptsMade ?? 0).toBe(0);

    login.release();
    const received = await person.waitForMessage(
      (message) => message.sender === botUserId && message.content.body === 'A notice while the bot starts',
      90_000,
    );
    expect(received.encrypted).toBe(true);
    const sent = await eventually(async () => {
      const current = await row();
      return current?.state === 'sent' ? current : undefined;
    }, 'the row marked sent');
    expect(sent).toMatchObject({ attempts: 1, lastError: null });
    expect(worker.hasLogged('matrix_not_connected'), worker.output()).toBe(false);
    // Once: the bot answers `!help` after it (a room's events are answered in order), and no
    // second copy came before that answer.
    const seen = person.received.length;
    await person.client.sendTextMessage(received.roomId, '!help');
    await person.waitForMessage(
      (message) => message.sender === botUserId && person.received.indexOf(message) >= seen,
      60_000,
    );
    expect(
      person.received.filter((message) => message.content.body === 'A notice while the bot starts'),
    ).toHaveLength(1);
  }, 240_000);
});
