/**
 * Members whose free text no module took lately. Most messages are plain questions, and asking
 * every module "is this yours?" costs database and Redis round trips per message; a member found
 * with nothing in progress is answered without asking again until a module says that member's
 * state changed (in this process or, through `conversation_state_changed`, in another) or the
 * entry expires.
 */
export interface IdleMembers {
  isIdle(memberId: string): boolean;
  /** Taken before the modules are asked; `remember` ignores it when anything changed meanwhile. */
  ticket(): number;
  remember(memberId: string, ticket: number): void;
  /** A module's state changed for the member (or for everyone when undefined). */
  forget(memberId?: string): void;
}

export interface IdleMembersOptions {
  /**
   * How long a member stays idle without asking the modules. It bounds how long a lost
   * notification (a dropped LISTEN connection) can misroute text. Default 10 s; 0 turns it off.
   */
  ttlMs?: number;
  /** Default 10,000 members; the oldest entry goes first. */
  maxEntries?: number;
  clock?: () => number;
}

export function createIdleMembers({
  ttlMs = 10_000,
  maxEntries = 10_000,
  clock = Date.now,
}: IdleMembersOptions = {}): IdleMembers {
  const idleUntil = new Map<string, number>();
  // Any change moves the epoch on: a check that began before it may have read the old state, so
  // its finding is not kept, whichever member the change was for.
  let epoch = 0;
  return {
    isIdle(memberId) {
      const until = idleUntil.get(memberId);
      if (until === undefined) return false;
      if (until > clock()) return true;
      idleUntil.delete(memberId);
      return false;
    },
    ticket: () => epoch,
    remember(memberId, ticket) {
      if (ttlMs <= 0 || ticket !== epoch) return;
      idleUntil.delete(memberId);
      if (idleUntil.size >= maxEntries) idleUntil.delete(idleUntil.keys().next().value ?? memberId);
      idleUntil.set(memberId, clock() + ttlMs);
    },
    forget(memberId) {
      epoch += 1;
      if (memberId === undefined) idleUntil.clear();
      else idleUntil.delete(memberId);
    },
  };
}

/**
 * The Postgres channel on which any process says "this member's free text may mean something
 * now" (payload: the member id): a consultation draft or an accepted consultation (triggers, see
 * migration 0010), a request draft waiting for typed text.
 */
export const conversationStateChannel = 'conversation_state_changed';
