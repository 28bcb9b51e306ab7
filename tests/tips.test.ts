// The network's practical tips, in the reader's language, and a tips file that cannot be half wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTips, TipsFileError } from '../src/tips/index.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { bearer, createCaller, type Caller } from './support/registry-fixture.ts';

let testApp: TestApp;
let member: Caller;

beforeAll(async () => {
  testApp = await startTestApp('tips');
  member = await createCaller(testApp.application, 'member', 'KG');
});
afterAll(async () => {
  await testApp.close();
});

const get = (url: string) =>
  testApp.application.app.inject({ method: 'GET', url, headers: bearer(member.token) });

interface Listing {
  id: string;
  locale: string;
  title: string;
  body: string;
  sources: { name: string }[];
}

describe('tips', () => {
  it('a prosecutor reads the tips on electronic evidence in Russian, each with its sources', async () => {
    const response = await get('/v1/tips?topic=digital_evidence&locale=ru');
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: Listing[] }>();
    expect(items.map((tip) => tip.id)).toEqual([
      'e-evidence-preserve-first',
      'e-evidence-data-categories',
      'e-evidence-direct-requests',
      'mla-consult-before-sending',
    ]);
    expect(items[0]).toMatchObject({ locale: 'ru', title: 'Сначала сохранение, затем запрос данных' });
    expect(items[0]?.sources[0]?.name).toContain('Budapest');
    for (const tip of items) expect(tip.body).toMatch(/[а-я]/);
  });

  it('English by default, every topic without a filter, and bad queries refused', async () => {
    const { items } = (await get('/v1/tips')).json<{ items: Listing[] }>();
    expect(items.length).toBeGreaterThanOrEqual(10);
    expect(items.every((tip) => tip.locale === 'en')).toBe(true);
    expect((await get('/v1/tips?topic=piracy')).json()).toEqual({ items: [], total: 0 });
    for (const bad of ['locale=fr', 'topic=DROP%20TABLE', 'page=2']) {
      const response = await get(`/v1/tips?${bad}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code, bad).toBe('validation_failed');
    }
    const anonymous = await testApp.application.app.inject({ method: 'GET', url: '/v1/tips' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('a broken tips file lists every problem with its path', () => {
    const broken = `tips:
  - id: one
    topics: [mla]
    title: {ru: только по-русски}
    body: {en: Body}
    sources: []
    verifiedAt: 2026-13-45
  - id: one
    topics: []
    title: {en: T}
    body: {en: B}
    sources: [{name: S, url: 'http://insecure.example'}]
    verifiedAt: 2026-01-01
`;
    let error: unknown;
    try {
      parseTips(broken, 'broken.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TipsFileError);
    const problems = (error as TipsFileError).problems.join('\n');
    for (const path of [
      '/tips/0/title/en',
      '/tips/0/sources',
      '/tips/1/id',
      '/tips/1/topics',
      '/tips/1/sources/0/url',
    ])
      expect(problems).toContain(path);
    expect(() => parseTips('tips: [', 'x.yaml')).toThrow(/not valid YAML/);
  });
});
