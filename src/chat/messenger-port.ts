// What a messenger can do, and what its failures mean: the adapter says, the core asks. The core
// never branches on a messenger's name; adding one (Signal, a second bot account) means writing
// one adapter folder that declares these and registering it in the composition root.
import { plainConversation, type ChatAdapter, type ConversationCapabilities } from './chat-types.ts';

export interface MessengerCapabilities {
  /**
   * Every chat the bot holds on this messenger is end-to-end encrypted (rooms the bot creates
   * with encryption on), so sensitive content may go there. The adapter still refuses, per conversation, to
   * send content marked `requiresEncryption` into a chat that turns out not to be.
   */
  endToEndEncrypted: boolean;
  /** Messages can be kept in a thread with an earlier one (`OutboundMessage.replyTo`). */
  threads: boolean;
  /**
   * How a choice is offered: tappable buttons, or numbered lines answered by typing the number
   * (offered until the next choice, so a lone button would catch any "1" typed later).
   */
  choices: 'buttons' | 'numbered';
  /** What commands start with: `/` on most messengers, `!` where the client takes `/` (Element). */
  commandPrefix: string;
  /** What a new user types to link with an invite code (`/start` where deep links send it, `!link`). */
  linkCommand: string;
  /** The longest text one message may carry (characters); longer answers are cut by the adapter. */
  maxMessageLength: number;
  /**
   * The longest hint its input field shows while a flow waits for typed text (characters, e.g. a
   * reply field's placeholder); 0 when it shows none. The core cuts a step's hint to it.
   */
  maxInputHintLength: number;
  /**
   * The longest button action (`verb:arg:arg`, ASCII bytes) a button carries on this messenger
   * without the adapter keeping it aside (64 bytes of callback data on some). Answers shared
   * by every messenger keep their actions within the smallest of these (`sharedMessageLimits`).
   */
  maxButtonActionBytes: number;
  /**
   * The markup the adapter renders into. The core hands over plain text, and for answers the same
   * content as data (`OutboundMessage.rich`), which each adapter draws in its own idiom.
   */
  formatting: 'html' | 'plain';
  /**
   * The messenger drops a second send with the same idempotency key (transaction ids, the web
   * console's event ids), so a retry after an unknown outcome cannot deliver twice.
   */
  idempotentSends: boolean;
  /**
   * How fast pushes may go, shared by every process (src/outbox spaces sends to stay inside it);
   * absent: as fast as the workers deliver.
   */
  sendRate?: SendRate | undefined;
}

/** How fast pushes go to one messenger (capabilities.sendRate). */
export interface SendRate {
  /** Pace over all chats: sends are spaced evenly at this rate. */
  perSecond: number;
  /** Pace in one chat. */
  perChatPerSecond: number;
  /**
   * The messenger's own limits, counted over any sliding second where it receives the calls
   * (e.g. 30 overall and 1 per chat). Given, every send is also checked against a log of the
   * sends actually started, right before its call, so that sends the pace had spaced but a
   * stalled process let bunch up never exceed them. Absent: the pace alone.
   */
  ceiling?: { perSecond: number; perChatPerSecond: number } | undefined;
}

/**
 * retry: the messenger did not take the message (429, 5xx, connection refused); send again.
 * permanent: it never will (blocked bot, unknown chat, message rejected); give up and tell someone.
 * unknown_outcome: the request may have reached the messenger (timeout, connection reset after
 * writing); sending again could deliver twice.
 */
export type DeliveryFailure =
  | { kind: 'retry'; code: string; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; code: string }
  | { kind: 'unknown_outcome'; code: string };

/** Adapters throw this to say exactly what happened. */
export class ChatDeliveryError extends Error {
  readonly failure: DeliveryFailure;
  constructor(failure: DeliveryFailure, message?: string, cause?: unknown) {
    super(message ?? `delivery failed: ${failure.kind} (${failure.code})`, { cause });
    this.name = 'ChatDeliveryError';
    this.failure = failure;
  }
}

/** A messenger as the core knows it, whether or not its adapter runs in this process. */
export interface Messenger {
  readonly platform: string;
  readonly capabilities: MessengerCapabilities;
  /** What a failed send means, read from this messenger's own errors. */
  classifyFailure(error: unknown): DeliveryFailure;
}

/** What the core assumes of a messenger nobody described: nothing it cannot check. */
export const unknownMessengerCapabilities: MessengerCapabilities = {
  endToEndEncrypted: false,
  threads: false,
  choices: 'buttons',
  commandPrefix: '/',
  linkCommand: '/link',
  maxMessageLength: 4000,
  maxInputHintLength: 0,
  maxButtonActionBytes: 64,
  formatting: 'plain',
  idempotentSends: false,
};

/**
 * What one message may hold on every messenger of a deployment: answers composed once and sent
 * to anyone (the ask module's remembered answers) fit the smallest limits among them.
 */
export interface SharedMessageLimits {
  /** Characters of text, leaving a twentieth of the smallest limit for an adapter's own marks. */
  maxTextCharacters: number;
  /** Bytes of a button's action. */
  maxButtonActionBytes: number;
}

