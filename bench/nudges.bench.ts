// Nudges at scale, on a private redis-server and a fresh Postgres database, in one run:
//
// 1. Throughput: 100,000 requests whose nudges all fall due at the same moment, processed by the
//    production nudge worker (Postgres batch, outbox row, delivery job), against 100,000 BullMQ
//    no-op jobs falling due the same way on the same Redis with the same worker concurrency:
//    `nudge_vs_noop_jobs_ratio` (target >= 0.5).
// 2. Lateness: 100,000 requests whose nudges fall due spread over one minute, with the worker
//    running: how long after its due time each nudge was done (job completed, delivery enqueued):
//    `nudge_lateness_p50_ms`, `nudge_lateness_p99_ms` (target p99 < 1 s).
// 3. Delivery: 1,000 nudges to 1,000 different Telegram chats through the outbox, against the Bot
//    API emulator enforcing 30 messages a second: `telegram_send_rate_fraction_of_limit`
//    (target >= 0.9) and `telegram_429_count` (target 0).
//
// The nudge worker and the no-op worker run in this process, which moves to the server's core for
// parts 1 and 2; the private redis-server and the Postgres backends serving the bench's database
// are moved to their own cores (on two cores: the other one). In part 3 the delivering worker is a
// process of its own on the server's core; the emulator stays on the other.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { eq, inArray, sql } from 'drizzle-orm';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { formalRequests } from '../src/requests/requests-schema.ts';
import { defaultJobOptions, nudgeJobId } from '../src/queue/queues.ts';
import { registryWithCounterparts } from '../tests/support/nudge-fixtures.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../tests/support/telegram-emulator.ts';
import { startTestApp, type TestApp } from '../tests/support/test-app.ts';
import { startWorkerProcess, type WorkerProcess } from '../tests/support/worker-process.ts';
import { settings } from './harness/compare.ts';
import { cores, pinProcess } from './harness/cores.ts';
import { startUsageWindow } from './harness/machine.ts';
import { mergeResults, type PartContext, type PartResult, type RatioConditions } from './harness/part.ts';
import {
  pinPostgresBackends,
  postgresServicePids,
  startBenchRedis,
  type BenchRedis,
} from './harness/services.ts';
import { median, percentile, round } from './harness/statistics.ts';

export const name = 'nudges';

const burstCount = Number(process.env.BENCH_NUDGES ?? 100_000);
const spreadCount = burstCount;
const spreadWindowMs = 60_000;
const contactCount = 1000;
const deliveryCount = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let log: (message: string) => void = (message) => {
  process.stderr.write(`  nudges: ${message}\n`);
};

function writePolicies(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'bench-nudges-'));
  const file = join(directory, 'policies.yaml');
  writeFileSync(file, text);
  return file;
}

/** Members behind `uz-c<n>` with a linked Telegram account each, and one requester: plain SQL, it is setup. */
async function seedMembers(testApp: TestApp, chatIds: readonly number[]): Promise<string> {
  const db = testApp.application.database.db;
  await db.execute(sql`
    insert into members (id, name, country, role, contact_id, locale)
    select 'bench-m' || n, 'Counterpart ' || n, 'UZ', 'member', 'uz-c' || n, 'en' from generate_series(0, ${contactCount - 1}) as n`);
  const values = sql.join(
    chatIds.map(
      (chatId, index) =>
        sql`(${`bench-i${index}`}, 'telegram', ${String(chatId)}, ${`bench-m${index}`}, ${String(chatId)})`,
    ),
    sql`, `,
  );
  await db.execute(
    sql`insert into identities (id, platform, platform_user_id, member_id, chat_id) values ${values}`,
  );
  const requester = await testApp.application.members.create(undefined, {
    name: 'Bench Requester',
    country: 'KZ',
    role: 'member',
  });
  return requester.id;
}

