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

export interface RequestDraftStoreOptions {
  redis?: { client: Redis; prefix: string } | undefined;
  /** Default half an hour. */
  ttlSeconds?: number;
  /**
   * Called once a saved draft waits for typed text: the conversation engines (of every process)
   * stop taking the member's text for a plain question.
   */
  announceAwaiting?: (memberId: string) => Promise<void>;
}

/**
 * Drafts live in Redis (any API replica may get the next step), for half an hour; without Redis
 * one process serves every chat, so memory will do.
 */
export function createRequestDraftStore(options: RequestDraftStoreOptions): RequestDraftStore {
  const ttlSeconds = options.ttlSeconds ?? 1800;
  const redis = options.redis;
  const announce = async (memberId: string, draft: RequestDraft) => {
    if (draft.awaiting !== undefined) await options.announceAwaiting?.(memberId);
  };
  if (redis !== undefined) {
    const key = (memberId: string) => `${redis.prefix}:request-draft:${memberId}`;
    return {
      async get(memberId) {
        const value = await redis.client.get(key(memberId)).catch(() => null);
        return value === null ? undefined : (JSON.parse(value) as RequestDraft);
      },
      async set(memberId, draft) {
        await redis.client.set(key(memberId), JSON.stringify(draft), 'EX', ttlSeconds);
        await announce(memberId, draft);
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
    async set(memberId, draft) {
      drafts.set(memberId, { draft, expires: Date.now() + ttlSeconds * 1000 });
      await announce(memberId, draft);
    },
    clear(memberId) {
      drafts.delete(memberId);
      return Promise.resolve();
    },
  };
}
