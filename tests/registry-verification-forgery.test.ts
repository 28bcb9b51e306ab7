// Who verified a record, and when, belongs to the server (issue #10): a coordinator cannot date a
// contact's verification back or forward, nor put someone else's name on it. Only verifying
// records it (to the caller and today); an admin's registry import carries the dates of the file,
// but never a date in the future.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import {
  bearer,
  createCaller,
  fixture,
  registryFingerprint,
  type Caller,
} from './support/registry-fixture.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

let testApp: TestApp;
let coordinator: Caller;
const today = demoDay.slice(0, 10);

beforeAll(async () => {
  testApp = await startTestApp('verification-forgery', { clock: createTestClock(demoDay) });
  coordinator = await createCaller(testApp.application, 'coordinator', 'KG');
});
afterAll(async () => {
  await testApp.close();
});

const call = (token: string, method: 'POST' | 'PATCH', url: string, payload?: unknown) =>
  testApp.application.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

interface Refusal {
  error: { code: string; details?: { path: string; message: string; field?: string }[] };
}

/** A 400 naming every one of `fields`, and the registry as it was. */
async function expectRefused(send: () => ReturnType<typeof call>, fields: string[]): Promise<Refusal> {
  const before = await registryFingerprint(testApp.database.handle);
  const response = await send();
  expect(response.statusCode, response.body.slice(0, 300)).toBe(400);
  const body = response.json<Refusal>();
  expect(body.error.code).toBe('validation_failed');
  const named = JSON.stringify(body.error.details);
  for (const field of fields) expect(named).toContain(field);
  expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  return body;
}

const newContact = () => {
  const { verifiedAt: _verifiedAt, ...template } = fixture().contacts.find(
    (contact) => contact.id === 'kg-003',
  )!;
  return { ...template, id: 'kg-050', name: { en: 'Nurlan Demo-Asanov' } };
};

describe('a coordinator cannot forge a verification', () => {
  it('a new contact that names its own verifier or date is refused, naming both fields', async () => {
    const refusal = await expectRefused(
      () =>
        call(coordinator.token, 'POST', '/v1/contacts', {
          ...newContact(),
          verifiedAt: '2026-11-30',
          verifiedBy: 'the minister',
        }),
      ['verifiedAt', 'verifiedBy'],
    );
    expect(refusal.error.details?.map((detail) => detail.message).join(' ')).toContain('set by the server');
  });

  it('a change that backdates, postdates or reassigns the verification is refused', async () => {
    for (const forged of [
      { verifiedAt: '2026-11-30' },
      { verifiedAt: '2099-01-01' },
      { verifiedBy: coordinator.memberId },
      { title: 'Senior Prosecutor', verifiedAt: today },
    ]) {
      await expectRefused(
        () => call(coordinator.token, 'PATCH', '/v1/contacts/kg-003', forged),
        Object.keys(forged).filter((key) => key.startsWith('verified')),
      );
    }
  });

  it('a new contact counts as verified today by its creator; verifying records the caller and today', async () => {
    const created = await call(coordinator.token, 'POST', '/v1/contacts', newContact());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ verifiedAt: today, verifiedBy: coordinator.memberId });

    const stale = testApp.application.registry.snapshot().contactById.get('kg-003');
    expect(stale?.verifiedAt).not.toBe(today);
    const verified = await call(coordinator.token, 'POST', '/v1/contacts/kg-003/verify');
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ verifiedAt: today, verifiedBy: coordinator.memberId });
  });
});

describe('a registry import', () => {
  it('by an admin keeps the dates and verifiers of the file', async () => {
    const file = fixture();
    Object.assign(file.contacts[0]!, { verifiedAt: '2026-06-01', verifiedBy: 'secretariat audit 2026' });
    const imported = await call(testApp.adminToken, 'POST', '/v1/registry/import', file);
    expect(imported.statusCode, imported.body.slice(0, 300)).toBe(200);
    const contact = testApp.application.registry.snapshot().contactById.get(file.contacts[0]!.id);
    expect(contact).toMatchObject({ verifiedAt: '2026-06-01', verifiedBy: 'secretariat audit 2026' });
  });

  it('refuses a verification date in the future, naming the record, and changes nothing', async () => {
    const file = fixture();
    file.contacts[2]!.verifiedAt = '2026-12-03';
    const requirement = file.requirements?.[0];
    if (requirement !== undefined) requirement.verifiedAt = '2027-01-01';
    const refusal = await expectRefused(
      () => call(testApp.adminToken, 'POST', '/v1/registry/import', file),
      ['/contacts/2/verifiedAt', ...(requirement === undefined ? [] : ['/requirements/0/verifiedAt'])],
    );
    expect(JSON.stringify(refusal)).toContain('in the future');
  });

  it('by a coordinator is not allowed at all', async () => {
    const response = await call(coordinator.token, 'POST', '/v1/registry/import', fixture());
    expect(response.statusCode).toBe(403);
  });
});
