// The Matrix bot's life cycle: take the sync lock, log in, restore crypto state and sync
// position, sync, answer, and come back after homeserver outages. Also the outbound port
// (ChatAdapter): pushes always go end-to-end encrypted into rooms the bot created; recorded
// replies leave through the same send (reply-sender.ts).
import { randomUUID } from 'node:crypto';
import { ClientEvent, type MatrixClient, MatrixError, Preset, SyncState } from 'matrix-js-sdk';
import { createBotStateRepository } from './state/index.ts';
import {
  plainConversation,
  type ChatAdapter,
  type ConversationCapabilities,
  type ConversationEngine,
  type OutboundMessage,
  type RunningMessenger,
} from '../../src/chat/index.ts';
import type { Database } from '../../src/db/database.ts';
import type { ReadinessCheck } from '../../src/http/operations-routes.ts';
import type { Locale, Translator } from '../../src/i18n/i18n.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { IdentityService } from '../../src/members/identity-service.ts';
import { ChatDeliveryError } from '../../src/chat/index.ts';
import { matrixMessenger } from './matrix-messenger.ts';
import { matrixWayIn } from './matrix-ways-in.ts';
import type { RedisHandle } from '../../src/redis/redis-connection.ts';
import { attachConversation, type MatrixConversation } from './matrix-conversation.ts';
import {
  MatrixAccountError,
  type MatrixAccountSettings,
  type MatrixSession,
  openMatrixSession,
} from './matrix-session.ts';
import { type MatrixSendOptions, type ReplySender, sendMessage, startReplySender } from './reply-sender.ts';
import { routeSdkGlobalLogs } from './sdk-logging.ts';
import { createStateCipher } from './state-cipher.ts';
import { createSyncLock } from './sync-lock.ts';

export interface MatrixBotOptions {
  account: MatrixAccountSettings;
  /** MATRIX_STORE_KEY: encrypts everything the bot persists. */
  storeKey: string;
  engine: Pick<ConversationEngine, 'handle' | 'commands'>;
  identities: Pick<IdentityService, 'resolve'>;
  translator: Translator;
  defaultLocale: Locale;
  db: Database;
  redis: Pick<RedisHandle, 'client' | 'prefix'>;
  logger: Logger;
  /** Lease of the single syncing replica. Default 30 s. */
  lockTtlMs?: number;
  /** First and longest wait between reconnection attempts. Defaults 1 s and 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Messages older than this are not answered (after a very long outage). Default 3 days. */
  maxEventAgeMs?: number;
}

export type MatrixBotStatus = 'stopped' | 'standby' | 'connecting' | 'syncing' | 'reconnecting';

export interface MatrixBot extends RunningMessenger {
  readonly adapter: ChatAdapter;
  readonly readiness: ReadinessCheck;
  status(): MatrixBotStatus;
  /** Runs in the background until `stop`: lock, login, sync, reconnect. */
  start(): void;
  stop(): Promise<void>;
}

const liveStates = new Set<SyncState | null>([SyncState.Prepared, SyncState.Syncing]);

