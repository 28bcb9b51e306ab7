import type { Redis } from 'ioredis';

export interface RateLimitDecision {
  allowed: boolean;
  /** True for the first refused message of a window: say "slow down" once, then stay silent. */
  firstRefusal: boolean;
}

/** Messages per window per key (a member, or an unknown account). */
export interface ChatRateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
  /** Keys counted in this process (0 when Redis counts). */
  readonly size: number;
}

export interface ChatRateLimiterOptions {
  /** Shared by every replica when present; otherwise counted in this process. */
  redis?: { client: Redis; prefix: string } | undefined;
  limit: number;
  /** Default one minute. */
  windowMs?: number;
  /** Keys counted at once without Redis. Default 50,000. */
  maxKeys?: number;
  clock?: () => number;
}

const incrementScript = `local count = redis.call('incr', KEYS[1]) if count == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return count`;

/** A fixed-window counter: cheap (one round trip), and precise enough to stop a flood. */
export function createChatRateLimiter({
  redis,
  limit,
  windowMs = 60_000,
  maxKeys = 50_000,
  clock = Date.now,
}: ChatRateLimiterOptions): ChatRateLimiter {
  const decide = (count: number): RateLimitDecision => ({
    allowed: count <= limit,
    firstRefusal: count === limit + 1,
  });
  if (redis !== undefined) {
    return {
      async consume(key) {
        const window = Math.floor(clock() / windowMs);
        const redisKey = `${redis.prefix}:chat-rate:${key}:${window}`;
        try {
          // One round trip on the hot path; the key names its window, so it expires with it.
          const count = await redis.client.eval(incrementScript, 1, redisKey, String(windowMs));
          return decide(typeof count === 'number' ? count : 0);
        } catch {
          // A Redis blip must not silence the bot; the HTTP rate limit still guards the API.
          return { allowed: true, firstRefusal: false };
        }
      },
      // Counted in Redis, where each key expires with its window.
      size: 0,
    };
  }
  // Keys are members and unknown accounts: a flood from many fresh accounts within one window
  // must not grow this without limit. Stale windows go first; past `maxKeys` the key quiet the
  // longest goes (a key that keeps writing is moved to the end, so a flooder is never forgotten
  // in favour of the flood's newcomers).
  const counters = new Map<string, { window: number; count: number }>();
  let sweptWindow = -1;
  return {
    consume(key) {
      const window = Math.floor(clock() / windowMs);
      const current = counters.get(key);
      const count = current?.window === window ? current.count + 1 : 1;
      if (current === undefined && counters.size >= maxKeys) {
        // Stale windows are swept once per window; after that the full map drops its quietest.
        if (sweptWindow !== window) {
          sweptWindow = window;
          for (const [stale, value] of counters) if (value.window !== window) counters.delete(stale);
        }
        while (counters.size >= maxKeys) {
          const quietest = counters.keys().next();
          if (quietest.done === true) break;
          counters.delete(quietest.value);
        }
      }
      counters.delete(key);
      counters.set(key, { window, count });
      return Promise.resolve(decide(count));
    },
    get size() {
      return counters.size;
    },
  };
}
