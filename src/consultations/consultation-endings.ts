// How a consultation moves on or ends without an answer: its accept deadline passes, or a side closes it.
import { and, eq, isNull } from 'drizzle-orm';
import type { Core } from './consultation-core.ts';
import { currentRoute, findByNumber, lockConsultation } from './consultation-repository.ts';
import {
  applyRoute,
  closeRoute,
  participantAddress,
  planRoute,
  tellAskerAboutRoute,
  triedContacts,
  type PlannedRoute,
} from './consultation-routing.ts';
import { consultationParticipants, consultations } from './consultations-schema.ts';
import { isAwaiting, memberActor, type Steps } from './consultation-steps.ts';
import { refOf, type ActingFrom, type RuleResult } from './consultation-types.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import { activeMember } from '../members/index.ts';

export function createEndings(core: Core, steps: Steps) {
  const { clock } = core;
  const { expire, purgeDescription, tellOthersOfRoute, confirm } = steps;

  /**
   * The accept deadline of routing step `routeSeq` passed: the next contact, then the coordinator,
   * then the end. A stale timer (the step was answered, or its deadline moved) does nothing, so
   * timers may fire twice or late without harm.
   */
  async function handleDeadline(
    consultationId: string,
    routeSeq: number,
  ): Promise<'moved' | 'expired' | 'ignored'> {
    return core.transact(async (tx, effects) => {
      const consultation = await lockConsultation(tx, consultationId);
      if (
        consultation === undefined ||
        !isAwaiting(consultation.status) ||
        consultation.routeSeq !== routeSeq
      )
        return 'ignored';
      // Timers may fire a little early (clocks of the producer and the worker); a second is noise.
      if (
        consultation.acceptDeadlineAt === null ||
        consultation.acceptDeadlineAt.getTime() > clock.now().getTime() + 1000
      )
        return 'ignored';
      const route = await currentRoute(tx, consultation);
      await closeRoute(core, tx, consultation, 'timed_out', null);
      effects.audit.push({
        actor: 'system',
        action: 'consultation.timeout',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(consultation.number), routeSeq },
      });
      await tellOthersOfRoute(tx, effects, consultation, route?.memberIds ?? [], null, 'consult-moved-on');
      const planned: PlannedRoute | undefined =
        route?.kind === 'coordinator'
          ? undefined
          : await planRoute(core, tx, consultation, {
              reason: 'timeout',
              tried: await triedContacts(tx, consultation.id),
            });
      if (planned === undefined) {
        await expire(tx, effects, consultation, 'consult-expired-asker');
        return 'expired';
      }
      const { seq } = await applyRoute(core, tx, effects, consultation, planned, { status: 'rerouted' });
      await tellAskerAboutRoute(core, tx, effects, consultation, planned, seq, 'timeout');
      return 'moved';
    });
  }

  /** Either side closes; the asker may also withdraw a consultation nobody accepted yet. */
  async function close(principal: Principal, number: number, from: ActingFrom = {}): Promise<RuleResult> {
    return core.transact(async (tx, effects) => {
      const found = await findByNumber(tx, number);
      const consultation = found === undefined ? undefined : await lockConsultation(tx, found.id);
      if (consultation === undefined) throw notFound('consultation', refOf(number));
      const side =
        consultation.askerMemberId === principal.memberId
          ? 'asker'
          : consultation.counterpartMemberId === principal.memberId
            ? 'counterpart'
            : undefined;
      if (side === undefined) throw forbidden('this consultation is not yours');
      if (!isAwaiting(consultation.status) && consultation.status !== 'accepted') {
        throw new AppError('conflict', `consultation ${refOf(number)} is already ${consultation.status}`, {
          reason: 'not_open',
        });
      }
      const now = clock.now();
      const route = await currentRoute(tx, consultation);
      const waiting = isAwaiting(consultation.status);
      if (waiting) await closeRoute(core, tx, consultation, 'closed', principal.memberId);
      await tx
        .update(consultations)
        .set({
          status: 'closed',
          acceptDeadlineAt: null,
          closedAt: now,
          closedBy: side,
          updatedAt: now,
          ...purgeDescription(consultation, now),
        })
        .where(eq(consultations.id, consultation.id));
      await tx
        .update(consultationParticipants)
        .set({ leftAt: now })
        .where(
          and(
            eq(consultationParticipants.consultationId, consultation.id),
            isNull(consultationParticipants.leftAt),
          ),
        );
      effects.audit.push({
        actor: memberActor(principal),
        action: 'consultation.close',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(consultation.number), by: side, wasAccepted: !waiting },
      });
      const ref = refOf(consultation.number);
      const self = await activeMember(tx, principal.memberId);
      if (self !== undefined)
        await confirm(
          tx,
          effects,
          from,
          self,
          `consult:${consultation.id}:closed:self`,
          'consult-closed-you',
          { ref },
        );
      if (waiting) {
        await tellOthersOfRoute(tx, effects, consultation, route?.memberIds ?? [], null, 'consult-withdrawn');
      } else {
        const otherId = side === 'asker' ? consultation.counterpartMemberId : consultation.askerMemberId;
        const other = otherId === null ? undefined : await activeMember(tx, otherId);
        const target =
          other === undefined ? undefined : await participantAddress(core, tx, consultation.id, other.id);
        if (other !== undefined && target !== undefined && self !== undefined) {
          const locale = core.localeOf(other);
          core.push(effects, `consult:${consultation.id}:closed:other`, other.id, target.address, {
            text: core.t(locale, 'consult-closed-other', {
              ref,
              name: core.notices.memberParty(self, locale).name,
            }),
            locale,
          });
        }
      }
      return { consultation: (await findByNumber(tx, number)) ?? consultation, replies: effects.replies };
    });
  }

  return { handleDeadline, close };
}
