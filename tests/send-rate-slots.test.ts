// The send slots the outbox reserves before every push (src/outbox/send-rate-limiter.ts), on the
// real Redis: evenly spaced at the messenger's pace, one a second per chat, and a chat that has to
// wait for its own pace does not hold every other chat's sends behind it. What a slot is worth at
// the messenger (no 429, with stalling senders) is in send-rate-ceiling.test.ts.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSendRateLimiter,
  type PlatformLimits,
  type SendRateLimiter,
} from '../src/outbox/send-rate-limiter.ts';

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
  return createSendRateLimiter({ client, prefix, limitsOf: () => limits });
}

/** Reserves a slot that must be granted, and returns when it is, on Redis's clock. */
async function slotFor(rateLimiter: SendRateLimiter, chat: string, maxWaitMs: number): Promise<number> {
  const reservation = await rateLimiter.reserve('telegram', chat, maxWaitMs);
  if (!reservation.granted) throw new Error(`no slot for ${chat} within ${String(maxWaitMs)} ms`);
  return reservation.slotAt;
}

/** Redis's clock, which the limiter reads, in milliseconds. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = await client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('send slots', () => {
  it('a chat waiting for its own pace leaves the slots before its send to the other chats', async () => {
    const rateLimiter = limiter();
    // A coordinator gets three flags at once: a second apart, as Telegram allows one chat.
    const flags = [];
    for (let flag = 0; flag < 3; flag++) flags.push(await slotFor(rateLimiter, 'coordinator', 2500));
    expect(flags[1]! - flags[0]!).toBeGreaterThanOrEqual(1000);
    expect(flags[2]! - flags[1]!).toBeGreaterThanOrEqual(1000);
    // Ten prompts to other people right after: they go at the overall pace, before the
    // coordinator's second flag (with one "next slot" pointer, they went after the third).
    const others = [];
    for (let person = 0; person < 10; person++)
      others.push(await slotFor(rateLimiter, `person-${String(person)}`, 2500));
    expect(Math.max(...others)).toBeLessThan(flags[1]!);
    for (const slot of others)
      for (const flag of flags) expect(Math.abs(slot - flag)).toBeGreaterThanOrEqual(interval - 0.01);
    // A chat past the wait it accepts is refused with how long until its next slot.
    const refused = await rateLimiter.reserve('telegram', 'coordinator', 500);
    expect(refused.granted).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(500);
  });

  it('slots stay one interval apart overall and a second apart in each chat, none later than it has to be', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { minLength: 1, maxLength: 40 }),
        async (chats) => {
          const rateLimiter = limiter();
          const slotsOf = new Map<string, number[]>();
          const all: number[] = [];
          for (const chat of chats) {
            const askedAt = await redisNow();
            const slot = await slotFor(rateLimiter, chat, 60_000);
            const answeredAt = await redisNow();
            // Never before its chat's turn (or the moment it asked), and never later than that
            // turn pushed back by the slots given before it (each by at most one interval, and
            // one more for the gap that could not take it).
            const previous = slotsOf.get(chat)?.at(-1);
            const turn = (at: number) => (previous === undefined ? at : Math.max(previous + 1000, at));
            expect(slot).toBeGreaterThanOrEqual(turn(askedAt) - 0.01);
            expect(slot).toBeLessThanOrEqual(turn(answeredAt) + (all.length + 1) * 2 * interval);
            all.push(slot);
            slotsOf.set(chat, [...(slotsOf.get(chat) ?? []), slot]);
          }
          const apart = (slots: number[], least: number) => {
            const sorted = [...slots].sort((a, b) => a - b);
            for (let index = 1; index < sorted.length; index++)
              expect(sorted[index]! - sorted[index - 1]!).toBeGreaterThanOrEqual(least - 0.01);
          };
          apart(all, interval);
          for (const slots of slotsOf.values()) apart(slots, 1000);
        },
      ),
      { numRuns: 40 },
    );
  });
});
