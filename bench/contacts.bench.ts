// The registry's hottest route, contacts by country and competence, against the cheapest route of
// the same server in the same run. The ratio says how much the route itself costs (token lookup,
// audit, filtering, serialization); absolute numbers depend on the machine.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp } from '../tests/support/test-app.ts';

const execute = promisify(execFile);
const autocannonCli = resolve(import.meta.dirname, '../node_modules/autocannon/autocannon.js');

/**
 * Both routes are measured for the same time, in alternating one-second rounds: on a shared
 * machine the load from other processes drifts, and alternating spreads the drift over both.
 */
const rounds = 5;
const roundSeconds = 1;
const connections = 10;

interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
}

/** Runs autocannon in its own process, so the load generator does not share the server's event loop. */
async function load(url: string, headers: Record<string, string>, seconds: number): Promise<LoadResult> {
  const headerArguments = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]);
  const { stdout } = await execute(
    process.execPath,
    [autocannonCli, '-j', '-c', String(connections), '-d', String(seconds), ...headerArguments, url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    requests: { total: number };
    duration: number;
    non2xx: number;
    errors: number;
  };
  return {
    requests: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function add(total: LoadResult, round: LoadResult): LoadResult {
  return {
    requests: total.requests + round.requests,
    seconds: total.seconds + round.seconds,
    non2xx: total.non2xx + round.non2xx,
    errors: total.errors + round.errors,
  };
}

export const name = 'contacts';

export async function run(): Promise<Record<string, number>> {
  const testApp = await startTestApp('bench-contacts', {
    env: { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' },
  });
  try {
    const { app } = testApp.application;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const trivialUrl = `${base}/healthz`;
    const contactsUrl = `${base}/v1/contacts?country=KG&competence=extradition`;
    const auth = { authorization: `Bearer ${testApp.adminToken}` };

    // Warm up both routes (JIT, connection pools, token cache) before measuring.
    await load(trivialUrl, {}, 1);
    await load(contactsUrl, auth, 1);
    let trivial: LoadResult = { requests: 0, seconds: 0, non2xx: 0, errors: 0 };
    let contacts: LoadResult = { ...trivial };
    for (let round = 0; round < rounds; round++) {
      // Alternate which route goes first, so neither always follows the other's aftermath.
      if (round % 2 === 0) {
        trivial = add(trivial, await load(trivialUrl, {}, roundSeconds));
        contacts = add(contacts, await load(contactsUrl, auth, roundSeconds));
      } else {
        contacts = add(contacts, await load(contactsUrl, auth, roundSeconds));
        trivial = add(trivial, await load(trivialUrl, {}, roundSeconds));
      }
    }
    if (contacts.non2xx > 0 || contacts.errors > 0 || trivial.non2xx > 0 || trivial.errors > 0) {
      throw new Error(`failed requests during the benchmark: ${JSON.stringify({ trivial, contacts })}`);
    }
    const contactsRps = contacts.requests / contacts.seconds;
    const trivialRps = trivial.requests / trivial.seconds;
    return {
      contacts_rps: Math.round(contactsRps),
      trivial_rps: Math.round(trivialRps),
      contacts_vs_trivial_rps_ratio: Number((contactsRps / trivialRps).toFixed(3)),
    };
  } finally {
    await testApp.close();
  }
}
