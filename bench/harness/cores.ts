// Which core runs what. The server under test gets a core of its own, and the load generator
// another, so neither measures the other: without it a cheap route and an expensive one look
// alike once both sides share the CPU. Redis and the Postgres backends serving the bench get cores
// of their own when the machine has them; on two cores they share the load generator's, never the
// server's. Pinning uses `taskset` (util-linux); without it, or on another system, the bench
// warns and the figures record that nothing was pinned.
import { execFileSync } from 'node:child_process';
import { cpuCount } from './machine.ts';

export interface CorePlan {
  /** Whether processes are pinned at all. */
  pinning: boolean;
  server: number;
  load: number;
  redis: number;
  postgres: number;
  /** Why not, when not. */
  warning: string | undefined;
}

function tasksetWorks(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function plan(): CorePlan {
  const usable = tasksetWorks();
  const warning = !usable
    ? 'taskset is not available: server and load generator are not pinned to cores of their own; figures are less trustworthy'
    : cpuCount < 2
      ? 'one CPU only: server and load generator share it; figures are less trustworthy'
      : undefined;
  if (warning !== undefined) return { pinning: false, server: 0, load: 0, redis: 0, postgres: 0, warning };
  return {
    pinning: true,
    server: 0,
    load: 1,
    redis: cpuCount >= 3 ? 2 : 1,
    postgres: cpuCount >= 4 ? 3 : cpuCount >= 3 ? 2 : 1,
    warning: undefined,
  };
}

export const cores: CorePlan = plan();

/** The command line that runs `command` on `core` (unchanged when not pinning). */
export function onCore(core: number, command: string, args: readonly string[]): [string, string[]] {
  if (!cores.pinning) return [command, [...args]];
  return ['taskset', ['-c', String(core), command, ...args]];
}

/** Moves a running process, every thread of it, to `core`. False when that was not possible. */
export function pinProcess(pid: number, core: number): boolean {
  if (!cores.pinning) return false;
  try {
    execFileSync('taskset', ['-a', '-c', '-p', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A one-line description for the conditions of a figure. */
export function describeCores(): string {
  if (!cores.pinning) return `not pinned (${cores.warning ?? ''})`;
  return `server cpu ${cores.server}; load generator cpu ${cores.load}; redis cpu ${cores.redis}; postgres backends cpu ${cores.postgres}`;
}
