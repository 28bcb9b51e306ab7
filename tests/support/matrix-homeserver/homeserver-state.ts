// In-memory state of the test homeserver. One global stream position orders every change
// (room events, to-device messages, device-key changes, account data), so a sync token is simply
// a position in that stream and "what changed since" is a filter on positions.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MessageRateLimiter } from './rate-limit.ts';

export type JsonObject = Record<string, unknown>;

export interface RoomEvent {
  readonly eventId: string;
  readonly roomId: string;
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly sender: string;
  readonly content: JsonObject;
  readonly originServerTs: number;
  readonly position: number;
  /** Set for the sending device only (spec: unsigned.transaction_id). */
  readonly transaction: { userId: string; deviceId: string; txnId: string } | undefined;
  /** Content of the state event this one replaced, for unsigned.prev_content. */
  readonly prevContent: JsonObject | undefined;
}

export interface Room {
  readonly roomId: string;
  readonly events: RoomEvent[];
  /** Current state: `${type}\u0000${stateKey}` -> event. */
  readonly state: Map<string, RoomEvent>;
}

export interface Device {
  readonly deviceId: string;
  displayName: string | undefined;
  keys: JsonObject | undefined;
  /** Unclaimed one-time keys: `algorithm:keyId` -> key object. */
  readonly oneTimeKeys: Map<string, unknown>;
  /** Fallback keys by algorithm; `used` once claimed. */
  readonly fallbackKeys: Map<string, { keyId: string; key: unknown; used: boolean }>;
  /** Pending to-device messages, dropped once a sync acknowledges their position. */
  readonly inbox: { position: number; event: JsonObject }[];
}

export interface User {
  readonly userId: string;
  password: string;
  displayName: string | undefined;
  readonly devices: Map<string, Device>;
  readonly accountData: Map<string, { content: JsonObject; position: number }>;
  readonly roomAccountData: Map<string, Map<string, { content: JsonObject; position: number }>>;
  readonly filters: JsonObject[];
  /** Cross-signing keys by usage (master, self_signing, user_signing). */
  readonly crossSigning: Map<string, JsonObject>;
  /** Positions at which this user's device list or cross-signing keys changed. */
  keysChangedAt: number;
}

export interface AccessToken {
  readonly userId: string;
  readonly deviceId: string;
}

/** Thrown by state operations; rendered as a Matrix error (`{errcode, error}`) with an HTTP status. */
/** The Matrix spec's size limit of an event (federation form, bytes). */
export const maximumEventBytes = 65_536;
/** event_id, origin_server_ts, hashes, signatures, depth, auth and prev events of a PDU. */
const maximumEventOverhead = 1024;

export interface ToDeviceRecord {
  sender: string;
  senderDevice: string;
  type: string;
  target: string;
  targetDevice: string;
  content: JsonObject;
}

export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: JsonObject;
  /** Response headers that go with the error (Retry-After). */
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    errcode: string,
    message: string,
    extra: JsonObject = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
    this.headers = headers;
  }
}

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

/** A user record; only `createUser` registers one. Unauthenticated routes get an unregistered blank. */
export function userRecord(userId: string, password: string, displayName: string | undefined): User {
  return {
    userId,
    password,
    displayName,
    devices: new Map(),
    accountData: new Map(),
    roomAccountData: new Map(),
    filters: [],
    crossSigning: new Map(),
    keysChangedAt: 0,
  };
}

export class HomeserverState {
  readonly serverName: string;
  readonly users = new Map<string, User>();
  readonly tokens = new Map<string, AccessToken>();
  readonly rooms = new Map<string, Room>();
  readonly eventsById = new Map<string, RoomEvent>();
  /** Idempotency of PUT requests with a transaction id: `${userId}|${deviceId}|${scope}|${txnId}` -> response. */
  readonly transactions = new Map<string, JsonObject>();
  /** Every to-device message ever queued, per target device (a client's inbox forgets once read). */
  readonly toDeviceLog: ToDeviceRecord[] = [];
  /** Wakes long-polling syncs. */
  readonly changes = new EventEmitter();
  private streamPosition = 1;
  /** rc_message: sending events, setting state. */
  readonly messageLimiter: MessageRateLimiter;

