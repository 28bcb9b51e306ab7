// The Matrix adapter's one send (inline answers and pushes alike) and the sender of the replies
// it recorded durably (bot_reply_outbox). Every send carries a transaction id derived from a
// stable key, so a retry after an outage or a crash is deduplicated by the homeserver instead of
// answering twice. Nothing goes out in plaintext to an encrypted room: the room's state and the
// crypto module must agree it is encrypted before the SDK is asked to send (the SDK itself sends
// in the clear to rooms it does not know).
import { createHash } from 'node:crypto';
import { EventStatus, type MatrixClient } from 'matrix-js-sdk';
import { encryptAttachment } from 'matrix-encrypt-attachment';
import type { BotStateRepository, PendingReply } from './state/index.ts';
import type { Locale, Translator } from '../../src/i18n/i18n.ts';
import type { Logger } from '../../src/logging/logger.ts';
import {
  ChatDeliveryError,
  sendThroughPort,
  type ChatAdapter,
  type DeliveryFailure,
  type OutboundMessage,
} from '../../src/chat/index.ts';
import { renderAttachment, renderReply, type MatrixMessageContent } from './matrix-render.ts';
import type { StateCipher } from './state-cipher.ts';

/** What a reply outbox row holds (encrypted): the core's message, its file as base64. */
export interface StoredReply {
  message: Omit<OutboundMessage, 'attachment'>;
  attachment?: { fileName: string; mediaType: string; data: string };
}

export const storedReplyOf = (message: OutboundMessage): StoredReply => {
  const { attachment, ...rest } = message;
  return attachment === undefined
    ? { message: rest }
    : {
        message: rest,
        attachment: { ...attachment, data: Buffer.from(attachment.data).toString('base64') },
      };
};

/** A row written before replies were stored as core messages held rendered content; its text still goes out. */
interface LegacyStoredReply {
  content: MatrixMessageContent;
  requiresEncryption: boolean;
  attachment?: string;
}

function messageOf(stored: StoredReply | LegacyStoredReply): OutboundMessage | undefined {
  if ('message' in stored) {
    const { attachment } = stored;
    return attachment === undefined
      ? stored.message
      : {
          ...stored.message,
          attachment: { ...attachment, data: new Uint8Array(Buffer.from(attachment.data, 'base64')) },
        };
  }
  if (stored.attachment !== undefined) return undefined;
  return { text: stored.content.body, requiresEncryption: stored.requiresEncryption };
}

/**
 * Encrypts a file with a fresh key (the Matrix attachment scheme: AES-CTR, the key and hash go in
 * the event, which the room encrypts), uploads the ciphertext, and returns the m.file content:
 * the homeserver's media store never holds the file in the clear.
 */
async function withEncryptedFile(
  client: MatrixClient,
  content: MatrixMessageContent,
  data: Uint8Array,
): Promise<MatrixMessageContent> {
  const plain = Buffer.from(data);
  const encrypted = await encryptAttachment(
    plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength),
  );
  const upload = await client.uploadContent(Buffer.from(encrypted.data), {
    type: 'application/octet-stream',
    includeFilename: false,
  });
  const info = content.info as Record<string, unknown> | undefined;
  return {
    ...content,
    file: { ...encrypted.info, url: upload.content_uri, mimetype: info?.mimetype },
  };
}

