// Account-level endpoints: versions, login/register, whoami, devices, filters, push rules,
// account data, profiles, capabilities. Enough for an ordinary client's start-up.
import {
  type HomeserverState,
  type JsonObject,
  MatrixError,
  randomId,
  type User,
} from './homeserver-state.ts';
import {
  optionalObject,
  optionalString,
  optionalStringArray,
  requireString,
  route,
  type Route,
  type RouteContext,
} from './homeserver-router.ts';
import { isObject } from './homeserver-sync.ts';

export const supportedVersions = [
  'v1.1',
  'v1.2',
  'v1.3',
  'v1.4',
  'v1.5',
  'v1.6',
  'v1.7',
  'v1.8',
  'v1.9',
  'v1.10',
  'v1.11',
  'v1.12',
];

/** Sessions of user-interactive authentication in progress. */
const uiaSessions = new Set<string>();

export function accountRoutes(): Route[] {
  return [
    route('GET', '/versions', () => ({ versions: supportedVersions, unstable_features: {} }), {
      authenticated: false,
    }),
    route('GET', '/login', () => ({ flows: [{ type: 'm.login.password' }] }), { authenticated: false }),
    route('POST', '/login', ({ state, body }) => login(state, body), { authenticated: false }),
    route('POST', '/register', ({ state, body, query }) => register(state, body, query.get('kind')), {
      authenticated: false,
    }),
    route(
      'GET',
      '/register/available',
      ({ state, query }) => {
        const userId = `@${query.get('username') ?? ''}:${state.serverName}`;
        if (state.users.has(userId)) throw new MatrixError(400, 'M_USER_IN_USE', 'user ID already taken');
        return { available: true };
      },
      { authenticated: false },
    ),
    route('GET', '/account/whoami', ({ auth }) => ({
      user_id: auth.userId,
      device_id: auth.deviceId,
      is_guest: false,
    })),
    route('POST', '/logout', ({ state, user, auth }) => {
      state.deleteDevice(user, auth.deviceId);
      return {};
    }),
    route('POST', '/logout/all', ({ state, user }) => {
      for (const deviceId of [...user.devices.keys()]) state.deleteDevice(user, deviceId);
      return {};
    }),
    route('GET', '/devices', ({ user }) => ({
      devices: [...user.devices.values()].map((d) => deviceInfo(d.deviceId, d.displayName)),
    })),
    route('GET', '/devices/:deviceId', ({ user, params }) => {
      const device = user.devices.get(params.deviceId ?? '');
      if (device === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'unknown device');
      return deviceInfo(device.deviceId, device.displayName);
    }),
    route('PUT', '/devices/:deviceId', ({ user, params, body }) => {
      const device = user.devices.get(params.deviceId ?? '');
      if (device === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'unknown device');
      device.displayName = optionalString(body, 'display_name') ?? device.displayName;
      return {};
    }),
    route('DELETE', '/devices/:deviceId', (context) => {
      requirePasswordAuth(context);
      const deviceId = context.params.deviceId ?? '';
      if (context.user.devices.has(deviceId)) context.state.deleteDevice(context.user, deviceId);
      return {};
    }),
    route('POST', '/delete_devices', (context) => {
      requirePasswordAuth(context);
      for (const deviceId of optionalStringArray(context.body, 'devices'))
        context.state.deleteDevice(context.user, deviceId);
      return {};
    }),
    route('GET', '/capabilities', () => ({
      capabilities: {
        'm.change_password': { enabled: false },
        'm.room_versions': { default: '10', available: { '10': 'stable' } },
        'm.set_displayname': { enabled: true },
        'm.set_avatar_url': { enabled: false },
        'm.3pid_changes': { enabled: false },
      },
    })),
    route('POST', '/user/:userId/filter', ({ user, params, body }) => {
      ownUser(user, params.userId);
      user.filters.push(body);
      return { filter_id: String(user.filters.length - 1) };
    }),
    route('GET', '/user/:userId/filter/:filterId', ({ user, params }) => {
      ownUser(user, params.userId);
      const filter = user.filters[Number(params.filterId)];
      if (filter === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'unknown filter');
      return filter;
    }),
    route('GET', '/pushrules/', () => ({
      global: { override: [], content: [], room: [], sender: [], underride: [] },
    })),
    route('GET', '/pushrules', () => ({
      global: { override: [], content: [], room: [], sender: [], underride: [] },
    })),
    route('GET', '/user/:userId/account_data/:type', ({ user, params }) => {
      ownUser(user, params.userId);
      const entry = user.accountData.get(params.type ?? '');
      if (entry === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'account data not found');
      return entry.content;
    }),
    route('PUT', '/user/:userId/account_data/:type', ({ state, user, params, body }) => {
      ownUser(user, params.userId);
      state.setAccountData(user, params.type ?? '', body);
      return {};
    }),
    route('GET', '/user/:userId/rooms/:roomId/account_data/:type', ({ user, params }) => {
      ownUser(user, params.userId);
      const entry = user.roomAccountData.get(params.roomId ?? '')?.get(params.type ?? '');
      if (entry === undefined) throw new MatrixError(404, 'M_NOT_FOUND', 'account data not found');
      return entry.content;
    }),
    route('PUT', '/user/:userId/rooms/:roomId/account_data/:type', ({ state, user, params, body }) => {
      ownUser(user, params.userId);
      state.setAccountData(user, params.type ?? '', body, params.roomId);
      return {};
    }),
    route('GET', '/profile/:userId', ({ state, params }) => profile(state.requireUser(params.userId ?? ''))),
    route('GET', '/profile/:userId/displayname', ({ state, params }) => {
      const user = state.requireUser(params.userId ?? '');
      return user.displayName === undefined ? {} : { displayname: user.displayName };
    }),
    route('PUT', '/profile/:userId/displayname', ({ user, params, body }) => {
      ownUser(user, params.userId);
      user.displayName = optionalString(body, 'displayname');
      return {};
    }),
    route('GET', '/presence/:userId/status', () => ({ presence: 'offline' })),
    route('PUT', '/presence/:userId/status', () => ({})),
    route('GET', '/voip/turnServer', () => ({})),
    route('GET', '/joined_rooms', ({ state, auth }) => ({
      joined_rooms: [...state.rooms.values()]
        .filter((room) => state.membership(room, auth.userId) === 'join')
        .map((room) => room.roomId),
    })),
  ];
}

