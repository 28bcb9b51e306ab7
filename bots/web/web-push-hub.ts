// Pushes (consultation relays, nudges, status changes) for web console users. The outbox worker
// may run in a different process from the API replica that holds a member's event stream, so a
// push is stored in a short Redis stream per chat (for replay after a reconnect) and announced on
// one pub/sub channel that every replica listens to; each replica hands it to its own streams.
import type { Redis } from 'ioredis';
import type { ChatAdapter, OutboundMessage } from '../../src/chat/chat-types.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisHandle } from '../../src/redis/redis-connection.ts';

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
}

export const pushIdPattern = '^[0-9]{1,20}-[0-9]{1,20}$';

/** Orders stream ids (`ms-seq`) numerically; plain string order breaks when the digit counts differ. */
export function comparePushIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map((part) => BigInt(part));
  const [bMs = 0n, bSeq = 0n] = b.split('-').map((part) => BigInt(part));
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

export function createWebPushHub(options: WebPushHubOptions): WebPushHub {
  const { redis, logger } = options;
  const retainPerChat = options.retainPerChat ?? 100;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
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
  if (client === undefined) return createInMemoryHub({ listen, deliverLocally, retainPerChat, retentionMs });

  const streamKey = (chatId: string) => `${redis.prefix}:web:pushes:${chatId}`;
  const channel = `${redis.prefix}:web:push`;
  let subscriber: Redis | undefined;

  return {
    adapter: {
      platform: 'web',
      async send(chatId, message) {
        const payload = JSON.stringify(message);
        const id = await client.xadd(
          streamKey(chatId),
          'MAXLEN',
          '~',
          retainPerChat,
          '*',
          'message',
          payload,
        );
        if (id === null) throw new Error('web push: the stream refused the entry');
        await client.pexpire(streamKey(chatId), retentionMs);
        await client.publish(channel, JSON.stringify({ id, chatId, message } satisfies WebPush));
        return { messageId: id };
      },
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
}): WebPushHub {
  const stored = new Map<string, { push: WebPush; at: number }[]>();
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
      platform: 'web',
      send(chatId, message) {
        const push: WebPush = { id: nextId(), chatId, message };
        const now = Date.now();
        const kept = (stored.get(chatId) ?? []).filter((entry) => now - entry.at < parts.retentionMs);
        kept.push({ push, at: now });
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
