// The test homeserver must serve ordinary Matrix clients, not just our bot: two plain
// matrix-js-sdk clients with Rust crypto talk end-to-end encrypted through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { startMatrixHomeserver, type TestHomeserver } from './support/matrix-homeserver/index.ts';
import { startTestMatrixUser, type TestMatrixUser } from './support/matrix-test-client.ts';

describe('test Matrix homeserver', () => {
  let homeserver: TestHomeserver;
  let alice: TestMatrixUser;
  let bob: TestMatrixUser;

  beforeAll(async () => {
    homeserver = await startMatrixHomeserver();
    // Alice sets up cross-signing in the story below, so she starts without.
    alice = await startTestMatrixUser(homeserver, 'alice', { crossSign: false });
    bob = await startTestMatrixUser(homeserver, 'bob', { autoJoin: true });
  });

  afterAll(async () => {
    await alice.stop();
    await bob.stop();
    await homeserver.close();
  });

  it('carries an encrypted conversation between two ordinary clients', async () => {
    const roomId = await alice.createEncryptedDm(bob.userId);
    await alice.waitForJoin(roomId, bob.userId);
    await alice.client.sendTextMessage(roomId, 'Hello Bob, this is secret');
    const got = await bob.waitForMessage((m) => m.roomId === roomId);
    expect(got).toMatchObject({
      type: 'm.room.message',
      encrypted: true,
      content: { body: 'Hello Bob, this is secret' },
    });

    await bob.client.sendTextMessage(roomId, 'Hi Alice');
    const reply = await alice.waitForMessage((m) => m.roomId === roomId);
    expect(reply).toMatchObject({ encrypted: true, content: { body: 'Hi Alice' } });

    const stored = homeserver
      .roomEvents(roomId)
      .filter((event) => event.type === 'm.room.message' || event.type === 'm.room.encrypted');
    expect(stored.map((event) => event.type)).toEqual(['m.room.encrypted', 'm.room.encrypted']);
    expect(JSON.stringify(stored)).not.toContain('secret');
  });

  it('publishes cross-signing keys that the other client sees signing the device', async () => {
    const crypto = alice.client.getCrypto()!;
    await crypto.bootstrapCrossSigning({
      setupNewCrossSigning: true,
      authUploadDeviceSigningKeys: (makeRequest) => makeRequest(null).then(() => undefined),
    });
    expect((await crypto.getCrossSigningStatus()).publicKeysOnDevice).toBe(true);
    const aliceDevice = alice.client.getDeviceId()!;
    // Bob learns of the signature when his client next fetches Alice's keys: wait for that (the
    // deadline only bounds a hang).
    const status = await eventually(async () => {
      const seen = await bob.client.getCrypto()!.getDeviceVerificationStatus(alice.userId, aliceDevice);
      return seen?.signedByOwner === true ? seen : undefined;
    }, "Bob to see Alice's device signed by her own key");
    expect(status.signedByOwner).toBe(true);
  });
});

interface WireEvent {
  type: string;
  state_key?: string;
  content: { body?: string };
}
interface WireSync {
  next_batch: string;
  rooms: {
    join: Record<string, { timeline: { events: WireEvent[] } }>;
    invite: Record<string, { invite_state: { events: WireEvent[] } }>;
  };
  device_lists: { left: string[] };
}
interface WireBody {
  [key: string]: unknown;
  session?: string;
  access_token?: string;
  device_id?: string;
  user_id?: string;
  room_id?: string;
  event_id?: string;
  chunk?: WireEvent[];
  end?: string;
}

