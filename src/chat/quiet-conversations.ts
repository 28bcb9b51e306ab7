// Most messages are plain questions from a member with nothing in progress. Finding that out costs
// one statement per message (the chat's flow and every module's "is this yours?" check), which on
// the embedded database is the largest single cost of a messenger update. A conversation found
// quiet is remembered until anything that could end its quietness is written.
//
// Only where every such write reaches `changed()` before the writer goes on: the embedded database,
// whose NOTIFY (sent by the triggers of migration 0022 on conversation_flows and consultations) is
// handed to this process while the writing statement is still returning. With a shared PostgreSQL
// a notice from another replica may arrive after that replica's member has already written again,
// so there the statement runs for every message.

/**
 * The channel on which the database says "a conversation flow or a consultation changed". A module
 * that registers a text handler with `activeWhen` must make its tables notify it too (a trigger).
 */
export const conversationActivityChannel = 'conversation_activity';

export interface QuietConversations {
  isQuiet(key: string): boolean;
  /** Taken before the lookup; `remember` ignores it when anything was written meanwhile. */
  ticket(): number;
  remember(key: string, ticket: number): void;
  /** A flow or a module's state changed: every conversation is asked about again. */
  changed(): void;
}

/** Default 10,000 conversations; the oldest is forgotten first. */
export function createQuietConversations({ maxEntries = 10_000 } = {}): QuietConversations {
  const quiet = new Set<string>();
  // A lookup that began before a change may have read the old state: its finding is not kept.
  let epoch = 0;
  return {
    isQuiet: (key) => quiet.has(key),
    ticket: () => epoch,
    remember(key, ticket) {
      if (ticket !== epoch || quiet.has(key)) return;
      if (quiet.size >= maxEntries) {
        const oldest = quiet.values().next();
        if (oldest.done !== true) quiet.delete(oldest.value);
      }
      quiet.add(key);
    },
    changed() {
      epoch += 1;
      quiet.clear();
    },
  };
}
