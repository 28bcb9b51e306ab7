// The server under test: the production entry point (`src/main.ts`) as its own process on the
// server's core, configured only through its environment, the way an operator runs it. By default
// with the embedded database (PGlite, in the server's own process, so its work is the server's
// work) loaded with the demo registry, and a private redis-server on the Redis core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cores, onCore } from './cores.ts';
import { residentMegabytes } from './machine.ts';
import { freePort } from '../../src/net/free-port.ts';
import { runtimeEnvironment, runtimeNodeArguments } from '../../src/config/runtime-tuning.ts';

const projectRoot = resolve(import.meta.dirname, '..', '..');
export const benchAdminToken = 'bench-admin-token-0123456789abcdef';

export interface AppServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly adminToken: string;
  readonly dataDir: string;
  /** Resident memory now, in MiB. */
  residentMegabytes(): number;
  /** What the server wrote (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  /** Added to (or overriding) the server's environment. */
  env?: Record<string, string>;
  /** An existing PGlite data directory (kept); default a fresh one, removed at stop. */
  dataDir?: string;
  /** Extra arguments for node, e.g. `--cpu-prof`. */
  nodeArguments?: readonly string[];
  /** Port to listen on (when it must be known before start, e.g. for a webhook URL); default a free one. */
  port?: number;
  /** How long to wait for /healthz. Default 180 s (a large registry takes a while to load). */
  startTimeoutSeconds?: number;
}

/** The environment a bench process passes on: nothing of the caller's Counterpart settings. */
export function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const port = options.port ?? (await freePort());
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'counterpart-bench-'));
  // Started as `npm start` and the Dockerfile start it (src/config/runtime-tuning.ts).
  const [command, args] = onCore(cores.server, process.execPath, [
    ...runtimeNodeArguments,
    ...(options.nodeArguments ?? []),
    join(projectRoot, 'src', 'main.ts'),
  ]);
  const child: ChildProcess = spawn(command, args, {
    cwd: projectRoot,
    env: {
      ...baseEnvironment(),
      ...runtimeEnvironment,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      BOOTSTRAP_ADMIN_TOKEN: benchAdminToken,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      CHAT_RATE_LIMIT_PER_MINUTE: '1000000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      resolveExit();
    }),
  );
  const url = `http://127.0.0.1:${String(port)}`;
  const deadline = Date.now() + (options.startTimeoutSeconds ?? 180) * 1000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the server exited before it answered:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz in time:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  const pid = child.pid ?? -1;
  // With taskset the child is taskset only until it execs node, so the pid is the server's.
  return {
    url,
    port,
    pid,
    adminToken: benchAdminToken,
    dataDir,
    residentMegabytes: () => residentMegabytes(pid) ?? Number.NaN,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request to the server with the admin token; throws on a non-2xx answer. */
export async function callApi<T>(
  server: AppServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)} ${text}`);
  return JSON.parse(text) as T;
}
