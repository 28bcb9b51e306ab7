// Whatever a client sends to a registry write route, the answer is a clear 4xx and the registry
// is unchanged: never a 500, never a half-applied change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, fixture, registryFingerprint } from './support/registry-fixture.ts';

let testApp: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  testApp = await startTestApp('registry-bad-input');
  admin = bearer(testApp.adminToken);
});
afterAll(async () => {
  await testApp.close();
});

const newContact = () => {
  const { verifiedAt: _verifiedAt, ...template } = fixture().contacts.find(
    (contact) => contact.id === 'kg-003',
  )!;
  return { ...template, id: 'kg-006' };
};
const newAuthority = () => ({
  ...fixture().authorities.find((authority) => authority.id === 'kg-gpo')!,
  id: 'kg-new',
});
const newTreaty = () => ({ id: 'new-treaty', name: { en: 'A treaty' }, covers: ['mla'], parties: ['KG'] });

interface WriteRoute {
  method: 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** A body the route accepts, to be spoiled. Undefined for routes without a body. */
  valid?: () => Record<string, unknown>;
  /** A field to give the wrong type. */
  field?: string;
  unknownIdUrl?: string;
}

const routes: WriteRoute[] = [
  { method: 'POST', url: '/v1/contacts', valid: newContact, field: 'workingHours' },
  {
    method: 'PATCH',
    url: '/v1/contacts/kg-003',
    valid: () => ({ title: 'Prosecutor' }),
    field: 'title',
    unknownIdUrl: '/v1/contacts/kg-404',
  },
  { method: 'DELETE', url: '/v1/contacts/kg-003', unknownIdUrl: '/v1/contacts/kg-404' },
  { method: 'POST', url: '/v1/contacts/kg-003/verify', unknownIdUrl: '/v1/contacts/kg-404/verify' },
  { method: 'POST', url: '/v1/authorities', valid: newAuthority, field: 'stages' },
  {
    method: 'PATCH',
    url: '/v1/authorities/kg-gpo',
    valid: () => ({ kind: 'prosecution' }),
    field: 'requestLanguages',
    unknownIdUrl: '/v1/authorities/kg-404',
  },
  { method: 'DELETE', url: '/v1/authorities/kg-gpo', unknownIdUrl: '/v1/authorities/kg-404' },
  { method: 'POST', url: '/v1/treaties', valid: newTreaty, field: 'parties' },
  {
    method: 'PATCH',
    url: '/v1/treaties/untoc',
    valid: () => ({ covers: ['mla'] }),
    field: 'covers',
    unknownIdUrl: '/v1/treaties/nope',
  },
  { method: 'DELETE', url: '/v1/treaties/untoc', unknownIdUrl: '/v1/treaties/nope' },
  {
    method: 'POST',
    url: '/v1/registry/import',
    valid: () => fixture(),
    field: 'contacts',
  },
];

const send = (
  method: WriteRoute['method'],
  url: string,
  payload: string | object,
  headers: Record<string, string> = {},
) =>
  testApp.application.app.inject({
    method,
    url,
    headers: { ...admin, 'content-type': 'application/json', ...headers },
    payload,
  });

interface Refusal {
  error: { code: string; message: string; details?: { path: string; message: string; field?: string }[] };
}

/** Sends a bad request and checks the answer is the expected 4xx and the registry did not move. */
async function expectRefused(
  request: () => ReturnType<typeof send>,
  status: number,
  code: string,
): Promise<Refusal> {
  const before = await registryFingerprint(testApp.database.handle);
  const response = await request();
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  const body = response.json<Refusal>();
  expect(body.error.code).toBe(code);
  expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  return body;
}

describe('bad input on every registry write route', () => {
  for (const route of routes) {
    describe(`${route.method} ${route.url}`, () => {
      it('malformed JSON is a 400 bad_request', async () => {
        await expectRefused(
          () => send(route.method, route.url, '{"title": "Prosecutor",'),
          400,
          'bad_request',
        );
      });

      it('a body that is not JSON at all is a 415', async () => {
        await expectRefused(
          () =>
            send(route.method, route.url, 'title=Prosecutor', {
              'content-type': 'application/x-www-form-urlencoded',
            }),
          415,
          'unsupported_media_type',
        );
      });

      it('a body over the size limit is a 413', async () => {
        const limit = route.url === '/v1/registry/import' ? 10 * 1024 * 1024 : 1024 * 1024;
        await expectRefused(
          () => send(route.method, route.url, `{"title": "${'x'.repeat(limit + 1)}"}`),
          413,
          'payload_too_large',
        );
      });

      if (route.valid !== undefined && route.field !== undefined) {
        const { valid, field } = route;
        it(`a wrong type (${field}: 42) is a 400 naming the field`, async () => {
          const body = await expectRefused(
            () => send(route.method, route.url, { ...valid(), [field]: 42 }),
            400,
            'validation_failed',
          );
          expect(body.error.details?.map((detail) => detail.path).join(' ')).toContain(field);
        });

        it('an unknown field is a 400 naming the field', async () => {
          const body = await expectRefused(
            () => send(route.method, route.url, { ...valid(), favouriteColour: 'blue' }),
            400,
            'validation_failed',
          );
          expect(
            body.error.details?.map((detail) => `${detail.path} ${detail.field ?? ''}`).join(' '),
          ).toContain('favouriteColour');
        });
      }

      if (route.unknownIdUrl !== undefined) {
        const { unknownIdUrl } = route;
        it('an unknown id is a 404', async () => {
          const { valid } = route;
          await expectRefused(
            () =>
              valid === undefined
                ? testApp.application.app.inject({ method: route.method, url: unknownIdUrl, headers: admin })
                : send(route.method, unknownIdUrl, valid()),
            404,
            'not_found',
          );
        });
      }
    });
  }
});

