// A prosecutor drafts a request from the requested country's requirement sheet: a checklist, a
// skeleton addressed to the right authority in the language it needs, as text or as a Word file.
// The draft is case material: it must not be kept anywhere.
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxMediaType } from '../src/drafts/index.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, createCaller, type Caller } from './support/registry-fixture.ts';
import { sql } from 'drizzle-orm';

let testApp: TestApp;
let kazakhMember: Caller;
const logLines: string[] = [];

// Distinctive words the user types; none may survive anywhere once the draft is sent.
const secretFacts = 'Zephyrine Quillbottom moved 4,718,305 tenge through Kestrelbank on 12 March';
const secretAssistance = 'Question the cashier Obadiah Marchetti about the Vostrikova transfers';

beforeAll(async () => {
  testApp = await startTestApp('drafts', {
    env: { LOG_LEVEL: 'trace' },
    logDestination: { write: (line) => logLines.push(line) },
  });
  kazakhMember = await createCaller(testApp.application, 'member', 'KZ');
});
afterAll(async () => {
  await testApp.close();
});

const draft = (payload: object, accept?: string) =>
  testApp.application.app.inject({
    method: 'POST',
    url: '/v1/drafts',
    headers: { ...bearer(kazakhMember.token), ...(accept === undefined ? {} : { accept }) },
    payload,
  });

const mlaToUzbekistan = {
  country: 'UZ',
  competence: 'mla',
  reference: 'KZ-2026-0417',
  answers: { summary_of_facts: secretFacts, assistance_sought: secretAssistance },
};

describe('guided drafts', () => {
  it('an MLA request to Uzbekistan: checklist, what is missing, and a Russian skeleton to the right office', async () => {
    const response = await draft({ ...mlaToUzbekistan, locale: 'en' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{
      checklist: { element: string; label: string; done: boolean; required: boolean }[];
      missing: string[];
      locale: string;
      text: string;
    }>();
    expect(body.checklist.slice(0, 4)).toEqual([
      expect.objectContaining({ element: 'summary_of_facts', label: 'Summary of facts', done: true }),
      expect.objectContaining({ element: 'legal_qualification', done: false, required: true }),
      expect.objectContaining({ element: 'provisions_text', done: false }),
      expect.objectContaining({ element: 'assistance_sought', done: true }),
    ]);
    expect(body.missing).toEqual(['legal_qualification', 'provisions_text', 'link_to_offence']);
    // Uzbekistan takes requests in Uzbek or Russian: the skeleton is Russian.
    expect(body.locale).toBe('ru');
    expect(body.text).toContain('ЗАПРОС О ВЗАИМНОЙ ПРАВОВОЙ ПОМОЩИ');
    expect(body.text).toContain('Кому: Генеральная прокуратура Республики Узбекистан');
    expect(body.text).toContain('Наш номер: KZ-2026-0417');
    expect(body.text).toMatch(/Правовое основание: .*Минск/);
    expect(body.text).toContain(secretFacts);
    expect(body.text).toContain('[Заполнить:');
    expect(body.text).toContain('перевод должен быть заверен');
  });

  it('the same draft as a Word document opens and holds the addressee, the legal basis and the text', async () => {
    const response = await draft(mlaToUzbekistan, docxMediaType);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain(docxMediaType);
    expect(response.headers['content-disposition']).toBe('attachment; filename="request-UZ-mla.docx"');
    const { value } = await mammoth.extractRawText({ buffer: response.rawPayload });
    expect(value).toContain('Генеральная прокуратура Республики Узбекистан');
    expect(value).toMatch(/Правовое основание: .*Минск/);
    expect(value).toContain(secretFacts);
    expect(value).toContain(secretAssistance);
  });

  it('Germany has no sheet and no Russian or English template: an English skeleton that says a translation is needed', async () => {
    const response = await draft({
      country: 'DE',
      competence: 'mla',
      answers: { summary_of_facts: 'Facts.' },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ locale: string; text: string; missing: string[] }>();
    expect(body.locale).toBe('en');
    expect(body.text).toContain('To: Federal Office of Justice (Bundesamt für Justiz), Germany');
    expect(body.text).toContain('No requirement sheet is registered for Germany');
    expect(body.text).toContain('A translation is required before sending');
    expect(body.missing).toContain('legal_qualification');
  });

  it('unknown countries, competences and elements are refused with every problem; other countries only for admins', async () => {
    const wrong = await draft({ country: 'XX', competence: 'piracy', answers: {} });
    expect(wrong.statusCode).toBe(400);
    const problems = wrong.json<{ error: { details: { path: string }[] } }>().error.details;
    expect(problems.map((problem) => problem.path)).toEqual(['/country', '/competence']);
    const element = await draft({ country: 'UZ', competence: 'mla', answers: { favourite_colour: 'blue' } });
    expect(element.statusCode).toBe(400);
    expect(element.json().error.details[0].path).toBe('/answers/favourite_colour');
    const onBehalf = await draft({ ...mlaToUzbekistan, askerCountry: 'KG' });
    expect(onBehalf.statusCode).toBe(403);
    const tooLong = await draft({ ...mlaToUzbekistan, answers: { summary_of_facts: 'x'.repeat(20_001) } });
    expect(tooLong.statusCode).toBe(400);
  });

  it('the text of a draft is found in no table, no log line and no audit entry; the audit says a draft was made', async () => {
    await testApp.application.audit.flush();
    const distinctive = [
      'Zephyrine',
      'Quillbottom',
      '4,718,305',
      'Kestrelbank',
      'Obadiah',
      'Marchetti',
      'Vostrikova',
    ];
    expect(distinctive.length).toBeGreaterThan(6);
    const tables = (await testApp.database.handle.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )) as { table_name: string }[];
    for (const { table_name: table } of tables) {
      const rows = (await testApp.database.handle.db.execute(
        sql`select t::text as row from ${sql.identifier(table)} t`,
      )) as { row: string }[];
      const everything = rows.map((row) => row.row).join('\n');
      for (const word of distinctive) expect(everything, `${word} in table ${table}`).not.toContain(word);
    }
    const logs = logLines.join('\n');
    expect(logs).toContain('/v1/drafts');
    for (const word of distinctive) expect(logs, `${word} in the logs`).not.toContain(word);
    const audited = (await testApp.database.handle.db.execute(
      sql`select subject, details::text as details from audit_log where action = 'draft.create' order by seq`,
    )) as { subject: string; details: string }[];
    expect(audited.map((entry) => entry.subject)).toEqual(['country:UZ', 'country:UZ', 'country:DE']);
    expect(JSON.parse(audited[0]!.details)).toEqual({ competence: 'mla', format: 'json', missing: 3 });
  });
});
