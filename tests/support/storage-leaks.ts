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
