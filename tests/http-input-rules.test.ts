// The input rules at the HTTP edge (issue #10): text that Postgres, the logs or the audit chain
// cannot hold is refused with a 400 naming the field, numbers are bounded, path ids are checked
// against their form, and a caller without credentials learns nothing about the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { rawExchange, rawRequest } from './support/raw-http.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, registryFingerprint } from './support/registry-fixture.ts';

let testApp: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  testApp = await startTestApp('http-input-rules', {
    env: { LOG_LEVEL: 'info' },
    logDestination: { write: (line) => void logLines.push(line) },
  });
});
afterAll(async () => {
  await testApp.close();
});

interface Refusal {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: { payload?: unknown; headers?: Record<string, string>; anonymous?: boolean } = {},
) =>
  testApp.application.app.inject({
    method,
    url,
    headers: {
      ...(options.anonymous === true ? {} : bearer(testApp.adminToken)),
      ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.payload === undefined ? {} : { payload: options.payload as string }),
  });

/** The refusal is a 400 validation_failed whose details name `path`. */
async function expectRefusedNaming(response: Awaited<ReturnType<typeof call>>, path: string) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(400);
  const body = response.json<Refusal>();
  expect(body.error.code).toBe('validation_failed');
  expect(body.error.details?.map((detail) => detail.path)).toContain(path);
  return body;
}