describe('hostile strings', () => {
  const injection = `Robert'); DROP TABLE contacts; --`;

  it('SQL in text fields is stored and returned literally', async () => {
    const created = await send('POST', '/v1/contacts', {
      ...newContact(),
      id: 'kg-007',
      title: injection,
      name: { en: `' OR '1'='1`, ru: '"; DELETE FROM contacts WHERE ""="' },
      // E-mail and phone values must look like addresses and numbers; free-text kinds take anything.
      channels: { email: 'x@example.org', fax: `+996 312; DROP TABLE contacts; --` },
    });
    expect(created.statusCode).toBe(201);
    const read = await testApp.application.app.inject({
      method: 'GET',
      url: '/v1/contacts/kg-007',
      headers: admin,
    });
    expect(read.json()).toMatchObject({
      title: injection,
      name: { en: `' OR '1'='1` },
      channels: { fax: `+996 312; DROP TABLE contacts; --` },
    });
    const rows = await testApp.database.handle.db.execute(sql`select count(*)::int as n from contacts`);
    expect(rows).toEqual([{ n: 39 }]);
  });

  it('a phone, e-mail, Telegram or Matrix value that cannot be one is a 400 naming each channel, and changes nothing', async () => {
    const refusal = await expectRefused(
      () =>
        send('PATCH', '/v1/contacts/kg-001', {
          channels: {
            phone: 'call the office',
            email: 'nobody',
            telegram: 'x',
            matrix: 'bob',
            fax: 'ask reception',
          },
        }),
      400,
      'validation_failed',
    );
    const paths = (refusal.error.details as { path: string }[]).map((problem) => problem.path);
    expect(paths).toEqual(['/channels/email', '/channels/matrix', '/channels/phone', '/channels/telegram']);
  });

  it('SQL in ids, filters and paths is refused or simply not found', async () => {
    await expectRefused(
      () => send('POST', '/v1/contacts', { ...newContact(), id: `kg'; DROP TABLE contacts; --` }),
      400,
      'validation_failed',
    );
    const filtered = await testApp.application.app.inject({
      method: 'GET',
      url: `/v1/contacts?competence=${encodeURIComponent(`' OR 1=1 --`)}`,
      headers: admin,
    });
    expect(filtered.json()).toMatchObject({ items: [], total: 0 });
    const path = await testApp.application.app.inject({
      method: 'GET',
      url: `/v1/contacts/${encodeURIComponent(`kg-001' OR '1'='1`)}`,
      headers: admin,
    });
    // Not an id at all: refused before any lookup. A well-formed unknown id is a 404 (above).
    expect(path.statusCode).toBe(400);
  });

  it('references that do not resolve are a 400, not a database error', async () => {
    const body = await expectRefused(
      () =>
        send('POST', '/v1/contacts', {
          ...newContact(),
          authority: 'nowhere',
          country: 'FR',
          competences: ['alchemy'],
        }),
      400,
      'validation_failed',
    );
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: '/authority', message: 'unknown authority "nowhere" (not in /authorities)' },
        { path: '/country', message: 'unknown country "FR" (not in /countries)' },
        { path: '/competences/0', message: 'unknown competence "alchemy" (not in /competences)' },
      ]),
    );
  });

  it('a PATCH that changes nothing, or tries to rename the record, is a 400', async () => {
    await expectRefused(() => send('PATCH', '/v1/contacts/kg-003', {}), 400, 'validation_failed');
    await expectRefused(
      () => send('PATCH', '/v1/contacts/kg-003', { id: 'kg-999' }),
      400,
      'validation_failed',
    );
    await expectRefused(
      () =>
        send('PATCH', '/v1/contacts/kg-003', { workingHours: { days: [1], start: '18:00', end: '09:00' } }),
      400,
      'validation_failed',
    );
    await expectRefused(
      () => send('PATCH', '/v1/contacts/kg-003', { workingHours: null }),
      400,
      'validation_failed',
    );
  });
});
