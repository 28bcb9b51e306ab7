import type { EmbeddedDatabaseBusy } from '../db/index.ts';

/**
 * What to do when the running server holds the embedded database: the CLI must not open it too
 * (what it wrote would be refused by the server or lost at its next restart), so it says how to
 * do the same through the server's API.
 */
export function embeddedBusyAdvice(error: EmbeddedDatabaseBusy): string {
  const base = error.holder.address?.replace('0.0.0.0', '127.0.0.1') ?? 'http://127.0.0.1:3000';
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  return [
    `error: ${error.message}.`,
    'The embedded database belongs to one process at a time, so this command did nothing.',
    'Either stop that process and run the command again, or do the same through its API',
    '(TOKEN: the admin token it printed at its first start, or your BOOTSTRAP_ADMIN_TOKEN):',
    '',
    `  invite create   curl -X POST ${auth} ${base}/v1/members/MEMBER_ID/invites`,
    `  member create   curl -X POST ${auth} -H 'content-type: application/json' \\`,
    `                    -d '{"name":"A. Prosecutor","country":"KZ","role":"member"}' ${base}/v1/members`,
    `  token create    curl -X POST ${auth} ${base}/v1/members/MEMBER_ID/tokens`,
    `  registry export curl ${auth} ${base}/v1/registry/export`,
    '',
    `Every operation is listed at ${base}/docs; the web console at ${base}/ does the same by hand.`,
    '',
  ].join('\n');
}
