// The set-up of the stories where a Matrix worker process is killed mid-delivery and another takes
// the account over: the test homeserver with the bot's account (exempt from its rate limit: these
// stories are about crashes), a private Redis, an API process (this one) with a one-contact overdue
// registry whose person is linked on Matrix, and workers started as their own processes
// (`RUN_MODE=worker`) that the story kills. No reminder within a story: the prompt is the only
// message the bot sends the person unasked.
import { eventually, withinDeadline } from './eventually.ts';
import { botPassword, storeKey } from './matrix-bot-fixture.ts';
import { startMatrixHomeserver, type TestHomeserver } from './matrix-homeserver/index.ts';
import type { ReceivedMessage } from './matrix-test-client.ts';
import { startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import {
  linkOverdueMatrixContacts,
  overdueRegistry,
  writeVerificationPolicy,
  type MatrixLinkedPerson,
} from './verification-fixtures.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

/** Worker processes start slowly on a saturated machine: this only bounds a hang. */
export const workerHangMs = 180_000;

export interface MatrixWorkerStory {
  homeserver: TestHomeserver;
  redis: PrivateRedis;
  testApp: TestApp;
  botUserId: string;
  /** The one overdue contact's person, linked on Matrix. */
  person: MatrixLinkedPerson;
  /** Starts a worker process and resolves once it syncs the bot's Matrix account. */
  startSyncingWorker(): Promise<WorkerProcess>;
  /** Matches a message from the bot whose body contains `needle`. */
  fromBot(needle: string): (message: ReceivedMessage) => boolean;
  /** Kills every worker the story started, then stops the rest. */
  close(): Promise<void>;
}

export async function startMatrixWorkerStory(databaseName: string): Promise<MatrixWorkerStory> {
  const homeserver = await startMatrixHomeserver();
  const redis = await startPrivateRedis();
  const botUserId = homeserver.registerUser('counterpart', botPassword).userId;
  homeserver.exemptFromRateLimit(botUserId);
  const policyFile = writeVerificationPolicy('default: { every: P6M, remindAfter: P7D, reminders: 1 }\n');
  const matrixEnv = {
    MATRIX_HOMESERVER_URL: homeserver.url,
    MATRIX_USER_ID: botUserId,
    MATRIX_PASSWORD: botPassword,
    MATRIX_STORE_KEY: storeKey,
  };
  // The API side connects to no messenger and runs no consumers: only the workers sync Matrix.
  const testApp = await startTestApp(databaseName, {
    loadDemo: false,
    env: { RUN_MODE: 'api', REDIS_URL: redis.url, ...matrixEnv, VERIFICATION_POLICY_FILE: policyFile },
  });
  await testApp.application.registry.importRegistry(undefined, overdueRegistry(1));
  const [person] = (await linkOverdueMatrixContacts(testApp.application, homeserver, 0, 1)) as [
    MatrixLinkedPerson,
  ];
  const workers: WorkerProcess[] = [];
  const bodyOf = (message: ReceivedMessage) =>
    typeof message.content.body === 'string' ? message.content.body : '';
  return {
    homeserver,
    redis,
    testApp,
    botUserId,
    person,
    async startSyncingWorker() {
      const worker = startWorkerProcess({
        DATABASE_URL: testApp.database.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: testApp.application.config.redis.prefix,
        ...matrixEnv,
        VERIFICATION_POLICY_FILE: policyFile,
        RECONCILE_INTERVAL_SECONDS: '1',
        WORKER_LOCK_SECONDS: '2',
      });
      workers.push(worker);
      await withinDeadline(worker.ready, 'a worker to start', workerHangMs);
      await eventually(
        () => (worker.hasLogged('matrix: syncing') ? true : undefined),
        'the worker to sync the Matrix account',
        workerHangMs,
      );
      return worker;
    },
    fromBot: (needle) => (message) => message.sender === botUserId && bodyOf(message).includes(needle),
    async close() {
      await Promise.all(workers.map((worker) => worker.kill()));
      await person.user.stop();
      await testApp.close();
      await redis.close();
      await homeserver.close();
    },
  };
}
