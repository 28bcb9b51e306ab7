// Flows time out (CHAT_FLOW_TIMEOUT_SECONDS): a member who comes back later is told, their message
// is answered for what it is, and nothing of the flow is kept; flows nobody comes back to are swept.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock } from './support/test-clock.ts';
import { webConsoleClient } from './support/web-console-client.ts';

let testApp: TestApp;
// The application's clock: a flow times out when the test moves it on, not after real seconds.
const clock = createTestClock(new Date());
let web: ReturnType<typeof webConsoleClient>;

beforeAll(async () => {
  testApp = await startTestApp('chat_flow_timeout', { clock, env: { CHAT_FLOW_TIMEOUT_SECONDS: '600' } });
  web = webConsoleClient(testApp.application.app, testApp.adminToken);
});

afterAll(async () => {
  await testApp.close();
});

async function flowsOf(memberId: string): Promise<{ flow: string; expires_at: Date | string }[]> {
  return [
    ...((await testApp.database.handle.db.execute(
      sql`select flow, expires_at from conversation_flows where member_id = ${memberId}`,
    )) as Iterable<{ flow: string; expires_at: Date | string }>),
  ];
}

/** Moves the application's clock just past the flow's own deadline. */
async function untilExpired(memberId: string): Promise<void> {
  const [row] = await flowsOf(memberId);
  if (row === undefined) throw new Error('no flow in progress');
  clock.set(new Date(new Date(row.expires_at).getTime() + 1000));
}

describe('a flow left half-way', () => {
  it('times out: the next message hears so and is answered as a question; old buttons are dead', async () => {
    const member = await web.loggedInMember('Nurlan Slow', 'KZ');
    const [type] = await web.say(member, { text: '/newrequest KZ-9/2026' });
    expect(type?.text).toContain('what kind of request is it?');
    await untilExpired(member.memberId);

    const [answer] = await web.say(member, { text: 'MLA Tashkent' });
    expect(answer?.text).toMatch(
      /^Time ran out for the request registration; nothing was kept or sent\.\n\n[\s\S]*Uzbekistan/,
    );
    expect(await flowsOf(member.memberId)).toEqual([]);
    const [stale] = await web.say(member, { action: 'req:new:t:mla' });
    expect(stale?.text).toBe('This registration has expired. Start again with /newrequest.');
    expect(await flowsOf(member.memberId)).toEqual([]);
  });

  it('times out in the language it started in', async () => {
    const member = await web.loggedInMember('Дина Медленная', 'KZ');
    await web.say(member, { text: '/новыйзапрос' });
    await untilExpired(member.memberId);
    const [answer] = await web.say(member, { text: 'MLA Tashkent' });
    expect(answer?.text).toMatch(/^Время ожидания истекло \(регистрация запроса\)/);
  });

  it('is swept when nobody comes back to it', async () => {
    const member = await web.loggedInMember('Gone Member', 'KZ');
    await web.say(member, { text: '/consult KG extradition' });
    expect(await flowsOf(member.memberId)).toMatchObject([{ flow: 'consultation-start' }]);
    // Timed out long enough ago that the member is no longer owed a notice.
    await testApp.database.handle.db.execute(
      sql`update conversation_flows set expires_at = now() - interval '10 minutes' where member_id = ${member.memberId}`,
    );
    expect(await testApp.application.engine.sweepExpiredFlows()).toBeGreaterThanOrEqual(1);
    expect(await flowsOf(member.memberId)).toEqual([]);
  });
});
