// A recipient's answers other than Accept: decline with a reason, or forward to a colleague.
import { eq } from 'drizzle-orm';
import type { Core } from './consultation-core.ts';
import { findByNumber } from './consultation-repository.ts';
import {
  applyRoute,
  closeRoute,
  participantAddress,
  planRoute,
  tellAskerAboutRoute,
} from './consultation-routing.ts';
import { consultations } from './consultations-schema.ts';
import { memberActor, type Steps } from './consultation-steps.ts';
import { refOf, type ActingFrom, type ConsultationRow, type RuleResult } from './consultation-types.ts';
import { AppError, badRequest, forbidden } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import { activeMember, membersByIds } from '../members/index.ts';

export const maxReasonLength = 1000;

export function createAnswers(core: Core, steps: Steps) {
  const { clock } = core;
  const { forRecipient, purgeDescription, tellOthersOfRoute, confirm } = steps;

  async function decline(
    principal: Principal,
    number: number,
    reasonText: string,
    from: ActingFrom = {},
  ): Promise<RuleResult> {
    const reason = reasonText.trim();
    if (reason === '')
      throw new AppError('validation_failed', 'a reason is required', [
        { path: '/reason', message: 'required' },
      ]);
    if (reason.length > maxReasonLength)
      throw new AppError('validation_failed', `the reason is at most ${maxReasonLength} characters`);
    return core.transact(async (tx, effects) => {
      const { consultation, route } = await forRecipient(tx, principal, number);
      const now = clock.now();
      await closeRoute(core, tx, consultation, 'declined', principal.memberId);
      await tx
        .update(consultations)
        .set({
          status: 'declined',
          acceptDeadlineAt: null,
          firstAnswerAt: now,
          closedAt: now,
          closedBy: 'counterpart',
          updatedAt: now,
          ...purgeDescription(consultation, now),
        })
        .where(eq(consultations.id, consultation.id));
      effects.audit.push({
        actor: memberActor(principal),
        action: 'consultation.decline',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(consultation.number), routeSeq: route.seq, reasonLength: reason.length },
      });
      const [asker] = await membersByIds(tx, [consultation.askerMemberId]);
      const [decliner] = await membersByIds(tx, [principal.memberId]);
      if (asker !== undefined && decliner !== undefined) {
        const locale = core.localeOf(asker);
        const target = await participantAddress(core, tx, consultation.id, asker.id, consultation.sensitive);
        if (target !== undefined) {
          const shown =
            consultation.sensitive && !target.encrypted ? core.t(locale, 'consult-reason-withheld') : reason;
          core.push(effects, `consult:${consultation.id}:declined:asker`, asker.id, target.address, {
            text: core.t(locale, 'consult-declined-asker', {
              ...(core.notices.consultationArgs(consultation, locale) as Record<string, string>),
              ...core.notices.memberParty(decliner, locale),
              reason: shown,
            }),
            locale,
            ...(consultation.sensitive && target.encrypted ? { requiresEncryption: true } : {}),
          });
        }
      }
      await tellOthersOfRoute(
        tx,
        effects,
        consultation,
        route.memberIds,
        principal.memberId,
        'consult-no-longer-yours',
      );
      if (decliner !== undefined)
        await confirm(
          tx,
          effects,
          from,
          decliner,
          `consult:${consultation.id}:declined:self`,
          'consult-declined-you',
          { ref: refOf(number) },
        );
      return { consultation: (await findByNumber(tx, number)) ?? consultation, replies: effects.replies };
    });
  }

  /**
   * Colleagues a recipient may forward to: active contacts of the same authority (a coordinator:
   * of the whole country), those holding the consultation's competence first.
   */
  async function forwardOptions(
    principal: Principal,
    number: number,
  ): Promise<{ consultation: ConsultationRow; contactIds: string[] }> {
    return core.deps.db.transaction(async (tx) => {
      const { consultation, route } = await forRecipient(tx, principal, number);
      const snapshot = core.snapshot();
      const own = route.kind === 'coordinator' ? undefined : snapshot.contactById.get(route.contactId ?? '');
      const contactIds = snapshot.contacts
        .filter(
          (contact) =>
            contact.status === 'active' &&
            contact.country === consultation.country &&
            contact.id !== route.contactId &&
            contact.id !== principal.contactId &&
            (own === undefined || contact.authority === own.authority),
        )
        .sort(
          (a, b) =>
            Number(b.competences.includes(consultation.competence)) -
            Number(a.competences.includes(consultation.competence)),
        )
        .map((contact) => contact.id);
      return { consultation, contactIds };
    });
  }

  async function forward(
    principal: Principal,
    number: number,
    toContactId: string,
    from: ActingFrom = {},
  ): Promise<RuleResult> {
    const { contactIds } = await forwardOptions(principal, number);
    if (!contactIds.includes(toContactId))
      throw badRequest(`${toContactId} is not a colleague this consultation can be forwarded to`);
    return core.transact(async (tx, effects) => {
      const { consultation, route } = await forRecipient(tx, principal, number);
      const forwarder = await activeMember(tx, principal.memberId);
      if (forwarder === undefined) throw forbidden('unknown member');
      const planned = await planRoute(core, tx, consultation, {
        reason: 'forwarded',
        explicitContactId: toContactId,
        tried: new Set(),
      });
      if (planned === undefined)
        throw new AppError('conflict', 'nobody can receive this consultation through a messenger');
      await closeRoute(core, tx, consultation, 'forwarded', principal.memberId);
      effects.audit.push({
        actor: memberActor(principal),
        action: 'consultation.forward',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(consultation.number), routeSeq: route.seq, toContactId },
      });
      const { seq } = await applyRoute(core, tx, effects, consultation, planned, {
        status: 'forwarded',
        forwardedBy: forwarder,
      });
      await tellAskerAboutRoute(core, tx, effects, consultation, planned, seq, { forwardedBy: forwarder });
      await confirm(
        tx,
        effects,
        from,
        forwarder,
        `consult:${consultation.id}:route:${seq}:forwarder`,
        'consult-forwarded-you',
        {
          ref: refOf(consultation.number),
          name: core.notices.contactParty(toContactId, core.localeOf(forwarder)).name,
        },
      );
      await tellOthersOfRoute(
        tx,
        effects,
        consultation,
        route.memberIds,
        principal.memberId,
        'consult-no-longer-yours',
      );
      return { consultation: (await findByNumber(tx, number)) ?? consultation, replies: effects.replies };
    });
  }

  return { decline, forwardOptions, forward };
}
