// One-time download links for drafts made in a chat that must not carry them (not end-to-end
// encrypted): the link goes through the messenger, the draft never does. What the link opens is
// held in this process's memory only, for a few minutes, and handed out once; nothing reaches the
// database, Redis or the logs. The price: with several API replicas behind a load balancer, the
// link works only on the replica that made it (route /console/drafts/* to one replica, or
// sticky by path, where that matters).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import type { DraftRequest } from './drafts-service.ts';
import type { Principal } from '../access/index.ts';

/** How long a link works unless configured otherwise. */
export const defaultDownloadTtlSeconds = 10 * 60;
/** Links held at once; the oldest goes first beyond it (a flood of drafts must not fill memory). */
const maximumHeld = 1000;

export interface HeldDraft {
  principal: Principal;
  request: DraftRequest;
}

export interface DraftDownloads {
  /** Holds a draft for one download; returns the link's token (256 random bits, URL-safe). */
  offer(held: HeldDraft): string;
  /** Is the token live? Does not use it up (the page shown before the download asks this). */
  has(token: string): boolean;
  /** The draft behind a token, once: the token is gone afterwards, used or not. */
  take(token: string): HeldDraft | undefined;
  /** Forgets everything (process stop). */
  clear(): void;
}

export function createDraftDownloads({
  clock,
  ttlSeconds = defaultDownloadTtlSeconds,
}: {
  clock: Clock;
  ttlSeconds?: number;
}): DraftDownloads {
  const held = new Map<string, { draft: HeldDraft; expiresAt: number; timer: NodeJS.Timeout }>();

  const forget = (token: string) => {
    const entry = held.get(token);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    held.delete(token);
  };
  const live = (token: string) => {
    const entry = held.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > clock.now().getTime()) return entry;
    forget(token);
    return undefined;
  };

  return {
    offer(draft) {
      if (held.size >= maximumHeld) {
        const [oldest] = held.keys();
        if (oldest !== undefined) forget(oldest);
      }
      const token = randomBytes(32).toString('base64url');
      // The case material leaves memory when the link expires, even if nobody comes for it.
      const timer = setTimeout(() => {
        held.delete(token);
      }, ttlSeconds * 1000);
      timer.unref();
      held.set(token, { draft, expiresAt: clock.now().getTime() + ttlSeconds * 1000, timer });
      return token;
    },
    has: (token) => live(token) !== undefined,
    take(token) {
      const entry = live(token);
      forget(token);
      return entry?.draft;
    },
    clear() {
      for (const token of [...held.keys()]) forget(token);
    },
  };
}
