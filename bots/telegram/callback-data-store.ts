import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { callbackDataLimit } from './telegram-render.ts';

/**
 * Telegram keeps at most 64 bytes of callback data per button. Engine actions normally fit; a
 * longer one is stored under a short deterministic token (`~` + hash) and looked up when pressed.
 */
export interface CallbackDataStore {
  /** Callback data for an action: the action itself when it fits. */
  encode(action: string): Promise<string>;
  /** The action behind pressed callback data; undefined when a stored one has expired. */
  decode(data: string): Promise<string | undefined>;
}

const tokenOf = (action: string) =>
  `~${createHash('sha256').update(action).digest('base64url').slice(0, 22)}`;

export function createCallbackDataStore(options: {
  redis?: { client: Redis; prefix: string } | undefined;
  ttlSeconds?: number;
}): CallbackDataStore {
  const ttlSeconds = options.ttlSeconds ?? 30 * 86_400;
  const redis = options.redis;
  const memory = new Map<string, string>();
  const fits = (action: string) =>
    !action.startsWith('~') && Buffer.byteLength(action, 'utf8') <= callbackDataLimit;
  return {
    async encode(action) {
      if (fits(action)) return action;
      const token = tokenOf(action);
      if (redis !== undefined)
        await redis.client.set(`${redis.prefix}:telegram:callback:${token}`, action, 'EX', ttlSeconds);
      else {
        memory.set(token, action);
        if (memory.size > 10_000) memory.delete(memory.keys().next().value ?? '');
      }
      return token;
    },
    async decode(data) {
      if (!data.startsWith('~')) return data;
      if (redis !== undefined)
        return (await redis.client.get(`${redis.prefix}:telegram:callback:${data}`)) ?? undefined;
      return memory.get(data);
    },
  };
}
