import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.ts';
import { hasRole, type Principal, type Role } from '../access/index.ts';

/**
 * The caller, who must hold at least `minimum` role. 401 without credentials, 403 with too
 * little a role. Country scoping is the service's job.
 */
export function requireRole(request: FastifyRequest, minimum: Role = 'member'): Principal {
  const principal = request.principal;
  if (principal === undefined) throw new AppError('unauthorized', 'a valid API token or session is required');
  if (!hasRole(principal.role, minimum)) throw new AppError('forbidden', `this needs the ${minimum} role`);
  return principal;
}

/** Reads `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  return match?.[1];
}
