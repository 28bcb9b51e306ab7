import type { Redis } from 'ioredis';

/** Outbound limits of one messenger, shared by every process through Redis. */
export interface PlatformLimits {
  /** Messages per second across all chats. */
  perSecond: number;
  /** Messages per second to one chat. */
  perChatPerSecond: number;
}

export type Reservation = { granted: true; waitMs: number } | { granted: false; waitMs: number };

export interface SendRateLimiter {
  /**
   * Reserves the next send slot for a chat: granted with how long to wait before sending, or
   * refused when the slot is more than `maxWaitMs` away (the caller postpones the job instead of
   * holding a worker slot).
   */
  reserve(platform: string, chatId: string, maxWaitMs: number): Promise<Reservation>;
}

// Evenly spaced slots (a "virtual scheduling" token bucket without burst): each key holds the
// earliest time the next send may start. Redis TIME is the one clock, so every process agrees.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local globalInterval = tonumber(ARGV[1])
local chatInterval = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local slot = now
local globalNext = tonumber(redis.call('GET', KEYS[1]) or '0')
if globalNext > slot then slot = globalNext end
if chatInterval > 0 then
  local chatNext = tonumber(redis.call('GET', KEYS[2]) or '0')
  if chatNext > slot then slot = chatNext end
end
local wait = slot - now
if wait > maxWait then return {0, math.ceil(wait)} end
redis.call('SET', KEYS[1], tostring(slot + globalInterval), 'PX', math.ceil(globalInterval) + 60000)
if chatInterval > 0 then
  redis.call('SET', KEYS[2], tostring(slot + chatInterval), 'PX', math.ceil(chatInterval) + 60000)
end
return {1, math.ceil(wait)}
`;

export function createSendRateLimiter({
  client,
  prefix,
  limitsOf,
}: {
  client: Redis;
  prefix: string;
  /** Each messenger's limits, as its adapter declares them (capabilities.sendRate); none: unlimited. */
  limitsOf: (platform: string) => PlatformLimits | undefined;
}): SendRateLimiter {
  return {
    async reserve(platform, chatId, maxWaitMs) {
      const limit = limitsOf(platform);
      if (limit === undefined) return { granted: true, waitMs: 0 };
      // Hash tags keep both keys in one cluster slot, as a script needs.
      const globalKey = `${prefix}:send-rate:{${platform}}`;
      const chatKey = `${prefix}:send-rate:{${platform}}:chat:${chatId}`;
      const result = (await client.eval(
        reserveScript,
        2,
        globalKey,
        chatKey,
        String(1000 / limit.perSecond),
        String(limit.perChatPerSecond > 0 ? 1000 / limit.perChatPerSecond : 0),
        String(maxWaitMs),
      )) as [number, number];
      return { granted: result[0] === 1, waitMs: result[1] };
    },
  };
}
