// Room endpoints: createRoom, membership (invite/join/leave), sending events, state, members,
// pagination. Authorization follows the spec's basics: membership and power levels.
import {
  type HomeserverState,
  type JsonObject,
  MatrixError,
  randomId,
  type Room,
  type RoomEvent,
  stateKeyOf,
} from './homeserver-state.ts';
import {
  idempotent,
  optionalObject,
  optionalString,
  optionalStringArray,
  route,
  type Route,
  type RouteContext,
} from './homeserver-router.ts';
import { isObject, parseStreamToken, streamToken } from './homeserver-sync.ts';

export function roomRoutes(): Route[] {
  return [
    route('POST', '/createRoom', createRoom),
    route('POST', '/rooms/:roomId/invite', ({ state, auth, params, body }) => {
      const room = state.requireRoom(params.roomId ?? '');
      const target = optionalString(body, 'user_id');
      if (target === undefined) throw new MatrixError(400, 'M_BAD_JSON', 'user_id is required');
      requireJoined(state, room, auth.userId);
      requirePower(state, room, auth.userId, powerLevels(room).invite ?? 0, 'invite');
      if (!state.users.has(target)) throw new MatrixError(404, 'M_NOT_FOUND', 'unknown user');
      const current = state.membership(room, target);
      if (current === 'join') throw new MatrixError(403, 'M_FORBIDDEN', `${target} is already in the room`);
      if (current === 'ban') throw new MatrixError(403, 'M_FORBIDDEN', `${target} is banned from the room`);
      const content: JsonObject = { membership: 'invite' };
      const reason = optionalString(body, 'reason');
      if (reason !== undefined) content.reason = reason;
      state.appendEvent(room, { type: 'm.room.member', stateKey: target, sender: auth.userId, content });
      return {};
    }),
    route('POST', '/rooms/:roomId/join', (context) => join(context, context.params.roomId ?? '')),
    route('POST', '/join/:roomIdOrAlias', (context) => join(context, context.params.roomIdOrAlias ?? '')),
    route('POST', '/rooms/:roomId/leave', ({ state, auth, params }) => {
      const room = state.requireRoom(params.roomId ?? '');
      const current = state.membership(room, auth.userId);
      if (current === 'join' || current === 'invite') {
        state.appendEvent(room, {
          type: 'm.room.member',
          stateKey: auth.userId,
          sender: auth.userId,
          content: { membership: 'leave' },
        });
      } else if (current !== 'leave') {
        throw new MatrixError(403, 'M_FORBIDDEN', 'you are not in this room');
      }
      return {};
    }),
    route('POST', '/rooms/:roomId/forget', () => ({})),
    route('PUT', '/rooms/:roomId/send/:eventType/:txnId', (context) =>
      idempotent(context, `send:${context.params.roomId ?? ''}`, () => {
        const { state, auth, params, body } = context;
        const room = state.requireRoom(params.roomId ?? '');
        const type = params.eventType ?? '';
        requireJoined(state, room, auth.userId);
        const levels = powerLevels(room);
        requirePower(
          state,
          room,
          auth.userId,
          numberAt(levels.events, type) ?? levels.events_default ?? 0,
          `send ${type}`,
        );
        // Inside the transaction: a replayed transaction id is answered from memory, never limited.
        state.messageLimiter.take(auth.userId);
        const event = state.appendEvent(room, {
          type,
          sender: auth.userId,
          content: body,
          transaction: { userId: auth.userId, deviceId: auth.deviceId, txnId: params.txnId ?? '' },
        });
        return { event_id: event.eventId };
      }),
    ),
    route('PUT', '/rooms/:roomId/state/:eventType', (context) => sendState(context, '')),
    route('PUT', '/rooms/:roomId/state/:eventType/:stateKey', (context) =>
      sendState(context, context.params.stateKey ?? ''),
    ),
    route('GET', '/rooms/:roomId/state', ({ state, auth, params }) => {
      const room = state.requireRoom(params.roomId ?? '');
      requireVisible(state, room, auth.userId);
      return { chunk: [...room.state.values()].map((event) => state.toClientEvent(event, auth)) };
    }),
    route('GET', '/rooms/:roomId/state/:eventType', (context) => getState(context, '')),
    route('GET', '/rooms/:roomId/state/:eventType/:stateKey', (context) =>
      getState(context, context.params.stateKey ?? ''),
    ),
    route('GET', '/rooms/:roomId/members', ({ state, auth, params, query }) => {
      const room = state.requireRoom(params.roomId ?? '');
      requireVisible(state, room, auth.userId);
      const wanted = query.get('membership');
      const unwanted = query.get('not_membership');
      const chunk = [...room.state.values()]
        .filter((event) => event.type === 'm.room.member')
        .filter(
          (event) =>
            (wanted === null || event.content.membership === wanted) &&
            (unwanted === null || event.content.membership !== unwanted),
        )
        .map((event) => state.toClientEvent(event, auth));
      return { chunk };
    }),
    route('GET', '/rooms/:roomId/joined_members', ({ state, auth, params }) => {
      const room = state.requireRoom(params.roomId ?? '');
      requireJoined(state, room, auth.userId);
      const joined: JsonObject = {};
      for (const userId of state.members(room, 'join')) {
        const content = room.state.get(stateKeyOf('m.room.member', userId))?.content ?? {};
        joined[userId] = {
          display_name: content.displayname ?? null,
          avatar_url: content.avatar_url ?? null,
        };
      }
      return { joined };
    }),
    route('GET', '/rooms/:roomId/messages', messages),
    route('GET', '/rooms/:roomId/event/:eventId', ({ state, auth, params }) => {
      const room = state.requireRoom(params.roomId ?? '');
      requireVisible(state, room, auth.userId);
      const event = state.eventsById.get(params.eventId ?? '');
      if (event?.roomId !== room.roomId) throw new MatrixError(404, 'M_NOT_FOUND', 'event not found');
      return state.toClientEvent(event, auth);
    }),
    // Receipts, read markers and typing notices are accepted and not relayed: nothing here needs them.
    route('POST', '/rooms/:roomId/receipt/:receiptType/:eventId', () => ({})),
    route('POST', '/rooms/:roomId/read_markers', () => ({})),
    route('PUT', '/rooms/:roomId/typing/:userId', () => ({})),
  ];
}

