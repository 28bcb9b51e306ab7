// Hostile input over a real socket (issue #10): the same generated bad bodies, query strings and
// path ids as tests/input-properties.test.ts, plus what only raw bytes can carry (invalid UTF-8
// in a path, a query, a body or a header), sent over TCP to a listening server. Every exchange
// ends with an HTTP answer below 500: no reset, no connection closed without an answer; and the
// registry export afterwards is byte-identical to the one before.
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exported } from './support/registry-fixture.ts';
import {
  body,
  fillPath,
  openApiOperations,
  type Operation,
  pathId,
  queryValue,
  wellFormedIds,
} from './support/hostile-input.ts';
import { rawExchange, rawRequest } from './support/raw-http.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
let port: number;
let operations: Operation[] = [];
let exportBefore: string;
const errorLines: string[] = [];

beforeAll(async () => {
  testApp = await startTestApp('input-properties-socket', {
    // The API's own rate limit would answer 429 long before the generators ran out.
    env: { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '1000000' },
    logDestination: { write: (line) => void errorLines.push(line) },
  });
  exportBefore = JSON.stringify(await exported(testApp.application));
  operations = await openApiOperations(testApp.application.app);
  await testApp.application.app.listen({ host: '127.0.0.1', port: 0 });
  port = (testApp.application.app.server.address() as AddressInfo).port;
}, 120_000);
afterAll(async () => {
  await testApp.close();
});

/** Byte sequences that are not UTF-8: a stray continuation byte, an overlong NUL, a surrogate, a cut-off sequence. */
const invalidUtf8 = fc.constantFrom(
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
);
const operation = () => fc.constantFrom(...operations);
const authorised = () => ({ Authorization: `Bearer ${testApp.adminToken}` });

async function exchange(options: Parameters<typeof rawRequest>[0]) {
  const response = await rawExchange(port, rawRequest(options));
  return response;
}

describe('every route over a real socket, with hostile input', () => {
  it('bad bodies, some with bytes that are not UTF-8, are answered below 500 and never reset', async () => {
    await fc.assert(
      fc.asyncProperty(
        operation()
          .filter((op) => op.method !== 'GET')
          .chain((op) =>
            fc.tuple(
              fc.constant(op),
              body(op.bodyNames),
              fc.option(fc.tuple(invalidUtf8, fc.nat()), { nil: undefined }),
            ),
          ),
        async ([op, payload, spoil]) => {
          let bytes = Buffer.from(payload);
          if (spoil !== undefined) {
            // Inside the first string value, where a lenient parser would carry it into the data.
            const quote = bytes.indexOf('":"') + 3 || bytes.indexOf('"') + 1;
            const at = Math.min(quote + (spoil[1] % 4), bytes.length);
            bytes = Buffer.concat([bytes.subarray(0, at), spoil[0], bytes.subarray(at)]);
          }
          const response = await exchange({
            method: op.method,
            target: wellFormedIds(op.path),
            headers: { ...authorised(), 'Content-Type': 'application/json' },
            body: bytes,
          });
          expect(response.status, `${op.method} ${op.path} ${payload.slice(0, 120)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('bad query strings, some with raw bytes that are not UTF-8, are answered below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        operation(),
        fc.array(
          fc.oneof(
            queryValue.map((value) => Buffer.from(value)),
            invalidUtf8,
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        async (op, values) => {
          const names = [...op.queryNames, 'limit', 'offset'];
          const query = Buffer.concat(
            values.flatMap((value, index) => [
              Buffer.from(`${index === 0 ? '' : '&'}${names[index % names.length] ?? 'q'}=`),
              value,
            ]),
          );
          const response = await exchange({
            method: op.method,
            target: Buffer.concat([Buffer.from(`${wellFormedIds(op.path)}?`), query]),
            headers: {
              ...authorised(),
              ...(op.method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
            },
            ...(op.method === 'GET' ? {} : { body: '{}' }),
          });
          expect(response.status, `${op.method} ${op.path}?${query.toString('latin1')}`).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('bad path ids, some as raw bytes, are answered 4xx', async () => {
    const withIds = operations.filter((op) => op.path.includes('{'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withIds),
        fc.oneof(
          pathId.map((id) => Buffer.from(id)),
          invalidUtf8.map((bytes) => Buffer.concat([Buffer.from('kg-'), bytes])),
        ),
        async (op, id) => {
          const [before = '', after = ''] = op.path.split(/\{[^}]+\}/, 2);
          const target = Buffer.concat([Buffer.from(before), id, Buffer.from(fillPath(after, 'zz-404'))]);
          const response = await exchange({
            method: op.method,
            target,
            headers: {
              ...authorised(),
              ...(op.method === 'GET' ? {} : { 'Content-Type': 'application/json' }),
            },
            ...(op.method === 'GET' ? {} : { body: '{}' }),
          });
          expect(response.status, `${op.method} ${target.toString('latin1')}`).toBeGreaterThanOrEqual(400);
          expect(response.status, `${op.method} ${target.toString('latin1')}`).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('headers we read with control characters or bytes that are not UTF-8 are answered below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('X-Request-Id', 'Accept-Language', 'Cookie', 'Authorization', 'Last-Event-ID'),
        fc.oneof(
          invalidUtf8,
          fc.constantFrom(Buffer.from('a\u0001b'), Buffer.from('\u007f'), Buffer.from('')),
        ),
        fc.constantFrom('/v1/contacts?limit=1', '/v1/ask', '/console/me', '/healthz'),
        async (name, value, target) => {
          const ask = target === '/v1/ask';
          const response = await exchange({
            method: ask ? 'POST' : 'GET',
            target,
            headers: {
              ...(name === 'Authorization' ? {} : authorised()),
              [name]: Buffer.concat([Buffer.from(name === 'Cookie' ? 'cp_session=' : ''), value]),
              ...(ask ? { 'Content-Type': 'application/json' } : {}),
            },
            ...(ask ? { body: '{"text": "extradition KG"}' } : {}),
          });
          expect(response.status, `${name} on ${target}`).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('left the registry byte-identical and logged no error', async () => {
    expect(JSON.stringify(await exported(testApp.application))).toBe(exportBefore);
    expect(errorLines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
