// The registry's hottest route, contacts by country and competence, against the cheapest route of
// the same server (GET /healthz) in alternating rounds. The ratio says what the route itself costs
// (token lookup, audit of the read, filtering, serialization); the server is the production entry
// point with the embedded database and the demo registry, alone on its core.
import { startAppServer } from './harness/app-server.ts';
import { compareAlternating } from './harness/compare.ts';
import type { PartContext, PartResult } from './harness/part.ts';
import { ratioFromComparison } from './harness/part.ts';
import { startBenchRedis } from './harness/services.ts';
import { round } from './harness/statistics.ts';

export const name = 'contacts';

/** Ten connections, as the figures have always been taken. */
export const connections = 10;

export async function run(context: PartContext): Promise<PartResult> {
  const redis = await startBenchRedis();
  const server = await startAppServer({ env: { REDIS_URL: redis.url } });
  try {
    const comparison = await compareAlternating(
      {
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
      },
      {
        label: 'GET /v1/contacts',
        serverPid: server.pid,
        load: (_round, seconds) => ({
          url: `${server.url}/v1/contacts?country=KG&competence=extradition`,
          method: 'GET',
          headers: { authorization: `Bearer ${server.adminToken}` },
          body: { kind: 'none' },
          connections,
          durationSeconds: seconds,
        }),
      },
      { log: context.log },
    );
    return {
      figures: {
        contacts_rps: Math.round(comparison.subject.rps),
        trivial_rps: Math.round(comparison.baseline.rps),
        contacts_vs_trivial_rps_ratio: round(comparison.ratio, 3),
        contacts_vs_trivial_cpu_ratio: round(comparison.cpuRatio, 3),
        contacts_cpu_us_per_request: Math.round(comparison.subject.cpuMicrosPerRequest),
        trivial_cpu_us_per_request: Math.round(comparison.baseline.cpuMicrosPerRequest),
        contacts_idle_share: round(comparison.usage.idleShare, 3),
      },
      ratios: {
        contacts_vs_trivial_rps_ratio: ratioFromComparison('GET /healthz', comparison),
      },
      usages: [comparison.usage],
      warnings: comparison.warnings,
    };
  } finally {
    await server.stop();
    await redis.close();
  }
}
