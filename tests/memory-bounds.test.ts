// No unbounded memory: each in-process store that remembers what strangers send (account ids,
// update ids, callback data, pushes, drafts) is driven past its bound through its own public
// entry point, and shown to keep no more than the bound. README "Memory bounds" lists them all.
import { describe, expect, it } from 'vitest';
import { createUpdateDeduplicator } from '../bots/telegram/update-deduplicator.ts';
import { createCallbackDataStore } from '../bots/telegram/callback-data-store.ts';
import { createWebPushHub } from '../bots/web/web-push-hub.ts';
import { createChatRateLimiter } from '../src/chat/chat-rate-limiter.ts';
import { createConversationMemory } from '../src/chat/conversation-memory.ts';
import { createDraftDownloads } from '../src/drafts/draft-downloads.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createTokenCache } from '../src/members/token-cache.ts';
import type { Principal } from '../src/access/index.ts';
import type { RedisHandle } from '../src/redis/redis-connection.ts';
import { createTestClock } from './support/test-clock.ts';

const noRedis: RedisHandle = {
  url: undefined,
  prefix: 'memory-bounds',
  client: undefined,
  connect() {
    throw new Error('no Redis in this test');
  },
  ping: () => Promise.resolve(false),
  close: () => Promise.resolve(),
};

describe('in-process stores stay within their bounds', () => {
  it('chat rate limiter without Redis: a flood of 60,000 fresh accounts in one minute keeps 50,000 counters, and a persistent flooder stays counted', async () => {
    const now = Date.UTC(2026, 10, 2, 9, 0, 0);
    const limiter = createChatRateLimiter({ limit: 3, clock: () => now });
    for (let i = 0; i < 3; i++) await limiter.consume('flooder');
    for (let account = 0; account < 60_000; account++) {
      await limiter.consume(`stranger-${String(account)}`);
      // The flooder keeps writing through the flood: it is never the one forgotten.
      if (account % 1_000 === 0) expect((await limiter.consume('flooder')).allowed).toBe(false);
    }
    expect(limiter.size).toBeLessThanOrEqual(50_000);
    expect((await limiter.consume('flooder')).allowed).toBe(false);
    // The quietest stranger was forgotten: counting starts afresh for it.
    expect((await limiter.consume('stranger-0')).allowed).toBe(true);
  });

  it('conversation languages without Redis: 50,000 conversations, the oldest forgotten', async () => {
    const memory = createConversationMemory({});
    for (let chat = 0; chat <= 50_000; chat++) await memory.rememberLocale(`chat-${String(chat)}`, 'ru');
    expect(await memory.recallLocale('chat-0')).toBeUndefined();
    expect(await memory.recallLocale('chat-1')).toBe('ru');
    expect(await memory.recallLocale('chat-50000')).toBe('ru');
  });

  it('API token cache: 10,000 tokens, the oldest forgotten', () => {
    const cache = createTokenCache();
    const principal: Principal = {
      memberId: 'm',
      name: 'M',
      role: 'member',
      country: 'KZ',
      contactId: null,
      locale: null,
    };
    for (let token = 0; token <= 10_000; token++) cache.set(`hash-${String(token)}`, principal);
    expect(cache.get('hash-0')).toBeUndefined();
    expect(cache.get('hash-1')).toBeDefined();
    expect(cache.get('hash-10000')).toBeDefined();
  });

  it('Telegram callback data without Redis: 10,000 long actions, the oldest forgotten', async () => {
    const store = createCallbackDataStore({});
    const action = (n: number) => `consult:forward:${'x'.repeat(60)}:${String(n)}`;
    const first = await store.encode(action(0));
    let last = '';
    for (let n = 1; n <= 10_001; n++) last = await store.encode(action(n));
    expect(await store.decode(first)).toBeUndefined();
    expect(await store.decode(last)).toBe(action(10_001));
  });

  it('Telegram update ids without Redis: 100,000 remembered, the oldest forgotten', async () => {
    const deduplicator = createUpdateDeduplicator({ botId: 'memory-bounds' });
    for (let update = 0; update <= 100_001; update++) expect(await deduplicator.claim(update)).toBe(true);
    expect(await deduplicator.claim(100_001)).toBe(false);
    expect(await deduplicator.claim(0)).toBe(true);
  });

  it('one-time draft links: 1,000 held, the oldest gone first', () => {
    const downloads = createDraftDownloads({ clock: createTestClock('2026-11-02T09:00:00Z') });
    const held = { principal: {} as Principal, request: {} as never };
    const first = downloads.offer(held);
    let last = '';
    for (let n = 0; n < 1_000; n++) last = downloads.offer(held);
    expect(downloads.has(first)).toBe(false);
    expect(downloads.has(last)).toBe(true);
    downloads.clear();
  });

  it('web pushes without Redis: 100 per chat for replay, 10,000 chats, the least recently pushed dropped', async () => {
    const hub = createWebPushHub({ redis: noRedis, logger: createLogger('silent') });
    for (let n = 0; n < 150; n++) await hub.adapter.send('busy-chat', { text: `push ${String(n)}` });
    const busy = await hub.backlog(['busy-chat'], '0-0');
    expect(busy).toHaveLength(100);
    expect(busy.at(-1)?.message.text).toBe('push 149');

    for (let chat = 0; chat < 10_000; chat++)
      await hub.adapter.send(`session-${String(chat)}`, { text: 'hi' });
    expect(await hub.backlog(['busy-chat'], '0-0')).toEqual([]);
    expect(await hub.backlog(['session-0'], '0-0')).toHaveLength(1);
    expect(await hub.backlog(['session-9999'], '0-0')).toHaveLength(1);
  });
});