  constructor(serverName: string, messageLimiter: MessageRateLimiter) {
    this.serverName = serverName;
    this.messageLimiter = messageLimiter;
    this.changes.setMaxListeners(0);
  }

  get position(): number {
    return this.streamPosition;
  }

  /** Advances the stream and wakes every waiting sync. */
  advance(): number {
    this.streamPosition += 1;
    const position = this.streamPosition;
    queueMicrotask(() => this.changes.emit('change'));
    return position;
  }

  createUser(localpart: string, password: string): User {
    if (!/^[a-z0-9._=\-/+]+$/.test(localpart))
      throw new MatrixError(400, 'M_INVALID_USERNAME', 'invalid username');
    const userId = `@${localpart}:${this.serverName}`;
    if (this.users.has(userId)) throw new MatrixError(400, 'M_USER_IN_USE', 'user ID already taken');
    const user = userRecord(userId, password, localpart);
    this.users.set(userId, user);
    return user;
  }

  requireUser(userId: string): User {
    const user = this.users.get(userId);
    if (user === undefined) throw new MatrixError(404, 'M_NOT_FOUND', `unknown user ${userId}`);
    return user;
  }

  /** Logs a device in: an existing device id keeps its keys but gets a fresh token (old ones are revoked). */
  issueToken(
    user: User,
    requestedDeviceId: string | undefined,
    displayName: string | undefined,
  ): { accessToken: string; deviceId: string } {
    const deviceId =
      requestedDeviceId ??
      randomId(6)
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, 'X');
    let device = user.devices.get(deviceId);
    if (device === undefined) {
      device = {
        deviceId,
        displayName,
        keys: undefined,
        oneTimeKeys: new Map(),
        fallbackKeys: new Map(),
        inbox: [],
      };
      user.devices.set(deviceId, device);
    } else {
      for (const [token, owner] of this.tokens) {
        if (owner.userId === user.userId && owner.deviceId === deviceId) this.tokens.delete(token);
      }
    }
    const accessToken = `syt_${randomId(24)}`;
    this.tokens.set(accessToken, { userId: user.userId, deviceId });
    return { accessToken, deviceId };
  }

  /** Removes a device, its tokens and its keys; the user's device list changes for everyone who shares a room. */
  deleteDevice(user: User, deviceId: string): void {
    for (const [token, owner] of this.tokens) {
      if (owner.userId === user.userId && owner.deviceId === deviceId) this.tokens.delete(token);
    }
    const device = user.devices.get(deviceId);
    user.devices.delete(deviceId);
    if (device?.keys !== undefined) user.keysChangedAt = this.advance();
  }

  requireRoom(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (room === undefined) throw new MatrixError(404, 'M_NOT_FOUND', `unknown room ${roomId}`);
    return room;
  }

  membership(room: Room, userId: string): string | undefined {
    const event = room.state.get(stateKeyOf('m.room.member', userId));
    const membership = event?.content.membership;
    return typeof membership === 'string' ? membership : undefined;
  }

  /** Members whose current membership is `membership`. */
  members(room: Room, membership: string): string[] {
    const result: string[] = [];
    for (const event of room.state.values()) {
      if (
        event.type === 'm.room.member' &&
        event.stateKey !== undefined &&
        event.content.membership === membership
      ) {
        result.push(event.stateKey);
      }
    }
    return result;
  }

  /** Rooms in which both users are joined or invited: whose device lists each must track. */
  sharesRoom(userA: string, userB: string): boolean {
    for (const room of this.rooms.values()) {
      const a = this.membership(room, userA);
      const b = this.membership(room, userB);
      if ((a === 'join' || a === 'invite') && (b === 'join' || b === 'invite')) return true;
    }
    return false;
  }

  /** Appends an event to a room, updating its state when it is a state event. */
  appendEvent(
    room: Room,
    input: {
      type: string;
      stateKey?: string | undefined;
      sender: string;
      content: JsonObject;
      transaction?: RoomEvent['transaction'];
    },
  ): RoomEvent {
    // The spec limits an event to 65536 bytes in its federation form; content dominates it, so the
    // fields a client cannot see yet (event id, hashes) are counted with a generous allowance.
    const size = Buffer.byteLength(
      JSON.stringify({
        type: input.type,
        state_key: input.stateKey,
        sender: input.sender,
        room_id: room.roomId,
        content: input.content,
      }),
    );
    if (size + maximumEventOverhead > maximumEventBytes)
      throw new MatrixError(413, 'M_TOO_LARGE', `event too large: over ${maximumEventBytes} bytes`);
    const previous =
      input.stateKey === undefined ? undefined : room.state.get(stateKeyOf(input.type, input.stateKey));
    const event: RoomEvent = {
      eventId: `$${randomId(32)}`,
      roomId: room.roomId,
      type: input.type,
      stateKey: input.stateKey,
      sender: input.sender,
      content: input.content,
      originServerTs: Date.now(),
      position: this.advance(),
      transaction: input.transaction,
      prevContent: previous?.content,
    };
    room.events.push(event);
    this.eventsById.set(event.eventId, event);
    if (input.stateKey !== undefined) room.state.set(stateKeyOf(input.type, input.stateKey), event);
    return event;
  }

  /** The room state as it was right after `position` (state events at or before it). */
  stateAt(room: Room, position: number): Map<string, RoomEvent> {
    const state = new Map<string, RoomEvent>();
    for (const event of room.events) {
      if (event.position > position) break;
      if (event.stateKey !== undefined) state.set(stateKeyOf(event.type, event.stateKey), event);
    }
    return state;
  }

  /** Serializes an event in the client-server format, as seen by `viewer`. */
  toClientEvent(event: RoomEvent, viewer?: AccessToken): JsonObject {
    const unsigned: JsonObject = { age: Math.max(0, Date.now() - event.originServerTs) };
    if (event.prevContent !== undefined) unsigned.prev_content = event.prevContent;
    if (
      event.transaction !== undefined &&
      viewer !== undefined &&
      event.transaction.userId === viewer.userId &&
      event.transaction.deviceId === viewer.deviceId
    ) {
      unsigned.transaction_id = event.transaction.txnId;
    }
    const serialized: JsonObject = {
      type: event.type,
      content: event.content,
      sender: event.sender,
      event_id: event.eventId,
      origin_server_ts: event.originServerTs,
      room_id: event.roomId,
      unsigned,
    };
    if (event.stateKey !== undefined) serialized.state_key = event.stateKey;
    return serialized;
  }

  /** Stripped state shown with an invite (spec: invite_state). */
  strippedState(room: Room): JsonObject[] {
    const types = [
      'm.room.create',
      'm.room.name',
      'm.room.avatar',
      'm.room.topic',
      'm.room.join_rules',
      'm.room.canonical_alias',
      'm.room.encryption',
    ];
    const result: JsonObject[] = [];
    for (const event of room.state.values()) {
      if (types.includes(event.type)) {
        result.push({
          type: event.type,
          state_key: event.stateKey,
          content: event.content,
          sender: event.sender,
        });
      }
    }
    return result;
  }

  /** Queues a to-device message for one device of a user ("*" = every device). */
  queueToDevice(
    sender: { userId: string; deviceId: string },
    type: string,
    target: string,
    deviceId: string,
    content: JsonObject,
  ): void {
    const user = this.users.get(target);
    if (user === undefined) return;
    const devices =
      deviceId === '*'
        ? [...user.devices.values()]
        : [user.devices.get(deviceId)].filter((d) => d !== undefined);
    for (const device of devices) {
      device.inbox.push({ position: this.advance(), event: { type, sender: sender.userId, content } });
      this.toDeviceLog.push({
        sender: sender.userId,
        senderDevice: sender.deviceId,
        type,
        target,
        targetDevice: device.deviceId,
        content,
      });
    }
  }

  setAccountData(user: User, type: string, content: JsonObject, roomId?: string): void {
    const entry = { content, position: this.advance() };
    if (roomId === undefined) {
      user.accountData.set(type, entry);
      return;
    }
    let perRoom = user.roomAccountData.get(roomId);
    if (perRoom === undefined) {
      perRoom = new Map();
      user.roomAccountData.set(roomId, perRoom);
    }
    perRoom.set(type, entry);
  }

  markKeysChanged(user: User): void {
    user.keysChangedAt = this.advance();
  }
}
