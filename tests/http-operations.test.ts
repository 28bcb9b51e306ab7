// Operations surface: health, readiness, metrics, OpenAPI, security headers, rate limits, error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('operations', { env: { RATE_LIMIT_PER_MINUTE: '5' }, loadDemo: false });
});
afterAll(async () => {
  await testApp.close();
});

const get = (url: string, token?: string) =>
  testApp.application.app.inject({
    method: 'GET',
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe('operations', () => {
  it('answers liveness with {"status":"ok"} and readiness with each dependency', async () => {
    const health = await get('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('exposes Prometheus metrics including request counts', async () => {
    await get('/healthz');
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('counterpart_http_requests_total');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('publishes an OpenAPI document with the v1 routes', async () => {
    const docs = await get('/docs/json');
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/contacts', '/v1/members', '/v1/ask']));
  });

  it('sends security headers', async () => {
    const response = await get('/healthz');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBeDefined();
  });

  it('allows nothing inline on the consoles; only the OpenAPI explorer may use inline styles (never scripts)', async () => {
    const strict = (await get('/')).headers['content-security-policy'] as string;
    expect(strict).toMatch(/style-src 'self'(;|$)/);
    expect(strict).not.toContain('unsafe-inline');
    for (const url of ['/docs', '/docs/static/index.html']) {
      const docs = (await get(url)).headers['content-security-policy'] as string;
      expect(docs).toContain("style-src 'self' 'unsafe-inline'");
      expect(docs).toMatch(/script-src 'self'(;|$)/);
    }
    // A path that merely starts with the letters does not get the exception.
    expect((await get('/docsfoo')).headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('answers unknown routes in the error shape', async () => {
    const response = await get('/v1/no-such-thing', testApp.adminToken);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('limits the rate per caller and says so in the error shape; health checks are exempt', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get('/v1/members/me', testApp.adminToken)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const limited = await get('/v1/members/me', testApp.adminToken);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Another caller (anonymous, by address) has its own budget.
    expect((await get('/v1/members/me')).statusCode).toBe(401);
    for (let i = 0; i < 10; i++) expect((await get('/healthz')).statusCode).toBe(200);
  });
});
