// Re-verification prompts at scale: 10,000 contacts (BENCH_VERIFICATION_CONTACTS) whose records
// all fall due the same morning, each the person behind one Telegram chat. The registry import plans
// every prompt (durable timers, placed in working hours: these contacts work around the clock, so
// at once); a worker process of its own sends them through the outbox to the Bot API emulator
// enforcing Telegram's limits, as the nudges part measures its deliveries:
// `verification_prompts_per_second` against the same limit (30 messages a second) gives
// `verification_prompts_fraction_of_limit` (target >= 0.9) and `verification_429_count` (target 0).
// `verification_plan_seconds` is how long placing every prompt took (import to the last timer).
// Every contact gets exactly one prompt (checked: the part fails otherwise).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { contactVerifications } from '../src/verification/verification-schema.ts';
import { registryWithCounterparts } from '../tests/support/nudge-fixtures.ts';
import { startTelegramEmulator } from '../tests/support/telegram-emulator.ts';
import { startTestApp } from '../tests/support/test-app.ts';
import { startWorkerProcess, type WorkerProcess } from '../tests/support/worker-process.ts';
import { cores, pinProcess } from './harness/cores.ts';
import { startUsageWindow } from './harness/machine.ts';
import type { PartContext, PartResult } from './harness/part.ts';
import { pinPostgresBackends, postgresServicePids, startBenchRedis } from './harness/services.ts';
import { round } from './harness/statistics.ts';

export const name = 'verification';

const contactCount = Number(process.env.BENCH_VERIFICATION_CONTACTS ?? 10_000);
/** Telegram's limit for messages to different chats, as the emulator enforces it and nudges measure it. */
const telegramLimitPerSecond = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(context: PartContext): Promise<PartResult> {
  const log = context.log;
  const redis = await startBenchRedis();
  const emulator = await startTelegramEmulator({ recordCalls: false });
  emulator.enforceRateLimits();
  const directory = mkdtempSync(join(tmpdir(), 'bench-verification-'));
  const policy = join(directory, 'policy.yaml');
  writeFileSync(policy, 'default: { every: P6M, remindAfter: P7D, reminders: 2 }\n');
  const env = {
    REDIS_URL: redis.url,
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    VERIFICATION_POLICY_FILE: policy,
    LOG_LEVEL: 'warn',
  };
  const testApp = await startTestApp('bench_verification', {
    loadDemo: false,
    env: { ...env, RUN_MODE: 'api' },
  });
  let worker: WorkerProcess | undefined;
  try {
    const { application } = testApp;
    const db = application.database.db;
    const registry = registryWithCounterparts(contactCount);
    const users = Array.from({ length: contactCount }, (_, index) =>
      emulator.createUser({ firstName: `C${index}`, hasStartedBot: true }),
    );
    await application.registry.importRegistry(undefined, registry);
    // Members behind the contacts with their linked chats (plain SQL, it is setup).
    await db.execute(sql`
      insert into members (id, name, country, role, contact_id, locale)
      select 'bench-m' || n, 'Counterpart ' || n, 'UZ', 'member', 'uz-c' || n, 'en' from generate_series(0, ${contactCount - 1}) as n`);
    for (let start = 0; start < contactCount; start += 5000) {
      const values = sql.join(
        users
          .slice(start, start + 5000)
          .map(
            (user, offset) =>
              sql`(${`bench-i${start + offset}`}, 'telegram', ${String(user.id)}, ${`bench-m${start + offset}`}, ${String(user.id)})`,
          ),
        sql`, `,
      );
      await db.execute(
        sql`insert into identities (id, platform, platform_user_id, member_id, chat_id) values ${values}`,
      );
    }
    // This morning every record falls due: the same registry, verified a year and a half ago. The
    // import re-plans every contact it touched at once.
    for (const contact of registry.contacts)
      if (contact.id.startsWith('uz-c')) contact.verifiedAt = '2025-06-01';
    const planStart = Date.now();
    await application.registry.importRegistry(undefined, registry);
    const planDeadline = Date.now() + 600_000;
    for (;;) {
      const [planned] = await db
        .select({ n: count() })
        .from(contactVerifications)
        .where(eq(contactVerifications.nextStep, 'prompt'));
      if ((planned?.n ?? 0) >= contactCount) break;
      if (Date.now() > planDeadline) throw new Error(`only ${planned?.n ?? 0} prompts planned`);
      await sleep(100);
    }
    const planSeconds = (Date.now() - planStart) / 1000;
    log(`${contactCount} prompts planned in ${planSeconds.toFixed(1)} s; starting the worker`);

    worker = startWorkerProcess({
      ...env,
      DATABASE_URL: testApp.database.url,
      REDIS_PREFIX: application.config.redis.prefix,
      RECONCILE_INTERVAL_SECONDS: '5',
      LOG_LEVEL: 'info',
    });
    await worker.ready;
    if (cores.pinning) pinProcess(worker.pid, cores.server);
    const postgresPids = [
      ...(await pinPostgresBackends(testApp.database.name)),
      ...(await postgresServicePids()),
    ];
    emulator.resetRateLimitStats();
    const before = emulator.tooManyRequestsCount;
    const endUsage = startUsageWindow(() => postgresPids);
    const deadline = Date.now() + Math.max(600_000, (contactCount / telegramLimitPerSecond) * 3000);
    for (;;) {
      const open = await db
        .select({ id: outboxTable.id })
        .from(outboxTable)
        .where(inArray(outboxTable.state, ['pending', 'sending']))
        .limit(1);
      const sent = emulator.rateLimitStats().acceptedSends;
      if (open.length === 0 && sent >= contactCount) break;
      if (Date.now() > deadline) throw new Error(`prompts unfinished: ${sent} sent\n${worker.output()}`);
      await sleep(250);
    }
    const usage = endUsage();
    const stats = emulator.rateLimitStats();
    const [written] = await db
      .select({ n: count() })
      .from(outboxTable)
      .where(eq(outboxTable.kind, 'verification'));
    if (stats.acceptedSends !== contactCount || written?.n !== contactCount)
      throw new Error(
        `${stats.acceptedSends} prompts sent and ${written?.n ?? 0} written for ${contactCount} contacts`,
      );
    const seconds = ((stats.lastSendAt ?? 0) - (stats.firstSendAt ?? 0)) / 1000;
    const rate = (stats.acceptedSends - 1) / seconds;
    return {
      figures: {
        verification_prompts_per_second: round(rate, 2),
        verification_prompts_fraction_of_limit: round(rate / telegramLimitPerSecond, 3),
        verification_429_count: emulator.tooManyRequestsCount - before,
        verification_plan_seconds: round(planSeconds, 1),
      },
      ratios: {},
      usages: [usage],
      warnings: [],
    };
  } finally {
    await worker?.terminate();
    await testApp.close();
    await emulator.close();
    await redis.close();
  }
}
