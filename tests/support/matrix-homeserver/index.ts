// A small Matrix homeserver for tests: the client-server API parts that real matrix-js-sdk
// clients need to talk end-to-end encrypted, in memory, on 127.0.0.1. It follows the spec rather
// than our bot's needs, so any ordinary client works against it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountRoutes } from './account-routes.ts';
import {
  HomeserverState,
  type JsonObject,
  MatrixError,
  type ToDeviceRecord,
  userRecord,
} from './homeserver-state.ts';
import { authenticate, readJsonBody, resolveRoute, route, type Route } from './homeserver-router.ts';
import { buildSync, isObject, parseStreamToken, parseSyncFilter } from './homeserver-sync.ts';
import { keysRoutes } from './keys-routes.ts';
import { MessageRateLimiter, type RateLimitSettings, synapseMessageRateLimit } from './rate-limit.ts';
import { roomRoutes } from './room-routes.ts';

export { MatrixError } from './homeserver-state.ts';
export type { RateLimitSettings } from './rate-limit.ts';
export type { ToDeviceRecord } from './homeserver-state.ts';

export interface HomeserverOptions {
  /** Default "localhost". */
  serverName?: string;
  /** Print every request to stderr (or set MATRIX_HOMESERVER_LOG=1). */
  logRequests?: boolean;
  /**
   * Per-user limit on sending events and state (Synapse's rc_message; default its defaults, 0.2 a
   * second with a burst of 10). false turns it off: say why in the test.
   */
  messageRateLimit?: RateLimitSettings | false;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** The JSON body as received (absent for GET and for dropped requests), for leak searches. */
  body?: string;
  /** Who called (absent without a valid access token). */
  userId?: string;
}

