// Resident memory of the server (production entry point, embedded database, demo registry) after
// rounds of questions and contact lists: `rss_mb_after_load` (target under 400 MB). The questions
// rotate and every text is new, so a cache that grows with what it is asked shows here.
import { startAppServer } from './harness/app-server.ts';
import { benchQuestions } from './harness/ask-questions.ts';
import { assertAllSucceeded, measureLoad } from './harness/load.ts';
import { startUsageWindow } from './harness/machine.ts';
import type { PartContext, PartResult } from './harness/part.ts';
import { startBenchRedis } from './harness/services.ts';

export const name = 'memory';

const requestsPerRound = Number(process.env.BENCH_MEMORY_REQUESTS ?? 50_000);
const rounds = 2;
const connections = 10;

export async function run(context: PartContext): Promise<PartResult> {
  const redis = await startBenchRedis();
  const server = await startAppServer({ env: { REDIS_URL: redis.url } });
  const questions = benchQuestions().map(({ expected: _, ...question }) => question);
  try {
    const idle = server.residentMegabytes();
    const endUsage = startUsageWindow();
    for (let round = 0; round < rounds; round++) {
      const asked = await measureLoad(server.pid, {
        url: `${server.url}/v1/ask`,
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
        body: { kind: 'ask', questions, firstCase: 500_000_000 + round * requestsPerRound * 2 },
        connections,
        durationSeconds: 600,
        amount: requestsPerRound,
      });
      assertAllSucceeded('POST /v1/ask', asked);
      const listed = await measureLoad(server.pid, {
        url: `${server.url}/v1/contacts?country=KG&competence=extradition`,
        method: 'GET',
        headers: { authorization: `Bearer ${server.adminToken}` },
        body: { kind: 'none' },
        connections,
        durationSeconds: 600,
        amount: requestsPerRound,
      });
      assertAllSucceeded('GET /v1/contacts', listed);
      context.log(`after round ${String(round + 1)}: ${Math.round(server.residentMegabytes())} MB resident`);
    }
    const usage = endUsage();
    return {
      figures: {
        rss_mb_after_load: Math.round(server.residentMegabytes()),
        rss_mb_before_load: Math.round(idle),
        rss_load_requests: rounds * requestsPerRound * 2,
      },
      ratios: {},
      usages: [usage],
      warnings: [],
    };
  } finally {
    await server.stop();
    await redis.close();
  }
}
