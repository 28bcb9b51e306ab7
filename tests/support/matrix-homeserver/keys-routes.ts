// End-to-end encryption endpoints: device and one-time keys, cross-signing, to-device messages.
// The server only stores and relays: it never sees plaintext, exactly like a real homeserver.
import { requirePasswordAuth } from './account-routes.ts';
import { type Device, type JsonObject, MatrixError, type User } from './homeserver-state.ts';
import { idempotent, optionalObject, route, type Route, type RouteContext } from './homeserver-router.ts';
import { deviceListChanges, isObject, parseStreamToken } from './homeserver-sync.ts';
import { canonicalJson, hasValidSignature, signedPart } from './signed-json.ts';

export function keysRoutes(): Route[] {
  return [
    route('POST', '/keys/upload', uploadKeys),
    route('POST', '/keys/query', queryKeys),
    route('POST', '/keys/claim', claimKeys),
    route('GET', '/keys/changes', ({ state, user, query }) => {
      const from = parseStreamToken(query.get('from') ?? undefined);
      if (from === undefined) throw new MatrixError(400, 'M_INVALID_PARAM', 'from is required');
      return deviceListChanges(state, user, from);
    }),
    route('POST', '/keys/device_signing/upload', uploadCrossSigningKeys),
    route('POST', '/keys/signatures/upload', uploadSignatures),
    route('PUT', '/sendToDevice/:eventType/:txnId', (context) =>
      idempotent(context, 'sendToDevice', () => {
        const messages = optionalObject(context.body, 'messages') ?? {};
        for (const [target, perDevice] of Object.entries(messages)) {
          if (!isObject(perDevice))
            throw new MatrixError(400, 'M_BAD_JSON', 'messages must map users to devices');
          for (const [deviceId, content] of Object.entries(perDevice)) {
            if (!isObject(content))
              throw new MatrixError(400, 'M_BAD_JSON', 'to-device content must be an object');
            context.state.queueToDevice(
              context.auth,
              context.params.eventType ?? '',
              target,
              deviceId,
              content,
            );
          }
        }
        return {};
      }),
    ),
    // No server-side key backup: clients treat M_NOT_FOUND as "no backup exists".
    route('GET', '/room_keys/version', () => {
      throw new MatrixError(404, 'M_NOT_FOUND', 'No current backup version');
    }),
    route('GET', '/room_keys/version/:version', () => {
      throw new MatrixError(404, 'M_NOT_FOUND', 'Unknown backup version');
    }),
  ];
}

function uploadKeys({ state, auth, user, body }: RouteContext): JsonObject {
  const device = requireDevice(user, auth.deviceId);
  const deviceKeys = optionalObject(body, 'device_keys');
  if (deviceKeys !== undefined) {
    if (deviceKeys.user_id !== auth.userId || deviceKeys.device_id !== auth.deviceId) {
      throw new MatrixError(400, 'M_INVALID_PARAM', 'device_keys must be for the calling device');
    }
    // The device's keys must be signed by the device's own ed25519 key (a client checks this too;
    // here a broken or forged upload is refused before anyone else sees it).
    const ownKey = deviceEd25519(deviceKeys, auth.deviceId);
    if (
      ownKey === undefined ||
      !hasValidSignature(deviceKeys, auth.userId, `ed25519:${auth.deviceId}`, ownKey)
    )
      throw new MatrixError(400, 'M_INVALID_SIGNATURE', 'device_keys are not signed by the device');
    if (JSON.stringify(device.keys) !== JSON.stringify(deviceKeys)) {
      device.keys = deviceKeys;
      state.markKeysChanged(user);
    }
  }
  // Signed one-time and fallback keys carry the device's signature: checked against its key.
  const signingKey = deviceEd25519(deviceKeys ?? device.keys, auth.deviceId);
  for (const uploads of [optionalObject(body, 'one_time_keys'), optionalObject(body, 'fallback_keys')]) {
    for (const [keyId, key] of Object.entries(uploads ?? {})) {
      if (!keyId.startsWith('signed_')) continue;
      if (
        !isObject(key) ||
        signingKey === undefined ||
        !hasValidSignature(key, auth.userId, `ed25519:${auth.deviceId}`, signingKey)
      )
        throw new MatrixError(400, 'M_INVALID_SIGNATURE', `key ${keyId} is not signed by the device`);
    }
  }
  for (const [keyId, key] of Object.entries(optionalObject(body, 'one_time_keys') ?? {})) {
    const existing = device.oneTimeKeys.get(keyId);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(key)) {
      throw new MatrixError(400, 'M_INVALID_PARAM', `one-time key ${keyId} already exists`);
    }
    device.oneTimeKeys.set(keyId, key);
  }
  for (const [keyId, key] of Object.entries(optionalObject(body, 'fallback_keys') ?? {})) {
    const algorithm = keyId.split(':')[0] ?? keyId;
    device.fallbackKeys.set(algorithm, { keyId, key, used: false });
  }
  const counts: Record<string, number> = { signed_curve25519: 0 };
  for (const keyId of device.oneTimeKeys.keys()) {
    const algorithm = keyId.split(':')[0] ?? keyId;
    counts[algorithm] = (counts[algorithm] ?? 0) + 1;
  }
  return { one_time_key_counts: counts };
}

