// Searches everything a run leaves behind (every table of the test database, the log lines) for
// distinctive words a user typed, to prove case material was kept nowhere.
import { sql } from 'drizzle-orm';
import type { TestApp } from './test-app.ts';

/** Where each word was found: `table:<name>` or `logs`; empty when nowhere. */
export async function findLeaks(
  testApp: TestApp,
  words: readonly string[],
  logLines: readonly string[],
): Promise<string[]> {
  await testApp.application.audit.flush();
  const db = testApp.database.handle.db;
  const tables = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )) as { table_name: string }[];
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = (await db.execute(sql`select t::text as row from ${sql.identifier(table)} t`)) as {
      row: string;
    }[];
    const everything = rows.map((row) => row.row).join('\n');
    for (const word of words) if (everything.includes(word)) found.push(`table:${table}:${word}`);
  }
  const logs = logLines.join('\n');
  for (const word of words) if (logs.includes(word)) found.push(`logs:${word}`);
  return found;
}

/**
 * Every row of every table of the test database, as text (`table: row`), with the audit log
 * flushed first: for leakedWords, which looks for each distinctive word whatever its case.
 */
export async function everythingStored(testApp: TestApp): Promise<string[]> {
  await testApp.application.audit.flush();
  const db = testApp.database.handle.db;
  const tables = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )) as { table_name: string }[];
  const texts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = (await db.execute(sql`select t::text as row from ${sql.identifier(table)} t`)) as {
      row: string;
    }[];
    for (const row of rows) texts.push(`${table}: ${row.row}`);
  }
  return texts;
}

/**
 * Every value under the application's Redis prefix (web console pushes kept for replay, queue jobs,
 * leases, throttles), as text (`key: value`).
 */
export async function everythingInRedis(testApp: TestApp): Promise<string[]> {
  const { client, prefix } = testApp.application.redis;
  if (client === undefined) return [];
  const texts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', '500');
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      const value =
        type === 'string'
          ? await client.get(key)
          : type === 'hash'
            ? await client.hgetall(key)
            : type === 'list'
              ? await client.lrange(key, 0, -1)
              : type === 'set'
                ? await client.smembers(key)
                : type === 'zset'
                  ? await client.zrange(key, '0', '-1')
                  : type === 'stream'
                    ? await client.xrange(key, '-', '+')
                    : null;
      texts.push(`${key}: ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return texts;
}
