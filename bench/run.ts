// `npm run bench` runs every part; `npm run bench -- contacts` runs one. Each part is a module
// `bench/<part>.bench.ts` exporting `name` and `run()`, which returns named figures and, for every
// ratio, its baseline's absolute rate and the machine's idle share while it ran.
//
// A figure is only as good as the machine was quiet. Before each part the bench measures the CPU
// other processes use; over BENCH_BUSY_LIMIT_CORES (0.15 of a core) it waits, up to
// BENCH_QUIET_WAIT_SECONDS (180), and measures again. A part that never got a quiet machine, or
// during which others used more than the limit, is written with `"noisy": true` and the run exits
// non-zero: such a figure flatters (every route looks as fast as the trivial one).
//
// Figures are printed as a table and merged into bench/results.json (other parts' figures kept),
// with `conditions` per part and a top-level `noisy`.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { cores, describeCores, pinProcess } from './harness/cores.ts';
import {
  cpuCount,
  procAvailable,
  startUsageWindow,
  waitForQuiet,
  type QuietResult,
} from './harness/machine.ts';
import type { BenchPart, PartResult } from './harness/part.ts';
import { updateReadme } from './harness/readme-table.ts';
import { round } from './harness/statistics.ts';

export type { BenchPart, PartResult } from './harness/part.ts';

const benchDirectory = import.meta.dirname;
/**
 * BENCH_RESULTS_FILE writes elsewhere and leaves README alone (trial runs must not replace the
 * real figures).
 */
const resultsPath = resolve(process.env.BENCH_RESULTS_FILE ?? resolve(benchDirectory, 'results.json'));
const readmePath =
  process.env.BENCH_RESULTS_FILE === undefined ? resolve(benchDirectory, '..', 'README.md') : undefined;
const busyLimitCores = Number(process.env.BENCH_BUSY_LIMIT_CORES ?? 0.15);
const quietWaitSeconds = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 180);
/** Parts in the order they run (cheap and short first); others found later run after them. */
const preferredOrder = ['contacts', 'ask', 'memory', 'telegram', 'nudges'];

const log = (message: string) => process.stderr.write(`${message}\n`);

interface PartConditions {
  measuredAt: string;
  noisy: boolean;
  reasons: string[];
  failed?: string;
  machine: { cpus: number; model: string };
  cores: string;
  before: { quiet: boolean; othersCores: number; idleShare: number; waitedSeconds: number };
  /** Over the whole part (setup included). */
  during: { seconds: number; othersCores: number; idleShare: number };
  ratios: PartResult['ratios'];
  warnings: string[];
}

type Results = Record<string, unknown> & { conditions?: Record<string, PartConditions> };

async function discoverParts(): Promise<Map<string, string>> {
  const files = (await readdir(benchDirectory)).filter((file) => file.endsWith('.bench.ts')).sort();
  const found = new Map(files.map((file) => [basename(file, '.bench.ts'), resolve(benchDirectory, file)]));
  const ordered = [
    ...preferredOrder.filter((part) => found.has(part)),
    ...[...found.keys()].filter((part) => !preferredOrder.includes(part)),
  ];
  return new Map(ordered.map((part) => [part, found.get(part) ?? '']));
}

async function loadPart(path: string): Promise<BenchPart> {
  const module = (await import(path)) as Partial<BenchPart> & { default?: BenchPart };
  const part = module.default ?? module;
  if (typeof part.name !== 'string' || typeof part.run !== 'function') {
    throw new Error(`${path} must export name and run()`);
  }
  return part as BenchPart;
}

async function readResults(): Promise<Results> {
  try {
    return JSON.parse(await readFile(resultsPath, 'utf8')) as Results;
  } catch {
    return {};
  }
}

async function writeResults(part: string, figures: Record<string, number>, conditions: PartConditions) {
  const previous = await readResults();
  const { conditions: previousConditions, noisy: _noisy, ...previousFigures } = previous;
  const allConditions = { ...previousConditions, [part]: conditions };
  const results = {
    noisy: Object.values(allConditions).some((entry) => entry.noisy),
    ...previousFigures,
    ...figures,
    conditions: allConditions,
  };
  await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  if (readmePath !== undefined && !(await updateReadme(readmePath, results)))
    log('README.md has no bench:figures markers; its table was not updated');
}

type Row = [part: string, figure: string, value: string, baseline: string, idle: string];

