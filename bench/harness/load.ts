// Runs the load generator in its own process on the load generator's core, and measures what the
// server spent meanwhile.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { cores, onCore } from './cores.ts';
import type { LoadOptions, LoadSummary } from './load-generator.ts';
import { processTicks, ticksPerSecond } from './machine.ts';

export type { BodyPlan, LoadOptions, LoadSummary } from './load-generator.ts';

const execute = promisify(execFile);
const generatorScript = resolve(import.meta.dirname, 'load-generator.ts');

export interface MeasuredLoad extends LoadSummary {
  /** Server CPU per completed request, in microseconds (user + system, from /proc). */
  serverCpuMicrosPerRequest: number;
  /** Share of its core the server used: near 1, the server was the bottleneck. */
  serverCoreBusy: number;
  /** Share of its core the load generator used. */
  generatorCoreBusy: number;
}

export async function generateLoad(options: LoadOptions): Promise<LoadSummary> {
  const [command, args] = onCore(cores.load, process.execPath, [generatorScript, JSON.stringify(options)]);
  const { stdout } = await execute(command, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as LoadSummary;
}

/** Load against a server whose process is `serverPid`, with the server's CPU per request. */
export async function measureLoad(serverPid: number, options: LoadOptions): Promise<MeasuredLoad> {
  const before = processTicks(serverPid) ?? Number.NaN;
  const summary = await generateLoad(options);
  const after = processTicks(serverPid) ?? Number.NaN;
  const serverSeconds = (after - before) / ticksPerSecond;
  return {
    ...summary,
    serverCpuMicrosPerRequest: (serverSeconds * 1e6) / Math.max(1, summary.requests),
    serverCoreBusy: serverSeconds / summary.seconds,
    generatorCoreBusy: summary.generatorCpuSeconds / summary.seconds,
  };
}

/** Throws when any request failed: a benchmark of error responses measures nothing. */
export function assertAllSucceeded(label: string, load: LoadSummary): void {
  if (load.non2xx > 0 || load.errors > 0 || load.timeouts > 0) {
    throw new Error(
      `${label}: failed requests during the benchmark: ${JSON.stringify({
        requests: load.requests,
        non2xx: load.non2xx,
        errors: load.errors,
        timeouts: load.timeouts,
        statusCodes: load.statusCodes,
      })}`,
    );
  }
}