/** `count` open requests numbered from `first`, each due at `dueAt(n)` (epoch ms), spread over the contacts. */
async function insertRequests(
  testApp: TestApp,
  requesterId: string,
  first: number,
  count: number,
  dueSql: ReturnType<typeof sql>,
): Promise<void> {
  const db = testApp.application.database.db;
  for (let start = first; start < first + count; start += 50_000) {
    const end = Math.min(first + count, start + 50_000) - 1;
    await db.execute(sql`
      insert into formal_requests (id, type, requester_member_id, from_country, to_country, authority_id, contact_id,
        our_reference, subject, sent_at, urgent, status, nudge_seq, next_nudge_at)
      select 'bn' || n, 'mla', ${requesterId}, 'KZ', 'UZ', 'uz-gpo', 'uz-c' || (n % ${contactCount}),
        'BENCH-' || n, 'Bank records', now() - interval '30 days', false, 'sent', 0, ${dueSql}
      from generate_series(${start}::int, ${end}::int) as n`);
  }
}

async function addTimers(queue: Queue, jobs: { id: string; due: number }[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += 5000) {
    const now = Date.now();
    await queue.addBulk(
      jobs.slice(start, start + 5000).map((job) => ({
        name: 'nudges',
        data: { requestId: job.id, seq: 0 },
        opts: {
          ...defaultJobOptions.nudges,
          jobId: nudgeJobId(job.id, 0),
          delay: Math.max(0, job.due - now),
        },
      })),
    );
  }
}

/** Resolves once `count` jobs completed on `worker`, with the time of the last completion. */
function completions(
  worker: Worker,
  count: number,
  onEach?: (jobId: string, at: number) => void,
): Promise<number> {
  return new Promise((resolve) => {
    let done = 0;
    worker.on('completed', (job) => {
      const at = Date.now();
      onEach?.(job.id ?? '', at);
      done += 1;
      if (done === count) resolve(at);
    });
  });
}

/** CPU spent by this process, Redis and the database's backends between two calls (to explain the figures). */
async function cpuMeter(redis: BenchRedis, testApp: TestApp) {
  const client = redis.client();
  const redisSeconds = async () => {
    const info = await client.info('cpu');
    return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
  };
  const postgresMs = async () => {
    // postgres.js answers execute() with the row list itself.
    const rows: unknown = await testApp.application.database.db.execute(
      sql`select pid from pg_stat_activity where datname = current_database()`,
    );
    if (!Array.isArray(rows)) return 0;
    let ticks = 0;
    for (const row of rows as { pid: number }[]) {
      try {
        const stat = readFileSync(`/proc/${String(row.pid)}/stat`, 'utf8').split(' ');
        ticks += Number(stat[13]) + Number(stat[14]);
      } catch {
        // The backend ended meanwhile.
      }
    }
    return ticks * 10;
  };
  const systemIdle = () => {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      idle: (fields[3] ?? 0) + (fields[4] ?? 0),
      total: fields.reduce((sum, value) => sum + value, 0),
    };
  };
  return async () => {
    const node = process.cpuUsage();
    const [redisBefore, postgresBefore] = await Promise.all([redisSeconds(), postgresMs()]);
    const systemBefore = systemIdle();
    return async (jobs: number) => {
      const used = process.cpuUsage(node);
      const [redisAfter, postgresAfter] = await Promise.all([redisSeconds(), postgresMs()]);
      const systemAfter = systemIdle();
      const busy = 1 - (systemAfter.idle - systemBefore.idle) / (systemAfter.total - systemBefore.total);
      const perJob = (ms: number) => Math.round((ms * 1000) / jobs);
      return `CPU per job: node ${perJob((used.user + used.system) / 1000)} us, redis ${perJob((redisAfter - redisBefore) * 1000)} us, postgres ${perJob(postgresAfter - postgresBefore)} us; machine ${Math.round(busy * 100)}% busy`;
    };
  };
}

