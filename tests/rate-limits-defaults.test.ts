// The rate limits as shipped (README: RATE_LIMIT_PER_MINUTE 600 per API token, CHAT_RATE_LIMIT_PER_MINUTE
// 30 per member on every messenger), not reduced for the test: the 601st API call and the 31st
// chat message of a minute are refused. Smaller configured values: http-operations, chat-engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { createInvite, createMember, createToken } from './support/chat-fixtures.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { createTestClock } from './support/test-clock.ts';

const shipped = loadConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1/unused' });
let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('rate_limit_defaults', {
    // The chat limit counts in windows of a clock minute: start on the first second of one, so the
    // story never straddles two (it would have a minute of real time to finish).
    clock: createTestClock('2026-12-01T04:00:00.000Z'),
    env: { RATE_LIMIT_PER_MINUTE: String(shipped.http.rateLimitPerMinute) },
  });
});
afterAll(async () => {
  await testApp.close();
});

describe('the shipped rate limits', () => {
  it('are the ones the README states', () => {
    expect(shipped.http.rateLimitPerMinute).toBe(600);
    expect(shipped.chat.rateLimitPerMinute).toBe(30);
  });

  it('let 600 API calls of a token through in a minute and refuse the next', async () => {
    const member = await createMember(testApp, { name: 'Busy Caller', country: 'KZ' });
    const token = await createToken(testApp, member.id);
    const call = async () =>
      (
        await testApp.application.app.inject({
          method: 'GET',
          url: '/v1/members/me',
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode;
    const statuses: number[] = [];
    for (let i = 0; i < 600; i++) statuses.push(await call());
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await call()).toBe(429);
  });

  it('answer 30 chat messages of a member in a minute, then say to slow down once', async () => {
    const member = await createMember(testApp, { name: 'Chatty Member', country: 'KZ' });
    const invite = await createInvite(testApp, member.id);
    const base = {
      platform: 'matrix' as const,
      platformUserId: '@chatty:test.example',
      chatId: '!chatty:test.example',
      chatType: 'private' as const,
    };
    const say = async (text: string) =>
      (await testApp.application.engine.handle({ ...base, text })).map((message) => message.text).join('\n');
    expect(await say(`!link ${invite.code}`)).toContain('Chatty Member');
    for (let sent = 0; sent < 30; sent++) expect(await say('!whoami')).toContain('You are');
    expect(await say('!whoami')).toBe('You are sending messages too quickly. Please wait a moment.');
    expect(await say('!whoami')).toBe('');
  });
});
