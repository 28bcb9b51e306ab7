// What a bench part is and returns. `bench/<part>.bench.ts` exports `name` and `run(context)`.
import type { Comparison } from './compare.ts';
import type { MachineUsage } from './machine.ts';
import { round } from './statistics.ts';

/** How a ratio was measured: its baseline's absolute rate and the machine while it ran. */
export interface RatioConditions {
  /** What the subject is compared with, e.g. "GET /healthz on the same server". */
  baseline: string;
  /** The baseline's absolute rate (median of the rounds). */
  baselineRate: number;
  subjectRate: number;
  unit: string;
  /** Share of the machine's capacity other processes left to the bench during the rounds. */
  idleShare: number;
  /** Cores' worth of CPU other processes used during the rounds. */
  othersCores: number;
  roundRatios: number[];
  /** Baseline CPU per unit / subject CPU per unit (server process), when measured. */
  cpuRatio?: number;
  baselineCpuMicros?: number;
  subjectCpuMicros?: number;
}

export interface PartResult {
  /** Named figures, as results.json and the README name them. */
  figures: Record<string, number>;
  /** For each ratio figure, how it was measured. */
  ratios: Record<string, RatioConditions>;
  /** Machine usage of the measurement windows (the part's noise). */
  usages: MachineUsage[];
  warnings: string[];
}

export interface PartContext {
  log: (message: string) => void;
}

export interface BenchPart {
  name: string;
  run(context: PartContext): Promise<PartResult>;
}

/** The conditions of a ratio from an alternating comparison. */
export function ratioFromComparison(
  baseline: string,
  comparison: Comparison,
  unit = 'requests/s',
): RatioConditions {
  return {
    baseline,
    baselineRate: Math.round(comparison.baseline.rps),
    subjectRate: Math.round(comparison.subject.rps),
    unit,
    idleShare: round(comparison.usage.idleShare, 3),
    othersCores: round(comparison.usage.othersCores, 3),
    roundRatios: comparison.roundRatios.map((value) => round(value, 3)),
    cpuRatio: round(comparison.cpuRatio, 3),
    baselineCpuMicros: Math.round(comparison.baseline.cpuMicrosPerRequest),
    subjectCpuMicros: Math.round(comparison.subject.cpuMicrosPerRequest),
  };
}

export function emptyResult(): PartResult {
  return { figures: {}, ratios: {}, usages: [], warnings: [] };
}

/** Adds `extra` into `into`. */
export function mergeResults(into: PartResult, extra: PartResult): PartResult {
  Object.assign(into.figures, extra.figures);
  Object.assign(into.ratios, extra.ratios);
  into.usages.push(...extra.usages);
  into.warnings.push(...extra.warnings);
  return into;
}
