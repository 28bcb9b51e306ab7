// Makes sure the PostgreSQL and Redis the tests need are running: starts them when their
// binaries exist, otherwise stops with a clear message. Run by `npm test` before vitest.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { sweepLeftoverTestDatabases } from '../tests/support/test-database.ts';

const postgresUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitFor(host: string, port: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const which = (binary: string): boolean => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;

async function ensurePostgres(): Promise<void> {
  const host = postgresUrl.hostname;
  const port = Number(postgresUrl.port || 5432);
  if (await answers(host, port)) return;
  if (which('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    for (const version of readdirSync('/etc/postgresql')) {
      console.log(`test-services: starting PostgreSQL ${version}/main`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'inherit',
      });
    }
    if (await waitFor(host, port, 90)) return;
  }
  fail(
    `PostgreSQL is not answering at ${host}:${port} and could not be started (no pg_ctlcluster cluster). ` +
      'Install PostgreSQL or set TEST_DATABASE_URL to a server where user may create databases.',
  );
}

async function ensureRedis(): Promise<void> {
  const host = redisUrl.hostname;
  const port = Number(redisUrl.port || 6379);
  if (await answers(host, port)) return;
  if (which('redis-server')) {
    console.log('test-services: starting redis-server');
    execFileSync('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ]);
    if (await waitFor(host, port, 60)) return;
  }
  fail(
    `Redis is not answering at ${host}:${port} and redis-server is not installed. Install Redis or set TEST_REDIS_URL.`,
  );
}

function fail(message: string): never {
  console.error(`test-services: ${message}`);
  process.exit(1);
}

await ensurePostgres();
await ensureRedis();
console.log('test-services: PostgreSQL and Redis are up');
// Databases of test runs that were killed (their process is gone) would otherwise pile up.
const swept = await sweepLeftoverTestDatabases();
if (swept.length > 0) console.log(`test-services: dropped ${swept.length} leftover test databases`);
