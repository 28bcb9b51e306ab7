// A Counterpart worker as its own operating-system process (`RUN_MODE=worker`, the production
// entry point), so a test can SIGKILL it mid-delivery the way a crashed or evicted pod dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves once the worker logged that it is up (its HTTP health endpoint listens). */
  ready: Promise<void>;
  /** SIGKILL: no shutdown hook runs, jobs in hand are simply abandoned. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful path; resolves with the exit code. */
  terminate(): Promise<number | null>;
  /**
   * Whether it has ever written `milestone` (on stdout or stderr), however much it wrote since:
   * each milestone is looked for in every chunk from the start (across chunk boundaries) and
   * remembered once seen, so no check depends on how much output is kept. Only the milestones
   * the worker was started to watch (`workerMilestones` and the `watch` option): any other text
   * is an error, not a silent "no".
   */
  hasLogged(milestone: string): boolean;
  /** The tail of what it wrote to stderr and stdout (for failure messages). */
  output(): string;
}

const projectRoot = join(import.meta.dirname, '..', '..');

// A safety net under each file's own cleanup: when the test process exits (a file that timed out,
// a hook that threw before its kill), no worker it started is left running against a dropped
// database or another file's queues.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Always watched: the worker is up (its HTTP endpoint listens), it syncs the Matrix account. */
export const workerMilestones = ['API listening', 'matrix: syncing'] as const;

export function startWorkerProcess(
  env: Record<string, string>,
  options: { watch?: readonly string[] } = {},
): WorkerProcess {
  // process.execPath is the project's Node 24 (vitest runs under it), as `npx node` would be.
  const child: ChildProcess = spawn(process.execPath, [join(projectRoot, 'src', 'main.ts')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      RUN_MODE: 'worker',
      PORT: '0',
      LOG_LEVEL: 'info',
      DEMO_SEED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const unseen = new Set<string>([...workerMilestones, ...(options.watch ?? [])]);
  const seen = new Set<string>();
  // The end of each stream's previous chunk, long enough to hold all but the last character of
  // any milestone: one split between two chunks is found in the joined text.
  const carryLength = Math.max(...[...unseen].map((text) => text.length)) - 1;
  const carry = { stdout: '', stderr: '' };
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const onData = (stream: keyof typeof carry) => (chunk: string | Buffer) => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString();
    output = (output + text).slice(-20_000);
    const window = carry[stream] + text;
    carry[stream] = carryLength > 0 ? window.slice(-carryLength) : '';
    for (const milestone of unseen)
      if (window.includes(milestone)) {
        unseen.delete(milestone);
        seen.add(milestone);
      }
    if (seen.has('API listening')) resolveReady();
  };
  // Decoded as UTF-8 across chunk boundaries (a character split between chunks stays whole).
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));
  // A worker killed before it was ready is not an unhandled failure unless someone waits for it.
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      rejectReady(new Error(`worker exited (${String(code)}) before it was ready:\n${output}`));
      resolve(code);
    });
  });
  return {
    pid: child.pid ?? -1,
    ready,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    hasLogged(milestone) {
      if (seen.has(milestone)) return true;
      if (unseen.has(milestone)) return false;
      throw new Error(`"${milestone}" is not a milestone this worker watches (startWorkerProcess's watch)`);
    },
    output: () => output,
  };
}