function queryKeys({ state, auth, body }: RouteContext): JsonObject {
  const requested = optionalObject(body, 'device_keys') ?? {};
  const deviceKeys: JsonObject = {};
  const masterKeys: JsonObject = {};
  const selfSigningKeys: JsonObject = {};
  const userSigningKeys: JsonObject = {};
  for (const [userId, wanted] of Object.entries(requested)) {
    const user = state.users.get(userId);
    if (user === undefined) continue;
    const wantedDevices = Array.isArray(wanted)
      ? wanted.filter((id): id is string => typeof id === 'string')
      : [];
    const devices: JsonObject = {};
    for (const device of user.devices.values()) {
      if (device.keys === undefined || (wantedDevices.length > 0 && !wantedDevices.includes(device.deviceId)))
        continue;
      const unsigned = device.displayName === undefined ? {} : { device_display_name: device.displayName };
      devices[device.deviceId] = { ...device.keys, unsigned };
    }
    deviceKeys[userId] = devices;
    const master = user.crossSigning.get('master');
    const selfSigning = user.crossSigning.get('self_signing');
    const userSigning = user.crossSigning.get('user_signing');
    if (master !== undefined) masterKeys[userId] = master;
    if (selfSigning !== undefined) selfSigningKeys[userId] = selfSigning;
    // Spec: a user-signing key is only ever shown to its owner.
    if (userSigning !== undefined && userId === auth.userId) userSigningKeys[userId] = userSigning;
  }
  return {
    device_keys: deviceKeys,
    failures: {},
    master_keys: masterKeys,
    self_signing_keys: selfSigningKeys,
    user_signing_keys: userSigningKeys,
  };
}

function claimKeys({ state, body }: RouteContext): JsonObject {
  const requested = optionalObject(body, 'one_time_keys') ?? {};
  const claimed: JsonObject = {};
  for (const [userId, perDevice] of Object.entries(requested)) {
    const user = state.users.get(userId);
    if (user === undefined || !isObject(perDevice)) continue;
    const result: JsonObject = {};
    for (const [deviceId, algorithm] of Object.entries(perDevice)) {
      const device = user.devices.get(deviceId);
      if (device === undefined || typeof algorithm !== 'string') continue;
      const oneTimeKeyId = [...device.oneTimeKeys.keys()].find((keyId) => keyId.startsWith(`${algorithm}:`));
      if (oneTimeKeyId !== undefined) {
        result[deviceId] = { [oneTimeKeyId]: device.oneTimeKeys.get(oneTimeKeyId) };
        device.oneTimeKeys.delete(oneTimeKeyId);
        continue;
      }
      // Out of one-time keys: the fallback key is handed out (and stays) until replaced.
      const fallback = device.fallbackKeys.get(algorithm);
      if (fallback !== undefined) {
        fallback.used = true;
        result[deviceId] = { [fallback.keyId]: fallback.key };
      }
    }
    claimed[userId] = result;
  }
  return { one_time_keys: claimed, failures: {} };
}

function uploadCrossSigningKeys(context: RouteContext): JsonObject {
  const { state, user, body } = context;
  const uploads: [string, JsonObject | undefined][] = [
    ['master', optionalObject(body, 'master_key')],
    ['self_signing', optionalObject(body, 'self_signing_key')],
    ['user_signing', optionalObject(body, 'user_signing_key')],
  ];
  const existingMaster = user.crossSigning.get('master');
  const newMaster = uploads[0]?.[1];
  // Spec (v1.11): the first upload needs no re-authentication; replacing a master key does.
  if (
    existingMaster !== undefined &&
    newMaster !== undefined &&
    JSON.stringify(publicKeys(existingMaster)) !== JSON.stringify(publicKeys(newMaster))
  ) {
    requirePasswordAuth(context);
  }
  for (const [usage, key] of uploads) {
    if (key === undefined) continue;
    if (
      key.user_id !== user.userId ||
      !Array.isArray(key.usage) ||
      !key.usage.includes(usage) ||
      !isObject(key.keys) ||
      publicKeys(key).length !== 1
    ) {
      throw new MatrixError(400, 'M_INVALID_PARAM', `invalid ${usage} key`);
    }
  }
  // As Synapse: the self-signing and user-signing keys must be signed by the master key (the one
  // uploaded with them, or the one already published). Checked before anything is stored.
  const master = newMaster ?? existingMaster;
  const masterPublic = master === undefined ? undefined : publicKeys(master)[0];
  for (const [usage, key] of uploads.slice(1)) {
    if (key === undefined) continue;
    if (
      masterPublic === undefined ||
      !hasValidSignature(key, user.userId, `ed25519:${masterPublic}`, masterPublic)
    )
      throw new MatrixError(400, 'M_INVALID_SIGNATURE', `${usage} key is not signed by the master key`);
  }
  for (const [usage, key] of uploads) if (key !== undefined) user.crossSigning.set(usage, key);
  state.markKeysChanged(user);
  return {};
}

