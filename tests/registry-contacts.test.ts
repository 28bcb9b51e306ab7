// Members look contacts up; coordinators keep their country's records true.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactRecord } from '../src/registry/index.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, createCaller, exported, fixture, type Caller } from './support/registry-fixture.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

let testApp: TestApp;
let admin: Caller;
let kyrgyzCoordinator: Caller;
let kyrgyzMember: Caller;
// The demo registry's day: which records are stale does not depend on when the suite runs.
const clock = createTestClock(demoDay);

beforeAll(async () => {
  testApp = await startTestApp('registry-contacts', { clock });
  admin = await createCaller(testApp.application, 'admin', 'KZ');
  kyrgyzCoordinator = await createCaller(testApp.application, 'coordinator', 'KG');
  kyrgyzMember = await createCaller(testApp.application, 'member', 'KG');
});
afterAll(async () => {
  await testApp.close();
});

const call = (caller: Caller, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  testApp.application.app.inject({
    method,
    url,
    headers: bearer(caller.token),
    ...(payload === undefined ? {} : { payload }),
  });

const ids = (body: unknown) => (body as { items: { id: string }[] }).items.map((item) => item.id);
const today = () => clock.now().toISOString().slice(0, 10);
const fixtureContact = (id: string) => fixture().contacts.find((contact) => contact.id === id)!;

describe('reading contacts', () => {
  it('a member asks who handles extradition in Kyrgyzstan and gets the records in registry format', async () => {
    const response = await call(kyrgyzMember, 'GET', '/v1/contacts?country=KG&competence=extradition');
    expect(response.statusCode).toBe(200);
    const body = response.json<{ items: ContactRecord[]; total: number; limit: number; offset: number }>();
    // Current records only: the retired former head of the unit (kg-004) is not listed.
    expect(ids(body)).toEqual(['kg-001', 'kg-002']);
    expect(body).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(body.items[1]).toEqual(fixtureContact('kg-002'));
    const lowerCase = await call(kyrgyzMember, 'GET', '/v1/contacts?country=kg&competence=extradition');
    expect(ids(lowerCase.json())).toEqual(['kg-001', 'kg-002']);
  });

  it('lists retired and suspended records only when asked for them', async () => {
    const list = async (query: string) =>
      ids((await call(kyrgyzMember, 'GET', `/v1/contacts?${query}`)).json());
    expect(await list('country=KG&competence=extradition&status=all')).toEqual([
      'kg-001',
      'kg-002',
      'kg-004',
    ]);
    expect(await list('country=KG&competence=extradition&status=retired')).toEqual(['kg-004']);
    expect(await list('country=KG&competence=extradition&status=active')).toEqual(['kg-001', 'kg-002']);
    const current = fixture().contacts.filter((contact) => contact.status === 'active');
    expect(current.length).toBeLessThan(fixture().contacts.length);
    expect(await list('limit=500')).toEqual(current.map((contact) => contact.id));
  });

  it('filters by status and authority, and pages through the whole registry in file order', async () => {
    expect(ids((await call(kyrgyzMember, 'GET', '/v1/contacts?country=KG&status=retired')).json())).toEqual([
      'kg-004',
    ]);
    expect(ids((await call(kyrgyzMember, 'GET', '/v1/contacts?authority=kz-gpo-arc')).json())).toEqual([
      'kz-003',
    ]);
    const page = (await call(kyrgyzMember, 'GET', '/v1/contacts?status=all&limit=5&offset=5')).json();
    expect(page).toMatchObject({ total: 38, limit: 5, offset: 5 });
    expect(ids(page)).toEqual(
      fixture()
        .contacts.slice(5, 10)
        .map((contact) => contact.id),
    );
    const all = (await call(kyrgyzMember, 'GET', '/v1/contacts?status=all&limit=500')).json();
    expect(ids(all)).toEqual(fixture().contacts.map((contact) => contact.id));
    expect((await call(kyrgyzMember, 'GET', '/v1/contacts?country=XX')).json()).toMatchObject({
      items: [],
      total: 0,
    });
    for (const bad of [
      'limit=0',
      'limit=501',
      'offset=-1',
      'limit=ten',
      'status=gone',
      'stale=maybe',
      'country=KGZ',
      'colour=red',
    ]) {
      const response = await call(kyrgyzMember, 'GET', `/v1/contacts?${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code, bad).toBe('validation_failed');
    }
  });

  it('lists records verified more than twelve months ago as stale', async () => {
    const cutoff = clock.now();
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 1);
    const expected = fixture()
      .contacts.filter(
        (contact) => contact.status === 'active' && contact.verifiedAt < cutoff.toISOString().slice(0, 10),
      )
      .map((contact) => contact.id);
    const stale = ids((await call(kyrgyzMember, 'GET', '/v1/contacts?stale=true&status=active')).json());
    expect(stale).toEqual(expected);
    expect(stale).toEqual(expect.arrayContaining(['kz-004', 'tj-002', 'am-003']));
    expect(stale).toEqual(['kz-004', 'tj-002', 'am-003']);
    const fresh = ids(
      (await call(kyrgyzMember, 'GET', '/v1/contacts?stale=false&status=active&limit=500')).json(),
    );
    expect(fresh).not.toContain('kz-004');
    expect(fresh.length + stale.length).toBe(
      fixture().contacts.filter((contact) => contact.status === 'active').length,
    );
  });

  it('reads one contact, countries with English and Russian names, competences, authorities and treaties', async () => {
    expect((await call(kyrgyzMember, 'GET', '/v1/contacts/kg-002')).json()).toEqual(fixtureContact('kg-002'));
    const missing = await call(kyrgyzMember, 'GET', '/v1/contacts/kg-999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');

    const countries = (await call(kyrgyzMember, 'GET', '/v1/countries')).json();
    expect(countries.total).toBe(15);
    expect(countries.items[1]).toEqual({
      iso2: 'KG',
      name: { en: 'Kyrgyzstan', ru: 'Киргизия' },
      timezone: 'Asia/Bishkek',
      languages: ['ky', 'ru'],
      capital: 'Bishkek',
    });
    expect((await call(kyrgyzMember, 'GET', '/v1/competences')).json().items).toEqual(fixture().competences);
    const armenia = (
      await call(kyrgyzMember, 'GET', '/v1/authorities?country=am&competence=extradition')
    ).json();
    expect(ids(armenia).length).toBeGreaterThan(0);
    for (const authority of armenia.items) expect(authority.centralAuthorityFor).toContain('extradition');
    expect((await call(kyrgyzMember, 'GET', '/v1/authorities/kz-gpo')).json()).toEqual(
      fixture().authorities[0],
    );
    const treaties = ids(
      (await call(kyrgyzMember, 'GET', '/v1/treaties?country=KG&competence=extradition')).json(),
    );
    expect(treaties).toEqual(['untoc', 'uncac', 'minsk-1993', 'chisinau-2002']);
    expect((await call(kyrgyzMember, 'GET', '/v1/treaties/untoc')).json()).toEqual(fixture().treaties[0]);
  });

  it('every token-authenticated read is audited with its filters and the member who read', async () => {
    await call(kyrgyzMember, 'GET', '/v1/contacts?country=KG&competence=mla');
    await testApp.application.audit.flush();
    const rows = await testApp.database.handle.db.execute<{
      actor: string;
      details: Record<string, unknown>;
    }>(
      sql`select actor, details from audit_log where action = 'registry.read' and subject = 'contacts' order by seq desc limit 1`,
    );
    const [latest] = rows as { actor: string; details: Record<string, unknown> }[];
    expect(latest?.actor).toBe(`member:${kyrgyzMember.memberId}`);
    expect(latest?.details).toMatchObject({ country: 'KG', competence: 'mla' });
    expect(latest?.details.tokenId).toEqual(expect.any(String));
  });
});

describe('changing contacts', () => {
  it('a coordinator changes the working hours of a contact of their country', async () => {
    const workingHours = { days: [1, 2, 3, 4], start: '08:30', end: '17:00' };
    const response = await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-003', { workingHours });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ...fixtureContact('kg-003'), workingHours });
    expect((await call(kyrgyzMember, 'GET', '/v1/contacts/kg-003')).json().workingHours).toEqual(
      workingHours,
    );
    expect(testApp.application.registry.snapshot().contactById.get('kg-003')?.workingHours).toEqual(
      workingHours,
    );
    const audited = await testApp.database.handle.db.execute(
      sql`select actor, details from audit_log where action = 'contact.update' and subject = 'contact:kg-003'`,
    );
    expect(audited).toContainEqual(
      expect.objectContaining({
        actor: `member:${kyrgyzCoordinator.memberId}`,
        details: { country: 'KG', fields: ['workingHours'] },
      }),
    );
  });

  it('a list read again after a change shows the change, though pages are remembered between changes', async () => {
    const query = '/v1/contacts?country=KG&competence=mla&limit=20';
    const before = await call(kyrgyzMember, 'GET', query);
    const again = await call(kyrgyzMember, 'GET', query);
    expect(again.body).toBe(before.body);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    const title = { en: 'Prosecutor (mutual legal assistance)', ru: 'Прокурор (взаимная правовая помощь)' };
    expect((await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-003', { title })).statusCode).toBe(200);
    const after = (await call(kyrgyzMember, 'GET', query)).json<{ items: ContactRecord[] }>();
    expect(after.items.find((contact) => contact.id === 'kg-003')?.title).toEqual(title);
    const original = { title: fixtureContact('kg-003').title };
    expect((await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-003', original)).statusCode).toBe(200);
    expect((await call(kyrgyzMember, 'GET', query)).body).toBe(before.body);
  });

  it('a contact going on leave names a deputy; a deputy who does not exist is refused with the field named', async () => {
    const leave = {
      outOfOffice: { start: '2026-12-20', end: '2027-01-05', note: 'Winter leave' },
      deputy: 'kg-002',
    };
    const response = await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-001', leave);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject(leave);

    const before = await exported(testApp.application);
    const refused = await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-001', { deputy: 'kg-404' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      { path: '/deputy', message: 'unknown contact "kg-404" (not in /contacts)' },
    ]);
    const backwards = await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-001', {
      outOfOffice: { start: '2027-01-05', end: '2026-12-20' },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details).toEqual([
      { path: '/outOfOffice/end', message: 'must not be before start (2027-01-05)' },
    ]);
    expect(await exported(testApp.application)).toEqual(before);

    const back = await call(kyrgyzCoordinator, 'PATCH', '/v1/contacts/kg-001', {
      outOfOffice: null,
      deputy: null,
    });
    expect(back.json()).toMatchObject({ outOfOffice: null, deputy: null });
  });

  it('a coordinator adds a contact with a chosen id; it counts as verified by them today', async () => {
    const { verifiedAt: _verifiedAt, ...template } = fixtureContact('kg-003');
    const created = await call(kyrgyzCoordinator, 'POST', '/v1/contacts', {
      ...template,
      id: 'kg-005',
      name: { en: 'Aibek Demo-Tokonov', ru: 'Айбек Демо-Токонов' },
      competences: ['extradition'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'kg-005',
      verifiedAt: today(),
      verifiedBy: kyrgyzCoordinator.memberId,
    });
    expect(
      ids((await call(kyrgyzMember, 'GET', '/v1/contacts?country=KG&competence=extradition')).json()),
    ).toContain('kg-005');
    const again = await call(kyrgyzCoordinator, 'POST', '/v1/contacts', { ...template, id: 'kg-005' });
    expect(again.statusCode).toBe(409);
  });

  it('a coordinator verifies a stale record: who and when are recorded and it is no longer stale', async () => {
    const stale = await call(admin, 'GET', '/v1/contacts?stale=true');
    expect(ids(stale.json())).toContain('kz-004');
    const response = await call(admin, 'POST', '/v1/contacts/kz-004/verify');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'kz-004', verifiedAt: today(), verifiedBy: admin.memberId });
    expect(ids((await call(admin, 'GET', '/v1/contacts?stale=true')).json())).not.toContain('kz-004');
    expect(testApp.application.registry.snapshot().contactById.get('kz-004')?.verifiedBy).toBe(
      admin.memberId,
    );
  });

  it('a contact still named as deputy cannot be removed; an unreferenced one can', async () => {
    const refused = await call(kyrgyzCoordinator, 'DELETE', '/v1/contacts/kg-001');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details).toEqual([
      { path: '/contacts/5/deputy', message: 'contact "kg-002" names it as deputy' },
    ]);
    expect((await call(kyrgyzCoordinator, 'DELETE', '/v1/contacts/kg-005')).statusCode).toBe(204);
    expect((await call(kyrgyzMember, 'GET', '/v1/contacts/kg-005')).statusCode).toBe(404);
    expect((await call(kyrgyzCoordinator, 'DELETE', '/v1/contacts/kg-005')).statusCode).toBe(404);
  });

  it('a contact linked to a member cannot be removed', async () => {
    await testApp.application.members.create(undefined, {
      name: 'Person behind kg-003',
      country: 'KG',
      role: 'member',
      contactId: 'kg-003',
    });
    const refused = await call(kyrgyzCoordinator, 'DELETE', '/v1/contacts/kg-003');
    expect(refused.statusCode).toBe(409);
    expect((await call(kyrgyzMember, 'GET', '/v1/contacts/kg-003')).statusCode).toBe(200);
  });
});

describe('changing authorities and treaties', () => {
  const authority = {
    id: 'kg-mvd',
    country: 'KG',
    name: {
      en: 'Ministry of Internal Affairs of the Kyrgyz Republic',
      ru: 'Министерство внутренних дел Кыргызской Республики',
    },
    kind: 'police',
    centralAuthorityFor: [],
    stages: ['pre_trial'],
    requestLanguages: ['ky', 'ru'],
    acceptedChannels: ['post'],
    urgentProcedure: null,
  };

  it('a coordinator adds, renames and removes an authority of their country', async () => {
    expect((await call(kyrgyzCoordinator, 'POST', '/v1/authorities', authority)).statusCode).toBe(201);
    const renamed = await call(kyrgyzCoordinator, 'PATCH', '/v1/authorities/kg-mvd', { kind: 'ministry' });
    expect(renamed.json()).toEqual({ ...authority, kind: 'ministry' });
    expect((await call(kyrgyzCoordinator, 'DELETE', '/v1/authorities/kg-mvd')).statusCode).toBe(204);
    expect((await call(kyrgyzMember, 'GET', '/v1/authorities/kg-mvd')).statusCode).toBe(404);
  });

  it('an authority with contacts cannot be removed, nor moved to a country its contacts are not in', async () => {
    const refused = await call(admin, 'DELETE', '/v1/authorities/kg-gpo');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.details.length).toBeGreaterThan(0);
    const moved = await call(admin, 'PATCH', '/v1/authorities/kg-gpo', { country: 'KZ' });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error.details[0].message).toContain('is not the country of authority "kg-gpo" (KZ)');
  });

  it('an admin adds, changes and removes a treaty; its parties must be registry countries', async () => {
    const treaty = {
      id: 'kg-kz-2024',
      name: { en: 'Kyrgyzstan-Kazakhstan extradition treaty (demo)' },
      covers: ['extradition'],
      parties: ['KG', 'KZ'],
    };
    expect((await call(admin, 'POST', '/v1/treaties', treaty)).statusCode).toBe(201);
    const widened = await call(admin, 'PATCH', '/v1/treaties/kg-kz-2024', { covers: ['extradition', 'mla'] });
    expect(widened.json()).toEqual({ ...treaty, covers: ['extradition', 'mla'] });
    const unknownParty = await call(admin, 'PATCH', '/v1/treaties/kg-kz-2024', { parties: ['KG', 'FR'] });
    expect(unknownParty.statusCode).toBe(400);
    expect(unknownParty.json().error.details).toEqual([
      { path: '/parties/1', message: 'unknown country "FR" (not in /countries)' },
    ]);
    expect((await call(admin, 'DELETE', '/v1/treaties/kg-kz-2024')).statusCode).toBe(204);
  });
});