export function createMatrixBot(options: MatrixBotOptions): MatrixBot {
  const { account, logger } = options;
  const repository = createBotStateRepository({
    db: options.db,
    platform: 'matrix',
    account: account.userId,
  });
  const cipher = createStateCipher(options.storeKey);
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const maxEventAgeMs = options.maxEventAgeMs ?? 3 * 24 * 3600 * 1000;
  const lock = createSyncLock(options.redis, account.userId, lockTtlMs);

  let running = false;
  let status: MatrixBotStatus = 'stopped';
  let supervisor: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let active: { session: MatrixSession; sender: ReplySender; conversation: MatrixConversation } | undefined;
  let requestStop: (reason: string) => void = () => undefined;
  let stopRequested: Promise<string> = Promise.resolve('not started');

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const clientIsLive = (client: MatrixClient) => liveStates.has(client.getSyncState());

  /** One session: from login to lock loss, logout or stop. Resolves when it is over. */
  async function runSession(): Promise<void> {
    status = 'connecting';
    const startedAt = Date.now();
    // Filled in below; the session's persist hook needs it before it exists.
    const current: { conversation?: MatrixConversation } = {};
    const session = await openMatrixSession({
      account,
      repository,
      cipher,
      logger,
      // The sync position is saved only after the events of that sync were answered (recorded).
      beforePersist: async () => {
        await current.conversation?.drain();
      },
    });
    const { client } = session;
    const resumed = session.resumed;
    // Dedupe marks only need to outlive the age limit: older events are never answered anyway.
    await repository.prune(new Date(Date.now() - 2 * maxEventAgeMs)).catch((error: unknown) => {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'matrix: could not prune old bot state',
      );
    });
    const sender = startReplySender({
      // Recorded replies leave through the same send as pushes; their choices were recorded with them.
      adapter: {
        ...matrixMessenger,
        send: async (roomId, message, sendOptionsOf) => {
          const messageId = await sendMessage(
            client,
            roomId,
            message,
            sendOptionsOf?.idempotencyKey ?? randomUUID(),
            sendOptions('recorded'),
          );
          await keysSaved(session);
          return { messageId };
        },
      },
      client,
      repository,
      cipher,
      logger,
      canSend: () => clientIsLive(client),
      retryBaseMs,
      retryMaxMs,
    });
    const conversation = attachConversation({
      client,
      botUserId: account.userId,
      engine: options.engine,
      identities: options.identities,
      repository,
      cipher,
      translator: options.translator,
      defaultLocale: options.defaultLocale,
      logger,
      onRepliesQueued: () => {
        sender.kick();
      },
      // A first start answers nothing from before it; later starts answer what came while down.
      notBefore: () => Math.max(Date.now() - maxEventAgeMs, resumed ? 0 : startedAt - 5000),
    });
    current.conversation = conversation;
    active = { session, sender, conversation };

    let ended: (reason: string) => void = () => undefined;
    const over = new Promise<string>((resolve) => {
      ended = resolve;
    });
    client.on(ClientEvent.Sync, (state, previous, data) => {
      if (data?.error instanceof MatrixError && data.error.errcode === 'M_UNKNOWN_TOKEN') {
        // Logged out or token revoked: a new session logs in again (password) or reports the bad token.
        ended('access token rejected');
      } else if (liveStates.has(state)) {
        if (status !== 'syncing') logger.info({ deviceId: session.deviceId }, 'matrix: syncing');
        status = 'syncing';
        if (!liveStates.has(previous)) sender.kick();
      } else if (
        state === SyncState.Error ||
        state === SyncState.Reconnecting ||
        state === SyncState.Catchup
      ) {
        if (status === 'syncing') logger.warn({ state }, 'matrix: homeserver unreachable; retrying');
        status = 'reconnecting';
      } else if (state === SyncState.Stopped && running) {
        ended('sync stopped');
      }
    });
    client.on(ClientEvent.SyncUnexpectedError, (error) => {
      logger.error({ err: error }, 'matrix: unexpected error while processing a sync');
    });
    const renewal = setInterval(
      () => {
        lock.renew().then(
          (held) => {
            if (!held) ended('sync lock lost');
          },
          () => {
            ended('sync lock unreachable');
          },
        );
      },
      Math.max(1000, Math.floor(lockTtlMs / 3)),
    );

    try {
      await client.startClient({ initialSyncLimit: 20, lazyLoadMembers: false, threadSupport: false });
      const reason = await Promise.race([over, stopRequested]);
      logger.info({ reason }, 'matrix: session ends');
    } finally {
      clearInterval(renewal);
      conversation.detach();
      await sender.stop();
      await conversation.drain();
      await session.close().catch((error: unknown) => {
        logger.warn({ err: error }, 'matrix: could not save state on close');
      });
      active = undefined;
    }
  }

  async function supervise(): Promise<void> {
    let failures = 0;
    while (running) {
      try {
        if (!(await lock.acquire())) {
          if (status !== 'standby') logger.info('matrix: another replica syncs the bot account; standing by');
          status = 'standby';
          await sleep(Math.max(1000, Math.floor(lockTtlMs / 3)));
          continue;
        }
        await runSession();
        failures = 0;
      } catch (error) {
        failures += 1;
        status = 'reconnecting';
        const fatal = error instanceof MatrixAccountError;
        const delay = fatal
          ? retryMaxMs
          : Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(failures - 1, 10));
        logger[fatal ? 'error' : 'warn'](
          { err: error instanceof Error ? error.message : String(error), retryInMs: delay },
          fatal
            ? 'matrix: the bot account is misconfigured'
            : 'matrix: cannot reach the homeserver; retrying',
        );
        await sleep(delay);
      }
    }
    await lock.release().catch(() => undefined);
    status = 'stopped';
  }

  async function requireActive(): Promise<MatrixSession> {
    const current = active;
    if (current === undefined || !clientIsLive(current.session.client)) {
      throw new ChatDeliveryError({
        kind: 'retry',
        code: status === 'standby' ? 'matrix_other_replica_syncs' : 'matrix_not_connected',
      });
    }
    return Promise.resolve(current.session);
  }

  /**
   * A send is done only once the keys it made are saved. Sending to a person the first time (or
   * with a new room key) creates an Olm session and a room key that exist only in this process's
   * memory; the person's client answers through that session. Were this process to die before its
   * next save with the delivery recorded as done, the replica taking over (restored from that save)
   * could never read the answer. Recorded only after the save, a delivery cut short by a crash is
   * sent again by the replica that takes over (the same transaction id: the same event), with keys
   * it holds, and the person's client answers through the newest session.
   */
  async function keysSaved(session: MatrixSession): Promise<void> {
    try {
      await session.persistCrypto();
    } catch (error) {
      throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_keys_not_saved' }, undefined, error);
    }
  }

  /** A DM with `userId` that the bot is in, or a new one: encrypted from its first event. */
  async function directRoomWith(client: MatrixClient, userId: string): Promise<string> {
    for (const room of client.getRooms()) {
      if (room.getMyMembership() !== 'join' || !room.hasEncryptionStateEvent()) continue;
      const others = [...room.getJoinedMembers(), ...room.getMembersWithMembership('invite')].filter(
        (m) => m.userId !== account.userId,
      );
      if (others.length === 1 && others[0]?.userId === userId) return room.roomId;
    }
    const { room_id: roomId } = await client.createRoom({
      preset: Preset.TrustedPrivateChat,
      is_direct: true,
      invite: [userId],
      initial_state: [
        { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
    // Clients list a room as a direct chat through the creator's m.direct account data.
    const direct: Record<string, string[] | undefined> =
      client.getAccountData('m.direct' as never)?.getContent() ?? {};
    await client
      .setAccountData(
        'm.direct' as never,
        { ...direct, [userId]: [...(direct[userId] ?? []), roomId] } as never,
      )
      .catch(() => undefined);
    // Send only once the room has come back through the sync: a retry before that would create a second room.
    const deadline = Date.now() + 15_000;
    while (client.getRoom(roomId)?.hasEncryptionStateEvent() !== true) {
      if (Date.now() > deadline)
        throw new ChatDeliveryError({ kind: 'retry', code: 'matrix_room_not_synced' });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return roomId;
  }

  const sendOptions = (choices: MatrixSendOptions['choices']): MatrixSendOptions => ({
    translator: options.translator,
    defaultLocale: options.defaultLocale,
    repository,
    choices,
  });

  /** A push: to a room, or to a user (their DM with the bot, created if need be). */
  async function send(
    chatId: string,
    message: OutboundMessage,
    idempotencyKey: string,
  ): Promise<{ messageId: string }> {
    const session = await requireActive();
    const { client } = session;
    const roomId = chatId.startsWith('@') ? await directRoomWith(client, chatId) : chatId;
    const messageId = await sendMessage(client, roomId, message, idempotencyKey, sendOptions('remember'));
    await keysSaved(session);
    return { messageId };
  }

  /**
   * A room is end-to-end encrypted when its state and the crypto module agree (the same test the
   * sender applies before it sends). A replica that does not sync cannot tell: it says plain.
   */
  async function capabilities(chatId: string): Promise<ConversationCapabilities> {
    const current = active;
    if (current === undefined || !clientIsLive(current.session.client) || chatId.startsWith('@'))
      return plainConversation;
    const client = current.session.client;
    const encrypted =
      client.getRoom(chatId)?.hasEncryptionStateEvent() === true &&
      (await client.getCrypto()?.isEncryptionEnabledInRoom(chatId)) === true;
    return { endToEndEncrypted: encrypted, files: encrypted };
  }

  return {
    adapter: {
      ...matrixMessenger,
      conversationCapabilities: capabilities,
      send: (chatId, message, options) => send(chatId, message, options?.idempotencyKey ?? randomUUID()),
      // Only a live sync can send: a standby replica has not the keys (the syncing replica has),
      // and a starting or reconnecting client would refuse the push (matrix_not_connected). The
      // outbox puts the push back without spending an attempt, for later or another replica.
      sendsHere: () => active !== undefined && clientIsLive(active.session.client),
    },
    // Pushes need the syncing client (it holds the keys), and pushes are sent by the outbox's
    // consumers: the bot connects in worker (and all) processes, where the sync lock lets exactly
    // one replica sync. An API process would take the lock and leave every push unsendable.
    connectsIn: 'workers',
    wayIn: matrixWayIn(account.userId),
    readiness: {
      name: 'matrix',
      // A standby replica is healthy: syncing is another replica's job. Reported, never holding
      // the process unready: a homeserver that is away must not take the API out of service.
      optional: true,
      check: () =>
        Promise.resolve(
          status === 'syncing' || status === 'standby'
            ? 'ok'
            : status === 'connecting' || status === 'stopped'
              ? 'connecting'
              : 'down',
        ),
    },
    status: () => status,
    start() {
      if (running) return;
      running = true;
      stopRequested = new Promise((resolve) => {
        requestStop = resolve;
      });
      routeSdkGlobalLogs(logger);
      logger.info(
        { userId: account.userId, homeserver: new URL(account.homeserverUrl).host },
        'matrix: bot starting',
      );
      supervisor = supervise();
    },
    async stop() {
      running = false;
      requestStop('stopping');
      wake?.();
      await supervisor;
    },
  };
}
