// What a country needs in a request: sheets in the registry file, read by members, kept by the
// country's coordinators, imported and exported like the rest of the registry.
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

let testApp: TestApp;
let admin: Caller;
let kazakhMember: Caller;
let uzbekCoordinator: Caller;
let kyrgyzCoordinator: Caller;

beforeAll(async () => {
  testApp = await startTestApp('requirements-api');
  admin = await createCaller(testApp.application, 'admin', 'KZ');
  kazakhMember = await createCaller(testApp.application, 'member', 'KZ');
  uzbekCoordinator = await createCaller(testApp.application, 'coordinator', 'UZ');
  kyrgyzCoordinator = await createCaller(testApp.application, 'coordinator', 'KG');
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

interface SheetItem {
  id: string;
  country: string;
  competence: string | null;
  languages: string[];
  centralAuthorities: { authority: string; stages?: string[] }[];
  derived: { fallbackFor: string | null; stale: boolean; legalBases: { id: string }[] };
}
const items = (body: unknown) => (body as { items: SheetItem[] }).items;

describe('reading requirement sheets', () => {
  it('a Kazakh prosecutor asks what Uzbekistan needs for an MLA request and gets the sheet with the treaties both share', async () => {
    const response = await call(kazakhMember, 'GET', '/v1/requirements?country=uz&competence=mla');
    expect(response.statusCode).toBe(200);
    const [sheet, ...rest] = items(response.json());
    expect(rest).toEqual([]);
    expect(sheet).toMatchObject({
      id: 'uz-req-mla',
      country: 'UZ',
      competence: 'mla',
      languages: ['uz', 'ru'],
    });
    expect(sheet?.derived.fallbackFor).toBeNull();
    expect(sheet?.derived.stale).toBe(false);
    expect(sheet?.derived.legalBases.map((treaty) => treaty.id)).toEqual([
      'untoc',
      'uncac',
      'minsk-1993',
      'chisinau-2002',
    ]);
  });

  it('legal bases follow the asker: Georgia and Armenia share the Council of Europe conventions', async () => {
    const response = await call(
      kazakhMember,
      'GET',
      '/v1/requirements?country=AM&competence=mla&askerCountry=GE',
    );
    expect(items(response.json())[0]?.derived.legalBases.map((treaty) => treaty.id)).toEqual([
      'untoc',
      'uncac',
      'minsk-1993',
      'coe-mla-1959',
      'budapest-2001',
    ]);
  });

  it('Armenia splits its central authority by stage, and the sheet says so', async () => {
    const response = await call(kazakhMember, 'GET', '/v1/requirements?country=AM&competence=extradition');
    expect(items(response.json())[0]?.centralAuthorities).toEqual([
      { authority: 'am-gpo', stages: ['pre_trial'] },
      { authority: 'am-moj', stages: ['trial', 'enforcement'] },
    ]);
  });

  it('old sheets are flagged stale, and a country without sheets answers with none', async () => {
    const turkmen = items(
      (await call(kazakhMember, 'GET', '/v1/requirements?country=TM&competence=mla')).json(),
    );
    expect(turkmen[0]?.derived.stale).toBe(true);
    const dutch = await call(kazakhMember, 'GET', '/v1/requirements?country=NL&competence=mla');
    expect(dutch.json()).toMatchObject({ items: [], total: 0 });
  });

  it('every sheet of a country without a competence filter, and one by id', async () => {
    const all = items((await call(kazakhMember, 'GET', '/v1/requirements?country=KG')).json());
    expect(all.map((sheet) => sheet.competence)).toEqual([
      'mla',
      'extradition',
      'digital_evidence',
      'asset_recovery',
    ]);
    const one = await call(kazakhMember, 'GET', '/v1/requirements/kg-req-extradition');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(fixture().requirements?.find((sheet) => sheet.id === 'kg-req-extradition'));
    expect((await call(kazakhMember, 'GET', '/v1/requirements/kg-req-nothing')).statusCode).toBe(404);
  });

  it('bad filters are refused with validation_failed', async () => {
    for (const bad of ['country=UZB', 'askerCountry=1', 'limit=0', 'colour=red']) {
      const response = await call(kazakhMember, 'GET', `/v1/requirements?${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code, bad).toBe('validation_failed');
    }
    const anonymous = await testApp.application.app.inject({ method: 'GET', url: '/v1/requirements' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('keeping sheets true', () => {
  const countryWide = {
    id: 'uz-req-default',
    country: 'UZ',
    competence: null,
    centralAuthorities: [{ authority: 'uz-gpo' }],
    languages: ['uz', 'ru'],
    certifiedTranslation: true,
    channels: ['post', 'diplomatic'],
    elements: [
      { id: 'summary_of_facts' },
      { id: 'court_stamp', label: { en: 'Court stamp', ru: 'Печать суда' }, required: false },
    ],
    documents: [],
    urgentRoute: null,
    returnReasons: [{ en: 'No translation.', ru: 'Нет перевода.' }],
    retention: null,
  };

  it("Uzbekistan's coordinator adds a country-wide sheet: it answers competences without a sheet of their own", async () => {
    const before = await registryFingerprint(testApp.database.handle);
    const created = await call(uzbekCoordinator, 'POST', '/v1/requirements', countryWide);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: 'uz-req-default', verifiedBy: uzbekCoordinator.memberId });
    expect(await registryFingerprint(testApp.database.handle)).not.toBe(before);
    const jit = items((await call(kazakhMember, 'GET', '/v1/requirements?country=UZ&competence=jit')).json());
    expect(jit.map((sheet) => [sheet.id, sheet.derived.fallbackFor])).toEqual([['uz-req-default', 'jit']]);
    const mla = items((await call(kazakhMember, 'GET', '/v1/requirements?country=UZ&competence=mla')).json());
    expect(mla.map((sheet) => sheet.id)).toEqual(['uz-req-mla']);
  });

  it('another country, a member, verification fields and a second default sheet are all refused, and nothing changes', async () => {
    const before = await registryFingerprint(testApp.database.handle);
    const foreign = await call(kyrgyzCoordinator, 'PATCH', '/v1/requirements/uz-req-mla', {
      certifiedTranslation: false,
    });
    expect(foreign.statusCode).toBe(403);
    const member = await call(kazakhMember, 'PATCH', '/v1/requirements/kz-req-mla', {
      certifiedTranslation: false,
    });
    expect(member.statusCode).toBe(403);
    const forged = await call(uzbekCoordinator, 'PATCH', '/v1/requirements/uz-req-mla', {
      verifiedAt: '2026-01-01',
    });
    expect(forged.statusCode).toBe(400);
    expect(JSON.stringify(forged.json().error.details)).toContain('verifiedAt');
    const twice = await call(uzbekCoordinator, 'POST', '/v1/requirements', {
      ...countryWide,
      id: 'uz-req-default-2',
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.details).toEqual([
      { path: '/competence', message: expect.stringContaining('UZ already has a sheet for all competences') },
    ]);
    const foreignAuthority = await call(uzbekCoordinator, 'PATCH', '/v1/requirements/uz-req-mla', {
      centralAuthorities: [{ authority: 'kg-gpo' }],
    });
    expect(foreignAuthority.statusCode).toBe(400);
    expect(foreignAuthority.json().error.details).toEqual([
      { path: '/centralAuthorities/0/authority', message: 'authority "kg-gpo" is not of UZ' },
    ]);
    expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  });

  it('a coordinator edits and verifies a sheet of their country; every write is audited', async () => {
    const patched = await call(uzbekCoordinator, 'PATCH', '/v1/requirements/uz-req-mla', {
      channels: ['post', 'diplomatic', 'email_advance_copy', 'e_justice_portal'],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().channels).toContain('e_justice_portal');
    const verified = await call(uzbekCoordinator, 'POST', '/v1/requirements/uz-req-mla/verify');
    expect(verified.json()).toMatchObject({
      // Uzbekistan's date, not UTC's: from 19:00 UTC it is already tomorrow in Tashkent.
      verifiedAt: testApp.application.registry.todayIn('UZ'),
      verifiedBy: uzbekCoordinator.memberId,
    });
    await testApp.application.audit.flush();
    const rows = (await testApp.database.handle.db.execute(
      sql`select action, subject from audit_log where action like 'requirement.%' order by seq`,
    )) as { action: string; subject: string }[];
    expect(rows.map((row) => `${row.action} ${row.subject}`)).toEqual([
      'requirement.create requirement:uz-req-default',
      'requirement.update requirement:uz-req-mla',
      'requirement.verify requirement:uz-req-mla',
    ]);
    const removed = await call(uzbekCoordinator, 'DELETE', '/v1/requirements/uz-req-default');
    expect(removed.statusCode).toBe(204);
  });
});

describe('sheets in registry files', () => {
  it('a broken requirements section is refused with every problem and its path; nothing changes', async () => {
    const before = await registryFingerprint(testApp.database.handle);
    const file = fixture();
    const sheets = file.requirements ?? [];
    const broken = structuredClone(sheets.slice(0, 3)) as unknown as Record<string, unknown>[];
    Object.assign(broken[0]!, { country: 'XX', competence: 'piracy', verifiedAt: '2026-02-30' });
    Object.assign(broken[1]!, {
      elements: [{ id: 'summary_of_facts' }, { id: 'summary_of_facts' }, { id: 'homemade' }],
      documents: [{ ru: 'только по-русски' }],
    });
    Object.assign(broken[2]!, { id: sheets[0]!.id, competence: 'extradition' });
    const response = await call(admin, 'POST', '/v1/registry/import', { ...file, requirements: broken });
    expect(response.statusCode).toBe(400);
    const problems = (response.json().error.details as { path: string }[]).map((problem) => problem.path);
    expect(problems).toEqual([
      '/requirements/0/centralAuthorities/0/authority',
      '/requirements/0/competence',
      '/requirements/0/country',
      '/requirements/0/verifiedAt',
      '/requirements/1/documents/0/en',
      '/requirements/1/elements',
      '/requirements/1/elements/1/id',
      '/requirements/1/elements/2/label',
      '/requirements/2/competence',
      '/requirements/2/id',
    ]);
    expect(await registryFingerprint(testApp.database.handle)).toBe(before);
  });

  it('a registry file from before requirement sheets imports and exports unchanged, byte for byte', async () => {
    // The demo registry as the project first shipped it (../shared/fixtures/registry.v1.json).
    const { requirements: _sheets, ...legacy } = fixture();
    const shared = `${JSON.stringify(legacy, null, 1)}\n`;
    const imported = await call(admin, 'POST', '/v1/registry/import', legacy);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ requirements: 0 });
    const exported = await call(admin, 'GET', '/v1/registry/export');
    expect(exported.body).toBe(JSON.stringify(JSON.parse(shared), null, 1));
    const none = await call(kazakhMember, 'GET', '/v1/requirements?country=UZ');
    expect(none.json()).toMatchObject({ items: [], total: 0 });
  });
});
