// Telegram webhook updates per second through the whole conversation engine (secret check, dedupe,
// identity lookup, rate limit, the ask service, the reply sent to a Telegram Bot API emulator)
// against a bare grammY bot answering "ok" through the same route shape, in the same run against
// the same emulator. The ratio says what the engine costs per update; absolute numbers are the machine's.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { constantTimeEqual } from '../src/members/secrets.ts';
import { createInvite, createMember } from '../tests/support/chat-fixtures.ts';
import { startTelegramEmulator } from '../tests/support/telegram-emulator.ts';
import { startTestApp } from '../tests/support/test-app.ts';
import { freePort } from '../src/net/free-port.ts';

const execute = promisify(execFile);
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
/** Measured rounds per side; each round runs both sides for a part of the duration. */
const rounds = 3;
const roundSeconds = Math.max(2, Math.round((durationSeconds * 2) / rounds));
// Telegram delivers webhook updates over up to 40 connections at once (setWebhook max_connections default).
const connections = 40;
const memberCount = 40;
const secret = 'bench-webhook-secret-0123456789';
const questions = [
  'who handles extradition in Kyrgyzstan',
  'кто занимается экстрадицией в Киргизии',
  'MLA Tashkent',
  'asset recovery in Armenia',
];

interface LoadResult {
  rps: number;
  non2xx: number;
  errors: number;
  total: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function load(
  url: string,
  userIds: number[],
  texts: string[],
  firstUpdateId: number,
  seconds: number,
): Promise<LoadResult> {
  const options = { url, secret, userIds, texts, firstUpdateId, connections, durationSeconds: seconds };
  const { stdout } = await execute(
    process.execPath,
    [resolve(import.meta.dirname, 'telegram-webhook-load.ts'), JSON.stringify(options)],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as LoadResult;
}

/** The baseline: grammY alone behind the same route shape (secret checked, update handled, 200). */
async function startBareBot(token: string, apiRoot: string) {
  const bot = new Bot(token, { client: { apiRoot } });
  bot.on('message', async (ctx) => {
    await ctx.reply('ok');
  });
  await bot.init();
  const server = Fastify({ logger: false });
  server.post('/telegram/webhook', async (request, reply) => {
    const presented = request.headers['x-telegram-bot-api-secret-token'];
    if (typeof presented !== 'string' || !constantTimeEqual(presented, secret))
      return reply.code(401).send({ ok: false });
    await bot.handleUpdate(request.body as Update);
    return { ok: true };
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${address}/telegram/webhook`, close: () => server.close() };
}

export const name = 'telegram';

export async function run(): Promise<Record<string, number>> {
  const emulator = await startTelegramEmulator({ recordCalls: false });
  const port = await freePort();
  const webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
  const testApp = await startTestApp('bench_telegram', {
    env: {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TELEGRAM_WEBHOOK_URL: webhookUrl,
      TELEGRAM_WEBHOOK_SECRET: secret,
      CHAT_RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      LOG_LEVEL: 'silent',
    },
  });
  const bare = await startBareBot(emulator.token, emulator.apiRoot);
  try {
    await testApp.application.app.listen({ host: '127.0.0.1', port });
    // Members with linked Telegram accounts, linked the way members link: an invite and /start CODE.
    const userIds: number[] = [];
    for (let index = 0; index < memberCount; index++) {
      const member = await createMember(testApp, { name: `Bench Member ${index}`, country: 'KZ' });
      const invite = await createInvite(testApp, member.id);
      const user = emulator.createUser({ firstName: `Bench${index}`, languageCode: 'en' });
      const replies = await testApp.application.engine.handle({
        platform: 'telegram',
        platformUserId: String(user.id),
        chatId: String(user.id),
        chatType: 'private',
        text: `/start ${invite.code}`,
      });
      if (!(replies[0]?.text ?? '').includes('Welcome')) throw new Error('bench member not linked');
      userIds.push(user.id);
    }

    // Warm up both paths (JIT, connection pools, the ask index). Then measure them in turns,
    // several short rounds each, and keep the median: other load on the machine then hits both
    // sides alike instead of skewing whichever ran during it.
    await load(webhookUrl, userIds, questions, 1_000_000, 1);
    await load(bare.url, userIds, ['ok?'], 2_000_000, 1);
    const engineRuns: number[] = [];
    const bareRuns: number[] = [];
    const ratios: number[] = [];
    let firstUpdateId = 10_000_000;
    for (let round = 0; round < rounds; round++) {
      const engine = await load(webhookUrl, userIds, questions, (firstUpdateId += 1_000_000), roundSeconds);
      const baseline = await load(bare.url, userIds, ['ok?'], (firstUpdateId += 1_000_000), roundSeconds);
      if (engine.non2xx > 0 || engine.errors > 0 || baseline.non2xx > 0 || baseline.errors > 0) {
        throw new Error(`failed requests during the benchmark: ${JSON.stringify({ engine, baseline })}`);
      }
      engineRuns.push(engine.rps);
      bareRuns.push(baseline.rps);
      ratios.push(engine.rps / baseline.rps);
    }
    return {
      telegram_webhook_engine_ups: Math.round(median(engineRuns)),
      telegram_webhook_bare_grammy_ups: Math.round(median(bareRuns)),
      webhook_vs_bare_grammy_ratio: Number(median(ratios).toFixed(3)),
    };
  } finally {
    await bare.close();
    await testApp.close();
    await emulator.close();
  }
}