describe('text at the edge', () => {
  it('a NUL in a query filter is a 400 naming the parameter, and the audit log goes on', async () => {
    await expectRefusedNaming(await call('GET', '/v1/authorities?competence=%00'), 'querystring/competence');
    const after = await call('GET', '/v1/authorities?competence=extradition');
    expect(after.statusCode).toBe(200);
  });

  it('a NUL, a control character or broken UTF-8 in a path id is a 400, not a database error', async () => {
    await expectRefusedNaming(await call('GET', '/v1/requests/%00'), 'params/id');
    await expectRefusedNaming(await call('GET', '/v1/contacts/kg%07001'), 'params/id');
    await expectRefusedNaming(await call('GET', '/v1/contacts/%FF'), 'url');
    await expectRefusedNaming(await call('GET', '/v1/contacts/%ED%A0%80'), 'url');
    await expectRefusedNaming(await call('GET', `/v1/contacts/${'x'.repeat(1000)}`), 'url');
  });

  it('broken percent-encoding in a query value is refused, not passed on as text', async () => {
    await expectRefusedNaming(await call('GET', '/v1/contacts?competence=%FF'), 'querystring/competence');
    await expectRefusedNaming(
      await call('GET', '/v1/contacts?competence=%ED%A0%80'),
      'querystring/competence',
    );
  });

  it('member names, token labels, request references and subjects refuse NUL, surrogates and line breaks', async () => {
    const before = await registryFingerprint(testApp.database.handle);
    for (const name of ['Ai\u0000da', 'Ai\ud800da', 'Ai\nda', 'Ai\u001bda']) {
      await expectRefusedNaming(
        await call('POST', '/v1/members', { payload: { name, country: 'KG', role: 'member' } }),
        'body/name',
      );
    }
    const member = await call('POST', '/v1/members', {
      payload: { name: 'Aida Input-Rules', country: 'KG', role: 'member' },
    });
    expect(member.statusCode).toBe(201);
    const memberId = member.json<{ id: string }>().id;
    await expectRefusedNaming(
      await call('POST', `/v1/members/${memberId}/tokens`, { payload: { label: 'laptop\u0000' } }),
      'body/label',
    );
    const request = {
      type: 'mla',
      toCountry: 'UZ',
      ourReference: 'KG-1/2026',
      subject: 'Bank records',
      sentAt: '2026-11-02T09:00:00Z',
    };
    await expectRefusedNaming(
      await call('POST', '/v1/requests', { payload: { ...request, ourReference: 'KG\u0000-1' } }),
      'body/ourReference',
    );
    await expectRefusedNaming(
      await call('POST', '/v1/requests', { payload: { ...request, subject: 'Bank \udc00records' } }),
      'body/subject',
    );
    expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  });

  it('field names are text too, and a body that is not UTF-8 is refused rather than repaired', async () => {
    const key = await call('POST', '/v1/members', {
      payload: { name: 'Aida', country: 'KG', role: 'member', 'x\u0000': 1 },
    });
    await expectRefusedNaming(key, 'body/x\\u0000');
    // The answer quotes the name as text ("\u0000" spelled out), never the character itself.
    expect(key.body).not.toMatch(/[^\\]\\u0000/);
    const broken = Buffer.concat([
      Buffer.from('{"name":"Ai'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('da","country":"KG","role":"member"}'),
    ]);
    await expectRefusedNaming(await call('POST', '/v1/members', { payload: broken }), 'body');
  });

  it('multi-line text keeps its line breaks where a field is meant to span lines', async () => {
    const asked = await call('POST', '/v1/ask', {
      payload: { text: 'Who handles\nextradition in Kyrgyzstan?' },
    });
    expect(asked.statusCode).toBe(200);
    await expectRefusedNaming(
      await call('POST', '/v1/ask', { payload: { text: 'Who handles\u0000extradition?' } }),
      'body/text',
    );
  });

  it('a header we read with a control character is refused before it is used; a bad X-Request-Id is replaced', async () => {
    const refused = await call('GET', '/v1/members/me', { headers: { 'x-request-id': 'abc\u0000' } });
    await expectRefusedNaming(refused, 'headers/x-request-id');
    const replaced = await call('GET', '/v1/members/me', { headers: { 'x-request-id': 'not an id!' } });
    expect(replaced.statusCode).toBe(200);
    const kept = await call('GET', '/v1/members/me', { headers: { 'x-request-id': 'trace-42' } });
    expect(kept.statusCode).toBe(200);
    const cookie = await call('GET', '/console/me', {
      anonymous: true,
      headers: { cookie: 'counterpart_session=%00' },
    });
    await expectRefusedNaming(cookie, 'cookies/counterpart_session');
  });

  it('nothing refused reaches the logs', () => {
    const joined = logLines.join('');
    expect(joined).not.toContain('\\u0000');
    expect(joined).not.toMatch(/\\ud[89ab]/i);
    expect(joined).not.toContain('"level":50');
  });
});

describe('numbers are bounded', () => {
  for (const route of ['/v1/contacts', '/v1/members', '/v1/requests', '/v1/consultations', '/v1/treaties']) {
    it(`${route}: limit 1..500 and offset 0..10,000,000, else a 400`, async () => {
      for (const query of [
        'offset=1e309',
        'offset=9223372036854775808',
        'offset=10000001',
        'offset=-1',
        'offset=1.5',
        'limit=0',
        'limit=501',
        'limit=NaN',
      ]) {
        const response = await call('GET', `${route}?${query}`);
        await expectRefusedNaming(response, `querystring/${query.split('=')[0] ?? ''}`);
      }
      expect((await call('GET', `${route}?limit=500&offset=10000000`)).statusCode).toBe(200);
    });
  }
});

describe('path ids', () => {
  it('a well-formed unknown id is a 404, a malformed one a 400', async () => {
    const cases: [string, string][] = [
      ['/v1/contacts/kg-404', '/v1/contacts/KG 404'],
      ['/v1/members/00000000-0000-4000-8000-000000000000', '/v1/members/nope'],
      ['/v1/requests/abcdefghijk2', '/v1/requests/abc'],
      ['/v1/consultations/C-999999', '/v1/consultations/x;1'],
      ['/v1/requirements/kg-req-nothing', '/v1/requirements/-'],
    ];
    for (const [unknown, malformed] of cases) {
      expect((await call('GET', unknown)).statusCode, unknown).toBe(404);
      await expectRefusedNaming(await call('GET', encodeURI(malformed)), 'params/id');
    }
  });
});

describe('authentication before validation', () => {
  it('a caller without credentials gets 401, whatever is wrong with the request', async () => {
    const attempts = [
      call('POST', '/v1/members', { anonymous: true, payload: { name: 42, 'x\u0000': 1 } }),
      call('POST', '/v1/members', { anonymous: true, payload: '{"broken' }),
      call('GET', '/v1/requests/%00', { anonymous: true }),
      call('GET', '/v1/contacts?offset=-1&limit=9999', { anonymous: true }),
      call('PATCH', '/v1/contacts/kg-001', { anonymous: true, payload: { verifiedAt: 'tomorrow' } }),
      call('POST', '/v1/registry/import', { anonymous: true, payload: 'x'.repeat(2 * 1024 * 1024) }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode, response.body.slice(0, 200)).toBe(401);
      expect(response.json<Refusal>().error).toEqual(expect.objectContaining({ code: 'unauthorized' }));
      expect(response.json<Refusal>().error.details).toBeUndefined();
    }
  });

  it('paths the router refuses before routing (a broken escape, an over-long segment, dot segments) are 401 without credentials, over a real socket too', async () => {
    const longSegment = 'x'.repeat(300);
    const broken = [
      '/v1/requests/%FF',
      `/v1/contacts/${longSegment}`,
      '/v1/requests/%ED%A0%80',
      '/v1/nowhere',
    ];
    for (const url of broken) {
      const anonymous = await call('GET', url, { anonymous: true });
      expect(anonymous.statusCode, `${url}: ${anonymous.body.slice(0, 200)}`).toBe(401);
      expect(anonymous.json<Refusal>().error.details).toBeUndefined();
      // With credentials the same request is told what is wrong.
      const known = await call('GET', url);
      expect(known.statusCode, url).toBe(url === '/v1/nowhere' ? 404 : 400);
    }
    // A session cookie counts as credentials here as well.
    const badCookie = await call('GET', '/v1/requests/%FF', {
      anonymous: true,
      headers: { cookie: 'counterpart_session=cps_nope' },
    });
    expect(badCookie.statusCode).toBe(401);

    // Over TCP nothing normalises the path first: dot segments and raw bytes reach the router as sent.
    await testApp.application.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = testApp.application.app.server.address() as AddressInfo;
    for (const target of [
      '/v1/requests/%FF',
      `/v1/contacts/${longSegment}`,
      '/v1/requests/..',
      '/v1/../v1/contacts',
      '/v1/requests/./x/../..',
    ]) {
      const response = await rawExchange(port, rawRequest({ method: 'GET', target }));
      expect(response.status, target).toBe(401);
    }
    // Raw bytes above 0x7F in the request line are not HTTP to Node's parser: Fastify answers its
    // generic 400 and closes before any route or hook sees a request (nothing about the API is said).
    const rawBytes = await rawExchange(
      port,
      rawRequest({
        method: 'GET',
        target: Buffer.concat([Buffer.from('/v1/requests/'), Buffer.from([0xff])]),
      }),
    );
    expect(rawBytes.status).toBe(400);
    expect(JSON.parse(rawBytes.body.toString())).toEqual({
      error: 'Bad Request',
      message: 'Client Error',
      statusCode: 400,
    });
    const authorised = await rawExchange(
      port,
      rawRequest({ method: 'GET', target: '/v1/requests/%FF', headers: bearer(testApp.adminToken) }),
    );
    expect(authorised.status).toBe(400);
  });
});
