// Who may do what with the registry: every endpoint against every role. A refused request
// changes nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  bearer,
  createCaller,
  fixture,
  registryFingerprint,
  type Caller,
} from './support/registry-fixture.ts';

type Role = 'anonymous' | 'member' | 'otherCoordinator' | 'coordinator' | 'admin';
const roles: readonly Role[] = ['anonymous', 'member', 'otherCoordinator', 'coordinator', 'admin'];

let testApp: TestApp;
const callers = {} as Record<Exclude<Role, 'anonymous'>, Caller>;

beforeAll(async () => {
  testApp = await startTestApp('registry-authz');
  callers.member = await createCaller(testApp.application, 'member', 'KG');
  callers.otherCoordinator = await createCaller(testApp.application, 'coordinator', 'KZ');
  callers.coordinator = await createCaller(testApp.application, 'coordinator', 'KG');
  callers.admin = await createCaller(testApp.application, 'admin', 'KZ');
});
afterAll(async () => {
  await testApp.close();
});

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Built per role, so each allowed write acts on its own record. */
  url: (role: Role) => string;
  body?: (role: Role) => object;
  /** Creates what the request needs (e.g. a record to delete), as the system. */
  setup?: (role: Role) => Promise<void>;
  expected: Record<Role, number>;
}

const read = { anonymous: 401, member: 200, otherCoordinator: 200, coordinator: 200, admin: 200 };
const kyrgyzWrite = (ok: number) => ({
  anonymous: 401,
  member: 403,
  otherCoordinator: 403,
  coordinator: ok,
  admin: ok,
});
const adminOnly = (ok: number) => ({
  anonymous: 401,
  member: 403,
  otherCoordinator: 403,
  coordinator: 403,
  admin: ok,
});

const contactFor = (role: Role) => {
  const { verifiedAt: _verifiedAt, ...template } = fixture().contacts.find(
    (contact) => contact.id === 'kg-003',
  )!;
  return { ...template, id: `kg-authz-${role.toLowerCase()}` };
};
const authorityFor = (role: Role) => ({
  ...fixture().authorities.find((authority) => authority.id === 'kg-gpo')!,
  id: `kg-authz-${role.toLowerCase()}`,
});
const treatyFor = (role: Role) => ({
  id: `authz-${role.toLowerCase()}`,
  name: { en: 'A treaty' },
  covers: ['mla'],
  parties: ['KG', 'KZ'],
});

const cases: Case[] = [
  { name: 'list countries', method: 'GET', url: () => '/v1/countries', expected: read },
  { name: 'list competences', method: 'GET', url: () => '/v1/competences', expected: read },
  { name: 'list authorities', method: 'GET', url: () => '/v1/authorities?country=KG', expected: read },
  { name: 'read an authority', method: 'GET', url: () => '/v1/authorities/kg-gpo', expected: read },
  {
    name: 'list contacts',
    method: 'GET',
    url: () => '/v1/contacts?country=KG&competence=extradition',
    expected: read,
  },
  { name: 'read a contact', method: 'GET', url: () => '/v1/contacts/kg-001', expected: read },
  { name: 'list treaties', method: 'GET', url: () => '/v1/treaties', expected: read },
  { name: 'read a treaty', method: 'GET', url: () => '/v1/treaties/untoc', expected: read },
  {
    name: 'add a Kyrgyz contact',
    method: 'POST',
    url: () => '/v1/contacts',
    body: contactFor,
    expected: kyrgyzWrite(201),
  },
  {
    name: 'change a Kyrgyz contact',
    method: 'PATCH',
    url: () => '/v1/contacts/kg-003',
    body: (role) => ({ title: `Prosecutor (edited by ${role})` }),
    expected: kyrgyzWrite(200),
  },
  {
    name: 'move a Kyrgyz contact to Kazakhstan',
    method: 'PATCH',
    url: () => '/v1/contacts/kg-003',
    body: () => ({ country: 'KZ', authority: 'kz-gpo' }),
    expected: { anonymous: 401, member: 403, otherCoordinator: 403, coordinator: 403, admin: 200 },
  },
  {
    name: 'verify a Kyrgyz contact',
    method: 'POST',
    url: () => '/v1/contacts/kg-001/verify',
    expected: kyrgyzWrite(200),
  },
  {
    name: 'remove a Kyrgyz contact',
    method: 'DELETE',
    url: (role) => `/v1/contacts/kg-authz-del-${role.toLowerCase()}`,
    setup: async (role) => {
      await testApp.application.registry.createContact(undefined, {
        ...contactFor(role),
        id: `kg-authz-del-${role.toLowerCase()}`,
      });
    },
    expected: kyrgyzWrite(204),
  },
  {
    name: 'add a Kyrgyz authority',
    method: 'POST',
    url: () => '/v1/authorities',
    body: authorityFor,
    expected: kyrgyzWrite(201),
  },
  {
    name: 'change a Kyrgyz authority',
    method: 'PATCH',
    url: () => '/v1/authorities/kg-gpo',
    body: (role) => ({ urgentProcedure: `Call ahead (${role})` }),
    expected: kyrgyzWrite(200),
  },
  {
    name: 'remove a Kyrgyz authority',
    method: 'DELETE',
    url: (role) => `/v1/authorities/kg-authz-del-${role.toLowerCase()}`,
    setup: async (role) => {
      await testApp.application.registry.createAuthority(undefined, {
        ...authorityFor(role),
        id: `kg-authz-del-${role.toLowerCase()}`,
      });
    },
    expected: kyrgyzWrite(204),
  },
  {
    name: 'add a treaty',
    method: 'POST',
    url: () => '/v1/treaties',
    body: treatyFor,
    expected: adminOnly(201),
  },
  {
    name: 'change a treaty',
    method: 'PATCH',
    url: () => '/v1/treaties/minsk-1993',
    body: () => ({ covers: ['mla', 'extradition'] }),
    expected: adminOnly(200),
  },
  {
    name: 'remove a treaty',
    method: 'DELETE',
    url: (role) => `/v1/treaties/authz-del-${role.toLowerCase()}`,
    setup: async (role) => {
      await testApp.application.registry.createTreaty(undefined, {
        ...treatyFor(role),
        id: `authz-del-${role.toLowerCase()}`,
      });
    },
    expected: adminOnly(204),
  },
  {
    name: 'dry-run an import',
    method: 'POST',
    url: () => '/v1/registry/import?dryRun=true',
    body: () => fixture(),
    expected: adminOnly(200),
  },
  { name: 'export the registry', method: 'GET', url: () => '/v1/registry/export', expected: adminOnly(200) },
];

