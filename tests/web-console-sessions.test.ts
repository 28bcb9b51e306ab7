// How long a web console session lives, on the application's clock (moved by the test, never
// waited for): it ends after 12 hours without a request, and 7 days after login however active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock } from './support/test-clock.ts';
import { sessionCookie, webConsoleClient } from './support/web-console-client.ts';

const minute = 60 * 1000;
const hour = 60 * minute;
const clock = createTestClock('2026-12-01T04:00:00Z');
let test: TestApp;
let client: ReturnType<typeof webConsoleClient>;

beforeAll(async () => {
  test = await startTestApp('web-console-sessions', { clock });
  client = webConsoleClient(test.application.app, test.adminToken);
});
afterAll(async () => {
  await test.close();
});

async function me(secret: string): Promise<number> {
  const response = await test.application.app.inject({
    method: 'GET',
    url: '/console/me',
    cookies: { [sessionCookie]: secret },
  });
  return response.statusCode;
}

describe('a web console session', () => {
  it('lives on while used and ends after 12 hours without a request', async () => {
    const { secret } = await client.loggedInMember('Idle Session Member');
    // Each request inside the 12 hours keeps it alive, twice over: 23 h 58 min in all.
    clock.advance(12 * hour - minute);
    expect(await me(secret)).toBe(200);
    clock.advance(12 * hour - minute);
    expect(await me(secret)).toBe(200);
    // Then 12 hours and a minute of silence.
    clock.advance(12 * hour + minute);
    expect(await me(secret)).toBe(401);
  });

  it('ends 7 days after login, however active', async () => {
    const { secret } = await client.loggedInMember('Busy Session Member');
    // A request every 10 hours, up to a minute before the 7 days are over...
    for (let elapsed = 10 * hour; elapsed < 7 * 24 * hour; elapsed += 10 * hour) {
      clock.advance(10 * hour);
      expect(await me(secret), `after ${elapsed / hour} hours`).toBe(200);
    }
    const lastMinute = 7 * 24 * hour - Math.floor((7 * 24) / 10) * 10 * hour - minute;
    clock.advance(lastMinute);
    expect(await me(secret)).toBe(200);
    // ...and two minutes later it is over.
    clock.advance(2 * minute);
    expect(await me(secret)).toBe(401);
  });
});