describe('test Matrix homeserver, spec details', () => {
  let homeserver: TestHomeserver;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the wire shape it expects
  const call = async <T = WireBody>(method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${homeserver.url}/_matrix/client/v3${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    homeserver = await startMatrixHomeserver();
  });
  afterAll(async () => {
    await homeserver.close();
  });

  it('answers unknown endpoints, missing tokens and bad JSON with Matrix errors', async () => {
    const { accessToken } = homeserver.login(homeserver.registerUser('carol').userId);
    expect(await call('GET', '/no/such/endpoint', accessToken)).toMatchObject({
      status: 404,
      body: { errcode: 'M_UNRECOGNIZED' },
    });
    expect(await call('GET', '/account/whoami')).toMatchObject({
      status: 401,
      body: { errcode: 'M_MISSING_TOKEN' },
    });
    expect(await call('GET', '/account/whoami', 'nope')).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN' },
    });
    expect(await call('POST', '/createRoom', accessToken, '{not json')).toMatchObject({
      status: 400,
      body: { errcode: 'M_NOT_JSON' },
    });
    expect(await call('POST', '/createRoom', accessToken, { invite: 'x' })).toMatchObject({
      status: 400,
      body: { errcode: 'M_BAD_JSON' },
    });
    expect(await call('GET', '/room_keys/version', accessToken)).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
  });

  it('refuses an event over 64 KiB with M_TOO_LARGE and stores nothing', async () => {
    const { accessToken } = homeserver.login(homeserver.registerUser('tessa').userId);
    const created = await call<{ room_id: string }>('POST', '/createRoom', accessToken, {});
    const roomId = encodeURIComponent(created.body.room_id);
    const send = (body: string, txn: string) =>
      call('PUT', `/rooms/${roomId}/send/m.room.message/${txn}`, accessToken, { msgtype: 'm.text', body });
    expect((await send('x'.repeat(60_000), 't1')).status).toBe(200);
    expect(await send('x'.repeat(65_000), 't2')).toMatchObject({
      status: 413,
      body: { errcode: 'M_TOO_LARGE' },
    });
    expect(await send('ж'.repeat(33_000), 't3')).toMatchObject({
      status: 413,
      body: { errcode: 'M_TOO_LARGE' },
    });
    const stateTooBig = await call('PUT', `/rooms/${roomId}/state/m.room.topic`, accessToken, {
      topic: 'y'.repeat(70_000),
    });
    expect(stateTooBig).toMatchObject({ status: 413, body: { errcode: 'M_TOO_LARGE' } });
    const bodies = homeserver
      .roomEvents(created.body.room_id)
      .filter((event) => event.type === 'm.room.message')
      .map((event) => String((event.content as { body?: unknown }).body).length);
    expect(bodies).toEqual([60_000]);
  });

  it('registers through user-interactive auth and logs in with a password', async () => {
    const challenge = await call('POST', '/register', undefined, { username: 'dave', password: 'secret-pw' });
    expect(challenge).toMatchObject({ status: 401, body: { flows: [{ stages: ['m.login.dummy'] }] } });
    const registered = await call('POST', '/register', undefined, {
      username: 'dave',
      password: 'secret-pw',
      auth: { type: 'm.login.dummy', session: challenge.body.session },
    });
    expect(registered).toMatchObject({ status: 200, body: { user_id: '@dave:localhost' } });
    expect(
      await call('POST', '/login', undefined, {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'dave' },
        password: 'wrong',
      }),
    ).toMatchObject({
      status: 403,
    });
    const login = await call('POST', '/login', undefined, {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'dave' },
      password: 'secret-pw',
    });
    expect((await call('GET', '/account/whoami', login.body.access_token)).body).toMatchObject({
      user_id: '@dave:localhost',
      device_id: login.body.device_id,
    });
  });

  it('sends idempotently per transaction id, paginates, and syncs invites, joins and leaves', async () => {
    const erin = homeserver.login(homeserver.registerUser('erin').userId);
    const frank = homeserver.login(homeserver.registerUser('frank').userId);
    const { body: created } = await call('POST', '/createRoom', erin.accessToken, {
      preset: 'private_chat',
      invite: [frank.userId],
      is_direct: true,
    });
    const roomId = created.room_id!;

    const invited = await call<WireSync>('GET', '/sync?timeout=0', frank.accessToken);
    expect(invited.body.rooms.invite[roomId]!.invite_state.events).toContainEqual(
      expect.objectContaining({ type: 'm.room.member', state_key: frank.userId }),
    );
    expect(
      await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, frank.accessToken, {
        body: 'x',
      }),
    ).toMatchObject({ status: 403 });
    await call('POST', `/rooms/${encodeURIComponent(roomId)}/join`, frank.accessToken, {});

    const first = await call(
      'PUT',
      `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`,
      erin.accessToken,
      { msgtype: 'm.text', body: 'one' },
    );
    const again = await call(
      'PUT',
      `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`,
      erin.accessToken,
      { msgtype: 'm.text', body: 'one' },
    );
    expect(again.body.event_id).toBe(first.body.event_id);
    await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t2`, erin.accessToken, {
      msgtype: 'm.text',
      body: 'two',
    });

    // Long poll: a message sent while frank waits wakes his sync.
    const since = invited.body.next_batch;
    const joined = await call<WireSync>('GET', `/sync?since=${since}&timeout=0`, frank.accessToken);
    expect(
      joined.body.rooms.join[roomId]!.timeline.events.filter((e) => e.type === 'm.room.message').map(
        (e) => e.content.body,
      ),
    ).toEqual(['one', 'two']);
    const waiting = call<WireSync>(
      'GET',
      `/sync?since=${joined.body.next_batch}&timeout=5000`,
      frank.accessToken,
    );
    await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t3`, erin.accessToken, {
      msgtype: 'm.text',
      body: 'three',
    });
    expect((await waiting).body.rooms.join[roomId]!.timeline.events.map((e) => e.content.body)).toEqual([
      'three',
    ]);

    const page = await call(
      'GET',
      `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=2`,
      frank.accessToken,
    );
    expect(page.body.chunk!.map((e) => e.content.body)).toEqual(['three', 'two']);
    const next = await call(
      'GET',
      `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=2&from=${page.body.end!}`,
      frank.accessToken,
    );
    expect(next.body.chunk![0]!.content.body).toBe('one');

    const beforeLeave = await call<WireSync>('GET', '/sync?timeout=0', erin.accessToken);
    await call('POST', `/rooms/${encodeURIComponent(roomId)}/leave`, frank.accessToken, {});
    const afterLeave = await call<WireSync>(
      'GET',
      `/sync?since=${beforeLeave.body.next_batch}&timeout=0`,
      erin.accessToken,
    );
    expect(afterLeave.body.device_lists.left).toContain(frank.userId);
  });

  it('comes back on the same port after an outage, with its state', async () => {
    const { accessToken } = homeserver.login(homeserver.registerUser('gina').userId);
    await homeserver.stop();
    await expect(fetch(`${homeserver.url}/_matrix/client/versions`)).rejects.toThrow();
    await homeserver.start();
    expect((await call('GET', '/account/whoami', accessToken)).body.user_id).toBe('@gina:localhost');
  });
});
