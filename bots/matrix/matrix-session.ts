// Logging in and building the bot's client: which device it is, its restored crypto store and
// sync position. The device stays the same across restarts (the crypto store is persisted), so
// users verify the bot once and messages sent while it was down can still be decrypted.
import { createHash, randomUUID } from 'node:crypto';
import { createClient, type MatrixClient, MatrixError } from 'matrix-js-sdk';
import {
  AllDevicesIsolationMode,
  OnlySignedDevicesIsolationMode,
} from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { BotStateRepository } from './state/index.ts';
import type { Logger } from '../../src/logging/logger.ts';
import {
  deleteDatabases,
  installInMemoryIndexedDb,
  restoreDatabases,
  snapshotDatabases,
} from './crypto-store-snapshot.ts';
import { PersistedSyncStore, type SavedSync } from './persisted-sync-store.ts';
import { quietSdkLogger, sdkLoggerFor } from './sdk-logging.ts';
import type { StateCipher } from './state-cipher.ts';
import { drainOutgoingCryptoRequests } from './crypto-drain.ts';

export interface MatrixAccountSettings {
  homeserverUrl: string;
  userId: string;
  accessToken: string | undefined;
  password: string | undefined;
  deviceName: string;
  /** README, "Which devices can read the bot". Default all-devices. */
  devicePolicy?: 'all-devices' | 'signed-only' | undefined;
}

interface StoredSession {
  userId: string;
  deviceId: string;
  accessToken: string;
}

/** A configuration problem no retry will fix (wrong password, token of another user). */
export class MatrixAccountError extends Error {}

export interface MatrixSession {
  readonly client: MatrixClient;
  readonly deviceId: string;
  readonly store: PersistedSyncStore;
  /** False on the very first start of this account: no sync position to resume from. */
  readonly resumed: boolean;
  /** Writes crypto state and sync position together (one transaction). */
  persist(saved?: SavedSync): Promise<void>;
  /**
   * Writes the crypto state alone, now: after a send, whose room keys and Olm sessions exist only
   * in memory until then (a crypto state ahead of the saved sync position is safe; behind it is not).
   */
  persistCrypto(): Promise<void>;
  /** Stops the client, saves a last time, frees the in-memory crypto databases. */
  close(): Promise<void>;
}

const blobKinds = { session: 'session', crypto: 'crypto', sync: 'sync' } as const;

