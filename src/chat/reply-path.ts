// The one way a message leaves for a messenger, whoever wrote it: an inline answer to what a user
// just typed, a reply an adapter queued durably, or a push the outbox worker delivers.
// Every one is the adapter's own `send` with an idempotency key, and a failure is read by the
// adapter's own `classifyFailure`; what differs is only who waits and who retries:
// - inline answers (webhook or polling adapters) are sent at once, in order, with no queue hop,
//   so answering costs no Redis or Postgres round trip beyond the engine's own. A failure is
//   classified and handed back to the adapter's transport (a webhook messenger redelivers an
//   update we answer with 500, and the update deduplicator lets that one through);
// - an adapter whose sync replays events after a crash records its replies with the event they answer (one transaction) so a
//   replayed event is not answered twice; its sender then sends each through this path;
// - pushes are outbox rows (src/outbox) sent through this path by the delivery worker.
// The web console is the one exception by nature: its answer is the HTTP response to the POST
// that carried the message (request and answer are one exchange); its pushes use this path.
import type { ChatAdapter, InboundMessage, OutboundMessage } from './chat-types.ts';
import type { DeliveryFailure } from './messenger-port.ts';

export type SendOutcome =
  { sent: true; messageId: string } | { sent: false; failure: DeliveryFailure; error: unknown };

/**
 * Sends one message through an adapter; never throws: a failure comes back classified by the
 * adapter (retry, permanent, unknown outcome), with the original error for the caller to log or
 * rethrow.
 */
export async function sendThroughPort(
  adapter: ChatAdapter,
  chatId: string,
  message: OutboundMessage,
  idempotencyKey: string,
  /** The caller paces and retries (see ChatAdapter.send); inline answers leave retries to the adapter. */
  options: { paced?: boolean } = {},
): Promise<SendOutcome> {
  try {
    const { messageId } = await adapter.send(chatId, message, {
      idempotencyKey,
      ...(options.paced === true ? { paced: true } : {}),
    });
    return { sent: true, messageId };
  } catch (error) {
    return { sent: false, failure: adapter.classifyFailure(error), error };
  }
}

/**
 * The idempotency key of the `index`th answer to an inbound message: the same message delivered
 * twice (a webhook retry, a sync replayed after a crash) gets the same keys, so a messenger with
 * idempotent sends shows each answer once.
 */
export const answerKey = (platform: string, messageId: string, index: number): string =>
  `${platform}:${messageId}:${String(index)}`;

export interface InlineAnswerFailure {
  failure: DeliveryFailure;
  /** The adapter's own error, so its transport can decide (e.g. a webhook: have the update redelivered or not). */
  error: unknown;
  /** Answers sent before the failure (they are not sent again by this path). */
  sentBefore: number;
}

/**
 * Answers an inbound message now, in order, through the adapter. Resolves to undefined when every
 * answer went out, or to the first failure (later answers are not sent: order matters).
 */
export async function answerInline(
  adapter: ChatAdapter,
  inbound: Pick<InboundMessage, 'platform' | 'chatId' | 'messageId'>,
  replies: readonly OutboundMessage[],
): Promise<InlineAnswerFailure | undefined> {
  const messageId = inbound.messageId ?? `${inbound.chatId}:${String(Date.now())}`;
  for (const [index, reply] of replies.entries()) {
    const outcome = await sendThroughPort(
      adapter,
      inbound.chatId,
      reply,
      answerKey(inbound.platform, messageId, index),
    );
    if (!outcome.sent) return { failure: outcome.failure, error: outcome.error, sentBefore: index };
  }
  return undefined;
}