async function measureScheduling(redis: BenchRedis, emulator: TelegramEmulator): Promise<PartResult> {
  const policies = writePolicies(
    'default: { firstNudgeAfter: P14D, repeatEvery: P30D, escalateAfterUnanswered: 0, respectWorkingTime: true }\n',
  );
  // API mode: no consumers start with the application; the bench starts the nudge worker itself.
  const testApp = await startTestApp('bench_nudges', {
    loadDemo: false,
    env: {
      RUN_MODE: 'api',
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      NUDGE_POLICIES_FILE: policies,
      LOG_LEVEL: 'warn',
      ...(process.env.NUDGE_CONCURRENCY === undefined
        ? {}
        : { NUDGE_CONCURRENCY: process.env.NUDGE_CONCURRENCY }),
    },
  });
  // The workers live in this process: it takes the server's core while they run.
  if (cores.pinning) pinProcess(process.pid, cores.server);
  let postgresPids: number[] = [];
  const pinPostgres = async () => {
    postgresPids = [...(await pinPostgresBackends(testApp.database.name)), ...(await postgresServicePids())];
  };
  try {
    const { application } = testApp;
    await application.registry.importRegistry(undefined, registryWithCounterparts(contactCount));
    const requesterId = await seedMembers(
      testApp,
      Array.from({ length: contactCount }, (_, index) => 9_000_000 + index),
    );
    const meter = await cpuMeter(redis, testApp);
    const connection = { url: redis.url };
    const prefix = application.config.redis.prefix;
    // The no-op baseline runs with the nudge worker's settings: same concurrency, same job options.
    const noopQueue = new Queue('bench-noop', {
      connection,
      prefix,
      defaultJobOptions: defaultJobOptions.nudges,
    });
    const noopWorker = new Worker('bench-noop', async () => undefined, {
      connection,
      prefix,
      concurrency: application.config.queues.nudgeConcurrency,
    });
    // The timer service's workers, among them the nudge lane's (nudges are one of its lanes).
    application.timers.startWorker();
    const worker = application.timers.workerOf('nudges');
    if (worker === undefined) throw new Error('no nudge worker (Redis?)');
    const nudgeQueue = application.queues.queue('nudges');

    // 1. Throughput. Rounds alternate between no-op jobs and nudges (the order flips every round),
    // so a change in the machine's load affects both alike; each round's jobs all fall due at one
    // moment. The figure is the median of the rounds' ratios.
    const rounds = settings.rounds;
    const perRound = Math.floor(burstCount / rounds);
    const noopRound = async (round: number): Promise<number> => {
      const noopDue = Date.now() + 10_000;
      for (let start = 0; start < perRound; start += 5000) {
        const now = Date.now();
        await noopQueue.addBulk(
          Array.from({ length: Math.min(5000, perRound - start) }, (_, index) => ({
            name: 'noop',
            data: { n: start + index },
            opts: { jobId: `noop-${round}-${start + index}`, delay: Math.max(0, noopDue - now) },
          })),
        );
      }
      await pinPostgres();
      const noopDone = completions(noopWorker, perRound);
      await sleep(Math.max(0, noopDue - Date.now()));
      const noopUsage = await meter();
      const noopEnd = await noopDone;
      const rate = perRound / ((noopEnd - noopDue) / 1000);
      log(`round ${round + 1} no-op: ${Math.round(rate)} jobs/s; ${await noopUsage(perRound)}`);
      noopWorker.removeAllListeners('completed');
      return rate;
    };
    const nudgeRound = async (round: number): Promise<number> => {
      const first = round * perRound;
      const burstDue = Date.now() + 25_000;
      await insertRequests(testApp, requesterId, first, perRound, sql`to_timestamp(${burstDue / 1000})`);
      await addTimers(
        nudgeQueue,
        Array.from({ length: perRound }, (_, index) => ({ id: `bn${first + index}`, due: burstDue })),
      );
      if (Date.now() > burstDue) throw new Error('setup took longer than the lead time; raise it');
      await pinPostgres();
      const burstDone = completions(worker, perRound);
      await sleep(Math.max(0, burstDue - Date.now()));
      const nudgeUsage = await meter();
      const burstEnd = await burstDone;
      const rate = perRound / ((burstEnd - burstDue) / 1000);
      log(`round ${round + 1} nudges: ${Math.round(rate)} jobs/s; ${await nudgeUsage(perRound)}`);
      worker.removeAllListeners('completed');
      return rate;
    };
    await pinPostgres();
    const endThroughput = startUsageWindow(() => postgresPids);
    const noopRates: number[] = [];
    const nudgeRates: number[] = [];
    const roundRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let noop: number;
      let nudge: number;
      if (round % 2 === 0) {
        noop = await noopRound(round);
        nudge = await nudgeRound(round);
      } else {
        nudge = await nudgeRound(round);
        noop = await noopRound(round);
      }
      noopRates.push(noop);
      nudgeRates.push(nudge);
      roundRatios.push(nudge / noop);
    }
    const throughputUsage = endThroughput();
    await noopWorker.close();
    await noopQueue.obliterate({ force: true });
    await noopQueue.close();

    // 2. Lateness: 100,000 nudges spread over a minute, the worker running.
    const burstTotal = rounds * perRound;
    const spreadStart = Date.now() + 40_000;
    log(`inserting ${spreadCount} requests due over one minute`);
    await insertRequests(
      testApp,
      requesterId,
      burstTotal,
      spreadCount,
      sql`to_timestamp((${spreadStart} + ((n - ${burstTotal}) * ${spreadWindowMs}::bigint / ${spreadCount})) / 1000.0)`,
    );
    const dueById = new Map<string, number>();
    const spreadJobs = Array.from({ length: spreadCount }, (_, index) => {
      const due = spreadStart + Math.floor((index * spreadWindowMs) / spreadCount);
      const id = `bn${burstTotal + index}`;
      dueById.set(nudgeJobId(id, 0), due);
      return { id, due };
    });
    await addTimers(nudgeQueue, spreadJobs);
    if (Date.now() > spreadStart) throw new Error('setup took longer than the lead time; raise it');
    await pinPostgres();
    const lateness: number[] = [];
    const spreadDone = completions(worker, spreadCount, (jobId, at) => {
      const due = dueById.get(jobId);
      if (due !== undefined) lateness.push(at - due);
    });
    log('waiting for the minute to pass');
    await sleep(Math.max(0, spreadStart - Date.now()));
    const endLateness = startUsageWindow(() => postgresPids);
    await spreadDone;
    const latenessUsage = endLateness();
    lateness.sort((a, b) => a - b);

    const [counted] = await application.database.db
      .select({ fired: sql<number>`count(*)::int` })
      .from(formalRequests)
      .where(eq(formalRequests.nudgeSeq, 1));
    if (counted?.fired !== burstTotal + spreadCount)
      throw new Error(`${counted?.fired ?? 0} nudges fired, expected ${burstTotal + spreadCount}`);
    const ratio: RatioConditions = {
      baseline: 'BullMQ no-op jobs, same Redis, same concurrency',
      baselineRate: Math.round(median(noopRates)),
      subjectRate: Math.round(median(nudgeRates)),
      unit: 'jobs/s',
      idleShare: round(throughputUsage.idleShare, 3),
      othersCores: round(throughputUsage.othersCores, 3),
      roundRatios: roundRatios.map((value) => round(value, 3)),
    };
    return {
      figures: {
        nudge_vs_noop_jobs_ratio: round(median(roundRatios), 3),
        nudge_jobs_per_second: Math.round(median(nudgeRates)),
        noop_jobs_per_second: Math.round(median(noopRates)),
        nudge_lateness_p50_ms: Math.round(percentile(lateness, 0.5)),
        nudge_lateness_p99_ms: Math.round(percentile(lateness, 0.99)),
        nudges_idle_share: round(throughputUsage.idleShare, 3),
      },
      ratios: { nudge_vs_noop_jobs_ratio: ratio },
      usages: [throughputUsage, latenessUsage],
      warnings: [],
    };
  } finally {
    if (cores.pinning) pinProcess(process.pid, cores.load);
    await testApp.close();
  }
}