export async function openMatrixSession(input: {
  account: MatrixAccountSettings;
  repository: BotStateRepository;
  cipher: StateCipher;
  logger: Logger;
  /** Runs after every persisted sync, before it is written: lets the bot finish the events of that sync first. */
  beforePersist?: () => Promise<void>;
}): Promise<MatrixSession> {
  const { account, repository, cipher, logger } = input;
  const session = await resolveSession(account, repository, cipher, logger);

  let cryptoBlob = await repository.loadBlob(blobKinds.crypto);
  let syncBlob = await repository.loadBlob(blobKinds.sync);
  const storedDevice = await repository.loadBlob('crypto-device');
  if (storedDevice !== undefined && cipher.decrypt(storedDevice).toString('utf8') !== session.deviceId) {
    // The access token now belongs to another device: the saved keys are not this device's.
    logger.warn(
      'matrix: the configured access token is for a new device; starting with a fresh crypto store',
    );
    cryptoBlob = undefined;
    syncBlob = undefined;
  }

  installInMemoryIndexedDb();
  const prefix = `counterpart-${randomUUID()}`;
  if (cryptoBlob !== undefined) await restoreDatabases(prefix, cipher.decrypt(cryptoBlob));
  const initial = syncBlob === undefined ? undefined : (cipher.decryptJson(syncBlob) as SavedSync);

  let persisting: Promise<void> = Promise.resolve();
  // Digests of what was written last: an unchanged crypto store (most syncs) is not written again.
  const written = { crypto: '', sync: '' };
  const digest = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  /**
   * One write of the crypto store, and of the sync position when `sync` is given. Serialized: two
   * overlapping writes could store an older crypto state after a newer one. `onStart` runs as the
   * write begins (before its snapshot).
   */
  const write = (sync: (() => SavedSync | undefined) | undefined, onStart?: () => void): Promise<void> => {
    const run = persisting.then(async () => {
      onStart?.();
      if (sync !== undefined) await input.beforePersist?.();
      const crypto = await snapshotDatabases(prefix);
      const cryptoDigest = digest(crypto);
      const entries: { kind: string; data: string }[] = [];
      if (cryptoDigest !== written.crypto) {
        entries.push(
          { kind: blobKinds.crypto, data: cipher.encrypt(crypto) },
          { kind: 'crypto-device', data: cipher.encrypt(Buffer.from(session.deviceId, 'utf8')) },
        );
      }
      const saved = sync?.();
      const syncJson = saved === undefined ? undefined : JSON.stringify(saved);
      const syncDigest = syncJson === undefined ? undefined : digest(syncJson);
      if (syncJson !== undefined && syncDigest !== written.sync) {
        entries.push({ kind: blobKinds.sync, data: cipher.encrypt(Buffer.from(syncJson, 'utf8')) });
      }
      // One transaction: the sync position is never ahead of the crypto state that goes with it.
      await repository.saveBlobs(entries);
      written.crypto = cryptoDigest;
      if (syncDigest !== undefined) written.sync = syncDigest;
    });
    persisting = run.catch(() => undefined);
    return run;
  };
  const persist = (saved?: SavedSync): Promise<void> => write(() => saved ?? store.snapshot());
  // A crypto write queued and not yet begun snapshots after every send that asked for it: they share it.
  let cryptoWriteQueued: Promise<void> | undefined;
  const persistCrypto = (): Promise<void> => {
    cryptoWriteQueued ??= write(undefined, () => {
      cryptoWriteQueued = undefined;
    });
    return cryptoWriteQueued;
  };
  const store = new PersistedSyncStore({
    initial,
    persist: (saved) => persist(saved),
    onSaveError: (error) => {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'matrix: could not save the sync position; retrying after the next sync',
      );
    },
  });

  const client = createClient({
    baseUrl: account.homeserverUrl,
    userId: session.userId,
    deviceId: session.deviceId,
    accessToken: session.accessToken,
    store,
    logger: sdkLoggerFor(logger),
    fetchFn: savedBeforeToDevice(persistCrypto),
  });
  try {
    await client.initRustCrypto({
      useIndexedDB: true,
      cryptoDatabasePrefix: prefix,
      storageKey: cipher.cryptoStoreKey,
    });
  } catch (error) {
    await deleteDatabases(prefix);
    throw error;
  }
  // signed-only: room keys go only to devices their owner cross-signed, and only such devices are
  // heard (MSC4153): a device added to a member's account by someone who learned the password gets
  // nothing the bot sends and is not answered. It also leaves a member whose client never set up
  // cross-signing with nothing readable (the homeserver still accepts the message), which is why
  // it is the deployment's choice and all-devices the default (README, "Which devices can read the bot").
  client
    .getCrypto()
    ?.setDeviceIsolationMode(
      account.devicePolicy === 'signed-only'
        ? new OnlySignedDevicesIsolationMode()
        : new AllDevicesIsolationMode(false),
    );
  // signed-only encrypts only once the bot's own device is cross-signed too, and clients that
  // exclude insecure devices send the bot keys only then: cross-sign under either policy.
  await ensureCrossSigning(client, account, session.userId, logger);
  // Save the fresh identity keys at once: a crash before the first sync must not lose them.
  await persist();

  return {
    client,
    deviceId: session.deviceId,
    store,
    resumed: initial !== undefined,
    persist,
    persistCrypto,
    async close() {
      await drainOutgoingCryptoRequests(client);
      client.stopClient();
      try {
        await persist();
        store.close();
        // Let a save that the stopping sync loop had already begun finish before the databases go.
        await persisting;
      } finally {
        await deleteDatabases(prefix);
      }
    },
  };
}

/**
 * Sets up the account's cross-signing keys and signs this device with them, once (the private
 * keys stay in the persisted crypto store). The first upload needs no re-authentication (spec
 * v1.11); replacing keys another device made (a new device of the bot's account) takes the password.
 * A failure is logged and tried again at the next start: until then nothing encrypted goes out.
 */
