// A contact retires: their pending formal requests move to the successor inside the retirement's
// transaction. The nudge schedule goes on where it was (same count of unanswered nudges, the next
// nudge at its time), placed in the successor's working hours; the requester is told once.
import { and, eq, inArray } from 'drizzle-orm';
import { recipientLocale } from './request-messages.ts';
import { pushesTo, pushKinds } from './request-pushes.ts';
import type { RequestsContext } from './requests-context.ts';
import { formalRequests, requestEvents, requestStatuses } from './requests-schema.ts';
import { isOpen, type RequestRow } from './request-types.ts';
import type { Queryable } from '../db/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import type { Contact, RegistrySnapshot } from '../registry/index.ts';
import { reachableMembers } from '../members/index.ts';

export interface RequestHandoverInput {
  fromContactId: string;
  /** The named successor; undefined: the best ranked colleague for the request's type, if any. */
  toContactId: string | undefined;
  actor: string;
}

export interface MovedRequest {
  requestId: string;
  /** The contact it went to; null when nobody could take it (the coordinators are nudged instead). */
  to: string | null;
  nextNudgeAt: string | null;
}

const openStatuses = requestStatuses.filter(isOpen);

/**
 * How many open requests are addressed to each contact (what a retirement would move), inside the
 * caller's transaction. Needs nothing but the database: the CLI's import checks it too.
 */
export async function openRequestCounts(
  tx: Queryable,
  contactIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (contactIds.length === 0) return counts;
  const rows = await tx
    .select({ contactId: formalRequests.contactId })
    .from(formalRequests)
    .where(
      and(inArray(formalRequests.contactId, [...contactIds]), inArray(formalRequests.status, openStatuses)),
    );
  for (const row of rows)
    if (row.contactId !== null) counts.set(row.contactId, (counts.get(row.contactId) ?? 0) + 1);
  return counts;
}

export function createRequestHandover(context: RequestsContext) {
  const { planner, scheduler, messages, outbox, ranking, clock } = context;

  function successorFor(
    snapshot: RegistrySnapshot,
    row: RequestRow,
    input: RequestHandoverInput,
  ): Contact | undefined {
    if (input.toContactId !== undefined) return snapshot.contactById.get(input.toContactId);
    const ranked = ranking({
      snapshot,
      country: row.toCountry,
      competence: row.type,
      askerCountry: row.fromCountry,
      locale: context.defaultLocale,
      now: clock.now(),
    });
    const id = ranked.find((candidate) => candidate !== input.fromContactId);
    return id === undefined ? undefined : snapshot.contactById.get(id);
  }

  return {
    /** How many open requests are addressed to each contact (what a retirement would move). */
    heldCounts: openRequestCounts,
    /** Moves every open request addressed to the contact; `afterCommit` delivers and sets timers. */
    async handOverInTransaction(
      tx: Queryable,
      input: RequestHandoverInput,
    ): Promise<{ moved: MovedRequest[]; afterCommit: () => Promise<void> }> {
      const snapshot = context.registry.snapshot();
      const now = clock.now();
      const rows = await tx
        .select()
        .from(formalRequests)
        .where(
          and(
            eq(formalRequests.contactId, input.fromContactId),
            inArray(formalRequests.status, openStatuses),
          ),
        )
        .orderBy(formalRequests.createdAt)
        .for('no key update');
      const moved: MovedRequest[] = [];
      const pushes: OutboxPush[] = [];
      const timers: { requestId: string; seq: number; at: Date }[] = [];
      for (const row of rows) {
        const to = successorFor(snapshot, row, input);
        const next: RequestRow = {
          ...row,
          contactId: to?.id ?? null,
          authorityId: to?.authority ?? row.authorityId,
          nudgeSeq: row.nudgeSeq + 1,
          updatedAt: now,
        };
        // The schedule continues: the next nudge keeps its time, moved into the successor's working hours.
        next.nextNudgeAt =
          row.nextNudgeAt === null
            ? null
            : new Date(planner.place(snapshot, next, Math.max(now.getTime(), row.nextNudgeAt.getTime())));
        await tx.update(formalRequests).set(next).where(eq(formalRequests.id, row.id));
        const [event] = await tx
          .insert(requestEvents)
          .values({
            requestId: row.id,
            kind: 'reassigned',
            actor: input.actor,
            at: now,
            details: { from: input.fromContactId, to: next.contactId, reason: 'handover' },
          })
          .returning({ id: requestEvents.id });
        await context.audit.appendInTransaction(tx, [
          {
            actor: input.actor,
            action: 'request.handover',
            subject: `request:${row.id}`,
            details: { from: input.fromContactId, to: next.contactId },
          },
        ]);
        const [requester] = await reachableMembers(
          tx,
          { memberIds: [row.requesterMemberId] },
          { platforms: context.pushPlatforms() },
        );
        if (requester !== undefined) {
          const locale = recipientLocale(requester.locale, undefined, context.defaultLocale);
          const from = snapshot.contactById.get(input.fromContactId);
          pushes.push(
            ...pushesTo(
              requester,
              `req-notice:${row.id}:handover:${String(event?.id ?? 0)}`,
              messages.notice(
                locale,
                to === undefined ? 'requests-notice-handover-nobody' : 'requests-notice-handover',
                next,
                snapshot,
                {
                  contactName: messages.contactName(locale, from),
                  newContactName: messages.contactName(locale, to),
                },
              ),
              pushKinds.notice,
              row.id,
            ),
          );
        }
        if (next.nextNudgeAt !== null)
          timers.push({ requestId: row.id, seq: next.nudgeSeq, at: next.nextNudgeAt });
        moved.push({
          requestId: row.id,
          to: next.contactId,
          nextNudgeAt: next.nextNudgeAt?.toISOString() ?? null,
        });
      }
      await outbox.addInTransaction(tx, pushes);
      return {
        moved,
        afterCommit: async () => {
          await outbox.dispatch(pushes.map((push) => push.dedupeKey));
          await scheduler.schedule(timers);
        },
      };
    },
  };
}

export type RequestHandover = ReturnType<typeof createRequestHandover>;
