import type { Redis } from 'ioredis';
import { isLocale, type Locale } from '../i18n/index.ts';

/**
 * The language of the last answer in a chat. A button press carries no text to detect a language
 * from, so without this a member who asked in Russian would get the button's answer in the
 * messenger's interface language. A saved language choice still comes first.
 */
export interface ConversationMemory {
  recallLocale(conversation: string): Promise<Locale | undefined>;
  rememberLocale(conversation: string, locale: Locale): Promise<void>;
}

export function createConversationMemory(options: {
  redis?: { client: Redis; prefix: string } | undefined;
  /** Default one day. */
  ttlSeconds?: number;
}): ConversationMemory {
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  const redis = options.redis;
  if (redis !== undefined) {
    const key = (conversation: string) => `${redis.prefix}:chat-locale:${conversation}`;
    // What this process wrote lately: most questions keep the language, and rewriting the same
    // value on every message would cost a Redis round trip each. Refreshed at half the TTL.
    const written = new Map<string, { locale: Locale; at: number }>();
    return {
      async recallLocale(conversation) {
        const value = await redis.client.get(key(conversation)).catch(() => null);
        return isLocale(value) ? value : undefined;
      },
      async rememberLocale(conversation, locale) {
        const now = Date.now();
        const last = written.get(conversation);
        if (last?.locale === locale && now - last.at < (ttlSeconds * 1000) / 2) return;
        await redis.client.set(key(conversation), locale, 'EX', ttlSeconds).catch(() => undefined);
        written.delete(conversation);
        written.set(conversation, { locale, at: now });
        if (written.size > 50_000) written.delete(written.keys().next().value ?? conversation);
      },
    };
  }
  // Without Redis, one process serves everything, so memory is enough; bounded to stay small.
  const locales = new Map<string, Locale>();
  return {
    recallLocale: (conversation) => Promise.resolve(locales.get(conversation)),
    rememberLocale(conversation, locale) {
      locales.delete(conversation);
      locales.set(conversation, locale);
      if (locales.size > 50_000) {
        const oldest = locales.keys().next().value;
        if (oldest !== undefined) locales.delete(oldest);
      }
      return Promise.resolve();
    },
  };
}
