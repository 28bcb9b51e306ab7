// Workers die: hundreds of nudges are due and the worker process is SIGKILLed again and again in
// the middle of delivering them. Every due nudge must reach its counterpart once, never twice.
// Real processes (the production entry point with RUN_MODE=worker), a private Redis, real
// Postgres, the Telegram Bot API emulator enforcing Telegram's flood limits.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxTable } from '../src/outbox/index.ts';
import { formalRequests } from '../src/requests/requests-schema.ts';
import { createToken } from './support/chat-fixtures.ts';
import {
  linkCounterparts,
  registryWithCounterparts,
  type LinkedCounterpart,
} from './support/nudge-fixtures.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { eventually, withinDeadline } from './support/eventually.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

const nudgeCount = 200;
const kills = 5;
/** Deliveries a worker runs at once (OUTBOX_CONCURRENCY): what one kill can leave half done. */
const outboxConcurrency = 16;

let emulator: TelegramEmulator;
let redis: PrivateRedis;
let testApp: TestApp;
let counterparts: LinkedCounterpart[];
let requesterToken: string;
let policiesFile: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  emulator = await startTelegramEmulator({ recordCalls: true });
  emulator.enforceRateLimits();
  redis = await startPrivateRedis();
  const directory = mkdtempSync(join(tmpdir(), 'nudge-crash-'));
  policiesFile = join(directory, 'policies.yaml');
  // Due two seconds after registration, then not again within the test.
  writeFileSync(
    policiesFile,
    'default: { firstNudgeAfter: PT2S, repeatEvery: PT1H, escalateAfterUnanswered: 0, respectWorkingTime: false }\n',
  );
  // The API side: registers requests and enqueues their timers; it runs no consumers.
  testApp = await startTestApp('nudge_crash', {
    loadDemo: false,
    env: {
      RUN_MODE: 'api',
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      NUDGE_POLICIES_FILE: policiesFile,
    },
  });
  await testApp.application.registry.importRegistry(undefined, registryWithCounterparts(nudgeCount));
  counterparts = await linkCounterparts(testApp.application, emulator, nudgeCount);
  const requester = await testApp.application.members.create(undefined, {
    name: 'Aigerim Requester',
    country: 'KZ',
    role: 'member',
  });
  requesterToken = await createToken(testApp, requester.id);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.kill()));
  await testApp.close();
  await redis.close();
  await emulator.close();
});

/** Each worker calls Telegram under its own label, so a held call names the worker making it. */
const labels = new Map<WorkerProcess, string>();

