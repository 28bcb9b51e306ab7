// The send slots the outbox reserves before every push (src/outbox/send-rate-limiter.ts), on the
// real Redis: evenly spaced at the messenger's pace, one a second per chat, and a chat that has to
// wait for its own pace does not hold every other chat's sends behind it. What a slot is worth at
// the messenger (no 429, with stalling senders) is in send-rate-ceiling.test.ts.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSendRateLimiter, type PlatformLimits } from '../src/outbox/send-rate-limiter.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const client = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
// Telegram's pace: 28 a second overall, one a second per chat.
const limits: PlatformLimits = { perSecond: 28, perChatPerSecond: 1 };
const interval = 1000 / limits.perSecond;
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
  }
  client.disconnect();
});

function limiter() {
  const prefix = `send-rate-slots-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  const slotsKey = `${prefix}:send-slots:{telegram}`;
  const rateLimiter = createSendRateLimiter({ client, prefix, limitsOf: () => limits });
  /** The slots given so far, in Redis time (ms), read from the messenger's key. */
  const given = async () =>
    new Set((await client.zrange(slotsKey, '0', '-1')).map(Number).filter((slot) => Number.isFinite(slot)));
  return { rateLimiter, given };
}

/** Redis's clock, which the limiter reads, in milliseconds. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('send slots', () => {
  it('a chat waiting for its own pace leaves the slots before its send to the other chats', async () => {
    const { rateLimiter, given } = limiter();
    // A coordinator gets three flags at once: a second apart, as Telegram allows one chat.
    const busy = [];
    for (let flag = 0; flag < 3; flag++)
      busy.push(await rateLimiter.reserve('telegram', 'coordinator', 2500));
    expect(busy.every((reservation) => reservation.granted)).toBe(true);
    const flags = [...(await given())].sort((a, b) => a - b);
    expect(flags).toHaveLength(3);
    expect(flags[1]! - flags[0]!).toBeGreaterThanOrEqual(1000);
    expect(flags[2]! - flags[1]!).toBeGreaterThanOrEqual(1000);
    // Ten prompts to other people right after: they go at the overall pace, not behind the
    // coordinator's third flag (with one "next slot" pointer, they waited 2 s and more).
    const others = [];
    for (let person = 0; person < 10; person++)
      others.push(await rateLimiter.reserve('telegram', `person-${String(person)}`, 2500));
    expect(others.every((reservation) => reservation.granted)).toBe(true);
    expect(Math.max(...others.map((reservation) => reservation.waitMs))).toBeLessThan(12 * interval + 50);
    // And a chat past its own slot limit is refused with how long until its next one.
    const refused = await rateLimiter.reserve('telegram', 'coordinator', 500);
    expect(refused.granted).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(500);
  });

  it('slots stay one interval apart overall and a second apart in each chat, whatever the order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { minLength: 1, maxLength: 40 }),
        async (chats) => {
          const { rateLimiter, given } = limiter();
          const slotsOf = new Map<string, number[]>();
          const all: number[] = [];
          for (const chat of chats) {
            const before = await given();
            const askedAt = await redisNow();
            const reservation = await rateLimiter.reserve('telegram', chat, 60_000);
            const answeredAt = await redisNow();
            expect(reservation.granted).toBe(true);
            const added = [...(await given())].filter((slot) => !before.has(slot));
            expect(added).toHaveLength(1);
            const slot = added[0]!;
            // Never before its chat's turn, and never later than it has to be: its chat's turn
            // (or the moment it asked, if later), pushed back only by the slots given before it
            // (each by less than two intervals: the slot after it, and a gap too short to use).
            const previous = slotsOf.get(chat)?.at(-1);
            const turn = previous === undefined ? askedAt : Math.max(previous + 1000, askedAt);
            expect(slot).toBeGreaterThanOrEqual(turn);
            const latestTurn = previous === undefined ? answeredAt : Math.max(previous + 1000, answeredAt);
            expect(slot).toBeLessThanOrEqual(latestTurn + all.length * (2 * interval + 1) + 1);
            all.push(slot);
            slotsOf.set(chat, [...(slotsOf.get(chat) ?? []), slot]);
          }
          const apart = (slots: number[], least: number) => {
            const sorted = [...slots].sort((a, b) => a - b);
            for (let index = 1; index < sorted.length; index++)
              expect(sorted[index]! - sorted[index - 1]!).toBeGreaterThanOrEqual(least);
          };
          apart(all, interval);
          for (const slots of slotsOf.values()) apart(slots, 1000);
        },
      ),
      { numRuns: 40 },
    );
  });
});
