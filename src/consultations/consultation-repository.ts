// Queries of the consultation module. Every function takes a transaction or the database.
import { and, asc, desc, eq, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import {
  awaitingStatuses,
  consultationDeliveries,
  consultationMessages,
  consultationParticipants,
  consultationRoutes,
  consultations,
  openStatuses,
} from './consultations-schema.ts';
import type { ConsultationRow, ParticipantRow, RouteRow } from './consultation-types.ts';
import type { Queryable } from '../db/index.ts';

export async function lockConsultation(tx: Queryable, id: string): Promise<ConsultationRow | undefined> {
  const [row] = await tx.select().from(consultations).where(eq(consultations.id, id)).for('update');
  return row;
}

export async function findByNumber(db: Queryable, number: number): Promise<ConsultationRow | undefined> {
  const [row] = await db.select().from(consultations).where(eq(consultations.number, number));
  return row;
}

export async function findById(db: Queryable, id: string): Promise<ConsultationRow | undefined> {
  const [row] = await db.select().from(consultations).where(eq(consultations.id, id));
  return row;
}

export async function currentRoute(
  db: Queryable,
  consultation: ConsultationRow,
): Promise<RouteRow | undefined> {
  const [row] = await db
    .select()
    .from(consultationRoutes)
    .where(
      and(
        eq(consultationRoutes.consultationId, consultation.id),
        eq(consultationRoutes.seq, consultation.routeSeq),
      ),
    );
  return row;
}

export async function routesOf(db: Queryable, consultationId: string): Promise<RouteRow[]> {
  return db
    .select()
    .from(consultationRoutes)
    .where(eq(consultationRoutes.consultationId, consultationId))
    .orderBy(asc(consultationRoutes.seq));
}

export async function participantsOf(db: Queryable, consultationId: string): Promise<ParticipantRow[]> {
  return db
    .select()
    .from(consultationParticipants)
    .where(eq(consultationParticipants.consultationId, consultationId));
}

/** Accepted consultations in which the member is one of the two sides, oldest first. */
export async function activeConversationsOf(db: Queryable, memberId: string): Promise<ConsultationRow[]> {
  return db
    .select()
    .from(consultations)
    .where(
      and(
        eq(consultations.status, 'accepted'),
        or(eq(consultations.askerMemberId, memberId), eq(consultations.counterpartMemberId, memberId)),
      ),
    )
    .orderBy(asc(consultations.acceptedAt), asc(consultations.number));
}

/**
 * "The member talks in an accepted consultation", as an SQL condition the conversation engine
 * checks with its own lookup (partial indexes on accepted consultations keep it one probe each).
 */
export const talkingIn = (memberId: string): SQL =>
  sql`exists (select 1 from ${consultations} where ${consultations.status} = 'accepted' and (${consultations.askerMemberId} = ${memberId} or ${consultations.counterpartMemberId} = ${memberId}))`;

/** Open consultations the member asked or is talking in (for `/close`). */
export async function openConsultationsOf(db: Queryable, memberId: string): Promise<ConsultationRow[]> {
  return db
    .select()
    .from(consultations)
    .where(
      and(
        inArray(consultations.status, [...openStatuses]),
        or(eq(consultations.askerMemberId, memberId), eq(consultations.counterpartMemberId, memberId)),
      ),
    )
    .orderBy(asc(consultations.number));
}

/** Waiting consultations whose accept deadline has passed (the reconciler's catch-up). */
/**
 * Accept deadlines due by `horizon` (the timer service's truth for this module's lane), earliest
 * first, a page at a time (keyset on the deadline and the id).
 */
export async function deadlinesDueBy(
  db: Queryable,
  horizon: Date,
  limit: number,
  after?: { at: Date; id: string },
): Promise<{ id: string; routeSeq: number; at: Date }[]> {
  const rows = await db
    .select({ id: consultations.id, routeSeq: consultations.routeSeq, at: consultations.acceptDeadlineAt })
    .from(consultations)
    .where(
      and(
        inArray(consultations.status, [...awaitingStatuses]),
        lte(consultations.acceptDeadlineAt, horizon),
        after === undefined
          ? undefined
          : sql`(${consultations.acceptDeadlineAt}, ${consultations.id}) > (${after.at.toISOString()}::timestamptz, ${after.id})`,
      ),
    )
    .orderBy(asc(consultations.acceptDeadlineAt), asc(consultations.id))
    .limit(limit);
  return rows.flatMap((row) => (row.at === null ? [] : [{ id: row.id, routeSeq: row.routeSeq, at: row.at }]));
}

export async function nextMessageSeq(tx: Queryable, consultationId: string): Promise<number> {
  const [row] = await tx
    .select({ seq: consultationMessages.seq })
    .from(consultationMessages)
    .where(eq(consultationMessages.consultationId, consultationId))
    .orderBy(desc(consultationMessages.seq))
    .limit(1);
  return (row?.seq ?? 0) + 1;
}

export async function messageBySource(db: Queryable, sourceKey: string) {
  const [row] = await db
    .select()
    .from(consultationMessages)
    .where(eq(consultationMessages.sourceKey, sourceKey));
  return row;
}

/** Remembers a delivered consultation message's platform id (the outbox reports it once sent). */
export async function recordDelivery(
  db: Queryable,
  delivery: {
    dedupeKey: string;
    consultationId: string;
    memberId: string | null;
    platform: string;
    chatId: string;
    platformMessageId: string;
    deliveredAt: Date;
  },
): Promise<void> {
  await db
    .insert(consultationDeliveries)
    .values(delivery)
    .onConflictDoNothing({ target: consultationDeliveries.dedupeKey });
}

export async function deliveryOf(db: Queryable, dedupeKey: string) {
  const [row] = await db
    .select()
    .from(consultationDeliveries)
    .where(eq(consultationDeliveries.dedupeKey, dedupeKey));
  return row;
}

/** The consultation a delivered message belongs to, from the message's platform id in a chat. */
export async function consultationOfMessage(
  db: Queryable,
  platform: string,
  chatId: string,
  platformMessageId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ consultationId: consultationDeliveries.consultationId })
    .from(consultationDeliveries)
    .where(
      and(
        eq(consultationDeliveries.platform, platform),
        eq(consultationDeliveries.chatId, chatId),
        eq(consultationDeliveries.platformMessageId, platformMessageId),
      ),
    );
  return row?.consultationId;
}
