// POST /v1/ask through the whole application (real PostgreSQL, demo registry), as the contract
// in the architecture guide describes it.
import { desc, eq } from 'drizzle-orm';
import type { AskAnswer } from '../src/ask/index.ts';
import { auditLog } from '../src/audit/audit-schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock, demoDay } from './support/test-clock.ts';

let testApp: TestApp;
let memberToken: string;
// The demo registry's day (kg-002 on leave), whatever day the suite runs.
const clock = createTestClock(demoDay);

const ask = (body: unknown, token: string | null = testApp.adminToken) =>
  testApp.application.app.inject({
    method: 'POST',
    url: '/v1/ask',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  testApp = await startTestApp('ask-http', { clock });
  const admin = { authorization: `Bearer ${testApp.adminToken}` };
  const member = await testApp.application.app.inject({
    method: 'POST',
    url: '/v1/members',
    headers: admin,
    payload: { name: 'Asel Demo', country: 'KZ', role: 'member' },
  });
  expect(member.statusCode).toBe(201);
  const token = await testApp.application.app.inject({
    method: 'POST',
    url: `/v1/members/${member.json<{ id: string }>().id}/tokens`,
    headers: admin,
    payload: { label: 'ask test' },
  });
  expect(token.statusCode).toBe(201);
  memberToken = token.json<{ token: string }>().token;
}, 180_000);

afterAll(async () => {
  await testApp.close();
});

describe('POST /v1/ask', () => {
  it('a Kazakh member asks who handles extradition in Kyrgyzstan and gets kg-001 first, kg-002 with a deputy, never kg-004, and the treaties linking KZ and KG', async () => {
    const response = await ask({ text: 'who handles extradition in Kyrgyzstan' }, memberToken);
    expect(response.statusCode).toBe(200);
    const body = response.json<AskAnswer>();
    expect(body.interpretation).toEqual({
      intent: 'find_contact',
      countries: ['KG'],
      competence: 'extradition',
      asks: 'contacts',
    });
    const contacts = body.results[0]?.contacts ?? [];
    expect(contacts[0]?.id).toBe('kg-001');
    expect(contacts.map((contact) => contact.id)).toContain('kg-002');
    expect(contacts.find((contact) => contact.id === 'kg-002')).toMatchObject({
      available: false,
      deputy: { id: 'kg-001' },
    });
    expect(contacts.map((contact) => contact.id)).not.toContain('kg-004');
    expect(body.results[0]?.legalBases.map((basis) => basis.id).sort()).toEqual([
      'chisinau-2002',
      'minsk-1993',
      'uncac',
      'untoc',
    ]);
    expect(body.reply.text).toContain('Bakyt Demo-Toktogulov');
    expect(body.reply.buttons).toContainEqual({
      label: 'Ask for a consultation',
      action: 'consult:start:KG:extradition',
    });
  });

  it('says what a question asks: a requirements question gets the requirements, and the contract documents it', async () => {
    const response = await ask(
      { text: 'какие документы нужны для запроса о выдаче в Казахстан', askerCountry: 'KG' },
      testApp.adminToken,
    );
    expect(response.statusCode).toBe(200);
    const body = response.json<AskAnswer>();
    expect(body.interpretation).toEqual({
      intent: 'find_contact',
      countries: ['KZ'],
      competence: 'extradition',
      asks: 'requirements',
    });
    expect(body.reply.text).toContain('Требования к запросам');
    const documented = await testApp.application.app.inject({ method: 'GET', url: '/docs/json' });
    const schema = documented.json<{
      paths: Record<
        string,
        { post: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }
      >;
    }>().paths['/v1/ask']?.post.responses['200']?.content['application/json']?.schema;
    expect(schema).toMatchObject({
      properties: {
        interpretation: {
          properties: {
            asks: {
              anyOf: [{ enum: ['contacts'] }, { enum: ['requirements'] }, { enum: ['tips'] }],
            },
          },
        },
      },
    });
  });

  it('lets an admin ask on behalf of a country, refuses it to a member, and answers in the requested language', async () => {
    const admin = await ask({ text: 'extradition Kyrgyzstan', askerCountry: 'KZ', locale: 'ru' });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().reply.text).toContain('Минская конвенция');
    const member = await ask({ text: 'extradition Kyrgyzstan', askerCountry: 'GE' }, memberToken);
    expect(member.statusCode).toBe(403);
    expect(member.json().error.code).toBe('forbidden');
  });

  it('refuses bad requests with a clear 4xx and never a 500', async () => {
    expect((await ask({ text: 'extradition KG' }, null)).statusCode).toBe(401);
    expect((await ask({ text: 'extradition KG' }, 'not-a-real-token-0000000000')).statusCode).toBe(401);
    const cases: unknown[] = [
      {},
      { text: 42 },
      { text: 'a'.repeat(10_001) },
      { text: 'x', locale: 'de' },
      { text: 'x', askerCountry: 'kz' },
      { text: 'x', extra: true },
      '{"text": ',
      '[]',
    ];
    for (const body of cases) {
      const response = await ask(body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(response.json().error.code).toBeTypeOf('string');
    }
  });

  it('answers odd but valid input with help rather than an error', async () => {
    // Printable code points only: control characters are refused at the edge (README, Input rules).
    const garbage = String.fromCharCode(...Array.from({ length: 3000 }, (_, i) => 32 + ((i * 7919) % 54968)));
    for (const text of [
      '',
      '🙂🙂🙂',
      '<img src=x onerror=alert(1)>',
      '\u202Egnirts desrever',
      garbage,
      `extradition Kyrgyzstan ${'x'.repeat(9_970)}`,
    ]) {
      const response = await ask({ text });
      expect(response.statusCode, text.slice(0, 30)).toBe(200);
      expect(response.json().reply.text.length).toBeGreaterThan(0);
    }
  });

  it('records the lookup in the audit log without the question text', async () => {
    await ask({ text: 'asset recovery Armenia, the Confidential case' }, memberToken);
    await testApp.application.audit.flush();
    const [entry] = await testApp.database.handle.db
      .select({ actor: auditLog.actor, details: auditLog.details })
      .from(auditLog)
      .where(eq(auditLog.action, 'registry.ask'))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    expect(entry?.actor).toMatch(/^member:/);
    const details = JSON.stringify(entry?.details);
    expect(details).toContain('asset_recovery');
    expect(details).not.toContain('Confidential');
  });

  it('an answer asked again shows the same bytes within the minute and the new local time after it', async () => {
    const question = { text: 'who handles extradition in Kyrgyzstan', askerCountry: 'KZ' };
    const first = await ask(question);
    const again = await ask({ ...question, text: 'extradition Kyrgyzstan (case 2)' });
    expect(again.body).toBe(first.body);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    const localTime = (body: AskAnswer) => body.results[0]?.contacts[0]?.localTime;
    clock.advance(61 * 60_000);
    const later = await ask(question);
    expect(later.statusCode).toBe(200);
    expect(localTime(later.json<AskAnswer>())).not.toBe(localTime(first.json<AskAnswer>()));
  });
});
