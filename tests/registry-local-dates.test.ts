// Freshness is judged on the date where a record's country is, the date its verifications are
// recorded on: at 20:30 UTC on Tuesday 1 December 2026 it is already Wednesday 2 December in
// Almaty (UTC+5), so a record verified on 1 December 2025 has just turned stale there, while by
// the UTC date it would stay fresh for one more evening. Requirement sheets, the registry's
// `stale` filter and the freshness statistics all follow that rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, createCaller, fixture, type Caller } from './support/registry-fixture.ts';
import { createTestClock } from './support/test-clock.ts';
import { csrf, sessionCookie } from './support/web-console-client.ts';

/** 20:30 UTC: 2 December in Almaty, Bishkek and Tashkent, still 1 December in UTC. */
const eveningInUtc = '2026-12-01T20:30:00Z';
const clock = createTestClock(eveningInUtc);

let testApp: TestApp;
let kazakhCoordinator: Caller;
let kazakhMember: Caller;

beforeAll(async () => {
  testApp = await startTestApp('registry-local-dates', { clock });
  kazakhCoordinator = await createCaller(testApp.application, 'coordinator', 'KZ');
  kazakhMember = await createCaller(testApp.application, 'member', 'KZ');
});
afterAll(async () => {
  await testApp.close();
});

const call = (caller: Caller, method: 'GET' | 'POST', url: string, payload?: object) =>
  testApp.application.app.inject({
    method,
    url,
    headers: bearer(caller.token),
    ...(payload === undefined ? {} : { payload }),
  });

/** Verification dates are the server's own: set through the registry service, as the system. */
const verifiedOn = (id: string, verifiedAt: string) =>
  testApp.application.registry.updateContact(undefined, id, { verifiedAt } as never);

describe('freshness on the local date', () => {
  it('a Kazakh sheet written that evening is verified on 2 December; one verified on 1 December 2025 is stale, and verifying it records 2 December', async () => {
    clock.set(eveningInUtc);
    // The Kazakh MLA sheet, as the country's default.
    const {
      verifiedAt: _verifiedAt,
      verifiedBy: _verifiedBy,
      ...mla
    } = fixture().requirements?.find((sheet) => sheet.id === 'kz-req-mla') ?? {};
    const created = await call(kazakhCoordinator, 'POST', '/v1/requirements', {
      ...mla,
      id: 'kz-req-default',
      competence: null,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ verifiedAt: '2026-12-02' });

    // Verified a year ago by Almaty's calendar (set as the system: the API never takes the date).
    await testApp.application.registry.updateRequirement(undefined, 'kz-req-default', {
      verifiedAt: '2025-12-01',
    } as never);
    const sheets = (await call(kazakhMember, 'GET', '/v1/requirements?country=KZ')).json<{
      items: { id: string; derived: { stale: boolean } }[];
    }>().items;
    expect(sheets.find((sheet) => sheet.id === 'kz-req-default')?.derived.stale).toBe(true);

    const verified = await call(kazakhCoordinator, 'POST', '/v1/requirements/kz-req-default/verify');
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({ verifiedAt: '2026-12-02' });
    const after = (await call(kazakhMember, 'GET', '/v1/requirements?country=KZ')).json<{
      items: { id: string; derived: { stale: boolean } }[];
    }>().items;
    expect(after.find((sheet) => sheet.id === 'kz-req-default')?.derived.stale).toBe(false);
  });

  it('GET /v1/contacts?stale= lists a Kazakh record verified on 1 December 2025 as stale that evening', async () => {
    clock.set(eveningInUtc);
    await verifiedOn('kz-001', '2025-12-01');
    const ids = async (stale: boolean) =>
      (await call(kazakhMember, 'GET', `/v1/contacts?country=KZ&stale=${String(stale)}`))
        .json<{ items: { id: string }[] }>()
        .items.map((contact) => contact.id);
    expect(await ids(true)).toEqual(['kz-001', 'kz-004']);
    expect(await ids(false)).toEqual(['kz-002', 'kz-003']);
  });

  it('the freshness statistics count six and twelve months back from Almaty’s date', async () => {
    clock.set(eveningInUtc);
    await verifiedOn('kz-001', '2025-12-01');
    // Six months before 2 December is 2 June: a verification of 1 June is older than that.
    await verifiedOn('kz-002', '2026-06-01');
    const response = await call(kazakhCoordinator, 'GET', '/v1/stats/registry');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{
      rows: { country: string; contacts: number; verified6Months: number; verified12Months: number }[];
      monthly: { month: string; share6Months: number | null; share12Months: number | null }[];
    }>();
    // kz-001 (1 December 2025) is past twelve months, kz-002 (1 June) past six, kz-003 fresh,
    // kz-004 (March 2025) neither.
    expect(body.rows).toEqual([
      expect.objectContaining({ country: 'KZ', contacts: 4, verified6Months: 1, verified12Months: 2 }),
    ]);
    // The month in progress ends now, on Almaty's date too.
    expect(body.monthly.at(-1)).toMatchObject({ month: '2026-12', share6Months: 0.25, share12Months: 0.5 });
  });

  it("the console's registry list and contact page mark the record stale, and an absence from 2 December away, that evening", async () => {
    clock.set(eveningInUtc);
    await verifiedOn('kz-002', '2025-12-01');
    await testApp.application.registry.updateContact(undefined, 'kz-002', {
      outOfOffice: { start: '2026-12-02', end: '2026-12-09' },
    });
    const member = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: bearer(testApp.adminToken),
      payload: { name: 'Console Coordinator', country: 'KZ', role: 'coordinator' },
    });
    const invite = await testApp.application.app.inject({
      method: 'POST',
      url: `/v1/members/${member.json<{ id: string }>().id}/invites`,
      headers: bearer(testApp.adminToken),
      payload: {},
    });
    const login = await testApp.application.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: csrf,
      payload: { code: invite.json<{ code: string }>().code },
    });
    expect(login.statusCode).toBe(200);
    const cookies = {
      [sessionCookie]: login.cookies.find((cookie) => cookie.name === sessionCookie)?.value ?? '',
    };
    const page = (url: string) => testApp.application.app.inject({ method: 'GET', url, cookies });
    const name = 'Madina Demo-Seitova';

    const stale = await page('/console/registry?country=KZ&stale=1');
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toContain(name);
    const away = await page('/console/registry?country=KZ&away=1');
    expect(away.body).toContain(name);
    const record = await page('/console/registry/contacts/kz-002');
    expect(record.body).toContain('>stale<');
    expect(record.body).toMatch(/away until/);
  });
});
