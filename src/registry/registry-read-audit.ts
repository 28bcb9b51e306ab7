import type { FastifyRequest } from 'fastify';
import { actorOf, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { requireRole } from '../http/index.ts';

/**
 * Every registry read through a token or session is audited (who looked up what), batched off the
 * hot path. Returns the caller, who must be a member.
 */
export const auditedRead =
  (audit: AuditService) =>
  (request: FastifyRequest, subject: string, filters: Record<string, unknown> = {}): Principal => {
    const principal = requireRole(request, 'member');
    audit.enqueue({
      actor: actorOf(principal),
      action: 'registry.read',
      subject,
      details: principal.tokenId === undefined ? filters : { ...filters, tokenId: principal.tokenId },
    });
    return principal;
  };
