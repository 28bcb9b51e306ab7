// Members and API tokens: who may create, read, change and remove whom, and what bad input gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;
let coordinatorKzToken: string;
let memberKzToken: string;
let memberKzId: string;

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string | undefined,
  payload?: unknown,
) =>
  testApp.application.app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

beforeAll(async () => {
  testApp = await startTestApp('members');
  const { members } = testApp.application;
  const coordinator = await members.create(undefined, {
    name: 'Coordinator KZ',
    country: 'KZ',
    role: 'coordinator',
  });
  coordinatorKzToken = (await members.createToken(undefined, coordinator.id, 'test')).token;
  const member = await members.create(undefined, { name: 'Member KZ', country: 'KZ', role: 'member' });
  memberKzId = member.id;
  memberKzToken = (await members.createToken(undefined, member.id, 'test')).token;
});
afterAll(async () => {
  await testApp.close();
});

describe('members API', () => {
  it('an admin creates a member who is the person behind a registry contact', async () => {
    const response = await call('POST', '/v1/members', testApp.adminToken, {
      name: 'Bakyt Demo-Toktogulov',
      country: 'KG',
      role: 'member',
      contactId: 'kg-001',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      id: expect.any(String),
      country: 'KG',
      contactId: 'kg-001',
      role: 'member',
    });
  });

  it('a coordinator creates members of their own country only, and never admins', async () => {
    expect(
      (
        await call('POST', '/v1/members', coordinatorKzToken, {
          name: 'New KZ',
          country: 'kz',
          role: 'member',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await call('POST', '/v1/members', coordinatorKzToken, {
          name: 'New KG',
          country: 'KG',
          role: 'member',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', '/v1/members', coordinatorKzToken, { name: 'Boss', country: 'KZ', role: 'admin' }))
        .statusCode,
    ).toBe(403);
  });

  it('a member cannot create or list members, but reads themself', async () => {
    expect(
      (await call('POST', '/v1/members', memberKzToken, { name: 'X', country: 'KZ', role: 'member' }))
        .statusCode,
    ).toBe(403);
    expect((await call('GET', '/v1/members', memberKzToken)).statusCode).toBe(403);
    const me = await call('GET', '/v1/members/me', memberKzToken);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: memberKzId, role: 'member' });
  });

  it('without a token every members route answers 401 in the error shape', async () => {
    const response = await call('GET', '/v1/members', undefined);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('bad input is refused with a clear 4xx and creates nothing', async () => {
    const before = (await call('GET', '/v1/members?limit=500', testApp.adminToken)).json().total as number;
    const attempts: [unknown, number][] = [
      [{ name: 'A', country: 'KZ', role: 'emperor' }, 400],
      [{ name: 'A', country: 'KZ', role: 'member', extra: 1 }, 400],
      [{ name: 42, country: 'KZ', role: 'member' }, 400],
      [{ name: 'A', country: 'XX', role: 'member' }, 400],
      [{ name: 'A', country: 'KZ', role: 'member', contactId: 'no-such-contact' }, 400],
      [{ name: '', country: 'KZ', role: 'member' }, 400],
    ];
    for (const [payload, status] of attempts) {
      const response = await call('POST', '/v1/members', testApp.adminToken, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(status);
      expect(response.json().error.code).toMatch(/validation_failed|bad_request/);
    }
    const malformed = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: { authorization: `Bearer ${testApp.adminToken}`, 'content-type': 'application/json' },
      payload: '{"name": "A", "country":',
    });
    expect(malformed.statusCode).toBe(400);
    const injection = await call('POST', '/v1/members', testApp.adminToken, {
      name: "Robert'); DROP TABLE members; --",
      country: 'KZ',
      role: 'member',
    });
    expect(injection.statusCode).toBe(201);
    expect(injection.json().name).toBe("Robert'); DROP TABLE members; --");
    const after = (await call('GET', '/v1/members?limit=500', testApp.adminToken)).json().total as number;
    expect(after).toBe(before + 1);
  });

  it('unknown member ids answer 404, ids that cannot be one 400', async () => {
    const unknown = '00000000-0000-0000-0000-000000000000';
    expect((await call('GET', `/v1/members/${unknown}`, testApp.adminToken)).statusCode).toBe(404);
    expect(
      (await call('PATCH', `/v1/members/${unknown}`, testApp.adminToken, { name: 'x' })).statusCode,
    ).toBe(404);
    expect((await call('DELETE', `/v1/tokens/${unknown}`, testApp.adminToken)).statusCode).toBe(404);
    const malformed = await call('PATCH', '/v1/members/nope', testApp.adminToken, { name: 'x' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect(JSON.stringify(malformed.json())).toContain('params/id');
    expect((await call('DELETE', '/v1/tokens/nope', testApp.adminToken)).statusCode).toBe(400);
  });

  it('a token issued by API works once created and stops working when revoked', async () => {
    const issued = await call('POST', `/v1/members/${memberKzId}/tokens`, coordinatorKzToken, {
      label: 'phone',
    });
    expect(issued.statusCode).toBe(201);
    const { id, token } = issued.json<{ id: string; token: string }>();
    expect((await call('GET', '/v1/members/me', token)).statusCode).toBe(200);
    const listed = await call('GET', `/v1/members/${memberKzId}/tokens`, memberKzToken);
    expect(JSON.stringify(listed.json())).not.toContain(token);
    expect((await call('DELETE', `/v1/tokens/${id}`, memberKzToken)).statusCode).toBe(204);
    expect((await call('GET', '/v1/members/me', token)).statusCode).toBe(401);
  });

  it('a removed member loses access; the record stays for the audit trail', async () => {
    const created = await call('POST', '/v1/members', testApp.adminToken, {
      name: 'Leaving',
      country: 'KZ',
      role: 'member',
    });
    const id = created.json<{ id: string }>().id;
    const token = (await call('POST', `/v1/members/${id}/tokens`, testApp.adminToken, { label: 'x' })).json()
      .token as string;
    expect((await call('DELETE', `/v1/members/${id}`, coordinatorKzToken)).statusCode).toBe(204);
    expect((await call('GET', '/v1/members/me', token)).statusCode).toBe(401);
    const verified = await testApp.application.audit.verify();
    expect(verified.problems).toEqual([]);
  });
});
