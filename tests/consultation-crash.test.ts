// A crash between receiving a consultation message and relaying it: the application runs as a
// real child process (`node src/main.ts`, Telegram in webhook mode against the Bot API emulator),
// is killed with SIGKILL after the message is recorded, and a fresh process relays it exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray, isNull, or } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config/config.ts';
import { outbox as outboxTable } from '../src/outbox/outbox-schema.ts';
import { textsIn, waitForMessage } from './support/consultation-helpers.ts';
import { eventually } from './support/eventually.ts';
import { startTelegramEmulator, type TelegramEmulator } from './support/telegram-emulator.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { freePort } from '../src/net/free-port.ts';

let emulator: TelegramEmulator;
let database: TestDatabase;
let port: number;
let dataDir: string;
let child: ChildProcess | undefined;
const adminToken = `crash-admin-token-${randomBytes(8).toString('hex')}`;

/** Starts the application as its own process and waits until it answers. */
// The handle is stored in `child` before the wait, so that afterAll kills a process that is slow to
// become healthy (or never does) instead of leaving it running against a dropped database.
async function startProcess(runMode: 'all' | 'api'): Promise<ChildProcess> {
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `cptest-crash-${process.pid}`,
    BOOTSTRAP_ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    RUN_MODE: runMode,
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
    TELEGRAM_WEBHOOK_SECRET: 'crash-test-secret',
    CONSULTATION_BODY_KEY: randomBytes(32).toString('base64'),
    RECONCILE_INTERVAL_SECONDS: '2',
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  const started = spawn(process.execPath, ['src/main.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child = started;
  // Bounds a hang only: a correct build on a loaded machine may take many seconds to start.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (started.exitCode !== null) throw new Error(`the application exited with ${started.exitCode}`);
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return started;
    if (Date.now() > deadline) throw new Error('the application did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(process: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = new Promise((resolve) => process.once('exit', resolve));
  process.kill(signal);
  await exited;
}

/** For cleanup: a graceful stop, and SIGKILL if the process has not exited within a minute. */
async function stopForGood(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = new Promise((resolve) => process.once('exit', resolve));
  process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, 60_000);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    process.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

async function call<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A member linked to a new Telegram user through an invite, all through the running process. */
async function linkedPerson(name: string, country: string, contactId?: string) {
  const member = await call<{ id: string }>('POST', '/v1/members', adminToken, {
    name,
    country,
    role: 'member',
    locale: 'en',
    ...(contactId === undefined ? {} : { contactId }),
  });
  const invite = await call<{ code: string }>('POST', `/v1/members/${member.id}/invites`, adminToken);
  const { token } = await call<{ token: string }>('POST', `/v1/members/${member.id}/tokens`, adminToken, {
    label: 'test',
  });
  const user = emulator.createUser({ firstName: name.split(' ')[0] ?? name, languageCode: 'en' });
  const chat = emulator.privateChat(user);
  emulator.sendUserMessage(user, chat, `/start ${invite.code}`);
  await waitForMessage(emulator, chat, 'Welcome');
  return { member, token, user, chat };
}

beforeAll(async () => {
  // The child's webhook is local plain HTTP on a free port, which Telegram would refuse.
  emulator = await startTelegramEmulator({ insecureWebhooks: true });
  database = await createTestDatabase('consult_crash');
  port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'counterpart-crash-'));
}, 180_000);

afterAll(async () => {
  // Every step runs even if an earlier one failed, so one slow run cannot leak into the next file.
  try {
    if (child !== undefined) await stopForGood(child);
  } finally {
    try {
      await emulator.close();
    } finally {
      try {
        await database.drop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
}, 180_000);

describe('a crash between receiving a consultation message and relaying it', () => {
  it('relays the message exactly once after the restart', async () => {
    // An ordinary process sets the scene: registry, two members on Telegram, an accepted consultation.
    child = await startProcess('all');
    await call(
      'POST',
      '/v1/registry/import',
      adminToken,
      JSON.parse(readFileSync(join(projectRoot, 'config/demo-registry.json'), 'utf8')),
    );
    const asker = await linkedPerson('Crash Asker', 'KZ');
    const bakyt = await linkedPerson('Bakyt Member', 'KG', 'kg-001');
    const started = await call<{ ref: string }>('POST', '/v1/consultations', asker.token, {
      country: 'KG',
      competence: 'extradition',
      description: 'What do you need for a provisional arrest?',
    });
    const request = await waitForMessage(emulator, bakyt.chat, `Consultation request ${started.ref}`);
    const accept = emulator
      .buttons(request)
      .find((button) => 'callback_data' in button && button.callback_data.startsWith('consult:accept:'));
    emulator.pressButton(
      bakyt.user,
      request,
      accept !== undefined && 'callback_data' in accept ? accept.callback_data : '',
    );
    await waitForMessage(emulator, asker.chat, `accepted consultation ${started.ref}`);
    await stopProcess(child, 'SIGTERM');

    // This process receives and records the message (and its relay in the outbox), but delivers
    // nothing: it is killed before it could.
    child = await startProcess('api');
    const { update: crashedUpdate } = emulator.sendUserMessage(
      asker.user,
      asker.chat,
      'sent just before the crash',
    );
    await eventually(async () => {
      const detail = await call<{ messages: { fromAsker: number } }>(
        'GET',
        `/v1/consultations/${started.ref}`,
        adminToken,
      );
      return detail.messages.fromAsker === 1 ? true : undefined;
    }, 'the message to be recorded');
    await stopProcess(child, 'SIGKILL');
    expect(
      textsIn(emulator, bakyt.chat).filter((text) => text.includes('sent just before the crash')),
    ).toHaveLength(0);

    // A fresh process relays it, once; Telegram re-posting the same update (same update_id, as
    // Telegram does when it never saw the 200) changes nothing.
    child = await startProcess('all');
    await waitForMessage(emulator, bakyt.chat, 'sent just before the crash', { timeoutMs: 60_000 });
    expect(crashedUpdate).toBeDefined();
    const delivered = emulator.webhook().deliveredCount;
    const redelivered = emulator.injectUpdate(crashedUpdate!);
    expect(redelivered.update_id).toBe(crashedUpdate!.update_id);
    await eventually(
      () => (emulator.webhook().deliveredCount > delivered ? true : undefined),
      'the application to accept the re-posted update',
    );
    // Updates of a chat are handled in order: once the next message is relayed, the re-posted one
    // has been dealt with. Then every delivery the outbox holds has reached its final state, so
    // no reconciler pass can send anything again.
    emulator.sendUserMessage(asker.user, asker.chat, 'after the restart');
    await waitForMessage(emulator, bakyt.chat, 'after the restart');
    await eventually(async () => {
      const open = await database.handle.db
        .select({ id: outboxTable.id })
        .from(outboxTable)
        .where(or(inArray(outboxTable.state, ['pending', 'sending']), isNull(outboxTable.outcomeRecordedAt)));
      return open.length === 0 ? true : undefined;
    }, 'every outbox delivery final');
    const relayed = textsIn(emulator, bakyt.chat).filter((text) =>
      text.includes('sent just before the crash'),
    );
    expect(relayed).toEqual([`[${started.ref}] Crash Asker (Kazakhstan):\nsent just before the crash`]);
    const detail = await call<{ messages: { fromAsker: number } }>(
      'GET',
      `/v1/consultations/${started.ref}`,
      adminToken,
    );
    expect(detail.messages.fromAsker).toBe(2);
    // Three process starts: slow on a busy machine.
  }, 600_000);
});
