import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SendRate } from '../chat/index.ts';

/** Outbound limits of one messenger, shared by every process through Redis. */
export type PlatformLimits = SendRate;

export type Reservation =
  /**
   * `slotAt`: the slot's time in milliseconds on Redis's clock, the same for every process (on
   * this process's clock for a messenger without limits).
   */
  { granted: true; waitMs: number; slotAt: number } | { granted: false; waitMs: number };

export type Admission =
  | {
      admitted: true;
      /**
       * Call once the messenger answered (or the call failed): the send is logged as of then, the
       * latest it can have arrived. Until then it is logged as of the check, the earliest.
       */
      finished(): Promise<void>;
    }
  | { admitted: false; waitMs: number };

export interface SendRateLimiter {
  /**
   * Reserves the next send slot for a chat: granted with how long to wait before sending, or
   * refused when the slot is more than `maxWaitMs` away (the caller postpones the job instead of
   * holding a worker slot).
   */
  reserve(platform: string, chatId: string, maxWaitMs: number): Promise<Reservation>;
  /**
   * The last check, right before the messenger call: records the send as started now if the
   * messenger's ceiling (`sendRate.ceiling`) allows one more over the sliding second, or says how
   * long until it does. Always admitted for a messenger without a ceiling.
   */
  admit(platform: string, chatId: string): Promise<Admission>;
  /** Whether `admit` checks anything for this messenger (it declares a ceiling). */
  checksAtSend(platform: string): boolean;
}

// Evenly spaced slots (a "virtual scheduling" token bucket without burst). The messenger's key
// holds the end of the schedule: the earliest time a send may start after every slot given. A
// chat's key holds the earliest time its next send may start. A send goes at the end of the
// schedule, or at its chat's next time when that is later: then the slots it jumps over are kept
// as holes (a sorted set, one interval apart, ending an interval before its slot), and a later
// send takes the first hole at or after its own earliest time before the end of the schedule. So
// a chat that must wait for its own pace (a coordinator receiving a run of flags) takes a slot
// seconds ahead without holding every other chat's sends behind it. Each step is a lookup, never
// a walk over the schedule: at full pace every send asks again and again. Redis TIME is the one
// clock, so every process agrees.
const reserveScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Times are written to the microsecond (tostring keeps 14 digits: a tenth of a millisecond).
local function ms(value) return string.format('%.3f', value) end
local globalInterval = tonumber(ARGV[1])
local chatInterval = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local earliest = now
if chatInterval > 0 then
  local chatNext = tonumber(redis.call('GET', KEYS[2]) or '0')
  if chatNext > earliest then earliest = chatNext end