async function ensureCrossSigning(
  client: MatrixClient,
  account: MatrixAccountSettings,
  userId: string,
  logger: Logger,
): Promise<void> {
  const crypto = client.getCrypto();
  if (crypto === undefined || (await crypto.isCrossSigningReady())) return;
  try {
    await crypto.bootstrapCrossSigning({
      setupNewCrossSigning: !(await crypto.getCrossSigningStatus()).privateKeysCachedLocally.masterKey,
      authUploadDeviceSigningKeys: async (makeRequest) => {
        try {
          await makeRequest(null);
        } catch (error) {
          const session: unknown =
            error instanceof MatrixError && error.httpStatus === 401
              ? (error.data as { session?: unknown }).session
              : undefined;
          if (account.password === undefined || typeof session !== 'string') throw error;
          await makeRequest({
            type: 'm.login.password',
            identifier: { type: 'm.id.user', user: userId },
            password: account.password,
            session,
          });
        }
      },
    });
    logger.info('matrix: cross-signing set up for the bot device');
  } catch (error) {
    logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'matrix: could not set up cross-signing; encrypted messages cannot be sent until it is (retried at the next start)',
    );
  }
}

/**
 * Olm messages leave only once the crypto state that made them is saved (write-ahead). Each
 * to-device message (a room key on its way to a device) ratchets an Olm session forward, and the
 * crypto store holds the ratcheted session before the SDK hands the request out. Had the message
 * left before our save, a replica restored from the older save after this process died would
 * encrypt its next room key with message keys the member's device has already used and refuses:
 * that room key, and every message sent with it, could never be read ("The sender's device has
 * not sent us the keys"). A save that fails keeps the message back; the SDK tries it again.
 */
function savedBeforeToDevice(persistCrypto: () => Promise<void>): typeof globalThis.fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (init?.method === 'PUT' && url.includes('/sendToDevice/')) await persistCrypto();
    return globalThis.fetch(input, init);
  };
}

async function resolveSession(
  account: MatrixAccountSettings,
  repository: BotStateRepository,
  cipher: StateCipher,
  logger: Logger,
): Promise<StoredSession> {
  const storedBlob = await repository.loadBlob(blobKinds.session);
  const stored = storedBlob === undefined ? undefined : (cipher.decryptJson(storedBlob) as StoredSession);

  if (account.accessToken !== undefined) {
    const { userId, deviceId } = await whoami(account.homeserverUrl, account.accessToken);
    if (userId !== account.userId)
      throw new MatrixAccountError(`MATRIX_ACCESS_TOKEN belongs to ${userId}, not MATRIX_USER_ID`);
    if (deviceId === undefined)
      throw new MatrixAccountError('the homeserver did not say which device MATRIX_ACCESS_TOKEN belongs to');
    return { userId, deviceId, accessToken: account.accessToken };
  }
  if (account.password === undefined)
    throw new MatrixAccountError('MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD is required');

  if (stored?.userId === account.userId) {
    try {
      const { deviceId } = await whoami(account.homeserverUrl, stored.accessToken);
      if (deviceId === stored.deviceId) return stored;
    } catch (error) {
      if (!(error instanceof MatrixError && error.errcode === 'M_UNKNOWN_TOKEN')) throw error;
      logger.info('matrix: stored access token expired; logging in again on the same device');
    }
  }
  // Logging in with the stored device id keeps the device, so the saved crypto store still fits it.
  const client = createClient({ baseUrl: account.homeserverUrl, logger: sdkLoggerFor(logger) });
  try {
    const response = await client.loginRequest({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: account.userId },
      password: account.password,
      initial_device_display_name: account.deviceName,
      ...(stored?.userId === account.userId ? { device_id: stored.deviceId } : {}),
    });
    const session = {
      userId: response.user_id,
      deviceId: response.device_id,
      accessToken: response.access_token,
    };
    await repository.saveBlobs([{ kind: blobKinds.session, data: cipher.encryptJson(session) }]);
    logger.info({ deviceId: session.deviceId }, 'matrix: logged in');
    return session;
  } catch (error) {
    if (error instanceof MatrixError && (error.errcode === 'M_FORBIDDEN' || error.httpStatus === 403)) {
      throw new MatrixAccountError('the homeserver refused MATRIX_USER_ID / MATRIX_PASSWORD');
    }
    throw error;
  }
}

async function whoami(
  baseUrl: string,
  accessToken: string,
): Promise<{ userId: string; deviceId: string | undefined }> {
  const client = createClient({ baseUrl, accessToken, logger: quietSdkLogger });
  const response = await client.whoami();
  return { userId: response.user_id, deviceId: response.device_id };
}