function createRoom(context: RouteContext): JsonObject {
  const { state, auth, body } = context;
  const preset =
    optionalString(body, 'preset') ?? (body.visibility === 'public' ? 'public_chat' : 'private_chat');
  if (!['private_chat', 'trusted_private_chat', 'public_chat'].includes(preset))
    throw new MatrixError(400, 'M_BAD_JSON', 'unknown preset');
  const roomVersion = optionalString(body, 'room_version') ?? '10';
  if (roomVersion !== '10')
    throw new MatrixError(400, 'M_UNSUPPORTED_ROOM_VERSION', 'only room version 10 is supported');
  const invites = optionalStringArray(body, 'invite');
  for (const invitee of invites)
    if (!state.users.has(invitee)) throw new MatrixError(404, 'M_NOT_FOUND', `unknown user ${invitee}`);
  const initialState = body.initial_state ?? [];
  if (
    !Array.isArray(initialState) ||
    !initialState.every((item) => isObject(item) && typeof item.type === 'string' && isObject(item.content))
  ) {
    throw new MatrixError(400, 'M_BAD_JSON', 'initial_state must be a list of state events');
  }

  const room: Room = { roomId: `!${randomId(18)}:${state.serverName}`, events: [], state: new Map() };
  state.rooms.set(room.roomId, room);
  const creator = auth.userId;
  const add = (type: string, stateKey: string, content: JsonObject) =>
    state.appendEvent(room, { type, stateKey, sender: creator, content });

  add('m.room.create', '', {
    creator,
    room_version: roomVersion,
    ...(optionalObject(body, 'creation_content') ?? {}),
  });
  add('m.room.member', creator, {
    membership: 'join',
    displayname: state.users.get(creator)?.displayName ?? null,
  });
  const users: JsonObject = { [creator]: 100 };
  if (preset === 'trusted_private_chat') for (const invitee of invites) users[invitee] = 100;
  add('m.room.power_levels', '', {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: preset === 'public_chat' ? 0 : 0,
    ...(optionalObject(body, 'power_level_content_override') ?? {}),
  });
  add('m.room.join_rules', '', { join_rule: preset === 'public_chat' ? 'public' : 'invite' });
  add('m.room.history_visibility', '', { history_visibility: 'shared' });
  if (preset !== 'public_chat') add('m.room.guest_access', '', { guest_access: 'can_join' });
  for (const item of initialState as JsonObject[]) {
    add(
      item.type as string,
      typeof item.state_key === 'string' ? item.state_key : '',
      item.content as JsonObject,
    );
  }
  const name = optionalString(body, 'name');
  if (name !== undefined) add('m.room.name', '', { name });
  const topic = optionalString(body, 'topic');
  if (topic !== undefined) add('m.room.topic', '', { topic });
  for (const invitee of invites) {
    add(
      'm.room.member',
      invitee,
      body.is_direct === true ? { membership: 'invite', is_direct: true } : { membership: 'invite' },
    );
  }
  return { room_id: room.roomId };
}

function join(context: RouteContext, roomId: string): JsonObject {
  const { state, auth } = context;
  const room = state.requireRoom(roomId);
  const current = state.membership(room, auth.userId);
  if (current === 'join') return { room_id: room.roomId };
  if (current === 'ban') throw new MatrixError(403, 'M_FORBIDDEN', 'you are banned from this room');
  const joinRule = room.state.get(stateKeyOf('m.room.join_rules', ''))?.content.join_rule;
  if (current !== 'invite' && joinRule !== 'public')
    throw new MatrixError(403, 'M_FORBIDDEN', 'you are not invited to this room');
  state.appendEvent(room, {
    type: 'm.room.member',
    stateKey: auth.userId,
    sender: auth.userId,
    content: { membership: 'join', displayname: state.users.get(auth.userId)?.displayName ?? null },
  });
  return { room_id: room.roomId };
}