export function sharedMessageLimits(
  messengers: readonly Pick<Messenger, 'capabilities'>[],
): SharedMessageLimits {
  const known =
    messengers.length === 0 ? [unknownMessengerCapabilities] : messengers.map((m) => m.capabilities);
  const smallestText = Math.min(...known.map((capabilities) => capabilities.maxMessageLength));
  return {
    maxTextCharacters: smallestText - Math.ceil(smallestText / 20),
    maxButtonActionBytes: Math.min(...known.map((capabilities) => capabilities.maxButtonActionBytes)),
  };
}

// Failures that happen before a request is written: nothing can have been delivered.
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// Failures after the request may have been written: the messenger may have acted on it.
const ambiguousCodes = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The failures every HTTP-based messenger shares: our own ChatDeliveryError, network errors
 * before or after the request was written, timeouts. Adapters read their API's answers first and
 * fall back to this.
 */
export function classifyTransportFailure(error: unknown): DeliveryFailure {
  if (error instanceof ChatDeliveryError) return error.failure;
  if (!isObject(error)) return { kind: 'retry', code: 'unknown' };
  const network = networkCode(error);
  if (network !== undefined && notSentCodes.has(network)) return { kind: 'retry', code: network };
  if (network !== undefined && ambiguousCodes.has(network)) return { kind: 'unknown_outcome', code: network };
  if (error.name === 'AbortError' || error.name === 'TimeoutError' || error.name === 'SendTimeoutError') {
    return { kind: 'unknown_outcome', code: 'timeout' };
  }
  // Anything else (an adapter not connected yet, a bug before any request) sent nothing.
  return { kind: 'retry', code: typeof error.name === 'string' ? error.name : 'error' };
}

/** An HTTP status from a messenger's API: 429 and 5xx retry (429 after the wait it asks), the rest is final. */
export function failureFromStatus(
  status: number,
  retryAfterMs: number | undefined,
  codePrefix: string,
): DeliveryFailure {
  const code = `${codePrefix}_${String(status)}`;
  if (status === 429) return { kind: 'retry', code, retryAfterMs: retryAfterMs ?? 1000 };
  if (status >= 500 || status === 408) return { kind: 'retry', code };
  return { kind: 'permanent', code };
}

/** The errno-style code of a network failure, looking through wrappers (grammY HttpError.error, fetch's cause). */
function networkCode(error: Record<string, unknown>, depth = 0): string | undefined {
  if (typeof error.code === 'string') return error.code;
  if (depth > 4) return undefined;
  for (const inner of [error.cause, error.error]) {
    if (isObject(inner)) {
      const code = networkCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * The messengers of this deployment: described ones (their capabilities, even where the adapter
 * does not run in this process) and running adapters (their sends). The composition root fills it.
 */
export interface MessengerDirectory {
  /** Makes a messenger's capabilities known (before or without its adapter). */
  describe(messenger: Messenger): void;
  /** A running adapter this process can push through (describes it too). */
  register(adapter: ChatAdapter): void;
  get(platform: string): ChatAdapter | undefined;
  capabilitiesOf(platform: string): MessengerCapabilities;
  classifyFailure(platform: string, error: unknown): DeliveryFailure;
  /** Every messenger described here, running or not (texts name the end-to-end encrypted ones). */
  described(): Messenger[];
  /** Platforms with a running adapter here. */
  platforms(): string[];
  /** What one chat can carry, asked of its messenger's running adapter; otherwise `plainConversation`. */
  conversationCapabilities(conversation: {
    platform: string;
    chatId: string;
  }): Promise<ConversationCapabilities>;
}

/** Reading capabilities is all most of the core needs. */
export type MessengerCapabilityLookup = Pick<MessengerDirectory, 'capabilitiesOf'>;

export function createMessengerDirectory(
  described: readonly Messenger[] = [],
  adapters: readonly ChatAdapter[] = [],
): MessengerDirectory {
  // One entry per messenger the program knows (each adapter's, and the web console's).
  const messengers = new Map<string, Messenger>(
    described.map((messenger) => [messenger.platform, messenger]),
  );
  const running = new Map<string, ChatAdapter>();
  const directory: MessengerDirectory = {
    describe(messenger) {
      messengers.set(messenger.platform, messenger);
    },
    register(adapter) {
      running.set(adapter.platform, adapter);
      messengers.set(adapter.platform, adapter);
    },
    get: (platform) => running.get(platform),
    capabilitiesOf: (platform) => messengers.get(platform)?.capabilities ?? unknownMessengerCapabilities,
    classifyFailure: (platform, error) =>
      messengers.get(platform)?.classifyFailure(error) ?? classifyTransportFailure(error),
    described: () => [...messengers.values()],
    platforms: () => [...running.keys()],
    async conversationCapabilities({ platform, chatId }) {
      return (await running.get(platform)?.conversationCapabilities?.(chatId)) ?? plainConversation;
    },
  };
  for (const adapter of adapters) directory.register(adapter);
  return directory;
}