function printTable(rows: readonly Row[]): void {
  const header: Row = ['part', 'figure', 'value', 'baseline (absolute)', 'idle share'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

const formatValue = (value: number) =>
  Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(3);

async function main(): Promise<void> {
  const available = await discoverParts();
  const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
  const unknown = requested.filter((part) => !available.has(part));
  if (unknown.length > 0) {
    log(`unknown bench part(s): ${unknown.join(', ')}; available: ${[...available.keys()].join(', ')}`);
    process.exitCode = 2;
    return;
  }
  // The bench's own process (and the emulators it hosts) stays off the server's core.
  if (cores.pinning) pinProcess(process.pid, cores.load);
  else log(`WARNING: ${cores.warning ?? 'not pinned'}`);
  if (!procAvailable)
    log(
      'WARNING: /proc is not available: the CPU other processes use cannot be measured; figures are marked noisy',
    );
  log(`cores: ${describeCores()}`);

  const selected = requested.length > 0 ? requested : [...available.keys()];
  const rows: Row[] = [];
  let noisy = false;
  let failed = false;
  let gaveUpWaiting = false;
  const machine = { cpus: cpuCount, model: cpus()[0]?.model ?? 'unknown' };
  for (const key of selected) {
    const part = await loadPart(available.get(key) ?? '');
    log(`\n== ${part.name}: waiting for a quiet machine (others under ${String(busyLimitCores)} of a core)`);
    const before: QuietResult = await waitForQuiet({
      thresholdCores: busyLimitCores,
      maxWaitSeconds: gaveUpWaiting ? 0 : quietWaitSeconds,
      log,
    });
    if (!before.quiet) gaveUpWaiting = true;
    log(
      `== ${part.name}: others use ${before.usage.othersCores.toFixed(2)} cores${before.quiet ? '' : ' (NOT QUIET)'}; running`,
    );
    const endPart = startUsageWindow();
    let result: PartResult | undefined;
    let failure: string | undefined;
    try {
      result = await part.run({ log: (message) => log(`  ${part.name}: ${message}`) });
    } catch (error) {
      failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`== ${part.name} FAILED: ${failure}`);
      failed = true;
    }
    const during = endPart();
    const reasons: string[] = [];
    if (!procAvailable) reasons.push('/proc unavailable: the machine could not be checked');
    else if (!before.quiet)
      reasons.push(
        `the machine never got quiet before the part: others used ${before.usage.othersCores.toFixed(2)} cores after ${Math.round(before.waitedSeconds)} s`,
      );
    for (const usage of result?.usages ?? []) {
      if (usage.othersCores > busyLimitCores)
        reasons.push(`others used ${usage.othersCores.toFixed(2)} cores during a measurement`);
    }
    for (const [figure, ratio] of Object.entries(result?.ratios ?? {})) {
      if (ratio.othersCores > busyLimitCores)
        reasons.push(`others used ${ratio.othersCores.toFixed(2)} cores while ${figure} was measured`);
    }
    const conditions: PartConditions = {
      measuredAt: new Date().toISOString(),
      noisy: reasons.length > 0,
      reasons,
      ...(failure === undefined ? {} : { failed: failure.split('\n')[0] ?? failure }),
      machine,
      cores: describeCores(),
      before: {
        quiet: before.quiet,
        othersCores: round(before.usage.othersCores, 3),
        idleShare: round(before.usage.idleShare, 3),
        waitedSeconds: Math.round(before.waitedSeconds),
      },
      during: {
        seconds: Math.round(during.seconds),
        othersCores: round(during.othersCores, 3),
        idleShare: round(during.idleShare, 3),
      },
      ratios: result?.ratios ?? {},
      warnings: result?.warnings ?? [],
    };
    if (conditions.noisy) {
      noisy = true;
      log(`== ${part.name}: NOISY: ${reasons.join('; ')}`);
    }
    for (const warning of conditions.warnings) log(`== ${part.name}: warning: ${warning}`);
    if (result === undefined) continue;
    // Merged one part at a time, so a part that fails later does not lose earlier figures.
    await writeResults(part.name, result.figures, conditions);
    for (const [figure, value] of Object.entries(result.figures)) {
      const ratio = result.ratios[figure];
      rows.push([
        part.name,
        figure,
        formatValue(value),
        ratio === undefined ? '' : `${ratio.baseline}: ${String(ratio.baselineRate)} ${ratio.unit}`,
        ratio === undefined ? '' : ratio.idleShare.toFixed(3),
      ]);
    }
  }
  printTable(rows);
  process.stdout.write(`\nwritten to ${resultsPath}\n`);
  if (noisy) {
    process.stdout.write(
      '\nNOISY: other processes used the CPU during the run; the figures are marked "noisy": true and are not to be trusted.\n',
    );
    process.exitCode = 1;
  }
  if (failed) process.exitCode = 1;
}

await main();
