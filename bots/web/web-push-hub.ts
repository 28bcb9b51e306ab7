// Pushes (consultation relays, nudges, status changes) for web console users. The outbox worker
// may run in a different process from the API replica that holds a member's event stream, so a
// push is stored in a short Redis stream per chat (for replay after a reconnect) and announced on
// one pub/sub channel that every replica listens to; each replica hands it to its own streams.
import type { Redis } from 'ioredis';
import type { ChatAdapter, OutboundMessage } from '../../src/chat/chat-types.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisHandle } from '../../src/redis/redis-connection.ts';
import { webMessenger } from './web-messenger.ts';

export interface WebPush {
  /** Monotonic id (`<ms>-<seq>`, a Redis stream id): the SSE event id, for Last-Event-ID replay. */
  id: string;
  chatId: string;
  message: OutboundMessage;
}

export interface WebPushHub {
  /** The web side of the ChatAdapter port. `chatId` is a member id (every console of that member) or a session id. */
  readonly adapter: ChatAdapter;
  /** Calls `onPush` for each new push to any of `chatIds` that reaches this process; returns the unsubscribe. */
  listen(chatIds: readonly string[], onPush: (push: WebPush) => void): () => void;
  /** Stored pushes to `chatIds` newer than `afterId`, oldest first (kept for `retentionMs`, at most `retainPerChat`). */
  backlog(chatIds: readonly string[], afterId: string): Promise<WebPush[]>;
  /** The newest stored push id for `chatIds`, `0-0` when there is none: where a first-time reader starts. */
  latestId(chatIds: readonly string[]): Promise<string>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WebPushHubOptions {
  redis: RedisHandle;
  logger: Logger;
  /** Pushes kept per chat for replay. Default 100. */
  retainPerChat?: number;
  /** How long pushes are kept for replay. Default 7 days. */
  retentionMs?: number;
  /** Without Redis: chats whose pushes are kept for replay, the least recently pushed dropped first. Default 10,000. */
  maxChats?: number;
}

export const pushIdPattern = '^[0-9]{1,20}-[0-9]{1,20}$';

/** Orders stream ids (`ms-seq`) numerically; plain string order breaks when the digit counts differ. */
export function comparePushIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map((part) => BigInt(part));
  const [bMs = 0n, bSeq = 0n] = b.split('-').map((part) => BigInt(part));
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

// Stores a push (once per idempotency key, so an outbox retry after a crash never shows it
// twice) and says whether it is new; the announcement follows only for new ones.
const pushScript = `
if ARGV[4] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, 0} end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'message', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('SET', KEYS[2], id, 'PX', ARGV[3]) end
return {id, 1}
`;

export function createWebPushHub(options: WebPushHubOptions): WebPushHub {
  const { redis, logger } = options;
  const retainPerChat = options.retainPerChat ?? 100;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
  const maxChats = options.maxChats ?? 10_000;
  // One entry per chat with an open console stream on this process; a stream's unsubscribe
  // removes it, and streams per session are capped (console-events), so this follows open sockets.
  const listeners = new Map<string, Set<(push: WebPush) => void>>();

  const deliverLocally = (push: WebPush): void => {
    for (const listener of listeners.get(push.chatId) ?? []) {
      try {
        listener(push);
      } catch (error) {
        logger.warn({ err: error }, 'web push listener failed');
      }
    }
  };

  const listen = (chatIds: readonly string[], onPush: (push: WebPush) => void): (() => void) => {
    for (const chatId of chatIds) {
      const set = listeners.get(chatId) ?? new Set();
      set.add(onPush);
      listeners.set(chatId, set);
    }
    return () => {
      for (const chatId of chatIds) {
        const set = listeners.get(chatId);
        set?.delete(onPush);
        if (set?.size === 0) listeners.delete(chatId);
      }
    };
  };

  const client = redis.client;
  if (client === undefined)
    return createInMemoryHub({ listen, deliverLocally, retainPerChat, retentionMs, maxChats });

  const commands: Redis = client;
  const streamKey = (chatId: string) => `${redis.prefix}:web:pushes:${chatId}`;
  const channel = `${redis.prefix}:web:push`;
  let subscriber: Redis | undefined;

  async function push(
    chatId: string,
    message: OutboundMessage,
    idempotencyKey: string | undefined,
  ): Promise<{ messageId: string }> {
    const payload = JSON.stringify(message);
    const sentKey = `${redis.prefix}:web:sent:${idempotencyKey ?? ''}`;
    const [id, fresh] = (await commands.eval(
      pushScript,
      2,
      streamKey(chatId),
      sentKey,
      payload,
      String(retainPerChat),
      String(retentionMs),
      idempotencyKey === undefined ? '0' : '1',
    )) as [string, number];
    if (fresh === 1)
      await commands.publish(channel, JSON.stringify({ id, chatId, message } satisfies WebPush));
    return { messageId: id };
  }

  return {
    adapter: {
      ...webMessenger,
      // A second send with the same key (an outbox retry) stores and shows nothing new.
      send: (chatId, message, options) => push(chatId, message, options?.idempotencyKey),
    },
    listen,
    async backlog(chatIds, afterId) {
      const pushes: WebPush[] = [];
      for (const chatId of chatIds) {
        const entries = await client.xrange(streamKey(chatId), `(${afterId}`, '+', 'COUNT', retainPerChat);
        for (const [id, fields] of entries) {
          const payload = fields[fields.indexOf('message') + 1];
          if (payload === undefined) continue;
          pushes.push({ id, chatId, message: JSON.parse(payload) as OutboundMessage });
        }
      }
      return pushes.sort((a, b) => comparePushIds(a.id, b.id));
    },
    async latestId(chatIds) {
      let latest = '0-0';
      for (const chatId of chatIds) {
        const [newest] = await client.xrevrange(streamKey(chatId), '+', '-', 'COUNT', 1);
        if (newest !== undefined && comparePushIds(newest[0], latest) > 0) latest = newest[0];
      }
      return latest;
    },
    async start() {
      // A subscribed connection can do nothing else, hence its own.
      subscriber = redis.connect({ maxRetriesPerRequest: null });
      subscriber.on('message', (from: string, raw: string) => {
        if (from !== channel) return;
        try {
          deliverLocally(JSON.parse(raw) as WebPush);
        } catch (error) {
          logger.warn({ err: error }, 'malformed web push announcement');
        }
      });
      await subscriber.subscribe(channel);
    },
    async stop() {
      const connection = subscriber;
      subscriber = undefined;
      if (connection !== undefined) {
        await connection.quit().catch(() => {
          connection.disconnect();
        });
      }
    },
  };
}

/** Without Redis there is a single process, so memory is the whole truth. */
function createInMemoryHub(parts: {
  listen: WebPushHub['listen'];
  deliverLocally: (push: WebPush) => void;
  retainPerChat: number;
  retentionMs: number;
  maxChats: number;
}): WebPushHub {
  // Per chat at most `retainPerChat` pushes younger than `retentionMs`; chats are members and
  // console sessions, which come and go, so at most `maxChats` are kept (the one pushed to least
  // recently goes first) and a chat's expired pushes are dropped when it is next touched.
  const stored = new Map<string, { push: WebPush; at: number }[]>();
  // Idempotency keys of a single process's lifetime: without Redis there is nothing to outlive.
  const sent = new Map<string, string>(); // at most 10,000 (below)
  let lastMs = 0;
  let sequence = 0;
  const nextId = (): string => {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      sequence = 0;
    } else sequence += 1;
    return `${lastMs}-${sequence}`;
  };
  return {
    adapter: {
      ...webMessenger,
      send(chatId, message, options) {
        const idempotencyKey = options?.idempotencyKey ?? '';
        const earlier = idempotencyKey === '' ? undefined : sent.get(idempotencyKey);
        if (earlier !== undefined) return Promise.resolve({ messageId: earlier });
        const push: WebPush = { id: nextId(), chatId, message };
        if (idempotencyKey !== '') {
          sent.set(idempotencyKey, push.id);
          // Oldest keys go first; a retry comes within minutes, not after thousands of pushes.
          if (sent.size > 10_000) sent.delete(sent.keys().next().value ?? '');
        }
        const now = Date.now();
        const kept = (stored.get(chatId) ?? []).filter((entry) => now - entry.at < parts.retentionMs);
        kept.push({ push, at: now });
        stored.delete(chatId);
        if (stored.size >= parts.maxChats) {
          const oldest = stored.keys().next();
          if (oldest.done !== true) stored.delete(oldest.value);
        }
        stored.set(chatId, kept.slice(-parts.retainPerChat));
        parts.deliverLocally(push);
        return Promise.resolve({ messageId: push.id });
      },
    },
    listen: parts.listen,
    backlog(chatIds, afterId) {
      const pushes = chatIds.flatMap((chatId) => (stored.get(chatId) ?? []).map((entry) => entry.push));
      return Promise.resolve(
        pushes
          .filter((push) => comparePushIds(push.id, afterId) > 0)
          .sort((a, b) => comparePushIds(a.id, b.id)),
      );
    },
    latestId(chatIds) {
      const ids = chatIds.flatMap((chatId) => (stored.get(chatId) ?? []).map((entry) => entry.push.id));
      return Promise.resolve(ids.sort(comparePushIds).at(-1) ?? '0-0');
    },
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}
