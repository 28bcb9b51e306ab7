// Guessing invite codes is throttled per account even without Redis (the counter then lives in
// Postgres), and a window passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInviteThrottle } from '../src/members/invite-throttle.ts';
import { createChatRateLimiter } from '../src/chat/index.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('chat_throttles');
});

afterAll(async () => {
  await database.drop();
});

describe('wrong invite codes without Redis', () => {
  it('block an account after five in a window, for that account only, until the window passes', async () => {
    let now = new Date('2026-11-28T10:00:00Z');
    const throttle = createInviteThrottle({ db: database.handle.db, clock: { now: () => now } });
    const account = 'telegram:4242';
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await throttle.isBlocked(account)).toBe(false);
      expect(await throttle.recordFailure(account)).toBe(attempt);
    }
    expect(await throttle.isBlocked(account)).toBe(true);
    expect(await throttle.isBlocked('telegram:4343')).toBe(false);

    now = new Date('2026-11-28T10:16:00Z');
    expect(await throttle.isBlocked(account)).toBe(false);
    expect(await throttle.recordFailure(account)).toBe(1);
    await throttle.clear(account);
    expect(await throttle.isBlocked(account)).toBe(false);
  });
});

describe('the flood limit without Redis', () => {
  it('lets a window’s allowance through, says so once, and opens again with the next window', async () => {
    let now = 0;
    const limiter = createChatRateLimiter({ limit: 3, windowMs: 60_000, clock: () => now });
    const decisions = [];
    for (let message = 0; message < 5; message++) decisions.push(await limiter.consume('member:1'));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((decision) => decision.firstRefusal)).toEqual([false, false, false, true, false]);
    expect((await limiter.consume('member:2')).allowed).toBe(true);
    now = 60_000;
    expect((await limiter.consume('member:1')).allowed).toBe(true);
  });
});