end
local scheduleEnd = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. now)
local hole = redis.call('ZRANGEBYSCORE', KEYS[3], ms(earliest), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
-- A hole is always before the end of the schedule.
local slot = #hole > 0 and tonumber(hole[2]) or math.max(earliest, scheduleEnd)
if slot - now > maxWait then return {0, math.ceil(slot - now)} end
if #hole > 0 then
  redis.call('ZREM', KEYS[3], hole[1])
else
  local free = math.max(scheduleEnd, now)
  if free + globalInterval <= slot then
    -- Every hole lies before this slot: their set lives as long as it does.
    while free + globalInterval <= slot do
      redis.call('ZADD', KEYS[3], ms(free), ms(free))
      free = free + globalInterval
    end
    redis.call('PEXPIRE', KEYS[3], math.ceil(slot - now) + 60000)
  end
  redis.call('SET', KEYS[1], ms(slot + globalInterval), 'PX', math.ceil(slot - now + globalInterval) + 60000)
end
if chatInterval > 0 then
  redis.call('SET', KEYS[2], ms(slot + chatInterval), 'PX', math.ceil(slot - now + chatInterval) + 60000)
end
return {1, math.ceil(slot - now), ms(slot)}
`;

// A sliding log of the sends really started (sorted sets scored by Redis TIME, in milliseconds
// with microseconds): entries older than the window are dropped; with fewer than the limit left,
// this send is added and goes; otherwise the answer is how long until the entry that blocks it
// leaves the window.
//
// The messenger counts a call when it arrives, which is some time after its check: the reply's
// way back, a process stalled before the request goes out (a busy event loop), the network. A
// late arrival would bunch with sends checked a second later. So once the call is answered, its
// entry moves to that moment (finishScript; later than the arrival, never earlier): every check
// made after a call was answered counts it where it may have landed. An entry only stays at its
// check time while its call is in flight, which needs no margin unless a flight takes longer than
// the window. Redis TIME on both ends: every process agrees.
const admitScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local window = tonumber(ARGV[1])
local limits = { tonumber(ARGV[2]), tonumber(ARGV[3]) }
local member = ARGV[4]
local wait = 0
for i = 1, 2 do
  if limits[i] > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local n = redis.call('ZCARD', KEYS[i])
    if n >= limits[i] then
      local blocking = redis.call('ZRANGE', KEYS[i], n - limits[i], n - limits[i], 'WITHSCORES')
      local until_free = tonumber(blocking[2]) + window - now
      if until_free > wait then wait = until_free end
    end
  end
end
if wait > 0 then return {0, math.max(1, math.ceil(wait))} end
for i = 1, 2 do
  if limits[i] > 0 then
    redis.call('ZADD', KEYS[i], now, member)
    redis.call('PEXPIRE', KEYS[i], math.ceil(window) + 60000)
  end
end
return {1, 0}
`;

const finishScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', 'GT', now, ARGV[1])
end
return 1
`;

/**
 * The messenger's second, and a little more: the clocks of Redis and the messenger may run at
 * slightly different rates (NTP slewing); a few milliseconds cost nothing at the pace.
 */
const logWindowMs = 1010;

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
  // Hash tags keep every key of a messenger in one cluster slot, as a script needs.
  const keysOf = (platform: string, chatId: string, kind: string): [string, string] => [
    `${prefix}:${kind}:{${platform}}`,
    `${prefix}:${kind}:{${platform}}:chat:${chatId}`,
  ];
  return {
    async reserve(platform, chatId, maxWaitMs) {
      const limit = limitsOf(platform);
      if (limit === undefined) return { granted: true, waitMs: 0, slotAt: Date.now() };
      // The key names of the single "next slot" pointer this replaces: during a rolling upgrade
      // both share the end of the schedule (the old ones never take a hole).
      const [endKey, chatKey] = keysOf(platform, chatId, 'send-rate');
      const result = (await client.eval(
        reserveScript,
        3,
        endKey,
        chatKey,
        `${endKey}:holes`,
        String(1000 / limit.perSecond),
        String(limit.perChatPerSecond > 0 ? 1000 / limit.perChatPerSecond : 0),
        String(maxWaitMs),
      )) as [number, number, string?];
      return result[0] === 1
        ? { granted: true, waitMs: result[1], slotAt: Number(result[2]) }
        : { granted: false, waitMs: result[1] };
    },

    async admit(platform, chatId) {
      const ceiling = limitsOf(platform)?.ceiling;
      if (ceiling === undefined) return { admitted: true, finished: () => Promise.resolve() };
      const keys = keysOf(platform, chatId, 'send-log');
      const member = randomUUID();
      const result = (await client.eval(
        admitScript,
        2,
        ...keys,
        String(logWindowMs),
        String(ceiling.perSecond),
        String(ceiling.perChatPerSecond),
        member,
      )) as [number, number];
      if (result[0] !== 1) return { admitted: false, waitMs: result[1] };
      return {
        admitted: true,
        finished: async () => {
          await client.eval(finishScript, 2, ...keys, member);
        },
      };
    },

    checksAtSend: (platform) => limitsOf(platform)?.ceiling !== undefined,
  };
}
