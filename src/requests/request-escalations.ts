// Escalations nobody has answered yet: open requests to a country whose nudges reached the
// escalation threshold (an answer clears `escalated_at`). Read by the coordinators' weekly digest.
import { and, asc, count, eq, inArray, isNotNull } from 'drizzle-orm';
import { isOpen } from './request-types.ts';
import { formalRequests, requestStatuses } from './requests-schema.ts';
import type { Queryable } from '../db/index.ts';

export interface OpenEscalation {
  requestId: string;
  ourReference: string;
  fromCountry: string | null;
  contactId: string | null;
  escalatedAt: string;
}

const openStatuses = requestStatuses.filter(isOpen);

/** The oldest first, at most `limit`, with the total. */
export async function openEscalations(
  db: Queryable,
  toCountry: string,
  limit = 20,
): Promise<{ items: OpenEscalation[]; total: number }> {
  const where = and(
    eq(formalRequests.toCountry, toCountry),
    isNotNull(formalRequests.escalatedAt),
    inArray(formalRequests.status, openStatuses),
  );
  const rows = await db
    .select({
      requestId: formalRequests.id,
      ourReference: formalRequests.ourReference,
      fromCountry: formalRequests.fromCountry,
      contactId: formalRequests.contactId,
      escalatedAt: formalRequests.escalatedAt,
    })
    .from(formalRequests)
    .where(where)
    .orderBy(asc(formalRequests.escalatedAt))
    .limit(limit);
  const [total] = await db.select({ n: count() }).from(formalRequests).where(where);
  return {
    items: rows.map((row) => ({
      ...row,
      escalatedAt: row.escalatedAt?.toISOString() ?? '',
    })),
    total: total?.n ?? 0,
  };
}
