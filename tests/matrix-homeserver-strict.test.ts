// The test homeserver is as strict as Synapse where our bot's safety depends on it: sending is
// rate-limited (M_LIMIT_EXCEEDED with retry_after_ms and Retry-After; a retry before the wait is
// refused again), and keys are accepted only with valid signatures (device keys by the device's
// own ed25519 key, signed one-time keys likewise, cross-signing keys by the master key, uploaded
// signatures by the uploader's key over the key as published).
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import { canonicalJson } from './support/matrix-homeserver/signed-json.ts';

type Json = Record<string, unknown>;

async function request(
  homeserver: TestHomeserver,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Json; retryAfter: string | null }> {
  const response = await fetch(`${homeserver.url}/_matrix/client/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Json,
    retryAfter: response.headers.get('retry-after'),
  };
}

describe('test homeserver: message rate limit', () => {
  let homeserver: TestHomeserver;
  beforeAll(async () => {
    homeserver = await startMatrixHomeserver({ messageRateLimit: { perSecond: 2, burstCount: 2 } });
  });
  afterAll(async () => {
    await homeserver.close();
  });

  it('refuses the send over the burst with M_LIMIT_EXCEEDED, refuses an early retry again, takes one after the wait', async () => {
    const { accessToken } = homeserver.login(homeserver.registerUser('rita').userId);
    const created = await request(homeserver, 'POST', '/createRoom', accessToken, {});
    const room = encodeURIComponent(String(created.body.room_id));
    const send = (txn: string) =>
      request(homeserver, 'PUT', `/rooms/${room}/send/m.room.message/${txn}`, accessToken, {
        msgtype: 'm.text',
        body: txn,
      });
    expect((await send('a')).status).toBe(200);
    const second = await send('b');
    expect(second.status).toBe(200);
    const refused = await send('c');
    expect(refused).toMatchObject({ status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } });
    const waitMs = refused.body.retry_after_ms as number;
    expect(waitMs).toBeGreaterThan(0);
    expect(refused.retryAfter).toBe(String(Math.ceil(waitMs / 1000)));
    // Too early: refused again, and the refusal cost nothing (the wait did not grow).
    const early = await send('c');
    expect(early).toMatchObject({ status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } });
    expect(early.body.retry_after_ms as number).toBeLessThanOrEqual(waitMs);
    // A replayed transaction is answered from memory, never limited.
    expect(await send('b')).toMatchObject({ status: 200, body: { event_id: second.body.event_id } });
    // State events count too.
    const topic = await request(homeserver, 'PUT', `/rooms/${room}/state/m.room.topic`, accessToken, {
      topic: 'x',
    });
    expect(topic).toMatchObject({ status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' } });

    await new Promise((resolve) => setTimeout(resolve, waitMs));
    expect((await send('c')).status).toBe(200);
    const bodies = homeserver
      .roomEvents(String(created.body.room_id))
      .filter((event) => event.type === 'm.room.message')
      .map((event) => (event.content as { body?: string }).body);
    expect(bodies).toEqual(['a', 'b', 'c']);
  });

  it('limits each user on their own, and not a user exempted (Synapse: override_ratelimit)', async () => {
    const sam = homeserver.login(homeserver.registerUser('sam').userId);
    const tom = homeserver.login(homeserver.registerUser('tom').userId);
    homeserver.exemptFromRateLimit(tom.userId);
    const statuses = async (token: string) => {
      const created = await request(homeserver, 'POST', '/createRoom', token, {});
      const room = encodeURIComponent(String(created.body.room_id));
      const result: number[] = [];
      for (const txn of ['1', '2', '3', '4'])
        result.push(
          (
            await request(homeserver, 'PUT', `/rooms/${room}/send/m.room.message/${txn}`, token, {
              msgtype: 'm.text',
              body: txn,
            })
          ).status,
        );
      return result;
    };
    expect(await statuses(sam.accessToken)).toEqual([200, 200, 429, 429]);
    expect(await statuses(tom.accessToken)).toEqual([200, 200, 200, 200]);
  });
});

/** An ed25519 key as Matrix writes it: unpadded base64 of the 32 raw bytes. */
function ed25519Key(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return { privateKey, publicKey: Buffer.from(x, 'base64url').toString('base64').replace(/=+$/, '') };
}

/** Adds `signer`'s signature by `keyId` to `object` (over its canonical JSON without signatures and unsigned). */
function signed(object: Json, signer: string, keyId: string, privateKey: KeyObject): Json {
  const { signatures, unsigned: _unsigned, ...rest } = object;
  const signature = sign(null, Buffer.from(canonicalJson(rest), 'utf8'), privateKey)
    .toString('base64')
    .replace(/=+$/, '');
  const existing = (signatures ?? {}) as Record<string, Json>;
  return {
    ...object,
    signatures: { ...existing, [signer]: { ...(existing[signer] ?? {}), [keyId]: signature } },
  };
}

describe('test homeserver: key signatures', () => {
  let homeserver: TestHomeserver;
  beforeAll(async () => {
    homeserver = await startMatrixHomeserver();
  });
  afterAll(async () => {
    await homeserver.close();
  });

  const deviceKeysOf = (userId: string, deviceId: string, publicKey: string): Json => ({
    user_id: userId,
    device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: {
      [`curve25519:${deviceId}`]: 'Y3VydmUyNTUxOS1wdWJsaWMta2V5LWZvci10ZXN0cw',
      [`ed25519:${deviceId}`]: publicKey,
    },
  });
  const queried = async (token: string, userId: string) =>
    (await request(homeserver, 'POST', '/keys/query', token, { device_keys: { [userId]: [] } })).body;

  it('refuses device keys and signed one-time keys whose signature does not verify', async () => {
    const { userId, accessToken, deviceId } = homeserver.login(homeserver.registerUser('uma').userId);
    const device = ed25519Key();
    const other = ed25519Key();
    const keyId = `ed25519:${deviceId}`;
    const keys = deviceKeysOf(userId, deviceId, device.publicKey);

    // Signed by another key, unsigned, and signed but altered afterwards: all refused, nothing stored.
    for (const bad of [
      signed(keys, userId, keyId, other.privateKey),
      keys,
      { ...signed(keys, userId, keyId, device.privateKey), algorithms: ['m.megolm.v1.aes-sha2'] },
    ]) {
      expect(
        await request(homeserver, 'POST', '/keys/upload', accessToken, { device_keys: bad }),
      ).toMatchObject({
        status: 400,
        body: { errcode: 'M_INVALID_SIGNATURE' },
      });
    }
    expect((await queried(accessToken, userId)).device_keys).toEqual({ [userId]: {} });

    const good = signed(keys, userId, keyId, device.privateKey);
    expect(
      (await request(homeserver, 'POST', '/keys/upload', accessToken, { device_keys: good })).status,
    ).toBe(200);
    expect(Object.keys((await queried(accessToken, userId)).device_keys as Json)).toEqual([userId]);

    const oneTime = { key: 'b25lLXRpbWUta2V5LWZvci10ZXN0cy1vbmx5LTAwMDAwMA' };
    expect(
      await request(homeserver, 'POST', '/keys/upload', accessToken, {
        one_time_keys: { 'signed_curve25519:AAAAAQ': signed(oneTime, userId, keyId, other.privateKey) },
      }),
    ).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_SIGNATURE' } });
    expect(
      await request(homeserver, 'POST', '/keys/upload', accessToken, {
        one_time_keys: { 'signed_curve25519:AAAAAQ': signed(oneTime, userId, keyId, device.privateKey) },
      }),
    ).toMatchObject({ status: 200, body: { one_time_key_counts: { signed_curve25519: 1 } } });
  });

  it('refuses cross-signing keys not signed by the master key, and uploaded signatures that do not verify', async () => {
    const { userId, accessToken, deviceId } = homeserver.login(homeserver.registerUser('vera').userId);
    const device = ed25519Key();
    await request(homeserver, 'POST', '/keys/upload', accessToken, {
      device_keys: signed(
        deviceKeysOf(userId, deviceId, device.publicKey),
        userId,
        `ed25519:${deviceId}`,
        device.privateKey,
      ),
    });
    const master = ed25519Key();
    const selfSigning = ed25519Key();
    const masterKey: Json = {
      user_id: userId,
      usage: ['master'],
      keys: { [`ed25519:${master.publicKey}`]: master.publicKey },
    };
    const selfSigningKey: Json = {
      user_id: userId,
      usage: ['self_signing'],
      keys: { [`ed25519:${selfSigning.publicKey}`]: selfSigning.publicKey },
    };
    const masterId = `ed25519:${master.publicKey}`;
    const selfSigningId = `ed25519:${selfSigning.publicKey}`;

    expect(
      await request(homeserver, 'POST', '/keys/device_signing/upload', accessToken, {
        master_key: masterKey,
        self_signing_key: signed(selfSigningKey, userId, masterId, selfSigning.privateKey),
      }),
    ).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_SIGNATURE' } });
    expect((await queried(accessToken, userId)).master_keys).toEqual({});
    expect(
      (
        await request(homeserver, 'POST', '/keys/device_signing/upload', accessToken, {
          master_key: masterKey,
          self_signing_key: signed(selfSigningKey, userId, masterId, master.privateKey),
        })
      ).status,
    ).toBe(200);

    // The device, signed by the self-signing key: a forged signature is reported and not stored.
    const published = ((await queried(accessToken, userId)).device_keys as Record<string, Json>)[userId]![
      deviceId
    ] as Json;
    const { unsigned: _unsigned, ...deviceKeys } = published;
    const forged = await request(homeserver, 'POST', '/keys/signatures/upload', accessToken, {
      [userId]: { [deviceId]: signed(deviceKeys, userId, selfSigningId, master.privateKey) },
    });
    expect(forged).toMatchObject({
      status: 200,
      body: { failures: { [userId]: { [deviceId]: { errcode: 'M_INVALID_SIGNATURE' } } } },
    });
    const signaturesOf = async () =>
      (
        ((await queried(accessToken, userId)).device_keys as Record<string, Record<string, Json>>)[userId]![
          deviceId
        ]!.signatures as Record<string, Json>
      )[userId];
    expect(Object.keys((await signaturesOf()) ?? {})).toEqual([`ed25519:${deviceId}`]);
    // A valid signature over different content (another algorithm list) is not the published key.
    const altered = await request(homeserver, 'POST', '/keys/signatures/upload', accessToken, {
      [userId]: {
        [deviceId]: signed({ ...deviceKeys, algorithms: [] }, userId, selfSigningId, selfSigning.privateKey),
      },
    });
    expect(altered.body).toMatchObject({
      failures: { [userId]: { [deviceId]: { errcode: 'M_INVALID_SIGNATURE' } } },
    });

    const genuine = await request(homeserver, 'POST', '/keys/signatures/upload', accessToken, {
      [userId]: { [deviceId]: signed(deviceKeys, userId, selfSigningId, selfSigning.privateKey) },
    });
    expect(genuine).toMatchObject({ status: 200, body: { failures: {} } });
    expect(Object.keys((await signaturesOf()) ?? {}).sort()).toEqual(
      [`ed25519:${deviceId}`, selfSigningId].sort(),
    );
  });
});
