// Announces that a member has linked a messenger account (an invite code on a messenger, a first
// web console login), so other modules can act on someone becoming reachable: consultations tell
// whoever waited for a person of that country. Listeners run inside the link's transaction, so a
// crash keeps the link with what it caused or loses both; each runs in a savepoint of its own, so
// a listener that fails never costs the member their link.
import { afterCommit, type Database, type Queryable } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';

export interface MemberLinked {
  memberId: string;
  /** The registry contact the member stands behind, if any. */
  contactId: string | null;
  /** Null for an admin of no country (the secretariat). */
  country: string | null;
  /** The messenger the account was linked on. */
  platform: string;
}

/**
 * Told of a link inside its transaction; may return work for after the commit (dispatching the
 * pushes it wrote). A listener must not assume it is the only one called.
 */
export type MemberLinkListener = (
  tx: Queryable,
  event: MemberLinked,
) => Promise<(() => Promise<void>) | undefined>;

export interface MemberLinks {
  /** Registered at start by the composition root. */
  onLinked(listener: MemberLinkListener): void;
  /** Called by the members module inside the transaction that linked the account. */
  announceInTransaction(tx: Queryable, event: MemberLinked): Promise<void>;
}

export function createMemberLinks({ logger }: { logger: Pick<Logger, 'error' | 'warn'> }): MemberLinks {
  const listeners: MemberLinkListener[] = [];
  return {
    onLinked(listener) {
      listeners.push(listener);
    },
    async announceInTransaction(tx, event) {
      for (const listener of listeners) {
        let after: (() => Promise<void>) | undefined;
        try {
          // A transaction's `transaction` is a savepoint; both kinds have the same signature.
          after = await (tx as Database).transaction((savepoint) => listener(savepoint, event));
        } catch (error) {
          logger.error(
            { err: error, memberId: event.memberId },
            'a member-link listener failed; the link stands',
          );
          continue;
        }
        if (after === undefined) continue;
        const task = after;
        // Outside a transaction opened with inTransaction the work runs now (best effort: the
        // outbox's sweep delivers whatever was written either way).
        if (!afterCommit(tx, task))
          await task().catch((error: unknown) => {
            logger.warn({ err: error }, 'after-link work failed; the outbox sweep will catch up');
          });
      }
    },
  };
}
