// A contact retires: every consultation still with them moves on, inside the registry's retirement
// transaction. Waiting ones go to the successor (or the next in the ranking, or the coordinators);
// accepted ones lose their counterpart and wait for the successor's acceptance. The asker and the
// new recipients are told once each: the dedupe keys carry the routing step.
import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Core, Effects } from './consultation-core.ts';
import { routesOf } from './consultation-repository.ts';
import {
  applyRoute,
  closeRoute,
  participantAddress,
  planRoute,
  triedContacts,
} from './consultation-routing.ts';
import {
  awaitingStatuses,
  consultationParticipants,
  consultationRoutes,
  consultations,
} from './consultations-schema.ts';
import type { Steps } from './consultation-steps.ts';
import { refOf, type ConsultationRow } from './consultation-types.ts';
import type { Queryable } from '../db/index.ts';
import { activeMember } from '../members/index.ts';

export interface HandoverInput {
  fromContactId: string;
  /** The named successor; undefined: the next in the ranking, else the coordinators. */
  toContactId: string | undefined;
  /** Audit actor of the retirement. */
  actor: string;
}

export interface MovedConsultation {
  consultationId: string;
  ref: string;
  /** Where it went: a contact id, `coordinator`, or `expired` when nobody could be reached. */
  to: string;
}

/**
 * How many consultations each contact holds (what a retirement would move), inside the caller's
 * transaction. Needs nothing but the database: the CLI's import checks it too.
 */
export async function heldConsultationCounts(
  tx: Queryable,
  contactIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const contactId of contactIds) counts.set(contactId, (await heldBy(tx, contactId)).length);
  return counts;
}

/** Consultations a contact holds: waiting for them now, or accepted by them. */
async function heldBy(tx: Queryable, contactId: string): Promise<ConsultationRow[]> {
  const waitingForThem = tx
    .select({ id: consultationRoutes.consultationId })
    .from(consultationRoutes)
    .where(and(eq(consultationRoutes.contactId, contactId), eq(consultationRoutes.outcome, 'waiting')));
  const rows = await tx
    .select()
    .from(consultations)
    .where(
      or(
        and(eq(consultations.status, 'accepted'), eq(consultations.counterpartContactId, contactId)),
        and(inArray(consultations.status, [...awaitingStatuses]), inArray(consultations.id, waitingForThem)),
      ),
    )
    .orderBy(consultations.number)
    .for('update');
  const held: ConsultationRow[] = [];
  for (const row of rows) {
    if (row.status === 'accepted') {
      held.push(row);
      continue;
    }
    const current = (await routesOf(tx, row.id)).find((route) => route.seq === row.routeSeq);
    // A deputy standing in keeps it; a coordinator step is the country's, not the retiree's.
    if (current?.kind === 'contact' && current.contactId === contactId && current.outcome === 'waiting')
      held.push(row);
  }
  return held;
}

export function createConsultationHandover(core: Core, steps: Pick<Steps, 'expire' | 'tellOthersOfRoute'>) {
  async function moveOne(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    input: HandoverInput,
  ): Promise<MovedConsultation> {
    const now = core.clock.now();
    const ref = refOf(consultation.number);
    const wasAccepted = consultation.status === 'accepted';
    if (wasAccepted && consultation.counterpartMemberId !== null) {
      // The retiree leaves the conversation; their messenger accounts stay theirs.
      await tx
        .update(consultationParticipants)
        .set({ leftAt: now })
        .where(
          and(
            eq(consultationParticipants.consultationId, consultation.id),
            eq(consultationParticipants.memberId, consultation.counterpartMemberId),
            isNull(consultationParticipants.leftAt),
          ),
        );
      await tx
        .update(consultations)
        .set({ counterpartMemberId: null, counterpartContactId: null, updatedAt: now })
        .where(eq(consultations.id, consultation.id));
    } else {
      await closeRoute(core, tx, consultation, 'forwarded', null);
    }
    const tried = await triedContacts(tx, consultation.id);
    tried.add(input.fromContactId);
    const successor = input.toContactId;
    if (successor !== undefined) tried.delete(successor);
    const route = await planRoute(core, tx, consultation, {
      reason: 'handover',
      explicitContactId: successor,
      tried,
    });
    effects.audit.push({
      actor: input.actor,
      action: 'consultation.handover',
      subject: `consultation:${consultation.id}`,
      details: {
        ref,
        from: input.fromContactId,
        to: route === undefined ? null : route.kind === 'coordinator' ? 'coordinator' : route.contactId,
        wasAccepted,
      },
    });
    if (route === undefined) {
      await steps.expire(tx, effects, consultation, 'consult-unreachable-asker');
      return { consultationId: consultation.id, ref, to: 'expired' };
    }
    const { seq } = await applyRoute(core, tx, effects, consultation, route, {
      status: 'rerouted',
      handedOverFrom: input.fromContactId,
    });
    const asker = await activeMember(tx, consultation.askerMemberId);
    if (asker !== undefined) {
      const target = await participantAddress(core, tx, consultation.id, asker.id);
      if (target !== undefined) {
        const locale = core.localeOf(asker);
        const toCoordinators = route.kind === 'coordinator' || route.contactId === null;
        const party =
          route.contactId === null
            ? { name: '', authority: '' }
            : core.notices.contactParty(route.contactId, locale);
        core.push(
          effects,
          `consult:${consultation.id}:route:${String(seq)}:asker`,
          asker.id,
          target.address,
          {
            text: core.t(
              locale,
              toCoordinators ? 'consult-handover-asker-coordinators' : 'consult-handover-asker',
              {
                ...(core.notices.consultationArgs(consultation, locale) as Record<string, string>),
                from: core.notices.contactParty(input.fromContactId, locale).name,
                name: party.name,
                authority: party.authority,
              },
            ),
            locale,
          },
        );
      }
    }
    return {
      consultationId: consultation.id,
      ref,
      to: route.kind === 'coordinator' ? 'coordinator' : (route.contactId ?? 'coordinator'),
    };
  }

  return {
    /** How many consultations each contact holds (what a retirement would move), inside the caller's transaction. */
    heldCounts: heldConsultationCounts,
    /**
     * Inside the caller's transaction: moves every consultation the contact holds. Pushes and
     * audit entries are written in the transaction; `afterCommit` starts delivery and timers.
     */
    async handOverInTransaction(
      tx: Queryable,
      input: HandoverInput,
    ): Promise<{ moved: MovedConsultation[]; afterCommit: () => Promise<void> }> {
      const { value, effects } = await core.within(tx, async (inner, effects) => {
        const moved: MovedConsultation[] = [];
        for (const consultation of await heldBy(inner, input.fromContactId))
          moved.push(await moveOne(inner, effects, consultation, input));
        return moved;
      });
      return { moved: value, afterCommit: () => core.afterCommit(effects) };
    },
  };
}

export type ConsultationHandover = ReturnType<typeof createConsultationHandover>;
