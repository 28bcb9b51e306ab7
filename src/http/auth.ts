import type { FastifyRequest } from 'fastify';
import type { Role } from '../members/members-schema.ts';
import type { Principal } from '../members/principal.ts';
import { AppError } from './errors.ts';

const rank: Record<Role, number> = { member: 0, coordinator: 1, admin: 2 };

/**
 * The caller, who must hold at least `minimum` role. 401 without credentials, 403 with too
 * little a role. Country scoping is the service's job.
 */
export function requireRole(request: FastifyRequest, minimum: Role = 'member'): Principal {
  const principal = request.principal;
  if (principal === undefined) throw new AppError('unauthorized', 'a valid API token or session is required');
  if (rank[principal.role] < rank[minimum]) throw new AppError('forbidden', `this needs the ${minimum} role`);
  return principal;
}

/** Reads `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  return match?.[1];
}
