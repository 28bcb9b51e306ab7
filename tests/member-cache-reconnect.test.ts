// The member lookup caches (who is behind a messenger account, which member a token is) are kept
// correct across processes by the members_changed notice. A notice sent while the listening
// connection is down is lost, so after a reconnect the caches are emptied. Real Postgres: the
// listener's backend is terminated (pg_terminate_backend) while the process reaches Postgres
// through a proxy that holds new connections back, and a member is renamed before the proxy lets
// the listener's reconnection through: the rename's notice is committed while nobody listens.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { followMemberChanges } from '../src/composition/index.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createIdentityService } from '../src/members/index.ts';
import { identities, members } from '../src/members/members-schema.ts';
import { createRegistryAndMembers } from '../src/registry-and-members.ts';
import { eventually } from './support/eventually.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;
/** The process under test: its connections go through the proxy. */
let proxied: DatabaseHandle;
let admin: postgres.Sql;
let stopFollowing: () => Promise<void>;
let proxy: Server;
/** While set, new connections wait here instead of reaching Postgres. */
let held: Socket[] | undefined;
const sockets = new Set<Socket>();

function forward(client: Socket, target: URL) {
  const upstream = connect(Number(target.port || 5432), target.hostname);
  sockets.add(upstream);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
}

beforeAll(async () => {
  database = await createTestDatabase('member_cache_reconnect');
  admin = postgres(database.url, { max: 1, onnotice: () => undefined });
  const target = new URL(database.url);
  proxy = createServer((client) => {
    sockets.add(client);
    if (held === undefined) forward(client, target);
    else held.push(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const url = new URL(database.url);
  url.host = `127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
  proxied = await openDatabase({ url: url.toString(), dataDir: '/nonexistent', maxConnections: 2 });
});

afterAll(async () => {
  await stopFollowing();
  await proxied.close();
  for (const socket of sockets) socket.destroy();
  proxy.close();
  await admin.end();
  await database.drop();
});

/** The backends of this database that last ran a LISTEN (the notice listener's connection). */
const listeners = async (): Promise<number[]> =>
  (
    await admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = ${database.name} and query ilike 'listen%' and pid <> pg_backend_pid()`
  ).map((row) => row.pid);

describe('member lookup cache', () => {
  it('is emptied after its listener reconnects, so a change made meanwhile is seen', async () => {
    const { db } = proxied;
    const config = loadConfig({ RUN_MODE: 'api' });
    const { members: membersService, audit } = createRegistryAndMembers({
      database: proxied,
      logger: createLogger('silent'),
      config,
    });
    // A clock that never moves: cached answers never expire, so only a notice or a reconnect can
    // empty the cache.
    const accounts = createIdentityService({ db, audit, clock: () => 0 });
    stopFollowing = await followMemberChanges({
      config,
      storage: { database: proxied },
      shared: { members: membersService, identities: accounts },
      registryTruth: { linksChanged: () => undefined },
    });
    await db.insert(members).values({ id: 'm-aru', name: 'Aru', country: 'KZ', role: 'member' });
    await db
      .insert(identities)
      .values({ id: 'i-aru', platform: 'web', platformUserId: 'aru', memberId: 'm-aru', chatId: 'aru' });
    const account = { platform: 'web', platformUserId: 'aru' };
    const nameNow = async () => (await accounts.resolve(account))?.member.name;

    // The notice works: a rename empties the cache.
    expect(await nameNow()).toBe('Aru');
    await admin`update members set name = 'Aru B.' where id = 'm-aru'`;
    await eventually(async () => ((await nameNow()) === 'Aru B.' ? true : undefined), 'the first rename');

    // The listener's connection dies and its reconnection is held back; the next rename is
    // committed while nobody listens.
    const [listener] = await listeners();
    expect(listener).toBeDefined();
    // Another process listens too (a second replica): Postgres starts a new listener where the
    // others have read to, so a notice they have read is lost to it. (Alone, a new listener would
    // read what is still queued, notices from before it listened included.)
    const seen: string[] = [];
    await admin.listen('members_changed', (table) => seen.push(table));
    const replica = (await listeners()).find((pid) => pid !== listener);
    held = [];
    await admin`select pg_terminate_backend(${listener!}, 30000)`;
    await eventually(() => (held!.length > 0 ? true : undefined), 'the listener to try to reconnect');
    await admin`update members set name = 'Aru Bekova' where id = 'm-aru'`;
    await eventually(() => (seen.length > 0 ? true : undefined), 'the other replica to read the notice');
    const waiting = held;
    held = undefined;
    for (const client of waiting) forward(client, new URL(database.url));
    const back = await eventually(
      async () => (await listeners()).find((pid) => pid !== listener && pid !== replica),
      'the listener to reconnect',
    );
    expect(back).not.toBe(listener);
    await eventually(
      async () => ((await nameNow()) === 'Aru Bekova' ? true : undefined),
      'the rename made while the listener was away',
    );
  });
});