/**
 * Signatures the caller made on keys (their own devices and master key, or another user's master
 * key). Each new signature must be the caller's, by one of the caller's keys, and verify over the
 * key as published; anything else is reported in `failures` and not stored (as Synapse does).
 */
function uploadSignatures({ state, auth, user: caller, body }: RouteContext): JsonObject {
  const failures: JsonObject = {};
  const fail = (userId: string, keyId: string, errcode: string, error: string) => {
    const userFailures = (failures[userId] ??= {}) as JsonObject;
    userFailures[keyId] = { errcode, error };
  };
  for (const [userId, perKey] of Object.entries(body)) {
    const user = state.users.get(userId);
    if (!isObject(perKey)) continue;
    for (const [keyId, signed] of Object.entries(perKey)) {
      const target = user === undefined ? undefined : signableKey(user, keyId);
      if (target === undefined || !isObject(signed) || !isObject(signed.signatures)) {
        fail(userId, keyId, 'M_NOT_FOUND', 'unknown key');
        continue;
      }
      if (canonicalJson(signedPart(signed)) !== canonicalJson(signedPart(target))) {
        fail(userId, keyId, 'M_INVALID_SIGNATURE', 'the signed object is not the published key');
        continue;
      }
      const accepted: Record<string, string> = {};
      let refused = false;
      for (const [signer, entries] of Object.entries(signed.signatures)) {
        if (!isObject(entries)) continue;
        for (const [signingKeyId, signature] of Object.entries(entries)) {
          const known = (target.signatures as Record<string, JsonObject | undefined> | undefined)?.[signer]?.[
            signingKeyId
          ];
          if (known === signature) continue;
          const publicKey = signer === auth.userId ? callerPublicKey(caller, signingKeyId) : undefined;
          if (publicKey === undefined || !hasValidSignature(signed, signer, signingKeyId, publicKey)) {
            refused = true;
            continue;
          }
          accepted[signingKeyId] = signature as string;
        }
      }
      if (refused) {
        fail(userId, keyId, 'M_INVALID_SIGNATURE', 'a signature does not verify');
        continue;
      }
      if (Object.keys(accepted).length === 0) continue;
      const signatures = (isObject(target.signatures) ? target.signatures : {}) as Record<string, JsonObject>;
      signatures[auth.userId] = { ...(signatures[auth.userId] ?? {}), ...accepted };
      target.signatures = signatures;
      if (user !== undefined) state.markKeysChanged(user);
    }
  }
  return { failures };
}

/** The public key behind "ed25519:<device id or cross-signing public key>" of the caller. */
function callerPublicKey(caller: User, signingKeyId: string): string | undefined {
  if (!signingKeyId.startsWith('ed25519:')) return undefined;
  const name = signingKeyId.slice('ed25519:'.length);
  const device = caller.devices.get(name);
  if (device?.keys !== undefined) return deviceEd25519(device.keys, name);
  for (const key of caller.crossSigning.values()) if (publicKeys(key).includes(name)) return name;
  return undefined;
}

/** A device's ed25519 identity key from its device_keys. */
function deviceEd25519(keys: JsonObject | undefined, deviceId: string): string | undefined {
  const value = isObject(keys?.keys) ? keys.keys[`ed25519:${deviceId}`] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A device's keys (by device id) or a cross-signing key (by its unpadded base64 public key). */
function signableKey(user: User, keyId: string): JsonObject | undefined {
  const device = user.devices.get(keyId);
  if (device?.keys !== undefined) return device.keys;
  for (const key of user.crossSigning.values()) {
    if (publicKeys(key).includes(keyId)) return key;
  }
  return undefined;
}

function publicKeys(key: JsonObject): string[] {
  return isObject(key.keys)
    ? Object.values(key.keys).filter((value): value is string => typeof value === 'string')
    : [];
}

function requireDevice(user: User, deviceId: string): Device {
  const device = user.devices.get(deviceId);
  if (device === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'unknown device');
  return device;
}
