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
  /** What it wrote to stderr and stdout (for failure messages). */
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

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
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
  let resolveReady: () => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (output.includes('API listening')) resolveReady();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
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
    output: () => output,
  };
}
