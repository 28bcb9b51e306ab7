// CPU per request of the server's routes, for optimisation work on a machine that is not quiet:
// `npx node bench/cpu-cost.ts [contacts] [ask] [ask-single] [webhook]`. The server (production
// entry point, embedded database, demo registry) runs on its own core; each round sends a fixed
// number of requests to every route in turn and reads the server's CPU ticks from /proc. Other
// processes inflate CPU time too (shared caches, frequency), so the smallest of several rounds is
// kept, and each route is also given as a ratio to `GET /healthz` measured alongside, which is the
// `*_cpu_ratio` the bench reports. The webhook is also measured against the bench's own baseline,
// a bare grammY bot in a process of its own (`bare-grammy`), as `webhook_vs_bare_grammy_cpu_ratio`.
// Not a benchmark figure: a measuring stick between two commits.
//
// Settings: ROUNDS (7), REQUESTS (3000 per route and round), CPU_PROFILE=dir (profile the server),
// TRIVIAL=0 (leave out the baseline, for a profile of the routes alone).
import { callApi, startAppServer, type AppServer } from './harness/app-server.ts';
import { benchQuestions } from './harness/ask-questions.ts';
import { startBareGrammy, type BareGrammyServer } from './harness/bare-grammy.ts';
import { cores, pinProcess } from './harness/cores.ts';
import { generateLoad, measureLoad, assertAllSucceeded, type LoadOptions } from './harness/load.ts';
import { median } from './harness/statistics.ts';
import { startBenchRedis } from './harness/services.ts';
import { startTelegramEmulator } from '../tests/support/telegram-emulator.ts';
import { freePort } from '../src/net/free-port.ts';

const rounds = Number(process.env.ROUNDS ?? 7);
const requests = Number(process.env.REQUESTS ?? 3000);
const selected = process.argv.slice(2);
const wanted = (route: string) => selected.length === 0 || selected.includes(route);
const questions = benchQuestions().map(({ expected: _, ...question }) => question);
const secret = 'bench-webhook-secret-0123456789';

if (cores.pinning) pinProcess(process.pid, cores.load);
// Measures our own webhook cost: no flood limits, and the local server is plain HTTP on a free port.
const emulator = wanted('webhook')
  ? await startTelegramEmulator({ recordCalls: false, floodLimits: false, insecureWebhooks: true })
  : undefined;
const redis = await startBenchRedis();
const port = await freePort();
const webhookUrl = `http://127.0.0.1:${String(port)}/telegram/webhook`;
const server: AppServer = await startAppServer({
  port,
  env: {
    REDIS_URL: redis.url,
    ...(emulator === undefined
      ? {}
      : {
          TELEGRAM_BOT_TOKEN: emulator.token,
          TELEGRAM_API_ROOT: emulator.apiRoot,
          TELEGRAM_WEBHOOK_URL: webhookUrl,
          TELEGRAM_WEBHOOK_SECRET: secret,
        }),
  },
  ...(process.env.CPU_PROFILE === undefined
    ? {}
    : { nodeArguments: ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROFILE}`] }),
});

let bare: BareGrammyServer | undefined;
let nextCase = 1;
const auth = { authorization: `Bearer ${server.adminToken}` };
const base = { connections: 10, durationSeconds: 600, amount: requests } as const;
const routes: Record<string, () => LoadOptions> = {
  trivial: () => ({
    ...base,
    url: `${server.url}/healthz`,
    method: 'GET',
    headers: {},
    body: { kind: 'none' },
  }),
  contacts: () => ({
    ...base,
    url: `${server.url}/v1/contacts?country=KG&competence=extradition`,
    method: 'GET',
    headers: auth,
    body: { kind: 'none' },
  }),
  ask: () => ({
    ...base,
    url: `${server.url}/v1/ask`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: { kind: 'ask', questions, firstCase: (nextCase += 1_000_000) },
  }),
  'ask-single': () => ({
    ...base,
    url: `${server.url}/v1/ask`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: {
      kind: 'fixed',
      text: JSON.stringify({ text: 'кто занимается экстрадицией в Киргизии', askerCountry: 'KZ' }),
    },
  }),
};

try {
  if (emulator !== undefined) {
    const userIds: number[] = [];
    for (let index = 0; index < 40; index++) {
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
      await generateLoad({
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
      userIds.push(user.id);
    }
    const texts = questions.map((question) => question.text);
    routes.webhook = () => ({
      ...base,
      connections: 40,
      url: webhookUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: { kind: 'telegram', userIds, texts, firstUpdateId: (nextCase += 1_000_000), uniqueTexts: true },
    });
    // The bench's baseline for the webhook: the same users, each update answered "ok" by grammY alone.
    const bareServer = await startBareGrammy(emulator, secret);
    bare = bareServer;
    routes['bare-grammy'] = () => ({
      ...base,
      connections: 40,
      url: bareServer.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: {
        kind: 'telegram',
        userIds,
        texts: ['ok?'],
        firstUpdateId: (nextCase += 1_000_000),
        uniqueTexts: false,
      },
    });
  }
  const pidOf = (route: string) => (route === 'bare-grammy' && bare !== undefined ? bare.pid : server.pid);
  // TRIVIAL=0 leaves out the baseline (for a profile of one route alone).
  const names = [
    ...(process.env.TRIVIAL === '0' ? [] : ['trivial']),
    ...Object.keys(routes).filter(
      (route) => route !== 'trivial' && (wanted(route) || (route === 'bare-grammy' && wanted('webhook'))),
    ),
  ];
  const costs = new Map(names.map((route) => [route, [] as number[]]));
  for (let round = -1; round < rounds; round++) {
    for (const route of round % 2 === 0 ? names : [...names].reverse()) {
      const options = routes[route]?.();
      if (options === undefined) continue;
      const load = await measureLoad(pidOf(route), options);
      assertAllSucceeded(route, load);
      if (round >= 0) costs.get(route)?.push(load.serverCpuMicrosPerRequest);
    }
  }
  const trivial = Math.min(...(costs.get('trivial') ?? [Number.NaN]));
  for (const [route, values] of costs) {
    const least = Math.min(...values);
    process.stdout.write(
      `${route.padEnd(11)} min ${least.toFixed(0).padStart(5)} µs  median ${median(values).toFixed(0).padStart(5)} µs  ` +
        `above trivial ${(least - trivial).toFixed(0).padStart(5)} µs  cpu ratio ${(trivial / least).toFixed(3)}\n`,
    );
  }
  const webhook = costs.get('webhook');
  const bareCosts = costs.get('bare-grammy');
  if (webhook !== undefined && bareCosts !== undefined)
    process.stdout.write(
      `webhook_vs_bare_grammy_cpu_ratio ${(Math.min(...bareCosts) / Math.min(...webhook)).toFixed(3)} (least of each)\n`,
    );
  process.stdout.write(`server resident memory ${server.residentMegabytes().toFixed(0)} MB\n`);
} finally {
  await bare?.stop();
  await server.stop();
  await redis.close();
  await emulator?.close();
}