async function measureTelegramDelivery(redis: BenchRedis): Promise<PartResult> {
  const emulator = await startTelegramEmulator({ recordCalls: false });
  emulator.enforceRateLimits();
  const policies = writePolicies(
    'default: { firstNudgeAfter: PT1S, repeatEvery: P30D, escalateAfterUnanswered: 0, respectWorkingTime: false }\n',
  );
  const env = {
    REDIS_URL: redis.url,
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    NUDGE_POLICIES_FILE: policies,
    LOG_LEVEL: 'warn',
  };
  // The API side seeds the data; the delivering worker is its own process, as in production, so
  // the emulator (standing in for Telegram's servers) does not share an event loop with it.
  const testApp = await startTestApp('bench_delivery', { loadDemo: false, env: { ...env, RUN_MODE: 'api' } });
  let worker: WorkerProcess | undefined;
  try {
    const { application } = testApp;
    await application.registry.importRegistry(undefined, registryWithCounterparts(contactCount));
    // Linked in the database below, not through /start: they have started the bot in this story.
    const users = Array.from({ length: deliveryCount }, (_, index) =>
      emulator.createUser({ firstName: `C${index}`, hasStartedBot: true }),
    );
    const requesterId = await seedMembers(
      testApp,
      users.map((user) => user.id),
    );
    worker = startWorkerProcess({
      ...env,
      DATABASE_URL: testApp.database.url,
      REDIS_PREFIX: application.config.redis.prefix,
      RECONCILE_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
    });
    await worker.ready;
    // The delivering worker takes the server's core; the emulator stays on this process's.
    pinProcess(worker.pid, cores.server);
    const postgresPids = [
      ...(await pinPostgresBackends(testApp.database.name)),
      ...(await postgresServicePids()),
    ];
    emulator.resetRateLimitStats();
    const before = emulator.tooManyRequestsCount;
    // Due in two seconds; the worker's reconciler sets their timers from Postgres.
    await insertRequests(testApp, requesterId, 0, deliveryCount, sql`now() + interval '2 seconds'`);
    log(`delivering ${deliveryCount} nudges to ${deliveryCount} chats`);
    const endUsage = startUsageWindow(() => postgresPids);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const open = await application.database.db
        .select({ id: outboxTable.id })
        .from(outboxTable)
        .where(inArray(outboxTable.state, ['pending', 'sending']))
        .limit(1);
      const sent = emulator.rateLimitStats().acceptedSends;
      if (open.length === 0 && sent >= deliveryCount) break;
      if (Date.now() > deadline) throw new Error(`delivery unfinished: ${sent} sent\n${worker.output()}`);
      await sleep(250);
    }
    const usage = endUsage();
    const stats = emulator.rateLimitStats();
    const seconds = ((stats.lastSendAt ?? 0) - (stats.firstSendAt ?? 0)) / 1000;
    const rate = (stats.acceptedSends - 1) / seconds;
    return {
      figures: {
        telegram_send_rate_fraction_of_limit: round(rate / 30, 3),
        telegram_sends_per_second: round(rate, 2),
        telegram_429_count: emulator.tooManyRequestsCount - before,
      },
      ratios: {},
      usages: [usage],
      warnings: [],
    };
  } finally {
    await worker?.terminate();
    await testApp.close();
    await emulator.close();
  }
}

export async function run(context: PartContext): Promise<PartResult> {
  log = context.log;
  const redis = await startBenchRedis();
  // Measures scheduling cost; the delivery part below enforces Telegram's limits itself.
  const emulator = await startTelegramEmulator({ recordCalls: false, floodLimits: false });
  try {
    const result = await measureScheduling(redis, emulator);
    await redis.flushAll();
    return mergeResults(result, await measureTelegramDelivery(redis));
  } finally {
    await emulator.close();
    await redis.close();
  }
}
