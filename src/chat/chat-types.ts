// The platform-neutral conversation contract. Adapters (one folder each under bots/)
// translate their platform's events into InboundMessage and render OutboundMessage; the core never
// knows which messenger it talks to.
import type { Messenger } from './messenger-port.ts';
import type { RichContent } from './rich-content.ts';
import type { Locale } from '../i18n/index.ts';

/**
 * A messenger's name, as its adapter registers it (bots/index.ts) and as linked accounts, outbox
 * rows and conversations store it. Deliberately open: a new adapter brings its own name, and the
 * core only ever compares names it was given.
 */
export type Platform = string;
/**
 * The web console's platform: its sessions are core (cookie login, src/members), so the core names
 * the identity a console login links (user id = member id).
 */
export const webConsolePlatform: Platform = 'web';
export type ChatType = 'private' | 'group';

export interface InboundMessage {
  platform: Platform;
  /** The sender's stable id on the platform (a user id, a web member id). */
  platformUserId: string;
  /** Where the message came from (a chat or room id, a web session). */
  chatId: string;
  chatType: ChatType;
  /** Typed text, or undefined when a button was pressed. */
  text?: string | undefined;
  /** The `action` of the pressed button. */
  buttonAction?: string | undefined;
  /** The platform's idea of the user's language (the client's language code), used until the member picks one. */
  localeHint?: string | undefined;
  /**
   * A language the user chose in the client itself (the web console's switch). Ranks below the
   * member's saved choice and above anything guessed.
   */
  locale?: Locale | undefined;
  /** In a group: was the bot addressed (mention, reply to the bot, command)? */
  addressed?: boolean | undefined;
  /** Display name on the platform, for logs of unknown accounts only (never stored). */
  displayName?: string | undefined;
  /**
   * The platform's id of this message (a message or event id). Lets a module
   * recognise the same message delivered twice (webhook retry, sync replay after a crash).
   */
  messageId?: string | undefined;
  /** The platform id of the message this one replies to (a reply, or a thread's root). */
  replyToMessageId?: string | undefined;
}

export interface Button {
  /** Label shown to the user (already translated). */
  label: string;
  /**
   * What pressing it means, sent back as InboundMessage.buttonAction. Short ASCII
   * (`verb:arg:arg`); a messenger carries `capabilities.maxButtonActionBytes` of it as is, and its
   * adapter keeps a longer one aside (or the core leaves the button out of answers shared by all).
   */
  action: string;
}

/**
 * What the bot waits for after a message: a conversation flow's step. Adapters show it where their
 * messenger can (the web console's input placeholder, a messenger's reply field); it never changes
 * what the message says.
 */
export interface Expectation {
  kind: 'choice' | 'text' | 'date' | 'confirmation';
  /** A short hint for the input field, already translated, cut to the messenger's `maxInputHintLength`. */
  placeholder?: string | undefined;
}

export interface OutboundMessage {
  /** Plain text; adapters escape it for their markup. */
  text: string;
  /**
   * The same content as data (an answer's cards, links, collapsed part): adapters that format
   * render this in their own idiom instead of `text`, which is its plain rendering.
   */
  rich?: RichContent | undefined;
  /** Rows of buttons are the adapter's choice; order matters. */
  buttons?: Button[] | undefined;
  /** Set on a flow's question: what the next message should be. */
  expects?: Expectation | undefined;
  /** Answer language, so adapters can localize their own chrome (numbered choices, hints). */
  locale?: Locale | undefined;
  /**
   * Keep this message in a thread with an earlier one, by that message's platform id: a reply or a
   * thread relation, as the messenger has them; ignored where it has neither (`capabilities.threads`).
   */
  replyTo?: string | undefined;
  /**
   * Thread under an earlier push that may not have left yet, named by its outbox dedupe key: the
   * outbox resolves it to `replyTo` when it sends (waiting briefly while that push is still on its
   * way) and removes it, so adapters never see it.
   */
  replyToPush?: string | undefined;
  /**
   * Content that must travel end-to-end encrypted only (a sensitive consultation): an adapter that
   * cannot guarantee it for this chat must refuse to send (throw) rather than send in the clear.
   */
  requiresEncryption?: boolean | undefined;
  /**
   * A file sent with the message (after its text). Only put where the conversation's capabilities
   * say files travel end to end encrypted; an adapter that cannot send files drops it.
   */
  attachment?: Attachment | undefined;
}

export interface Attachment {
  fileName: string;
  mediaType: string;
  data: Uint8Array;
}

/** What one conversation can carry, as its messenger's adapter knows it. */
export interface ConversationCapabilities {
  /** Only the participants' devices can read what is sent here (an end-to-end encrypted room). */
  endToEndEncrypted: boolean;
  /** Files can be sent here (`OutboundMessage.attachment`). */
  files: boolean;
}

/** A conversation that says nothing about itself: text and buttons, readable by the platform. */
export const plainConversation: ConversationCapabilities = { endToEndEncrypted: false, files: false };

/**
 * A messenger's running adapter: what it can do (capabilities), what its failures mean, and one
 * way out for every message the core sends there (pushes delivered by the outbox worker; adapters
 * send their inline answers the same way).
 */
export interface ChatAdapter extends Messenger {
  /**
   * Sends a message to a chat; resolves to the platform's message id. Throws on failure (the
   * caller asks `classifyFailure` what it means). With `idempotencyKey`, a messenger that has
   * `idempotentSends` delivers a repeated send once. With `paced`, the caller spaces its sends to
   * the messenger's `sendRate` and retries rate-limit refusals itself (the outbox): the adapter
   * must not retry a rate-limit refusal on its own, since its retry would go out unpaced, on top of
   * the paced stream, and push it over the messenger's limit.
   */
  send(
    chatId: string,
    message: OutboundMessage,
    options?: { idempotencyKey?: string | undefined; paced?: boolean | undefined },
  ): Promise<{ messageId: string }>;
  /** What one chat of this messenger can carry (an encrypted room, files); absent: `plainConversation`. */
  conversationCapabilities?(chatId: string): Promise<ConversationCapabilities>;
  /**
   * Can this process send on this messenger now? False while another process holds its one
   * connection (a standby replica) and while this process's own connection is not up (still
   * starting, or reconnecting after an outage): a push taken here is put back for later, or for a
   * process that can send it, without a claim or a spent attempt. Absent: always.
   */
  sendsHere?(): boolean;
}
