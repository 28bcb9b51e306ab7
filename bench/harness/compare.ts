// A subject against its baseline in alternating rounds: warm-up first, then at least three rounds
// in which the two take turns (the order flips every round, so neither always follows the other's
// aftermath); the figure is the median of the rounds' ratios. Every round also records the
// server's CPU per request and how busy each side's core was, so a ratio that a starved load
// generator or a busy machine produced can be recognised.
import { assertAllSucceeded, measureLoad, type LoadOptions, type MeasuredLoad } from './load.ts';
import { startUsageWindow, type MachineUsage } from './machine.ts';
import { median } from './statistics.ts';

export const settings = {
  rounds: Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3)),
  roundSeconds: Math.max(1, Number(process.env.BENCH_ROUND_SECONDS ?? 5)),
  warmupSeconds: Math.max(1, Number(process.env.BENCH_WARMUP_SECONDS ?? 3)),
};

export interface Side {
  label: string;
  serverPid: number;
  /** The load for a round (`round` -1 is the warm-up), so every round can send fresh bodies. */
  load(round: number, seconds: number): LoadOptions;
}

export interface SideFigures {
  /** Median of the rounds' rates (requests a second). */
  rps: number;
  /** Median of the rounds' server CPU per request (µs). */
  cpuMicrosPerRequest: number;
  /** Lowest share of its core the server used in a round. */
  serverCoreBusyMin: number;
  /** Highest share of its core the load generator used in a round. */
  generatorCoreBusyMax: number;
  latencyP99Ms: number;
}

export interface Comparison {
  baseline: SideFigures;
  subject: SideFigures;
  /** Median of the rounds' subject/baseline rate ratios. */
  ratio: number;
  /** Median of the rounds' baseline/subject server CPU per request: the same ratio, load-independent. */
  cpuRatio: number;
  roundRatios: number[];
  usage: MachineUsage;
  warnings: string[];
}

function summarise(loads: readonly MeasuredLoad[]): SideFigures {
  return {
    rps: median(loads.map((load) => load.rps)),
    cpuMicrosPerRequest: median(loads.map((load) => load.serverCpuMicrosPerRequest)),
    serverCoreBusyMin: Math.min(...loads.map((load) => load.serverCoreBusy)),
    generatorCoreBusyMax: Math.max(...loads.map((load) => load.generatorCoreBusy)),
    latencyP99Ms: median(loads.map((load) => load.latencyP99Ms)),
  };
}

export async function compareAlternating(
  baseline: Side,
  subject: Side,
  options: { extraPids?: () => Iterable<number>; log?: (message: string) => void } = {},
): Promise<Comparison> {
  const log = options.log ?? (() => undefined);
  const run = async (side: Side, round: number, seconds: number) => {
    const load = await measureLoad(side.serverPid, side.load(round, seconds));
    assertAllSucceeded(side.label, load);
    return load;
  };
  await run(baseline, -1, settings.warmupSeconds);
  await run(subject, -1, settings.warmupSeconds);
  const endUsage = startUsageWindow(options.extraPids);
  const baselineLoads: MeasuredLoad[] = [];
  const subjectLoads: MeasuredLoad[] = [];
  const roundRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    let base: MeasuredLoad;
    let measured: MeasuredLoad;
    if (round % 2 === 0) {
      base = await run(baseline, round, settings.roundSeconds);
      measured = await run(subject, round, settings.roundSeconds);
    } else {
      measured = await run(subject, round, settings.roundSeconds);
      base = await run(baseline, round, settings.roundSeconds);
    }
    baselineLoads.push(base);
    subjectLoads.push(measured);
    roundRatios.push(measured.rps / base.rps);
    cpuRatios.push(base.serverCpuMicrosPerRequest / measured.serverCpuMicrosPerRequest);
    log(
      `round ${String(round + 1)}: ${baseline.label} ${Math.round(base.rps)}/s (${Math.round(base.serverCpuMicrosPerRequest)} µs CPU), ` +
        `${subject.label} ${Math.round(measured.rps)}/s (${Math.round(measured.serverCpuMicrosPerRequest)} µs CPU), ratio ${(measured.rps / base.rps).toFixed(3)}`,
    );
  }
  const usage = endUsage();
  const comparison = {
    baseline: summarise(baselineLoads),
    subject: summarise(subjectLoads),
    ratio: median(roundRatios),
    cpuRatio: median(cpuRatios),
    roundRatios,
    usage,
    warnings: [] as string[],
  };
  for (const [label, side] of [
    [baseline.label, comparison.baseline],
    [subject.label, comparison.subject],
  ] as const) {
    if (side.serverCoreBusyMin < 0.85)
      comparison.warnings.push(
        `${label}: the server used only ${Math.round(side.serverCoreBusyMin * 100)}% of its core in a round; something else (load generator, machine) limited the rate`,
      );
    if (side.generatorCoreBusyMax > 0.9)
      comparison.warnings.push(
        `${label}: the load generator used ${Math.round(side.generatorCoreBusyMax * 100)}% of its core; it may have limited the rate`,
      );
  }
  return comparison;
}