function startWorker(): WorkerProcess {
  const label = `worker-${workers.length + 1}`;
  const worker = startWorkerProcess({
    DATABASE_URL: testApp.database.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: testApp.application.config.redis.prefix,
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRootFor(label),
    NUDGE_POLICIES_FILE: policiesFile,
    RECONCILE_INTERVAL_SECONDS: '1',
    WORKER_LOCK_SECONDS: '2',
    OUTBOX_CONCURRENCY: String(outboxConcurrency),
  });
  workers.push(worker);
  labels.set(worker, label);
  return worker;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sendsSoFar = () => emulator.apiCalls('sendMessage').filter((call) => call.ok === true).length;

describe('a worker killed repeatedly while hundreds of nudges are due', () => {
  it('delivers every due nudge exactly once', async () => {
    const references = new Map<number, string>();
    for (const [index, counterpart] of counterparts.entries()) {
      const response = await testApp.application.app.inject({
        method: 'POST',
        url: '/v1/requests',
        headers: { authorization: `Bearer ${requesterToken}` },
        payload: {
          type: 'mla',
          toCountry: 'UZ',
          contactId: counterpart.contactId,
          ourReference: `CRASH-${index}`,
          subject: 'Bank records',
          sentAt: new Date().toISOString(),
        },
      });
      expect(response.statusCode).toBe(201);
      references.set(counterpart.chatId, `CRASH-${index}`);
    }

    // Two workers share the work, as replicas would. Each round, after a few deliveries, the next
    // nudge sent is held by Telegram before it takes effect: its sender is certainly mid-send. That
    // worker is killed right there, and only then does Telegram act on the call (the message
    // arrives, but nobody is left to mark it sent). A fresh worker takes its place.
    const live = [startWorker(), startWorker()];
    await Promise.all(live.map((worker) => worker.ready));
    const killedMidSend: string[] = [];
    for (let killed = 0; killed < kills; killed++) {
      const before = sendsSoFar();
      // Deliveries go on between kills (the survivor and the newcomer pick up the work).
      await eventually(
        () => (sendsSoFar() > before ? true : undefined),
        `a nudge sent before kill ${killed + 1} (${sendsSoFar()} so far)`,
        30_000,
      );
      const held = emulator.holdNext('sendMessage');
      const call = await withinDeadline(held.arrived, 'a nudge to be sent', 30_000);
      const victim = live.find((worker) => labels.get(worker) === call.client);
      expect(victim, `the worker that sent ${JSON.stringify(call.client)}`).toBeDefined();
      live.splice(live.indexOf(victim!), 1);
      await victim!.kill();
      killedMidSend.push(String(call.params.text));
      held.release();
      live.push(startWorker());
    }
    expect(killedMidSend).toHaveLength(kills);
    expect(sendsSoFar()).toBeLessThan(nudgeCount);
    await Promise.all(live.map((worker) => worker.ready));

    const db = testApp.application.database.db;
    const finishBy = Date.now() + 60_000;
    for (;;) {
      const open = await db
        .select({ id: outboxTable.id })
        .from(outboxTable)
        .where(inArray(outboxTable.state, ['pending', 'sending']));
      const fired = await db
        .select({ id: formalRequests.id })
        .from(formalRequests)
        .where(eq(formalRequests.nudgeSeq, 1));
      if (open.length === 0 && fired.length === nudgeCount) break;
      if (Date.now() > finishBy)
        throw new Error(
          `not finished: ${open.length} deliveries open, ${fired.length} nudges fired\n${live[0]?.output() ?? ''}`,
        );
      await sleep(200);
    }
    // The survivors are stopped gracefully (SIGTERM): they finish what they hold and exit cleanly.
    expect(await Promise.all(live.map((worker) => worker.terminate()))).toEqual([0, 0]);

    // Counted where it matters: what each counterpart's chat received.
    const receivedPerChat = counterparts.map(
      ({ chatId }) =>
        emulator
          .sentMessages(chatId)
          .filter((message) => message.text?.includes(references.get(chatId) ?? '?') === true).length,
    );
    const rows = await db
      .select({ state: outboxTable.state, chatId: outboxTable.chatId })
      .from(outboxTable)
      .where(eq(outboxTable.kind, 'request-nudge'));
    expect(rows).toHaveLength(nudgeCount);
    const uncertain = rows.filter((row) => row.state === 'uncertain');
    // Never twice, anywhere.
    expect(Math.max(...receivedPerChat)).toBe(1);
    // Exactly once for every delivery the outbox completed...
    for (const row of rows.filter((candidate) => candidate.state === 'sent')) {
      expect(emulator.sentMessages(Number(row.chatId)).length, `chat ${row.chatId}`).toBe(1);
    }
    // ...and the only other outcome is a crash landing between the messenger call and the
    // mark: at most the worker's concurrent deliveries per kill, never sent again (at most once),
    // and recorded as such.
    expect(rows.every((row) => row.state === 'sent' || row.state === 'uncertain')).toBe(true);
    expect(uncertain.length).toBeLessThanOrEqual(kills * outboxConcurrency);
    // Each kill landed mid-send: the held nudge reached its counterpart exactly once, and its
    // delivery is recorded as uncertain (sent by a worker that died before it could say so).
    expect(uncertain.length).toBeGreaterThanOrEqual(kills);
    for (const text of killedMidSend) {
      const reference = /CRASH-\d+/.exec(text)![0];
      const chatId = [...references].find(([, value]) => value === reference)![0];
      expect(
        emulator.sentMessages(chatId).filter((message) => message.text?.includes(reference) === true),
      ).toHaveLength(1);
      expect(uncertain.map((row) => Number(row.chatId))).toContain(chatId);
    }
    const delivered = receivedPerChat.reduce((sum, count) => sum + count, 0);
    expect(delivered).toBeGreaterThanOrEqual(nudgeCount - uncertain.length);
    console.info(
      `crash test: ${delivered}/${nudgeCount} delivered once, ${uncertain.length} uncertain after ${kills} kills, ${emulator.tooManyRequestsCount} answers 429, peak ${emulator.rateLimitStats().peakGlobalPerSecond}/s`,
    );

    const events = await db
      .select({ id: formalRequests.id })
      .from(formalRequests)
      .where(and(eq(formalRequests.nudgeSeq, 1), eq(formalRequests.unansweredNudges, 1)));
    expect(events).toHaveLength(nudgeCount);
  }, 300_000);
});