export const transactionIdFor = (key: string): string =>
  `cp${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;

/** Sends one message with a stable transaction id; throws ChatDeliveryError when it must not or cannot be sent now. */
export async function sendToRoom(
  client: MatrixClient,
  roomId: string,
  content: MatrixMessageContent,
  options: { txnId: string; requiresEncryption: boolean },
): Promise<string> {
  const room = client.getRoom(roomId);
  if (room === null) throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_room_not_synced' });
  const membership = room.getMyMembership();
  // Just joined: our join has not come back through the sync yet.
  if (membership === 'invite') throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_join_pending' });
  if (membership !== 'join')
    throw new ChatDeliveryError({ kind: 'permanent', code: `matrix_not_joined_${membership}` });
  const crypto = client.getCrypto();
  if (crypto === undefined) throw new ChatDeliveryError({ kind: 'permanent', code: 'matrix_no_crypto' });
  const stateSaysEncrypted = room.hasEncryptionStateEvent();
  const cryptoEncrypts = await crypto.isEncryptionEnabledInRoom(roomId);
  // The crypto module learns of m.room.encryption while processing sync; until it has, the SDK
  // would send this message unencrypted. Wait for it rather than risk plaintext.
  if (stateSaysEncrypted && !cryptoEncrypts)
    throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_encryption_pending' });
  if (options.requiresEncryption && !cryptoEncrypts)
    throw new ChatDeliveryError({ kind: 'permanent', code: 'matrix_room_not_encrypted' });

  // An earlier attempt of this process with this transaction id: reuse it rather than start anew
  // (the SDK refuses a transaction id it still tracks).
  const earlier = room.getEventForTxnId(options.txnId);
  if (earlier !== undefined) {
    if (earlier.status === EventStatus.NOT_SENT) return (await client.resendEvent(earlier, room)).event_id;
    const earlierId = earlier.getId();
    if (
      (earlier.status === null || earlier.status === EventStatus.SENT) &&
      earlierId !== undefined &&
      !earlierId.startsWith('~')
    )
      return earlierId;
    throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_send_in_flight' });
  }
  const response = await client.sendEvent(roomId, 'm.room.message' as never, content as never, options.txnId);
  return response.event_id;
}

export interface MatrixSendOptions {
  translator: Translator;
  defaultLocale: Locale;
  repository: Pick<BotStateRepository, 'rememberChoices'>;
  /**
   * remember: the message's choices replace the room's (a push; one without choices withdraws
   * older ones, since numbers refer to the latest message). recorded: the replies of one event
   * recorded their choices with them (the last one offering any), so a later reply of the same
   * answer must not withdraw them.
   */
  choices: 'remember' | 'recorded';
}

/**
 * The adapter's one send: the message rendered into the room, then its file (an encrypted m.file,
 * only into an encrypted room). Resolves to the text's event id.
 */
export async function sendMessage(
  client: MatrixClient,
  roomId: string,
  message: OutboundMessage,
  idempotencyKey: string,
  options: MatrixSendOptions,
): Promise<string> {
  const rendered = renderReply(message, options.translator, options.defaultLocale);
  // Taken before the send: choices recorded by a reply while this push is on its way are newer.
  const offeredAt = new Date();
  // A file goes only into a room the crypto module encrypts: checked before the text goes out.
  if (message.attachment !== undefined && !(await client.getCrypto()?.isEncryptionEnabledInRoom(roomId)))
    throw new ChatDeliveryError({ kind: 'permanent', code: 'matrix_room_not_encrypted' });
  const eventId = await sendToRoom(client, roomId, rendered.content, {
    txnId: transactionIdFor(idempotencyKey),
    requiresEncryption: message.requiresEncryption ?? false,
  });
  if (message.attachment !== undefined) {
    const content = await withEncryptedFile(
      client,
      renderAttachment(message.attachment),
      message.attachment.data,
    );
    await sendToRoom(client, roomId, content, {
      txnId: transactionIdFor(`${idempotencyKey}:file`),
      requiresEncryption: true,
    });
  }
  if (options.choices === 'remember') {
    await options.repository.rememberChoices(
      { chatId: roomId, offeredBy: idempotencyKey, actions: rendered.actions ?? [] },
      eventId,
      offeredAt,
    );
  }
  return eventId;
}

export interface ReplySender {
  /** Looks at the outbox soon (after new replies were recorded, or the connection came back). */
  kick(): void;
  stop(): Promise<void>;
}

/**
 * Delivers outbox rows in order. A room whose reply fails waits (its later replies too, so the
 * order holds) and is retried with backoff; other rooms go on.
 */
export function startReplySender(deps: {
  /** The adapter's send for recorded replies (`sendMessage` with their choices already recorded). */
  adapter: ChatAdapter;
  client: MatrixClient;
  repository: BotStateRepository;
  cipher: StateCipher;
  logger: Logger;
  /** Is the client connected enough to try? (Sync prepared and not in error.) */
  canSend: () => boolean;
  retryBaseMs?: number;
  retryMaxMs?: number;
}): ReplySender {
  const { adapter, client, repository, cipher, logger, canSend } = deps;
  const retryBaseMs = deps.retryBaseMs ?? 1000;
  const retryMaxMs = deps.retryMaxMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;
  /** No pass before this time (epoch ms): the homeserver rate-limited a send and said how long to wait. */
  let rateLimitedUntil = 0;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        void pass();
      },
      Math.max(delayMs, rateLimitedUntil - Date.now()),
    );
  };

  /** Sends one recorded reply through the port; resolves to its classified failure, if any. */
  async function deliver(reply: PendingReply): Promise<DeliveryFailure | undefined> {
    const message = messageOf(cipher.decryptJson(reply.payload) as StoredReply | LegacyStoredReply);
    if (message === undefined) return { kind: 'permanent', code: 'matrix_legacy_file_reply' };
    const outcome = await sendThroughPort(adapter, reply.chatId, message, reply.idempotencyKey);
    if (!outcome.sent) return outcome.failure;
    await repository.markSent(reply, outcome.messageId);
    if (reply.leaveAfter) {
      await client.leave(reply.chatId).catch((error: unknown) => {
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'matrix: could not leave a room',
        );
      });
    }
    return undefined;
  }

  /** One pass over the outbox; resolves to true when something is left to retry. */
  async function deliverPending(): Promise<boolean> {
    if (!canSend()) return true;
    let failed = false;
    const blockedRooms = new Set<string>();
    for (const reply of await repository.pendingReplies()) {
      if (stopped) return false;
      if (blockedRooms.has(reply.chatId)) continue;
      const failure = await deliver(reply);
      if (failure !== undefined) {
        const { code } = failure;
        await repository.markAttemptFailed(reply, code);
        // Transaction ids make a retry after an unknown outcome safe: only "permanent" gives up.
        if (failure.kind === 'permanent') {
          // Never deliverable (the bot left the room, or encryption required and absent): drop it.
          logger.warn({ roomId: reply.chatId, code }, 'matrix: reply dropped');
          await repository.markSent(reply, '');
        } else {
          logger.info({ roomId: reply.chatId, code }, 'matrix: reply not delivered yet; will retry');
          blockedRooms.add(reply.chatId);
          failed = true;
          // Rate limited (M_LIMIT_EXCEEDED, after the SDK's own retries): a try before the wait
          // the homeserver asked for would only be refused again, so the next pass waits for it.
          if (failure.kind === 'retry' && failure.retryAfterMs !== undefined)
            rateLimitedUntil = Math.max(rateLimitedUntil, Date.now() + failure.retryAfterMs);
        }
      }
    }
    return failed;
  }

  async function pass(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      let failed: boolean;
      try {
        failed = await deliverPending();
      } catch (error) {
        failed = true;
        logger.warn({ err: errorCode(error) }, 'matrix: reply delivery pass failed');
      }
      running = undefined;
      failures = failed ? failures + 1 : 0;
      if (again) {
        again = false;
        schedule(0);
      } else if (failed) {
        schedule(Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(failures - 1, 10)));
      }
    })();
    return running;
  }

  schedule(0);
  return {
    kick() {
      failures = 0;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>;
    if (typeof record.errcode === 'string') return record.errcode;
    if (typeof record.name === 'string') return record.name;
  }
  return 'unknown';
}