function login(state: HomeserverState, body: JsonObject): JsonObject {
  if (body.type !== 'm.login.password')
    throw new MatrixError(400, 'M_UNKNOWN', 'only m.login.password is supported');
  const user = passwordUser(state, body);
  if (user === undefined) throw new MatrixError(403, 'M_FORBIDDEN', 'invalid username or password');
  const { accessToken, deviceId } = state.issueToken(
    user,
    optionalString(body, 'device_id'),
    optionalString(body, 'initial_device_display_name'),
  );
  return {
    user_id: user.userId,
    access_token: accessToken,
    device_id: deviceId,
    home_server: state.serverName,
  };
}

/** The user named by a password login or UIA stage (identifier m.id.user, or the legacy `user`), when the password matches. */
function passwordUser(state: HomeserverState, body: JsonObject): User | undefined {
  const identifier = optionalObject(body, 'identifier');
  const name: unknown =
    identifier !== undefined && identifier.type === 'm.id.user' ? identifier.user : body.user;
  if (typeof name !== 'string') throw new MatrixError(400, 'M_BAD_JSON', 'identifier.user is required');
  const user = state.users.get(name.startsWith('@') ? name : `@${name.toLowerCase()}:${state.serverName}`);
  const password = requireString(body, 'password');
  return user !== undefined && user.password === password ? user : undefined;
}

/** Registration with the m.login.dummy stage, as a homeserver with open registration offers it. */
function register(state: HomeserverState, body: JsonObject, kind: string | null): JsonObject {
  if (kind === 'guest') throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'guest access is disabled');
  const auth = optionalObject(body, 'auth');
  if (
    auth === undefined ||
    auth.type !== 'm.login.dummy' ||
    typeof auth.session !== 'string' ||
    !uiaSessions.has(auth.session)
  ) {
    const session = randomId();
    uiaSessions.add(session);
    throw new MatrixError(401, '', 'user-interactive authentication required', {
      session,
      flows: [{ stages: ['m.login.dummy'] }],
      params: {},
    });
  }
  uiaSessions.delete(auth.session);
  const username =
    optionalString(body, 'username') ??
    `user${randomId(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')}`;
  const user = state.createUser(username, requireString(body, 'password'));
  if (body.inhibit_login === true) return { user_id: user.userId };
  const { accessToken, deviceId } = state.issueToken(
    user,
    optionalString(body, 'device_id'),
    optionalString(body, 'initial_device_display_name'),
  );
  return {
    user_id: user.userId,
    access_token: accessToken,
    device_id: deviceId,
    home_server: state.serverName,
  };
}

/** Sensitive operations (deleting devices, replacing cross-signing keys) need the password again. */
export function requirePasswordAuth(context: RouteContext): void {
  const auth = optionalObject(context.body, 'auth');
  if (auth !== undefined && auth.type === 'm.login.password') {
    const user = passwordUser(context.state, auth);
    if (user?.userId === context.user.userId) return;
    throw new MatrixError(401, 'M_FORBIDDEN', 'invalid password', {
      flows: [{ stages: ['m.login.password'] }],
      params: {},
      session: randomId(),
    });
  }
  throw new MatrixError(401, '', 'user-interactive authentication required', {
    flows: [{ stages: ['m.login.password'] }],
    params: {},
    session: isObject(auth) && typeof auth.session === 'string' ? auth.session : randomId(),
  });
}

function ownUser(user: User, userId: string | undefined): void {
  if (user.userId !== userId) throw new MatrixError(403, 'M_FORBIDDEN', 'cannot access another user');
}

function profile(user: User): JsonObject {
  return user.displayName === undefined ? {} : { displayname: user.displayName };
}

function deviceInfo(deviceId: string, displayName: string | undefined): JsonObject {
  return displayName === undefined
    ? { device_id: deviceId }
    : { device_id: deviceId, display_name: displayName };
}