export interface TestHomeserver {
  readonly serverName: string;
  /** Base URL, stable across stop/start. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** An uploaded file by its mxc URI, as uploaded. */
  media(uri: string): Buffer | undefined;
  /** Creates a user who can log in with the password. */
  registerUser(localpart: string, password?: string): { userId: string; password: string };
  /** Logs a user in without HTTP, returning a token for a new (or the given) device. */
  login(userId: string, deviceId?: string): { userId: string; accessToken: string; deviceId: string };
  /** Every to-device message sent through the server (room keys travel so), in order. */
  toDeviceMessages(): readonly ToDeviceRecord[];
  /** Device ids a user currently has. */
  devicesOf(userId: string): string[];
  /**
   * To-device messages queued for a user's devices that their clients have not yet acknowledged
   * (a client acknowledges them by syncing on from the batch that brought them, once processed).
   */
  undeliveredToDevice(userId: string): number;
  /**
   * Exempts a user from the message rate limit (Synapse: an admin's per-user override), e.g. a
   * test's own user who must send faster than a person would.
   */
  exemptFromRateLimit(userId: string): void;
  /** Changes the message rate limit from now on (undefined: off). */
  setMessageRateLimit(settings: RateLimitSettings | undefined): void;
  /** Every stored event of a room, in the client format, oldest first. */
  roomEvents(roomId: string): JsonObject[];
  /** Every room id the server knows. */
  roomIds(): string[];
  isEncrypted(roomId: string): boolean;
  /** Appends an event as if `sender` had sent it, bypassing validation: for malformed-input tests. */
  injectEvent(roomId: string, sender: string, type: string, content: JsonObject, stateKey?: string): string;
  /**
   * Cuts the connection of matching requests before they are handled, as a network failure
   * would (undefined: stop dropping). For "the reply could not be sent" stories.
   */
  dropRequests(
    filter: ((request: { method: string; path: string; userId: string | undefined }) => boolean) | undefined,
  ): void;
  /**
   * Holds the next matching request before it is handled, until `release` (then it is handled as
   * usual): "a process dies while its call is on the wire" stories. `arrived` gives the request.
   */
  holdNext(filter: (request: { method: string; path: string; userId: string | undefined }) => boolean): {
    arrived: Promise<{ method: string; path: string; userId: string | undefined }>;
    release(): void;
  };
  /** Simulates an outage: closes the port and every open connection; state is kept. */
  stop(): Promise<void>;
  /** Comes back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const bodyLimitBytes = 1024 * 1024;

export async function startMatrixHomeserver(options: HomeserverOptions = {}): Promise<TestHomeserver> {
  const serverName = options.serverName ?? 'localhost';
  const limit = options.messageRateLimit ?? synapseMessageRateLimit;
  const state = new HomeserverState(serverName, new MessageRateLimiter(limit === false ? undefined : limit));
  const logRequests = options.logRequests ?? process.env.MATRIX_HOMESERVER_LOG === '1';
  const routes: Route[] = [...accountRoutes(), ...roomRoutes(), ...keysRoutes(), syncRoute()];
  const requests: LoggedRequest[] = [];
  /** Uploaded files by mxc URI. */
  const media = new Map<string, Buffer>();
  const inFlight = new Set<AbortController>();
  let server: Server | undefined;
  let dropFilter: Parameters<TestHomeserver['dropRequests']>[0];
  const holds: {
    filter: Parameters<TestHomeserver['holdNext']>[0];
    arrive: (request: { method: string; path: string; userId: string | undefined }) => void;
    released: Promise<void>;
  }[] = [];
  let port = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const callerId = state.tokens.get(request.headers.authorization?.slice(7) ?? '')?.userId;
    if (dropFilter?.({ method, path: url.pathname, userId: callerId }) === true) {
      requests.push({ method, path: url.pathname, status: 0 });
      request.socket.destroy();
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    response.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    if (await handleMedia(request, response, url, method)) return;
    let status = 200;
    let body: JsonObject;
    let headers: Record<string, string> = {};
    let loggedBody: string | undefined;
    try {
      const match = /^\/_matrix\/client\/(?:v3|r0|v1)(\/.*)$/.exec(url.pathname);
      const path = url.pathname === '/_matrix/client/versions' ? '/versions' : match?.[1];
      const resolved = path === undefined ? undefined : resolveRoute(routes, method, path);
      if (resolved === undefined) throw new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
      if (resolved === 'wrong-method')
        throw new MatrixError(405, 'M_UNRECOGNIZED', 'Unrecognized request method');
      const requestBody =
        method === 'GET' || method === 'HEAD' ? {} : await readJsonBody(request, bodyLimitBytes);
      if (method !== 'GET' && method !== 'HEAD') loggedBody = JSON.stringify(requestBody);
      const caller = resolved.route.authenticated
        ? authenticate(state, request, url.searchParams)
        : undefined;
      // Held once the body was read: the call has fully reached the server, which acts on it
      // when released, whether or not its caller is still there.
      const hold = holds.find((candidate) =>
        candidate.filter({ method, path: url.pathname, userId: callerId }),
      );
      if (hold !== undefined) {
        holds.splice(holds.indexOf(hold), 1);
        hold.arrive({ method, path: url.pathname, userId: callerId });
        await hold.released;
      }
      const result = await resolved.route.handler({
        state,
        params: resolved.params,
        query: url.searchParams,
        body: requestBody,
        auth: caller?.auth ?? { userId: '', deviceId: '' },
        user: caller?.user ?? userRecord('', '', undefined),
        signal: controller.signal,
      });
      if (
        'body' in result &&
        isObject(result.body) &&
        Object.keys(result).every((key) => key === 'body' || key === 'status')
      ) {
        status = typeof result.status === 'number' ? result.status : 200;
        body = result.body;
      } else {
        body = result as JsonObject;
      }
    } catch (error) {
      if (error instanceof MatrixError) {
        status = error.status;
        headers = error.headers;
        body = {
          ...(error.errcode === '' ? {} : { errcode: error.errcode, error: error.message }),
          ...error.extra,
        };
      } else {
        status = 500;
        body = { errcode: 'M_UNKNOWN', error: error instanceof Error ? error.message : 'internal error' };
        process.stderr.write(`test homeserver: ${method} ${url.pathname} failed: ${String(error)}\n`);
      }
    }
    requests.push({
      method,
      path: url.pathname,
      status,
      ...(loggedBody === undefined ? {} : { body: loggedBody }),
      ...(callerId === undefined ? {} : { userId: callerId }),
    });
    if (logRequests) {
      const who = callerId ?? '-';
      const since = url.searchParams.get('since') ?? '';
      process.stderr.write(`[homeserver] ${who} ${method} ${url.pathname} ${since} -> ${status}\n`);
    }
    if (response.destroyed) return;
    response.writeHead(status, { ...headers, 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  /**
   * The media repository, as far as encrypted attachments need it: upload (the bytes are kept as
   * sent, and logged for leak searches as latin1 text) and download, authenticated either way.
   */
  async function handleMedia(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    method: string,
  ): Promise<boolean> {
    const upload = url.pathname === '/_matrix/media/v3/upload' && method === 'POST';
    const download =
      /^\/_matrix\/(?:client\/v1\/media|media\/v3)\/download\/([^/]+)\/([^/]+)/.exec(url.pathname) ??
      undefined;
    if (!upload && (download === undefined || method !== 'GET')) return false;
    const reply = (status: number, body: JsonObject | Buffer, loggedBody?: string) => {
      requests.push({
        method,
        path: url.pathname,
        status,
        ...(loggedBody === undefined ? {} : { body: loggedBody }),
      });
      if (Buffer.isBuffer(body)) {
        response.writeHead(status, { 'content-type': 'application/octet-stream' });
        response.end(body);
      } else {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      }
    };
    try {
      authenticate(state, request, url.searchParams);
    } catch {
      reply(401, { errcode: 'M_MISSING_TOKEN', error: 'missing or unknown access token' });
      return true;
    }
    if (upload) {
      const chunks: Buffer[] = [];
      for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      const mediaId = `m${String(media.size + 1)}${Math.random().toString(36).slice(2, 10)}`;
      media.set(`mxc://${serverName}/${mediaId}`, bytes);
      reply(200, { content_uri: `mxc://${serverName}/${mediaId}` }, bytes.toString('latin1'));
      return true;
    }
    const stored = media.get(`mxc://${download?.[1] ?? ''}/${download?.[2] ?? ''}`);
    if (stored === undefined) reply(404, { errcode: 'M_NOT_FOUND', error: 'no such media' });
    else reply(200, stored);
    return true;
  }

  async function start(): Promise<void> {
    if (server !== undefined) return;
    const next = createServer((request, response) => {
      void handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        resolve();
      });
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  }

  async function stop(): Promise<void> {
    const current = server;
    if (current === undefined) return;
    server = undefined;
    for (const controller of inFlight) controller.abort();
    const closed = new Promise<void>((resolve) =>
      current.close(() => {
        resolve();
      }),
    );
    current.closeAllConnections();
    await closed;
  }

  await start();

  return {
    serverName,
    url: `http://127.0.0.1:${port}`,
    requests,
    media: (uri) => media.get(uri),
    registerUser(localpart, password = `pw-${localpart}`) {
      return { userId: state.createUser(localpart, password).userId, password };
    },
    login(userId, deviceId) {
      const { accessToken, deviceId: issued } = state.issueToken(
        state.requireUser(userId),
        deviceId,
        undefined,
      );
      return { userId, accessToken, deviceId: issued };
    },
    exemptFromRateLimit(userId) {
      state.messageLimiter.exempt.add(userId);
    },
    setMessageRateLimit(settings) {
      state.messageLimiter.settings = settings;
    },
    toDeviceMessages: () => state.toDeviceLog,
    devicesOf: (userId) => [...state.requireUser(userId).devices.keys()],
    undeliveredToDevice: (userId) =>
      [...state.requireUser(userId).devices.values()].reduce(
        (count, device) => count + device.inbox.length,
        0,
      ),
    roomEvents: (roomId) => state.requireRoom(roomId).events.map((event) => state.toClientEvent(event)),
    roomIds: () => [...state.rooms.keys()],
    isEncrypted: (roomId) => state.requireRoom(roomId).state.has('m.room.encryption\u0000'),
    injectEvent(roomId, sender, type, content, stateKey) {
      return state.appendEvent(state.requireRoom(roomId), { type, stateKey, sender, content }).eventId;
    },
    dropRequests(filter) {
      dropFilter = filter;
    },
    holdNext(filter) {
      let arrive: (request: { method: string; path: string; userId: string | undefined }) => void = () =>
        undefined;
      let release: () => void = () => undefined;
      const arrived = new Promise<{ method: string; path: string; userId: string | undefined }>((resolve) => {
        arrive = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push({ filter, arrive, released });
      return { arrived, release };
    },
    stop,
    start,
    async close() {
      await stop();
      state.changes.removeAllListeners();
    },
  };

  function syncRoute(): Route {
    return route('GET', '/sync', async ({ state: current, auth, user, query, signal }) => {
      const sinceParam = query.get('since') ?? undefined;
      const since = parseStreamToken(sinceParam);
      if (sinceParam !== undefined && since === undefined)
        throw new MatrixError(400, 'M_INVALID_PARAM', 'malformed since token');
      const filterParam = query.get('filter');
      let definition: unknown = {};
      if (filterParam !== null && filterParam.startsWith('{')) {
        try {
          definition = JSON.parse(filterParam);
        } catch {
          throw new MatrixError(400, 'M_NOT_JSON', 'filter is not valid JSON');
        }
      } else if (filterParam !== null) {
        definition = user.filters[Number(filterParam)];
        if (definition === undefined) throw new MatrixError(400, 'M_INVALID_PARAM', 'unknown filter');
      }
      const filter = parseSyncFilter(definition);
      const timeout = Math.min(Math.max(Number(query.get('timeout') ?? '0') || 0, 0), 60_000);
      const deadline = Date.now() + timeout;
      for (;;) {
        const result = buildSync(current, auth, since, filter);
        const remaining = deadline - Date.now();
        if (result.hasContent || since === undefined || remaining <= 0 || signal.aborted) return result.body;
        await waitForChange(current, remaining, signal);
        // A token revoked while waiting (logout) ends the poll with 401 on the next round.
        if (!current.tokens.has(tokenOf(auth, current)))
          throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'logged out', { soft_logout: false });
      }
    });
  }
}

function tokenOf(auth: { userId: string; deviceId: string }, state: HomeserverState): string {
  for (const [token, owner] of state.tokens)
    if (owner.userId === auth.userId && owner.deviceId === auth.deviceId) return token;
  return '';
}

function waitForChange(state: HomeserverState, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.changes.off('change', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    state.changes.on('change', done);
    signal.addEventListener('abort', done);
  });
}
