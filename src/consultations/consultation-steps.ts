// What the consultation rules share: ending a consultation nobody can take, dropping the
// description when it is no longer needed, checking who may answer, and telling people.
import { eq } from 'drizzle-orm';
import type { Core, Effects } from './consultation-core.ts';
import { currentRoute, findByNumber, lockConsultation, routesOf } from './consultation-repository.ts';
import { fallbackContacts, undeliverableBlocks } from './consultation-fallback.ts';
import { watchButton } from './consultation-link-watch.ts';
import { richMessage } from '../chat/index.ts';
import { participantAddress } from './consultation-routing.ts';
import { awaitingStatuses, consultations, type ConsultationStatus } from './consultations-schema.ts';
import { refOf, type ActingFrom, type ConsultationRow } from './consultation-types.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import { activeMember, membersByIds, type MemberRecord } from '../members/index.ts';

export const isAwaiting = (status: ConsultationStatus): boolean =>
  (awaitingStatuses as readonly string[]).includes(status);
/** Audit actor of a member acting. */
export const memberActor = (principal: Principal): string => `member:${principal.memberId}`;

export function createSteps(core: Core) {
  const { clock } = core;

  /** Nobody (left) to route to: the consultation ends and the asker hears why. */
  async function expire(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    messageId: string,
    from?: ActingFrom,
  ): Promise<void> {
    const now = clock.now();
    // Nobody could be reached at all: not an answer that failed to come, and the asker gets the
    // registry's e-mail and phone to go on with.
    const undeliverable = messageId === 'consult-unreachable-asker';
    await tx
      .update(consultations)
      .set({
        status: undeliverable ? 'undeliverable' : 'expired',
        acceptDeadlineAt: null,
        closedAt: now,
        closedBy: 'system',
        updatedAt: now,
        ...purgeDescription(consultation, now),
      })
      .where(eq(consultations.id, consultation.id));
    effects.audit.push({
      actor: 'system',
      action: undeliverable ? 'consultation.undeliverable' : 'consultation.expire',
      subject: `consultation:${consultation.id}`,
      details: { ref: refOf(consultation.number) },
    });
    const asker = await activeMember(tx, consultation.askerMemberId);
    if (asker === undefined) return;
    const target = await participantAddress(core, tx, consultation.id, asker.id);
    if (target === undefined) return;
    const locale = (from?.address === undefined ? undefined : from.locale) ?? core.localeOf(asker);
    const args = core.notices.consultationArgs(consultation, locale) as Record<string, string>;
    const notice = core.t(locale, messageId, args);
    const say = (id: string, values?: Record<string, string>) => core.t(locale, id, values);
    const message = undeliverable
      ? {
          ...richMessage(
            undeliverableBlocks(
              notice,
              fallbackContacts(core.snapshot(), consultation.country, consultation.competence, locale),
              say,
            ),
          ),
          // One tap to hear when someone of that country links (offered wherever buttons or
          // numbered choices are: the port renders it).
          buttons: [watchButton(consultation, say)],
        }
      : { text: notice };
    core.tellActor(effects, from, `consult:${consultation.id}:expired:asker`, asker.id, target.address, {
      ...message,
      locale,
    });
  }

  /** The description is kept only while needed for routing, unless a retention period keeps it longer. */
  function purgeDescription(consultation: ConsultationRow, now: Date) {
    const until = core.purgeAt(consultation.createdAt);
    return until === null || until <= now
      ? { descriptionCiphertext: null, descriptionPurgeAt: null }
      : { descriptionPurgeAt: until };
  }

  /**
   * Loads a waiting consultation for one of the people it currently waits for. Someone else gets
   * 403; a consultation that has moved on gets 409 with the `no_longer_yours` reason.
   */
  async function forRecipient(tx: Queryable, principal: Principal, number: number) {
    const found = await findByNumber(tx, number);
    if (found === undefined) throw notFound('consultation', refOf(number));
    const consultation = await lockConsultation(tx, found.id);
    if (consultation === undefined) throw notFound('consultation', refOf(number));
    const route = await currentRoute(tx, consultation);
    const waitingForYou =
      isAwaiting(consultation.status) &&
      route?.outcome === 'waiting' &&
      route.memberIds.includes(principal.memberId);
    if (route !== undefined && waitingForYou) return { consultation, route };
    // Someone it was routed to earlier (it moved on, or was answered) is told so; anyone else is not let in.
    const earlier = (await routesOf(tx, consultation.id)).some((step) =>
      step.memberIds.includes(principal.memberId),
    );
    if (!earlier) throw forbidden('this consultation is not waiting for you');
    throw new AppError('conflict', `consultation ${refOf(number)} is no longer waiting for an answer`, {
      reason: 'no_longer_yours',
    });
  }

  /** Coordinators who all received a consultation hear when one of them took it. */
  async function tellOthersOfRoute(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    memberIds: readonly string[],
    except: string | null,
    messageId: string,
  ) {
    for (const other of await membersByIds(
      tx,
      memberIds.filter((id) => id !== except),
    )) {
      const target = await core.addressFor(tx, other.id, { needsEncryption: false });
      if (target === undefined) continue;
      const locale = core.localeOf(other);
      core.push(
        effects,
        `consult:${consultation.id}:route:${consultation.routeSeq}:${messageId}:${other.id}`,
        other.id,
        target.address,
        {
          text: core.t(locale, messageId, { ref: refOf(consultation.number) }),
          locale,
        },
      );
    }
  }

  /** The acting person's confirmation: a direct answer in chat, else a push to their messenger. */
  async function confirm(
    tx: Queryable,
    effects: Effects,
    from: ActingFrom,
    person: MemberRecord,
    dedupeKey: string,
    messageId: string,
    args: Record<string, string>,
  ) {
    const locale = (from.address === undefined ? undefined : from.locale) ?? core.localeOf(person);
    const message = { text: core.t(locale, messageId, args), locale };
    if (from.address !== undefined) {
      effects.replies.push(message);
      return;
    }
    const target = await participantAddress(
      core,
      tx,
      /^consult:([^:]+):/.exec(dedupeKey)?.[1] ?? '',
      person.id,
    );
    if (target !== undefined) core.push(effects, dedupeKey, person.id, target.address, message);
  }

  return { expire, purgeDescription, forRecipient, tellOthersOfRoute, confirm };
}

export type Steps = ReturnType<typeof createSteps>;
