// Web console sessions ride on a cookie, which the browser attaches to every request, including
// ones a hostile page triggers. So a cookie only authenticates a state-changing request that also
// carries our custom header (a cross-site page cannot set one without a CORS preflight we never
// grant) and, when the browser names an Origin, comes from our own.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import type { ActiveSession } from '../members/index.ts';

export const sessionCookieName = 'counterpart_session';
/** Custom header every cookie-authenticated POST/PUT/PATCH/DELETE must carry (any non-empty value). */
export const csrfHeaderName = 'x-counterpart-csrf';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionCookieOptions {
  /** PUBLIC_URL: an https one marks the cookie Secure and names the expected Origin. */
  publicUrl: string | undefined;
}

/** The session secret from the cookie, when there is a plausible one. */
export function sessionSecret(request: FastifyRequest): string | undefined {
  const value = request.cookies[sessionCookieName];
  return value !== undefined && value.length > 0 && value.length <= 200 ? value : undefined;
}

/** The origin this server answers as: PUBLIC_URL when set, else what the request says it reached. */
export function expectedOrigin(request: FastifyRequest, options: SessionCookieOptions): string {
  if (options.publicUrl !== undefined) return new URL(options.publicUrl).origin;
  return `${request.protocol}://${request.host}`;
}

/**
 * Refuses a cross-site state-changing request. Safe methods pass: they change nothing, and the
 * SameSite cookie keeps cross-site subresource loads anonymous anyway.
 */
export function checkCsrf(request: FastifyRequest, options: SessionCookieOptions): void {
  if (safeMethods.has(request.method)) return;
  const header = request.headers[csrfHeaderName];
  if (typeof header !== 'string' || header.length === 0) {
    throw new AppError(
      'forbidden',
      `cookie-authenticated requests that change something must send the ${csrfHeaderName} header`,
      {
        reason: 'csrf_header_missing',
      },
    );
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== expectedOrigin(request, options)) {
    throw new AppError('forbidden', 'cross-site request refused', { reason: 'csrf_origin_mismatch' });
  }
}

/** Secure when PUBLIC_URL is https or the request itself arrived over TLS (directly or via a trusted proxy). */
export function cookieIsSecure(request: FastifyRequest, options: SessionCookieOptions): boolean {
  return options.publicUrl?.startsWith('https:') === true || request.protocol === 'https';
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  options: SessionCookieOptions,
  session: { secret: string; expiresAt: Date },
): void {
  void reply.setCookie(sessionCookieName, session.secret, {
    path: '/',
    httpOnly: true,
    // Strict: a link from elsewhere opens the console logged out rather than letting another
    // site ride the session; the console is an app people open directly.
    sameSite: 'strict',
    secure: cookieIsSecure(request, options),
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  options: SessionCookieOptions,
): void {
  void reply.clearCookie(sessionCookieName, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: cookieIsSecure(request, options),
  });
}

/**
 * Resolves the session cookie to a principal (with `sessionId`), enforcing the CSRF rules above.
 * Undefined without a cookie or for a dead session.
 */
export function createSessionAuthenticator(
  sessions: { authenticate(secret: string): Promise<ActiveSession | undefined> },
  options: SessionCookieOptions,
): (request: FastifyRequest) => Promise<Principal | undefined> {
  return async (request) => {
    const secret = sessionSecret(request);
    if (secret === undefined) return undefined;
    checkCsrf(request, options);
    const session = await sessions.authenticate(secret);
    return session === undefined ? undefined : { ...session.principal, sessionId: session.id };
  };
}
