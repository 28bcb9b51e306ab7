// The http module's public surface: other modules import from here only.
export { type App, buildApp } from './app.ts';
export { bearerToken, requireRole } from './auth.ts';
export { ErrorBody, errorResponses } from './error-schemas.ts';
export { createJsonBodyParser } from './input-rules.ts';
export { createMetricsRegistry } from './metrics.ts';
export type { ReadinessCheck } from './operations-routes.ts';
export { localeCookieName, pageLocale } from './page-locale.ts';
export { defaultPageSize, maxPageSize, pagingQuery } from './paging.ts';
export { pathId, pathIdParams, uuidPattern } from './path-ids.ts';
export {
  createSerializedBodies,
  jsonContentType,
  sendJsonBytes,
  serializeAs200,
  type SerializedBodies,
} from './serialized-bodies.ts';
export { cookieIsSecure, createSessionAuthenticator, type SessionCookieOptions } from './session-auth.ts';
