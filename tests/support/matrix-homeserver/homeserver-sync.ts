// GET /sync: everything that changed for one device since a stream position, or, without a
// position, the initial snapshot (joined rooms with state and recent timeline, invites).
import {
  type AccessToken,
  type HomeserverState,
  type JsonObject,
  type Room,
  type RoomEvent,
  type User,
  stateKeyOf,
} from './homeserver-state.ts';

export interface SyncFilter {
  timelineLimit: number;
  includeLeave: boolean;
}

const defaultTimelineLimit = 10;

export function parseSyncFilter(definition: unknown): SyncFilter {
  const room = isObject(definition) && isObject(definition.room) ? definition.room : {};
  const timeline = isObject(room.timeline) ? room.timeline : {};
  const limit =
    typeof timeline.limit === 'number' && timeline.limit > 0
      ? Math.min(Math.floor(timeline.limit), 500)
      : defaultTimelineLimit;
  return { timelineLimit: limit, includeLeave: room.include_leave === true };
}

export function parseStreamToken(token: string | undefined): number | undefined {
  if (token === undefined || token === '') return undefined;
  const match = /^s(\d+)$/.exec(token);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export const streamToken = (position: number): string => `s${position}`;

/** Builds one sync response. `hasContent` tells a long poll whether to answer now or wait. */
export function buildSync(
  state: HomeserverState,
  viewer: AccessToken,
  since: number | undefined,
  filter: SyncFilter,
): { body: JsonObject; hasContent: boolean } {
  const user = state.requireUser(viewer.userId);
  const device = user.devices.get(viewer.deviceId);
  const now = state.position;
  const join: JsonObject = {};
  const invite: JsonObject = {};
  const leave: JsonObject = {};

  for (const room of state.rooms.values()) {
    const member = room.state.get(stateKeyOf('m.room.member', user.userId));
    if (member === undefined) continue;
    const membership = member.content.membership;
    const changedMembership = since === undefined || member.position > since;
    if (membership === 'join') {
      const section = joinedRoom(state, room, viewer, since, member, filter);
      if (section !== undefined) join[room.roomId] = section;
    } else if (membership === 'invite' && changedMembership) {
      invite[room.roomId] = {
        invite_state: { events: [...state.strippedState(room), strippedMember(member)] },
      };
    } else if ((membership === 'leave' || membership === 'ban') && since !== undefined && changedMembership) {
      // Left since the last sync: the timeline up to the leave, so clients see why.
      leave[room.roomId] = {
        timeline: {
          events: room.events
            .filter((e) => e.position > since && e.position <= member.position)
            .map((e) => state.toClientEvent(e, viewer)),
          limited: false,
        },
        state: { events: [] },
      };
    } else if (
      (membership === 'leave' || membership === 'ban') &&
      since === undefined &&
      filter.includeLeave
    ) {
      leave[room.roomId] = {
        timeline: { events: [state.toClientEvent(member, viewer)], limited: false },
        state: { events: [] },
      };
    }
  }

  const toDevice = device === undefined ? [] : acknowledgeAndRead(device.inbox, since);
  const deviceLists = since === undefined ? { changed: [], left: [] } : deviceListChanges(state, user, since);
  const accountData = [...user.accountData.entries()]
    .filter(([, entry]) => since === undefined || entry.position > since)
    .map(([type, entry]) => ({ type, content: entry.content }));

  const oneTimeKeyCounts: Record<string, number> = { signed_curve25519: 0 };
  for (const keyId of device?.oneTimeKeys.keys() ?? []) {
    const algorithm = keyId.split(':')[0] ?? '';
    oneTimeKeyCounts[algorithm] = (oneTimeKeyCounts[algorithm] ?? 0) + 1;
  }
  const unusedFallback = [...(device?.fallbackKeys.entries() ?? [])]
    .filter(([, key]) => !key.used)
    .map(([algorithm]) => algorithm);

  const rooms: JsonObject = {};
  if (Object.keys(join).length > 0) rooms.join = join;
  if (Object.keys(invite).length > 0) rooms.invite = invite;
  if (Object.keys(leave).length > 0) rooms.leave = leave;

  const hasContent =
    Object.keys(rooms).length > 0 ||
    toDevice.length > 0 ||
    deviceLists.changed.length > 0 ||
    deviceLists.left.length > 0 ||
    accountData.length > 0;

  return {
    hasContent,
    body: {
      next_batch: streamToken(now),
      rooms,
      presence: { events: [] },
      account_data: { events: accountData },
      to_device: { events: toDevice },
      device_lists: deviceLists,
      device_one_time_keys_count: oneTimeKeyCounts,
      device_unused_fallback_key_types: unusedFallback,
    },
  };
}

function joinedRoom(
  state: HomeserverState,
  room: Room,
  viewer: AccessToken,
  since: number | undefined,
  member: RoomEvent,
  filter: SyncFilter,
): JsonObject | undefined {
  const newlyJoined = since === undefined || member.position > since;
  const fresh = since === undefined ? room.events : room.events.filter((e) => e.position > since);
  const perRoomAccountData = [
    ...(state.users.get(viewer.userId)?.roomAccountData.get(room.roomId)?.entries() ?? []),
  ]
    .filter(([, entry]) => since === undefined || entry.position > since)
    .map(([type, entry]) => ({ type, content: entry.content }));
  if (!newlyJoined && fresh.length === 0 && perRoomAccountData.length === 0) return undefined;

  const limited = fresh.length > filter.timelineLimit;
  const timeline = limited ? fresh.slice(fresh.length - filter.timelineLimit) : fresh;
  const firstTimelinePosition = timeline[0]?.position ?? state.position + 1;
  // Spec: `state` is the state at the start of the timeline. A new member gets all of it; an
  // incremental sync only what changed between `since` and the timeline (nothing unless limited).
  const stateBefore = state.stateAt(room, firstTimelinePosition - 1);
  const stateEvents = [...stateBefore.values()].filter((event) => newlyJoined || event.position > since);

  const joined = state.members(room, 'join');
  const invited = state.members(room, 'invite');
  return {
    timeline: {
      events: timeline.map((e) => state.toClientEvent(e, viewer)),
      limited,
      prev_batch: `s${firstTimelinePosition - 1}`,
    },
    state: { events: stateEvents.map((e) => state.toClientEvent(e, viewer)) },
    ephemeral: { events: [] },
    account_data: { events: perRoomAccountData },
    summary: {
      'm.heroes': [...joined, ...invited].filter((id) => id !== viewer.userId).slice(0, 5),
      'm.joined_member_count': joined.length,
      'm.invited_member_count': invited.length,
    },
    unread_notifications: { notification_count: 0, highlight_count: 0 },
  };
}

function strippedMember(member: RoomEvent): JsonObject {
  return { type: member.type, state_key: member.stateKey, content: member.content, sender: member.sender };
}

/**
 * To-device messages stay queued until a later sync's `since` shows the client received them
 * (spec: the server deletes them once the client acknowledges with the next batch token).
 */
function acknowledgeAndRead(
  inbox: { position: number; event: JsonObject }[],
  since: number | undefined,
): JsonObject[] {
  if (since !== undefined) {
    let acknowledged = 0;
    while (acknowledged < inbox.length && (inbox[acknowledged]?.position ?? Infinity) <= since)
      acknowledged++;
    inbox.splice(0, acknowledged);
  }
  return inbox.map((entry) => entry.event);
}

/** Users whose devices the viewer must re-query, and users it no longer shares a room with. */
export function deviceListChanges(
  state: HomeserverState,
  viewer: User,
  since: number,
): { changed: string[]; left: string[] } {
  const changed = new Set<string>();
  const left = new Set<string>();
  for (const other of state.users.values()) {
    if (
      other.keysChangedAt > since &&
      (other.userId === viewer.userId || state.sharesRoom(viewer.userId, other.userId))
    ) {
      changed.add(other.userId);
    }
  }
  for (const room of state.rooms.values()) {
    const own = room.state.get(stateKeyOf('m.room.member', viewer.userId));
    if (own === undefined) continue;
    const ownMembership = own.content.membership;
    const iJoinedNow = (ownMembership === 'join' || ownMembership === 'invite') && own.position > since;
    for (const event of room.state.values()) {
      if (event.type !== 'm.room.member' || event.stateKey === undefined || event.stateKey === viewer.userId)
        continue;
      const membership = event.content.membership;
      const active = membership === 'join' || membership === 'invite';
      if (active && (iJoinedNow || event.position > since)) changed.add(event.stateKey);
      if (!active && event.position > since && !state.sharesRoom(viewer.userId, event.stateKey))
        left.add(event.stateKey);
    }
    if (!(ownMembership === 'join' || ownMembership === 'invite') && own.position > since) {
      for (const other of [...state.members(room, 'join'), ...state.members(room, 'invite')]) {
        if (!state.sharesRoom(viewer.userId, other)) left.add(other);
      }
    }
  }
  for (const userId of changed) left.delete(userId);
  return { changed: [...changed], left: [...left] };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { isObject };