function sendState(context: RouteContext, stateKey: string): JsonObject {
  const { state, auth, params, body } = context;
  const room = state.requireRoom(params.roomId ?? '');
  const type = params.eventType ?? '';
  requireJoined(state, room, auth.userId);
  if (type === 'm.room.member' && (stateKey !== auth.userId || body.membership !== 'join')) {
    throw new MatrixError(403, 'M_FORBIDDEN', 'use the membership endpoints to change membership');
  }
  if (type === 'm.room.encryption' && room.state.has(stateKeyOf(type, stateKey))) {
    // Encryption cannot be turned off or changed once on, so a room never falls back to plaintext.
    const previous = room.state.get(stateKeyOf(type, stateKey))?.content;
    if (JSON.stringify(previous) !== JSON.stringify(body))
      throw new MatrixError(403, 'M_FORBIDDEN', 'encryption settings cannot change');
  }
  const levels = powerLevels(room);
  requirePower(
    state,
    room,
    auth.userId,
    numberAt(levels.events, type) ?? levels.state_default ?? 50,
    `set ${type}`,
  );
  state.messageLimiter.take(auth.userId);
  const event = state.appendEvent(room, { type, stateKey, sender: auth.userId, content: body });
  return { event_id: event.eventId };
}

function getState(context: RouteContext, stateKey: string): JsonObject {
  const { state, auth, params } = context;
  const room = state.requireRoom(params.roomId ?? '');
  requireVisible(state, room, auth.userId);
  const event = room.state.get(stateKeyOf(params.eventType ?? '', stateKey));
  if (event === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'state event not found');
  return event.content;
}

/** Pagination over a room's timeline. Tokens are stream positions: `sN` sits right after event position N. */
function messages({ state, auth, params, query }: RouteContext): JsonObject {
  const room = state.requireRoom(params.roomId ?? '');
  const own = requireVisible(state, room, auth.userId);
  const backwards = (query.get('dir') ?? 'b') === 'b';
  const limit = Math.min(Math.max(Number(query.get('limit') ?? '10') || 10, 1), 1000);
  // Someone who left sees history up to their leave only.
  const horizon =
    own.content.membership === 'join' || own.content.membership === 'invite' ? Infinity : own.position;
  const fromParam = query.get('from');
  const from = fromParam === null ? (backwards ? state.position : 0) : parseStreamToken(fromParam);
  if (from === undefined) throw new MatrixError(400, 'M_INVALID_PARAM', 'malformed from token');
  const to = parseStreamToken(query.get('to') ?? undefined);
  const visible = room.events.filter((e) => e.position <= horizon);
  const chunk: RoomEvent[] = backwards
    ? visible
        .filter((e) => e.position <= from && (to === undefined || e.position > to))
        .reverse()
        .slice(0, limit)
    : visible.filter((e) => e.position > from && (to === undefined || e.position <= to)).slice(0, limit);
  const last = chunk.at(-1);
  const response: JsonObject = {
    start: streamToken(from),
    chunk: chunk.map((e) => state.toClientEvent(e, auth)),
  };
  if (last !== undefined && chunk.length === limit)
    response.end = streamToken(backwards ? last.position - 1 : last.position);
  return response;
}

function requireJoined(state: HomeserverState, room: Room, userId: string): void {
  if (state.membership(room, userId) !== 'join')
    throw new MatrixError(403, 'M_FORBIDDEN', 'you are not joined to this room');
}

function requireVisible(state: HomeserverState, room: Room, userId: string): RoomEvent {
  const own = room.state.get(stateKeyOf('m.room.member', userId));
  if (own === undefined) throw new MatrixError(403, 'M_FORBIDDEN', 'you have never been in this room');
  return own;
}

interface PowerLevels {
  users?: JsonObject;
  users_default?: number;
  events?: JsonObject;
  events_default?: number;
  state_default?: number;
  invite?: number;
}

function powerLevels(room: Room): PowerLevels {
  return room.state.get(stateKeyOf('m.room.power_levels', ''))?.content ?? {};
}

function numberAt(record: JsonObject | undefined, key: string): number | undefined {
  const value = record?.[key];
  return typeof value === 'number' ? value : undefined;
}

function requirePower(
  _state: HomeserverState,
  room: Room,
  userId: string,
  required: number,
  action: string,
): void {
  const levels = powerLevels(room);
  const level = numberAt(levels.users, userId) ?? levels.users_default ?? 0;
  if (level < required) throw new MatrixError(403, 'M_FORBIDDEN', `insufficient power level to ${action}`);
}
