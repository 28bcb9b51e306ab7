// How busy the machine is, and with whose work. A throughput ratio taken while other processes
// use the CPU drifts towards 1 (every route looks as fast as the trivial one once the load
// generator and the server fight others for cores), so the bench measures the CPU that processes
// other than its own use, before a part (waiting for quiet) and during it (reported beside every
// figure). Linux only (/proc); elsewhere nothing is known and the figures say so.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export const procAvailable = (() => {
  try {
    readFileSync('/proc/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/** Clock ticks a second in /proc accounting (USER_HZ). */
export const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPUs this process may run on: the machine's capacity for the bench. */
export const cpuCount = availableParallelism();

interface SystemTicks {
  /** Ticks spent running tasks (user, nice, system, steal). */
  busy: number;
  /** Every tick of every CPU. */
  total: number;
}

/**
 * The first line of /proc/stat. Interrupt and softirq ticks are left out of `busy`: loopback TCP
 * between the bench's own load generator and server is processed there and is charged to no
 * process, so counting it would make the bench see its own traffic as someone else's work.
 */
function systemTicks(): SystemTicks {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return {
    busy: user + nice + system + steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

interface ProcessStat {
  pid: number;
  parent: number;
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: its children that exited and were reaped. */
  reaped: number;
}

function readProcessStat(pid: number): ProcessStat | undefined {
  try {
    const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields after its last ")" do not.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      parent: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU ticks a process has used (user and system), or undefined when it is gone. */
export function processTicks(pid: number): number | undefined {
  return readProcessStat(pid)?.own;
}

/** Resident memory of a process in MiB, from /proc (VmRSS). */
export function residentMegabytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Ticks used by this process, every process descended from it and `extraPids` (e.g. the Postgres
 * backends serving the bench's database). A descendant that exited is still counted: its time
 * moves into its parent's `reaped` ticks, which are part of the sum.
 */
function benchTicks(extraPids: Iterable<number>): number {
  const stats: ProcessStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(Number(entry));
    if (stat !== undefined) stats.push(stat);
  }
  const children = new Map<number, ProcessStat[]>();
  for (const stat of stats) {
    const siblings = children.get(stat.parent) ?? [];
    siblings.push(stat);
    children.set(stat.parent, siblings);
  }
  let ticks = 0;
  const counted = new Set<number>();
  const visit = (stat: ProcessStat) => {
    if (counted.has(stat.pid)) return;
    counted.add(stat.pid);
    ticks += stat.own + stat.reaped;
    for (const child of children.get(stat.pid) ?? []) visit(child);
  };
  const self = stats.find((stat) => stat.pid === process.pid);
  if (self !== undefined) visit(self);
  for (const pid of extraPids) {
    const stat = stats.find((candidate) => candidate.pid === pid);
    if (stat !== undefined && !counted.has(pid)) {
      counted.add(pid);
      ticks += stat.own;
    }
  }
  return ticks;
}

export interface MachineUsage {
  seconds: number;
  /** Cores' worth of CPU used by processes other than the bench's. */
  othersCores: number;
  /** Cores' worth of CPU used by the bench's processes. */
  benchCores: number;
  /** Share of the machine's capacity the others left to the bench: 1 - othersCores / cpuCount. */
  idleShare: number;
  /** Share of the machine's capacity nobody used (/proc/stat idle). */
  systemIdleShare: number;
}

/**
 * Starts measuring; the returned function ends the window and tells who used the CPU in it.
 * `extraPids` are asked for at the end (processes may have appeared meanwhile).
 */
export function startUsageWindow(extraPids: () => Iterable<number> = () => []): () => MachineUsage {
  if (!procAvailable) {
    const started = performance.now();
    return () => ({
      seconds: (performance.now() - started) / 1000,
      othersCores: Number.NaN,
      benchCores: Number.NaN,
      idleShare: Number.NaN,
      systemIdleShare: Number.NaN,
    });
  }
  const extra = [...extraPids()];
  const startedAt = performance.now();
  const systemBefore = systemTicks();
  const benchBefore = benchTicks(extra);
  return () => {
    const later = [...new Set([...extra, ...extraPids()])];
    const systemAfter = systemTicks();
    const benchAfter = benchTicks(later);
    const seconds = (performance.now() - startedAt) / 1000;
    const capacity = Math.max(1, systemAfter.total - systemBefore.total);
    const busy = systemAfter.busy - systemBefore.busy;
    const bench = Math.max(0, benchAfter - benchBefore);
    // /proc/stat and per-process ticks are sampled at slightly different moments; a small
    // negative difference is rounding, not negative work.
    const others = Math.max(0, busy - bench);
    const toCores = (ticks: number) => ticks / ticksPerSecond / seconds;
    return {
      seconds,
      othersCores: toCores(others),
      benchCores: toCores(bench),
      idleShare: Math.max(0, 1 - others / capacity),
      systemIdleShare: Math.max(0, 1 - busy / capacity),
    };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QuietResult {
  quiet: boolean;
  /** The last window's measurement. */
  usage: MachineUsage;
  waitedSeconds: number;
}

/**
 * Measures others' CPU over `sampleSeconds`; while it is over `thresholdCores`, waits and measures
 * again, for at most `maxWaitSeconds`. Returns whether the machine became quiet.
 */
export async function waitForQuiet({
  thresholdCores,
  sampleSeconds = 3,
  maxWaitSeconds,
  log,
}: {
  thresholdCores: number;
  sampleSeconds?: number;
  maxWaitSeconds: number;
  log: (message: string) => void;
}): Promise<QuietResult> {
  const started = performance.now();
  for (;;) {
    const end = startUsageWindow();
    await sleep(sampleSeconds * 1000);
    const usage = end();
    const waitedSeconds = (performance.now() - started) / 1000;
    if (!procAvailable) return { quiet: false, usage, waitedSeconds };
    if (usage.othersCores <= thresholdCores) return { quiet: true, usage, waitedSeconds };
    if (waitedSeconds >= maxWaitSeconds) return { quiet: false, usage, waitedSeconds };
    log(
      `machine busy: other processes use ${usage.othersCores.toFixed(2)} cores (limit ${thresholdCores}); waiting (${Math.round(waitedSeconds)} of ${maxWaitSeconds} s)`,
    );
    await sleep(Math.min(10_000, Math.max(0, maxWaitSeconds - waitedSeconds) * 1000));
  }
}
