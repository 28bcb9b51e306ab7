// A plain matrix-js-sdk client with Rust crypto, as a person using Element would have: used in
// tests as "the user" talking to the bot through the test homeserver.
import { hangDeadlineMs } from './hang-deadline.ts';
import {
  ClientEvent,
  createClient,
  type MatrixClient,
  type MatrixEvent,
  RoomEvent,
  RoomMemberEvent,
  SyncState,
} from 'matrix-js-sdk';
import { type Logger, logger as sdkGlobalLogger } from 'matrix-js-sdk/lib/logger.js';
import type { TestHomeserver } from './matrix-homeserver/index.ts';
import { drainOutgoingCryptoRequests } from '../../bots/matrix/crypto-drain.ts';

// Parts of the SDK log through its global logger (and children made from it later) rather than
// the client's; a quiet method factory silences them all unless MATRIX_SDK_LOG=1.
if (process.env.MATRIX_SDK_LOG !== '1') {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only handle on the SDK's global logger
  const globalLogger = sdkGlobalLogger as unknown as { methodFactory: () => () => void; rebuild(): void };
  globalLogger.methodFactory = () => () => undefined;
  globalLogger.rebuild();
}

export interface ReceivedMessage {
  eventId: string;
  roomId: string;
  sender: string;
  /** Type and content after decryption. */
  type: string;
  content: Record<string, unknown>;
  /** Was it end-to-end encrypted on the wire? */
  encrypted: boolean;
}

export interface TestMatrixUser {
  readonly userId: string;
  readonly client: MatrixClient;
  /** Every message received so far (decrypted), in arrival order. */
  readonly received: ReceivedMessage[];
  /** Waits until a message from someone else matches, and returns it. */
  waitForMessage(
    predicate: (message: ReceivedMessage) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedMessage>;
  /** Creates an encrypted DM with `userId` (invited, marked direct). */
  createEncryptedDm(userId: string): Promise<string>;
  /** Waits until `userId` has joined `roomId`. */
  waitForJoin(roomId: string, userId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Silences matrix-js-sdk unless MATRIX_SDK_LOG=1; its chatter drowns test output otherwise. */
export function testSdkLogger(prefix = ''): Logger {
  const verbose = process.env.MATRIX_SDK_LOG === '1';
  const write =
    (level: string) =>
    (...message: unknown[]) => {
      if (verbose)
        process.stderr.write(
          `[sdk${prefix}] ${level} ${message.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}\n`,
        );
    };
  const logger: Logger = {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    getChild: (namespace) => testSdkLogger(`${prefix}${namespace}`),
  };
  return logger;
}

/**
 * Registers and logs in a user, starts an encrypting client and waits for its first sync. The user
 * sets up cross-signing, which signs this device, as Element does at first login: the bot shares
 * room keys only with devices their owner signed. `anotherDevice`: the user exists already; this is
 * a new device of theirs, which nobody has signed (a rogue one, or one still to be verified).
 */
export async function startTestMatrixUser(
  homeserver: TestHomeserver,
  localpart: string,
  options: { autoJoin?: boolean; crossSign?: boolean; anotherDevice?: boolean } = {},
): Promise<TestMatrixUser> {
  const userId =
    options.anotherDevice === true
      ? `@${localpart}:${homeserver.serverName}`
      : homeserver.registerUser(localpart).userId;
  const { accessToken, deviceId } = homeserver.login(userId);
  const client = createClient({
    baseUrl: homeserver.url,
    userId,
    accessToken,
    deviceId,
    logger: testSdkLogger(`:${localpart}`),
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const received: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();

  client.on(RoomEvent.Timeline, (event: MatrixEvent, room, toStartOfTimeline) => {
    if (toStartOfTimeline === true || room === undefined || event.getSender() === userId) return;
    void (async () => {
      await client.decryptEventIfNeeded(event);
      if (event.isState()) return;
      received.push({
        eventId: event.getId() ?? '',
        roomId: room.roomId,
        sender: event.getSender() ?? '',
        type: event.getType(),
        content: event.getContent(),
        encrypted: event.isEncrypted(),
      });
      for (const wake of waiters) wake();
    })();
  });
  if (options.autoJoin === true) {
    client.on(RoomMemberEvent.Membership, (_event, member) => {
      if (member.userId === userId && member.membership === 'invite')
        void client.joinRoom(member.roomId).catch(() => undefined);
    });
  }

  const prepared = new Promise<void>((resolve) => {
    const onSync = (state: SyncState) => {
      if (state === SyncState.Prepared) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
  if (options.crossSign ?? options.anotherDevice !== true) {
    // The first upload of cross-signing keys needs no re-authentication (spec v1.11).
    await client.getCrypto()?.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: (makeRequest) => makeRequest(null).then(() => undefined),
    });
  }

  const until = async <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
  };

  return {
    userId,
    client,
    received,
    waitForMessage: (predicate, timeoutMs = hangDeadlineMs) =>
      until(() => received.find(predicate), timeoutMs, `a message at ${localpart}`),
    async createEncryptedDm(other) {
      const { room_id: roomId } = await client.createRoom({
        preset: 'trusted_private_chat' as never,
        is_direct: true,
        invite: [other],
        initial_state: [
          { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
        ],
      });
      return roomId;
    },
    async waitForJoin(roomId, other, timeoutMs = hangDeadlineMs) {
      await until(
        () => (client.getRoom(roomId)?.getMember(other)?.membership === 'join' ? true : undefined),
        timeoutMs,
        `${other} to join`,
      );
    },
    async stop() {
      await drainOutgoingCryptoRequests(client);
      client.stopClient();
      for (const wake of waiters) wake();
    },
  };
}
