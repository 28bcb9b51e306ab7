// The secretariat's registry pages over HTTP, as htmx uses them: treaties are edited with every
// problem next to its field, an import is checked first (its problems listed with their JSON paths,
// nothing changed), and the export downloads the whole registry. Coordinators are refused.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/application.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { csrf, sessionCookie } from './support/web-console-client.ts';

let test: TestApp;
let app: Application['app'];
const admin = () => ({ authorization: `Bearer ${test.adminToken}` });

beforeAll(async () => {
  test = await startTestApp('stewardship_registry_admin');
  app = test.application.app;
});
afterAll(async () => {
  await test.close();
});

let addresses = 0;
async function loggedIn(name: string, role: 'coordinator' | 'admin') {
  const member = await app.inject({
    method: 'POST',
    url: '/v1/members',
    headers: admin(),
    payload: { name, country: 'KZ', role },
  });
  const invite = await app.inject({
    method: 'POST',
    url: `/v1/members/${member.json<{ id: string }>().id}/invites`,
    headers: admin(),
    payload: {},
  });
  const login = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: csrf,
    payload: { code: invite.json<{ code: string }>().code },
    remoteAddress: `10.8.0.${++addresses}`,
  });
  expect(login.statusCode).toBe(200);
  const secret = login.cookies.find((cookie) => cookie.name === sessionCookie)?.value ?? '';
  return {
    get: (url: string) => app.inject({ method: 'GET', url, cookies: { [sessionCookie]: secret } }),
    post: (url: string, form: Record<string, string | string[]>, htmx = true) => {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form))
        for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
      return app.inject({
        method: 'POST',
        url,
        cookies: { [sessionCookie]: secret },
        headers: {
          ...csrf,
          ...(htmx ? { 'hx-request': 'true' } : {}),
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: body.toString(),
      });
    },
  };
}

const exported = async () =>
  (await app.inject({ method: 'GET', url: '/v1/registry/export', headers: admin() })).body;

