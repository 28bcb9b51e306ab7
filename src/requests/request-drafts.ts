import type { Redis } from 'ioredis';

/** A request being registered in a chat, step by step. */
export interface RequestDraft {
  ourReference?: string;
  subject?: string;
  type?: string;
  toCountry?: string;
  sentDaysAgo?: number;
  urgent?: boolean;
  /** What typed text means now; otherwise text goes to the ask module as usual. */
  awaiting?: 'reference' | 'subject';
}

export interface RequestDraftStore {
  get(memberId: string): Promise<RequestDraft | undefined>;
  set(memberId: string, draft: RequestDraft): Promise<void>;
  clear(memberId: string): Promise<void>;
}

/**
 * Drafts live in Redis (any API replica may get the next step), for half an hour; without Redis
 * one process serves every chat, so memory will do.
 */
export function createRequestDraftStore(options: { redis?: { client: Redis; prefix: string } | undefined; ttlSeconds?: number }): RequestDraftStore {
  const ttlSeconds = options.ttlSeconds ?? 1800;
  const redis = options.redis;
  if (redis !== undefined) {
    const key = (memberId: string) => `${redis.prefix}:request-draft:${memberId}`;
    return {
      async get(memberId) {
        const value = await redis.client.get(key(memberId)).catch(() => null);
        return value === null ? undefined : (JSON.parse(value) as RequestDraft);
      },
      async set(memberId, draft) {
        await redis.client.set(key(memberId), JSON.stringify(draft), 'EX', ttlSeconds);
      },
      async clear(memberId) {
        await redis.client.del(key(memberId)).catch(() => undefined);
      },
    };
  }
  const drafts = new Map<string, { draft: RequestDraft; expires: number }>();
  return {
    get(memberId) {
      const entry = drafts.get(memberId);
      return Promise.resolve(entry === undefined || entry.expires < Date.now() ? undefined : entry.draft);
    },
    set(memberId, draft) {
      drafts.set(memberId, { draft, expires: Date.now() + ttlSeconds * 1000 });
      return Promise.resolve();
    },
    clear(memberId) {
      drafts.delete(memberId);
      return Promise.resolve();
    },
  };
}
