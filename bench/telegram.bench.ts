// Telegram webhook updates per second through the whole conversation engine (secret check, dedupe,
// identity lookup, rate limit, the ask service, the reply sent to a Telegram Bot API emulator)
// against a bare grammY bot answering "ok" behind the same route shape, in alternating rounds
// against the same emulator: `webhook_vs_bare_grammy_ratio`. Both servers are their own processes
// on the server's core (one at a time under load); the emulator and the load generator share the
// other core. The members ask the bench's rotating questions, every text new.
import { callApi, startAppServer } from './harness/app-server.ts';
import { benchQuestions } from './harness/ask-questions.ts';
import { compareAlternating, type Side } from './harness/compare.ts';
import { startBareGrammy } from './harness/bare-grammy.ts';
import { generateLoad } from './harness/load.ts';
import { ratioFromComparison, type PartContext, type PartResult } from './harness/part.ts';
import { startBenchRedis } from './harness/services.ts';
import { round } from './harness/statistics.ts';
import { startTelegramEmulator } from '../tests/support/telegram-emulator.ts';
import { freePort } from '../src/net/free-port.ts';

export const name = 'telegram';

// Telegram delivers webhook updates over up to 40 connections at once (setWebhook max_connections default).
const connections = 40;
const memberCount = 40;
const secret = 'bench-webhook-secret-0123456789';

/** Updates the load generator sends: fresh update ids per load, users and texts in turn. */
let nextUpdateId = 10_000_000;
const freshUpdateIds = () => {
  const first = nextUpdateId;
  nextUpdateId += 10_000_000;
  return first;
};

export async function run(context: PartContext): Promise<PartResult> {
  // Measures our own webhook cost: no flood limits, and the local server is plain HTTP on a free port.
  const emulator = await startTelegramEmulator({
    recordCalls: false,
    floodLimits: false,
    insecureWebhooks: true,
  });
  const redis = await startBenchRedis();
  const port = await freePort();
  const webhookUrl = `http://127.0.0.1:${String(port)}/telegram/webhook`;
  const server = await startAppServer({
    port,
    env: {
      REDIS_URL: redis.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TELEGRAM_WEBHOOK_URL: webhookUrl,
      TELEGRAM_WEBHOOK_SECRET: secret,
    },
  });
  const bare = await startBareGrammy(emulator, secret);
  try {
    // Members with linked Telegram accounts, linked the way members link: an invite and /start CODE.
    const userIds: number[] = [];
    for (let index = 0; index < memberCount; index++) {
      const member = await callApi<{ id: string }>(server, 'POST', '/v1/members', {
        name: `Bench Member ${String(index)}`,
        country: 'KZ',
        role: 'member',
      });
      const invite = await callApi<{ code: string }>(server, 'POST', `/v1/members/${member.id}/invites`);
      // Its /start goes straight to our webhook, past the emulator: it has started the bot.
      const user = emulator.createUser({
        firstName: `Bench${String(index)}`,
        languageCode: 'en',
        hasStartedBot: true,
      });
      const linked = await generateLoad({
        url: webhookUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: {
          kind: 'telegram',
          userIds: [user.id],
          texts: [`/start ${invite.code}`],
          firstUpdateId: 1000 + index * 10,
          uniqueTexts: false,
        },
        connections: 1,
        durationSeconds: 10,
        amount: 1,
      });
      const welcome = emulator.sentMessages(user.id).some((message) => message.text?.includes('Welcome'));
      if (linked.non2xx > 0 || !welcome) throw new Error(`bench member ${String(index)} was not linked`);
      userIds.push(user.id);
    }
    const texts = benchQuestions().map((question) => question.text);
    const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret };
    const side = (label: string, pid: number, url: string, sideTexts: string[], unique: boolean): Side => ({
      label,
      serverPid: pid,
      load: (_round, seconds) => ({
        url,
        method: 'POST',
        headers,
        body: {
          kind: 'telegram',
          userIds,
          texts: sideTexts,
          firstUpdateId: freshUpdateIds(),
          uniqueTexts: unique,
        },
        connections,
        durationSeconds: seconds,
      }),
    });
    const comparison = await compareAlternating(
      side('bare grammY', bare.pid, bare.url, ['ok?'], false),
      side('webhook engine', server.pid, webhookUrl, texts, true),
      { log: context.log },
    );
    return {
      figures: {
        telegram_webhook_engine_ups: Math.round(comparison.subject.rps),
        telegram_webhook_bare_grammy_ups: Math.round(comparison.baseline.rps),
        webhook_vs_bare_grammy_ratio: round(comparison.ratio, 3),
        webhook_vs_bare_grammy_cpu_ratio: round(comparison.cpuRatio, 3),
        telegram_webhook_engine_cpu_us_per_update: Math.round(comparison.subject.cpuMicrosPerRequest),
        telegram_webhook_bare_grammy_cpu_us_per_update: Math.round(comparison.baseline.cpuMicrosPerRequest),
        telegram_webhook_idle_share: round(comparison.usage.idleShare, 3),
      },
      ratios: {
        webhook_vs_bare_grammy_ratio: ratioFromComparison(
          'bare grammY behind the same route',
          comparison,
          'updates/s',
        ),
      },
      usages: [comparison.usage],
      warnings: comparison.warnings,
    };
  } finally {
    await bare.stop();
    await server.stop();
    await redis.close();
    await emulator.close();
  }
}
