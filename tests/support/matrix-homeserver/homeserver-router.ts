// A tiny router for the client-server API: routes are matched on the path after
// `/_matrix/client/{v3,r0,v1}`, bodies are JSON, errors are Matrix errors.
import type { IncomingMessage } from 'node:http';
import {
  type AccessToken,
  type HomeserverState,
  type JsonObject,
  MatrixError,
  type User,
} from './homeserver-state.ts';
import { isObject } from './homeserver-sync.ts';

export interface RouteContext {
  readonly state: HomeserverState;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: JsonObject;
  /** The caller, for routes that need authentication. */
  readonly auth: AccessToken;
  readonly user: User;
  /** Aborted when the client goes away or the server stops (long polls stop waiting). */
  readonly signal: AbortSignal;
}

export interface RouteResult {
  status?: number;
  body: JsonObject;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** false for the few endpoints that work without an access token. */
  authenticated: boolean;
  handler(context: RouteContext): RouteResult | JsonObject | Promise<RouteResult | JsonObject>;
}

/** Declares a route; `:name` segments become decoded params. */
export function route(
  method: string,
  path: string,
  handler: Route['handler'],
  options: { authenticated?: boolean } = {},
): Route {
  const source = path
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? `(?<${segment.slice(1)}>[^/]+)`
        : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return {
    method,
    pattern: new RegExp(`^${source}/?$`),
    authenticated: options.authenticated ?? true,
    handler,
  };
}

export interface Resolved {
  route: Route;
  params: Record<string, string>;
}

export function resolveRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): Resolved | 'wrong-method' | undefined {
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        throw new MatrixError(400, 'M_INVALID_PARAM', `malformed path segment ${name}`);
      }
    }
    return { route: candidate, params };
  }
  return pathMatched ? 'wrong-method' : undefined;
}

export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new MatrixError(413, 'M_TOO_LARGE', 'request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new MatrixError(400, 'M_NOT_JSON', 'body is not valid JSON');
  }
  if (!isObject(parsed)) throw new MatrixError(400, 'M_BAD_JSON', 'body must be a JSON object');
  return parsed;
}

export function authenticate(
  state: HomeserverState,
  request: IncomingMessage,
  query: URLSearchParams,
): { auth: AccessToken; user: User } {
  const header = request.headers.authorization;
  const token =
    header?.startsWith('Bearer ') === true ? header.slice(7) : (query.get('access_token') ?? undefined);
  if (token === undefined) throw new MatrixError(401, 'M_MISSING_TOKEN', 'missing access token');
  const auth = state.tokens.get(token);
  const user = auth === undefined ? undefined : state.users.get(auth.userId);
  if (auth === undefined || user === undefined) {
    throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'unknown or revoked access token', { soft_logout: false });
  }
  return { auth, user };
}

// Small readers for request bodies: a wrong type is a client error (400), never a crash.

export function requireString(body: JsonObject, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new MatrixError(400, 'M_BAD_JSON', `${key} must be a string`);
  return value;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MatrixError(400, 'M_BAD_JSON', `${key} must be a string`);
  return value;
}

export function optionalObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new MatrixError(400, 'M_BAD_JSON', `${key} must be an object`);
  return value;
}

export function optionalStringArray(body: JsonObject, key: string): string[] {
  const value = body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new MatrixError(400, 'M_BAD_JSON', `${key} must be an array of strings`);
  }
  return value;
}

/**
 * PUT endpoints with a transaction id are idempotent per device (spec: "the same transaction ID
 * from the same client returns the same response").
 */
export function idempotent(context: RouteContext, scope: string, run: () => JsonObject): JsonObject {
  const key = `${context.auth.userId}|${context.auth.deviceId}|${scope}|${context.params.txnId ?? ''}`;
  const previous = context.state.transactions.get(key);
  if (previous !== undefined) return previous;
  const result = run();
  context.state.transactions.set(key, result);
  return result;
}
