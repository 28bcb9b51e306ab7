// Every message from every messenger passes here before the engine reads it. A person's text is
// kept and only loses what no store, log or audit entry may hold (NUL and other control
// characters, unpaired surrogates): refusing would lose the message over an invisible character.
// The ids that address the sender and the chat are the platform's, not typed; one that holds such
// a character cannot be a real account, so the message is dropped rather than guessed at.
import { dropUnsafeCharacters, unsafeTextReason } from '../text/index.ts';
import type { InboundMessage } from './chat-types.ts';

const singleLine = { multiline: false };

const cleanOptional = (value: string | undefined, multiline: boolean): string | undefined =>
  value === undefined ? undefined : dropUnsafeCharacters(value, { multiline });

/** The message as the engine may use it, or undefined when it cannot be from a real account. */
export function normaliseInbound(inbound: InboundMessage): InboundMessage | undefined {
  if (
    unsafeTextReason(inbound.platformUserId, singleLine) !== undefined ||
    unsafeTextReason(inbound.chatId, singleLine) !== undefined
  )
    return undefined;
  return {
    ...inbound,
    text: cleanOptional(inbound.text, true),
    buttonAction: cleanOptional(inbound.buttonAction, false),
    localeHint: cleanOptional(inbound.localeHint, false),
    displayName: cleanOptional(inbound.displayName, false),
    messageId: cleanOptional(inbound.messageId, false),
    replyToMessageId: cleanOptional(inbound.replyToMessageId, false),
  };
}
