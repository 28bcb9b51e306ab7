// Sends the bot's messages: replies waiting in the outbox (bot_reply_outbox) and pushes. Every
// send carries a transaction id derived from a stable key, so a retry after an outage or a crash
// is deduplicated by the homeserver instead of answering twice. Nothing goes out in plaintext to
// an encrypted room: the room's state and the crypto module must agree it is encrypted before
// the SDK is asked to send (the SDK itself sends in the clear to rooms it does not know).
import { createHash } from 'node:crypto';
import { EventStatus, type MatrixClient } from 'matrix-js-sdk';
import { encryptAttachment } from 'matrix-encrypt-attachment';
import type { BotStateRepository, PendingReply } from './state/index.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { ChatDeliveryError } from '../../src/chat/index.ts';
import type { MatrixMessageContent } from './matrix-render.ts';
import type { StateCipher } from './state-cipher.ts';

/** What an outbox row holds (encrypted). */
export interface StoredReply {
  content: MatrixMessageContent;
  requiresEncryption: boolean;
  /** A file to encrypt, upload and send as `content` (an m.file), base64. */
  attachment?: string;
}

/**
 * Encrypts a file with a fresh key (the Matrix attachment scheme: AES-CTR, the key and hash go in
 * the event, which the room encrypts), uploads the ciphertext, and returns the m.file content:
 * the homeserver's media store never holds the file in the clear.
 */
async function withEncryptedFile(
  client: MatrixClient,
  content: MatrixMessageContent,
  base64: string,
): Promise<MatrixMessageContent> {
  const plain = Buffer.from(base64, 'base64');
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
  client: MatrixClient;
  repository: BotStateRepository;
  cipher: StateCipher;
  logger: Logger;
  /** Is the client connected enough to try? (Sync prepared and not in error.) */
  canSend: () => boolean;
  retryBaseMs?: number;
  retryMaxMs?: number;
}): ReplySender {
  const { client, repository, cipher, logger, canSend } = deps;
  const retryBaseMs = deps.retryBaseMs ?? 1000;
  const retryMaxMs = deps.retryMaxMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void pass();
    }, delayMs);
  };

  async function deliver(reply: PendingReply): Promise<void> {
    const stored = cipher.decryptJson(reply.payload) as StoredReply;
    // Encrypted only when the room is ready for it: sendToRoom refuses rooms without encryption.
    if (
      stored.attachment !== undefined &&
      !(await client.getCrypto()?.isEncryptionEnabledInRoom(reply.chatId))
    )
      throw new ChatDeliveryError({ kind: 'permanent', code: 'matrix_room_not_encrypted' });
    const content =
      stored.attachment === undefined
        ? stored.content
        : await withEncryptedFile(client, stored.content, stored.attachment);
    const eventId = await sendToRoom(client, reply.chatId, content, {
      txnId: transactionIdFor(reply.idempotencyKey),
      requiresEncryption: stored.requiresEncryption,
    });
    await repository.markSent(reply, eventId);
    if (reply.leaveAfter) {
      await client.leave(reply.chatId).catch((error: unknown) => {
        logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'matrix: could not leave a room',
        );
      });
    }
  }

  /** One pass over the outbox; resolves to true when something is left to retry. */
  async function deliverPending(): Promise<boolean> {
    if (!canSend()) return true;
    let failed = false;
    const blockedRooms = new Set<string>();
    for (const reply of await repository.pendingReplies()) {
      if (stopped) return false;
      if (blockedRooms.has(reply.chatId)) continue;
      try {
        await deliver(reply);
      } catch (error) {
        const permanent = error instanceof ChatDeliveryError && error.failure.kind === 'permanent';
        const code = error instanceof ChatDeliveryError ? error.failure.code : errorCode(error);
        await repository.markAttemptFailed(reply, code);
        if (permanent) {
          // Never deliverable (the bot left the room, or encryption required and absent): drop it.
          logger.warn({ roomId: reply.chatId, code }, 'matrix: reply dropped');
          await repository.markSent(reply, '');
        } else {
          logger.info({ roomId: reply.chatId, code }, 'matrix: reply not delivered yet; will retry');
          blockedRooms.add(reply.chatId);
          failed = true;
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
