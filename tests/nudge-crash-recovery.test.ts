// Workers die: hundreds of nudges are due and the worker process is SIGKILLed again and again in
// the middle of delivering them. Every due nudge must reach its counterpart once, never twice.
// Real processes (the production entry point with RUN_MODE=worker), a private Redis, real
// Postgres, the Telegram Bot API emulator enforcing Telegram's flood limits.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { formalRequests } from '../src/requests/requests-schema.ts';
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

const references = new Map<number, string>();
let registered = 0;

/** Registers requests to the next `count` counterparts (each one's nudge falls due 2 s later). */
async function registerRequests(count: number): Promise<void> {
  for (const counterpart of counterparts.slice(registered, registered + count)) {
    const index = registered++;
    const response = await withinDeadline(
      testApp.application.app.inject({
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
      }),
      `registering request CRASH-${index}`,
    );
    expect(response.statusCode).toBe(201);
    references.set(counterpart.chatId, `CRASH-${index}`);
  }
}

describe('a worker killed repeatedly while hundreds of nudges are due', () => {
  it('delivers every due nudge exactly once', async () => {
    // Two workers share the work, as replicas would. The nudges come in batches, one per round:
    // each round first asks Telegram to hold the next nudge sent before it takes effect, then
    // registers its batch, so a send to hold is certain to come however fast the earlier batches
    // went out. The holder's sender is certainly mid-send: that worker is killed right there, and
    // only then does Telegram act on the call (the message arrives, but nobody is left to mark it
    // sent). A fresh worker takes its place; the survivor and the newcomer carry on the work.
    const batch = Math.ceil(nudgeCount / (kills + 1));
    const live = [startWorker(), startWorker()];
    await Promise.all(live.map((worker) => worker.ready));
    const killedMidSend: string[] = [];
    for (let killed = 0; killed < kills; killed++) {
      // Both live workers up (a newcomer has started) before the round: two to share the work.
      await withinDeadline(
        Promise.all(live.map((worker) => worker.ready)),
        `the workers to be ready before kill ${killed + 1}`,
        90_000,
      );
      const held = emulator.holdNext('sendMessage');
      await registerRequests(batch);
      const call = await withinDeadline(
        held.arrived,
        `a nudge to be sent before kill ${killed + 1}`,
        90_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${live.map((worker) => worker.output()).join('\n---\n')}`);
      });
      const victim = live.find((worker) => labels.get(worker) === call.client);
      expect(victim, `the worker that sent ${JSON.stringify(call.client)}`).toBeDefined();
      live.splice(live.indexOf(victim!), 1);
      await victim!.kill();
      killedMidSend.push(String(call.params.text));
      held.release();
      live.push(startWorker());
    }
    expect(killedMidSend).toHaveLength(kills);
    await registerRequests(nudgeCount - registered);
    expect(registered).toBe(nudgeCount);
    await Promise.all(live.map((worker) => worker.ready));

    // Every nudge fired, then every delivery finished with its outcome recorded, the queue drained
    // and a reconciler pass settled: a second send of any of them would have gone out by now.
    const db = testApp.application.database.db;
    await eventually(
      async () => {
        const fired = await db
          .select({ id: formalRequests.id })
          .from(formalRequests)
          .where(eq(formalRequests.nudgeSeq, 1));
        return fired.length === nudgeCount ? true : undefined;
      },
      `all ${nudgeCount} nudges fired`,
      120_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${live[0]?.output() ?? ''}`);
    });
    await outboxSettled(testApp.application, 120_000);
    // The survivors are stopped gracefully (SIGTERM): they finish what they hold and exit cleanly.
    // From here nothing can send, so the counts below are final.
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
  }, 600_000);
});
