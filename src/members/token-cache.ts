import type { Principal } from '../access/index.ts';
// Remembers resolved API tokens for a few seconds, so a busy client does not cost a database
// lookup per request. Any change to members or tokens empties it: in this process directly, in
// every other process through the `members_changed` NOTIFY a database trigger sends (migration
// 0007), so a revocation takes effect everywhere, even one made by the CLI or by hand in SQL.

/** NOTIFY channel on which the database announces changed members or tokens. */
export const membersChangedChannel = 'members_changed';

export interface TokenCache {
  get(tokenHash: string): Principal | undefined;
  set(tokenHash: string, principal: Principal): void;
  clear(): void;
}

export interface TokenCacheOptions {
  /** How long a resolved token is trusted without asking the database. Default 10 s. */
  ttlMs?: number;
  /** Most tokens kept; the oldest go first. Default 10,000. */
  maxEntries?: number;
  clock?: () => number;
}

export function createTokenCache({
  ttlMs = 10_000,
  maxEntries = 10_000,
  clock = Date.now,
}: TokenCacheOptions = {}): TokenCache {
  // Keyed by the token's hash, so plain tokens are not kept around longer than a request.
  const entries = new Map<string, { principal: Principal; until: number }>();
  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (entry === undefined) return undefined;
      if (entry.until <= clock()) {
        entries.delete(tokenHash);
        return undefined;
      }
      return entry.principal;
    },
    set(tokenHash, principal) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(tokenHash, { principal: Object.freeze({ ...principal }), until: clock() + ttlMs });
    },
    clear() {
      entries.clear();
    },
  };
}
