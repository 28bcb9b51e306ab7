// The secretariat keeps the registry as a file: import replaces it whole or not at all, export
// gives the same file back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { createAuditService } from '../src/audit/audit-service.ts';
import { createLogger } from '../src/logging/logger.ts';
import { membersLinkedToContacts } from '../src/members/index.ts';
import { createRegistryService, type RegistryFile, type RegistrySnapshot } from '../src/registry/index.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, exported, fixture, fixtureText } from './support/registry-fixture.ts';

let testApp: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  testApp = await startTestApp('registry-import');
  admin = bearer(testApp.adminToken);
});
afterAll(async () => {
  await testApp.close();
});

const importFile = (body: unknown, query = '') =>
  testApp.application.app.inject({
    method: 'POST',
    url: `/v1/registry/import${query}`,
    headers: admin,
    payload: body as object,
  });

describe('registry import and export', () => {
  it('an admin exports the demo registry and gets back the imported file, byte for byte', async () => {
    const response = await testApp.application.app.inject({
      method: 'GET',
      url: '/v1/registry/export',
      headers: admin,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<RegistryFile>();
    expect(body).toEqual(fixture());
    // Same key order too: an exported file diffs cleanly against the original.
    expect(JSON.stringify(body, null, 1)).toBe(fixtureText.trimEnd());
  });

  it('a file with plain-string titles, notes and urgent procedures and one with them per language both export as imported', async () => {
    // The demo registry gives them per language; files written before translations give one string.
    const plain = fixture();
    const english = (value: string | Record<string, string>) =>
      typeof value === 'string' ? value : (value.en ?? '');
    for (const contact of plain.contacts) {
      contact.title = english(contact.title);
      if (contact.outOfOffice?.note != null) contact.outOfOffice.note = english(contact.outOfOffice.note);
    }
    for (const authority of plain.authorities)
      if (authority.urgentProcedure != null) authority.urgentProcedure = english(authority.urgentProcedure);
    // One contact with Russian before English: the languages keep the order written.
    const reordered = fixture();
    reordered.contacts[0]!.title = { ru: 'Прокурор', en: 'Prosecutor' };
    try {
      for (const file of [plain, reordered, fixture()]) {
        const text = JSON.stringify(file, null, 1);
        expect((await importFile(file)).statusCode).toBe(200);
        expect(JSON.stringify(await exported(testApp.application), null, 1)).toBe(text);
      }
      expect(testApp.application.registry.snapshot().contactById.get('kg-001')?.title).toEqual({
        en: 'Head of Extradition Unit, Department for International Legal Cooperation',
        ru: 'Начальник отдела экстрадиции, Управление международно-правового сотрудничества',
      });
    } finally {
      await importFile(fixture());
    }
  });

  it("a per-language title without English is refused: English is every reader's fallback", async () => {
    const broken = fixture();
    broken.contacts[2]!.title = { ru: 'Прокурор' };
    const response = await importFile(broken);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toContainEqual({
      path: '/contacts/2/title/en',
      message: 'is required (English text, the fallback for every reader)',
    });
  });

  it('a broken registry file is refused with every problem and its JSON path, and nothing changes', async () => {
    const broken = fixture() as unknown as Record<string, unknown> & {
      contacts: Record<string, unknown>[];
      countries: Record<string, unknown>[];
    };
    broken.contacts[3]!.authority = 'xx';
    broken.contacts[4]!.workingHours = { days: [1, 9], start: '9am', end: '18:00' };
    broken.contacts[5]!.status = 'on_holiday';
    broken.contacts[6]!.deputy = 'nobody-001';
    broken.contacts[7]!.competences = ['extradition', 'teleportation'];
    broken.contacts[8]!.outOfOffice = { start: '2026-12-10', end: '2026-11-20' };
    broken.contacts[9]!.id = 'kz-001';
    broken.contacts[10]!.favouriteColour = 'blue';
    delete broken.contacts[11]!.title;
    broken.countries[0]!.timezone = 'Asia/Atlantis';
    broken.countries[1]!.iso2 = 'XX';
    broken.unexpected = true;
    const before = await exported(testApp.application);

    const response = await importFile(broken);

    expect(response.statusCode).toBe(400);
    const error = response.json<{ error: { code: string; details: { path: string; message: string }[] } }>()
      .error;
    expect(error.code).toBe('validation_failed');
    const paths = error.details.map((problem) => problem.path);
    for (const path of [
      '/unexpected',
      '/countries/0/timezone',
      '/countries/1/iso2',
      '/contacts/3/authority',
      '/contacts/4/workingHours/days/1',
      '/contacts/4/workingHours/start',
      '/contacts/5/status',
      '/contacts/6/deputy',
      '/contacts/7/competences/1',
      '/contacts/8/outOfOffice/end',
      '/contacts/9/id',
      '/contacts/10/favouriteColour',
      '/contacts/11/title',
    ]) {
      expect(paths, `a problem at ${path}`).toContain(path);
    }
    expect(error.details).toContainEqual({
      path: '/contacts/3/authority',
      message: 'unknown authority "xx" (not in /authorities)',
    });
    expect(error.details).toContainEqual({
      path: '/contacts/9/id',
      message: 'duplicate id "kz-001" (first at /contacts/0)',
    });
    expect(await exported(testApp.application)).toEqual(before);
  });

  it('a file that is not a registry at all is refused with a clear message', async () => {
    const response = await importFile([1, 2, 3]);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([
      { path: '', message: 'must be a JSON object (a registry file)' },
    ]);
    const malformed = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/registry/import',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"format": "counterpart-registry", ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('bad_request');
  });

  it('a dry run validates and counts the changes without making them', async () => {
    const changed = fixture();
    changed.contacts = changed.contacts.filter((contact) => contact.id !== 'gb-003');
    changed.contacts[0]!.title = 'Head of the International Cooperation Department';
    const response = await importFile(changed, '?dryRun=true');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ dryRun: true, contacts: 37, created: 0, updated: 1, removed: 1 });
    expect(await exported(testApp.application)).toEqual(fixture());
  });

  it('an import replaces the registry: added, changed and removed records, with every listener told', async () => {
    const seen: RegistrySnapshot[] = [];
    const unsubscribe = testApp.application.registry.onChange((snapshot) => seen.push(snapshot));
    const versionBefore = testApp.application.registry.snapshot().version;
    const changed = fixture();
    changed.contacts = changed.contacts.filter((contact) => contact.id !== 'gb-003');
    changed.contacts[0]!.title = 'Head of the International Cooperation Department';
    changed.contacts.push({
      ...changed.contacts[1]!,
      id: 'kz-009',
      name: { en: 'Nurlan Demo-Akhmetov', ru: 'Нурлан Демо-Ахметов' },
    });

    const response = await importFile(changed);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      dryRun: false,
      contacts: 38,
      created: 1,
      updated: 1,
      removed: 1,
    });
    expect(await exported(testApp.application)).toEqual(changed);
    const snapshot = testApp.application.registry.snapshot();
    expect(snapshot.version).toBeGreaterThan(versionBefore);
    expect(snapshot.contactById.has('gb-003')).toBe(false);
    expect(snapshot.contactById.get('kz-009')?.name.en).toBe('Nurlan Demo-Akhmetov');
    expect(seen.at(-1)).toBe(snapshot);
    unsubscribe();

    const restored = await importFile(fixture());
    expect(restored.statusCode).toBe(200);
    expect(await exported(testApp.application)).toEqual(fixture());
  });

  it('another process sharing the database follows changes through NOTIFY', async () => {
    const logger = createLogger('silent');
    const otherDatabase: DatabaseHandle = await openDatabase({
      url: testApp.database.url,
      dataDir: '/nonexistent',
      maxConnections: 2,
    });
    const otherAudit = createAuditService({ db: otherDatabase.db, logger });
    const other = createRegistryService({
      db: otherDatabase.db,
      audit: otherAudit,
      database: otherDatabase,
      logger,
      linkedMembers: membersLinkedToContacts,
    });
    try {
      await other.start();
      expect(other.snapshot().contactById.get('kg-001')?.title).toEqual(
        fixture().contacts.find((c) => c.id === 'kg-001')?.title,
      );
      const response = await testApp.application.app.inject({
        method: 'PATCH',
        url: '/v1/contacts/kg-001',
        headers: admin,
        payload: { title: 'Head of the Extradition Unit' },
      });
      expect(response.statusCode).toBe(200);
      await expect
        .poll(() => other.snapshot().contactById.get('kg-001')?.title, { timeout: 20_000 })
        .toBe('Head of the Extradition Unit');
    } finally {
      await other.stop();
      await otherAudit.close();
      await otherDatabase.close();
      await importFile(fixture());
    }
  });

  it('import takes files larger than the ordinary body limit, up to 10 MiB', async () => {
    const large = fixture();
    const template = large.contacts[0]!;
    for (let i = 0; i < 3000; i++) {
      large.contacts.push({
        ...template,
        id: `kz-bulk-${i}`,
        title: `${typeof template.title === 'string' ? template.title : template.title.en} (${'x'.repeat(200)})`,
      });
    }
    const payload = JSON.stringify(large);
    expect(payload.length).toBeGreaterThan(1024 * 1024);
    const response = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/registry/import?dryRun=true',
      headers: { ...admin, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ contacts: 3038, created: 3000 });

    const tooLarge = await testApp.application.app.inject({
      method: 'POST',
      url: '/v1/registry/import',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: `{"notice": "${'x'.repeat(11 * 1024 * 1024)}"}`,
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(await exported(testApp.application)).toEqual(fixture());
  });
});