describe('registry authorization matrix', () => {
  for (const testCase of cases) {
    it(`${testCase.name}: ${roles.map((role) => `${role} ${testCase.expected[role]}`).join(', ')}`, async () => {
      for (const role of roles) {
        await testCase.setup?.(role);
        const before = await registryFingerprint(testApp.database.handle);
        const response = await testApp.application.app.inject({
          method: testCase.method,
          url: testCase.url(role),
          headers: role === 'anonymous' ? {} : bearer(callers[role].token),
          ...(testCase.body === undefined ? {} : { payload: testCase.body(role) }),
        });
        expect(response.statusCode, `${role}: ${response.body.slice(0, 200)}`).toBe(testCase.expected[role]);
        if (response.statusCode >= 400) {
          expect(response.json().error.code).toBe(response.statusCode === 401 ? 'unauthorized' : 'forbidden');
          expect(await registryFingerprint(testApp.database.handle), `${role} changed nothing`).toBe(before);
        } else if (testCase.method !== 'GET' && !testCase.url(role).includes('dryRun')) {
          expect(await registryFingerprint(testApp.database.handle), `${role} changed the registry`).not.toBe(
            before,
          );
        }
      }
    });
  }

  it('a coordinator writing another country is told which country they may change', async () => {
    const response = await testApp.application.app.inject({
      method: 'PATCH',
      url: '/v1/contacts/kz-001',
      headers: bearer(callers.coordinator.token),
      payload: { title: 'Not yours' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toBe('you may change contacts of your own country (KG) only');
  });

  it('a token revoked elsewhere (another process, the CLI, or by hand in SQL) stops working within moments', async () => {
    const issued = await testApp.application.members.createToken(
      undefined,
      callers.member.memberId,
      'revoked-elsewhere',
    );
    const read = () =>
      testApp.application.app.inject({
        method: 'GET',
        url: '/v1/contacts?country=KG',
        headers: bearer(issued.token),
      });
    expect((await read()).statusCode).toBe(200);
    // Straight to the database, bypassing this process: only the members_changed NOTIFY tells it.
    await testApp.database.handle.db.execute(
      sql`update api_tokens set revoked_at = now() where id = ${issued.id}`,
    );
    await expect.poll(async () => (await read()).statusCode, { timeout: 20_000 }).toBe(401);
  });

  it('a revoked or unknown token reads nothing', async () => {
    const issued = await testApp.application.members.createToken(
      undefined,
      callers.member.memberId,
      'short-lived',
    );
    await testApp.application.members.revokeToken(undefined, issued.id);
    for (const token of [issued.token, 'cpt_not-a-real-token']) {
      const response = await testApp.application.app.inject({
        method: 'GET',
        url: '/v1/contacts?country=KG',
        headers: bearer(token),
      });
      expect(response.statusCode).toBe(401);
    }
  });
});