describe('treaties', () => {
  it('an admin changes a treaty: a wrong party code is shown next to its field, a right list saves', async () => {
    const secretariat = await loggedIn('Treaty Keeper', 'admin');
    const list = await secretariat.get('/console/registry/treaties');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('UN Convention against Transnational Organized Crime (2000)');
    expect(list.body).toContain('href="/console/registry/treaties/untoc"');

    const before = await exported();
    const wrong = await secretariat.post('/console/registry/treaties/untoc', {
      name_en: 'UN Convention against Transnational Organized Crime (2000)',
      covers: ['mla', 'extradition'],
      parties_kind: 'listed',
      parties: 'KZ, Kyrgyzstan',
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('id="treaty-parties-error"');
    expect(wrong.body).toContain('KYRGYZSTAN&quot; is not a two-letter country code');
    expect(wrong.body).toMatch(/id="treaty-parties"[^>]*aria-invalid="true"/);
    expect(await exported()).toBe(before);
    const outside = await secretariat.post('/console/registry/treaties/untoc', {
      name_en: 'UN Convention against Transnational Organized Crime (2000)',
      covers: ['mla'],
      parties_kind: 'listed',
      parties: 'KZ, FR',
    });
    expect(outside.statusCode).toBe(422);
    expect(outside.body).toContain('FR&quot; is not a country of this registry.');

    const right = await secretariat.post('/console/registry/treaties/untoc', {
      name_en: 'UN Convention against Transnational Organized Crime (2000)',
      name_ru: 'Конвенция ООН против транснациональной организованной преступности (2000)',
      covers: ['mla', 'extradition'],
      parties_kind: 'listed',
      parties: 'kz, KG uz',
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('The treaty was saved.');
    const treaty = (await app.inject({ method: 'GET', url: '/v1/treaties/untoc', headers: admin() })).json<{
      covers: string[];
      parties: string[];
    }>();
    expect(treaty).toMatchObject({ covers: ['mla', 'extradition'], parties: ['KZ', 'KG', 'UZ'] });
  });

  it('an admin adds a treaty and removes it; a taken id is refused', async () => {
    const secretariat = await loggedIn('Treaty Adder', 'admin');
    const form = {
      id: 'kz-kg-mla-2026',
      name_en: 'Kazakhstan-Kyrgyzstan MLA treaty (2026)',
      covers: 'mla',
      parties_kind: 'listed',
      parties: 'KZ, KG',
    };
    const created = await secretariat.post('/console/registry/treaties', form);
    expect(created.statusCode).toBe(200);
    expect(created.headers['hx-push-url']).toBe('/console/registry/treaties/kz-kg-mla-2026');
    expect(created.body).toContain('The treaty was added.');
    const again = await secretariat.post('/console/registry/treaties', form);
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('A treaty with this id exists already.');
    const removed = await secretariat.post('/console/registry/treaties/kz-kg-mla-2026/delete', {});
    expect(removed.statusCode).toBe(204);
    expect(removed.headers['hx-redirect']).toBe('/console/registry/treaties');
    expect(test.application.registry.view().treatyRecordById.has('kz-kg-mla-2026')).toBe(false);
  });
});

describe('import and export', () => {
  const demo = readFileSync(new URL('../config/demo-registry.json', import.meta.url), 'utf8');

  it('a dry run of a broken file lists each problem with its JSON path and changes nothing', async () => {
    const secretariat = await loggedIn('Import Checker', 'admin');
    const broken = JSON.parse(demo) as { contacts: Record<string, unknown>[] };
    (broken.contacts[2] as { channels: Record<string, string> }).channels.email = 'not an address';
    (broken.contacts[5] as { competences: string[] }).competences = ['piracy'];
    const before = await exported();
    const page = await secretariat.get('/console/registry/import');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="registry"');
    const checked = await secretariat.post('/console/registry/import', {
      registry: JSON.stringify(broken),
      mode: 'check',
    });
    expect(checked.statusCode).toBe(422);
    expect(checked.body).toMatch(/The file has \d+ problems/);
    expect(checked.body).toContain('<code>/contacts/2/channels/email</code>');
    expect(checked.body).toContain('<code>/contacts/5/competences/0</code>');
    expect(checked.body).toContain('Nothing was changed.');
    // Importing it for real is refused the same way.
    const imported = await secretariat.post('/console/registry/import', {
      registry: JSON.stringify(broken),
      mode: 'import',
    });
    expect(imported.statusCode).toBe(422);
    expect(await exported()).toBe(before);

    const notJson = await secretariat.post('/console/registry/import', {
      registry: '{"contacts": [',
      mode: 'check',
    });
    expect(notJson.statusCode).toBe(422);
    expect(notJson.body).toContain('This is not JSON');
  });

  it('a dry run of a good file says what an import would change; the import then changes it', async () => {
    const secretariat = await loggedIn('Import Runner', 'admin');
    // The registry as it is now (earlier stories changed it), with one contact's title changed.
    const next = JSON.parse(await exported()) as { contacts: { id: string; title: string }[] };
    (next.contacts[0] as { title: string }).title = 'Head of the extradition unit';
    const before = await exported();
    const checked = await secretariat.post('/console/registry/import', {
      registry: JSON.stringify(next),
      mode: 'check',
    });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain('dry run: nothing was changed');
    expect(checked.body).toContain('An import would create 0, change 1 and remove 0 records.');
    expect(await exported()).toBe(before);
    // Without JavaScript the form posts as a page and the result comes back in the whole page.
    const imported = await secretariat.post(
      '/console/registry/import',
      { registry: JSON.stringify(next), mode: 'import' },
      false,
    );
    expect(imported.statusCode).toBe(200);
    expect(imported.body).toContain('<!doctype html>');
    expect(imported.body).toContain('The registry was replaced');
    expect(test.application.registry.view().contactRecordById.get(next.contacts[0]?.id ?? '')?.title).toBe(
      'Head of the extradition unit',
    );
  });

  it('a check, and an import, retiring a contact who holds a pending request are refused naming them', async () => {
    const secretariat = await loggedIn('Import Refuser', 'admin');
    const request = await app.inject({
      method: 'POST',
      url: '/v1/requests',
      headers: admin(),
      payload: {
        type: 'mla',
        fromCountry: 'KZ',
        toCountry: 'KG',
        contactId: 'kg-003',
        ourReference: 'KZ-MLA-77',
        subject: 'Hearing of a witness',
        sentAt: new Date().toISOString(),
      },
    });
    expect(request.statusCode, request.body).toBe(201);
    const next = JSON.parse(await exported()) as { contacts: { id: string; status: string }[] };
    const retiring = JSON.stringify({
      ...next,
      contacts: next.contacts.map((record) =>
        record.id === 'kg-003' ? { ...record, status: 'retired' } : record,
      ),
    });
    const before = await exported();
    for (const mode of ['check', 'import']) {
      const refused = await secretariat.post('/console/registry/import', { registry: retiring, mode });
      expect(refused.statusCode, mode).toBe(422);
      expect(refused.body).toContain('must be retired first');
      expect(refused.body).toContain(
        'contact &quot;kg-003&quot; holds 0 open consultation(s) and 1 pending request(s)',
      );
      expect(refused.body).toContain('Nothing was changed.');
    }
    expect(await exported()).toBe(before);
  });

  it('the export downloads the whole registry as a file', async () => {
    const secretariat = await loggedIn('Export Taker', 'admin');
    const download = await secretariat.get('/console/registry/export');
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="counterpart-registry-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(download.body).toBe(await exported());
  });

  it('a coordinator may not open the treaties, the import or the export', async () => {
    const coordinator = await loggedIn('Curious Coordinator', 'coordinator');
    for (const url of [
      '/console/registry/treaties',
      '/console/registry/treaties/untoc',
      '/console/registry/import',
      '/console/registry/export',
    ])
      expect((await coordinator.get(url)).statusCode, url).toBe(403);
    const before = await exported();
    expect(
      (await coordinator.post('/console/registry/import', { registry: demo, mode: 'import' })).statusCode,
    ).toBe(403);
    expect(
      (
        await coordinator.post('/console/registry/treaties/untoc', {
          name_en: 'x',
          covers: 'mla',
          parties_kind: 'all',
        })
      ).statusCode,
    ).toBe(403);
    expect(await exported()).toBe(before);
  });
});
