// The rules of a consultation's life: start, route, accept, decline, forward, time out, close.
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/database.ts';
import { AppError, badRequest, forbidden, notFound } from '../http/errors.ts';
import type { Principal } from '../members/principal.ts';
import { newId } from '../members/secrets.ts';
import type { Core, Effects } from './consultation-core.ts';
import {
  activeMember,
  currentRoute,
  findByNumber,
  lockConsultation,
  membersByIds,
  routesOf,
  type MemberRow,
} from './consultation-repository.ts';
import {
  applyRoute,
  closeRoute,
  participantAddress,
  planRoute,
  tellAskerAboutRoute,
  triedContacts,
  type PlannedRoute,
} from './consultation-routing.ts';
import {
  awaitingStatuses,
  consultationParticipants,
  consultations,
  type ConsultationStatus,
} from './consultations-schema.ts';
import {
  refOf,
  type ActingFrom,
  type ConsultationRow,
  type RuleResult,
  type StartInput,
} from './consultation-types.ts';

export const maxDescriptionLength = 2000;
export const maxReasonLength = 1000;

const isAwaiting = (status: ConsultationStatus): boolean =>
  (awaitingStatuses as readonly string[]).includes(status);
const member = (principal: Principal): string => `member:${principal.memberId}`;

export function createConsultationRules(core: Core) {
  const { clock } = core;

  function validateStart(
    principal: Principal,
    input: StartInput,
  ): { country: string; competence: string; description: string } {
    const snapshot = core.snapshot();
    const country = input.country.toUpperCase();
    const description = input.description.trim();
    const problems: { path: string; message: string }[] = [];
    if (!snapshot.countryByIso2.has(country))
      problems.push({ path: '/country', message: `unknown country ${input.country}` });
    if (!snapshot.competences.some((competence) => competence.id === input.competence)) {
      problems.push({ path: '/competence', message: `unknown competence ${input.competence}` });
    }
    if (description === '') problems.push({ path: '/description', message: 'a description is required' });
    if (description.length > maxDescriptionLength)
      problems.push({ path: '/description', message: `at most ${maxDescriptionLength} characters` });
    if (input.contactId !== undefined) {
      const contact = snapshot.contactById.get(input.contactId);
      if (contact === undefined || contact.country !== country || contact.status !== 'active') {
        problems.push({ path: '/contactId', message: `no active contact ${input.contactId} in ${country}` });
      }
    }
    if (problems.length > 0) throw new AppError('validation_failed', 'invalid consultation', problems);
    if (
      principal.country === country &&
      principal.contactId !== null &&
      input.contactId === principal.contactId
    ) {
      throw badRequest('you cannot consult yourself');
    }
    return { country, competence: input.competence, description };
  }

  /** Starts a consultation and routes it; resolves to the stored row after routing. */
  async function start(principal: Principal, input: StartInput, from: ActingFrom = {}): Promise<RuleResult> {
    const { country, competence, description } = validateStart(principal, input);
    const sensitive = core.settings.alwaysSensitive || input.sensitive === true;
    const now = clock();
    const id = newId();
    return core.transact(async (tx, effects) => {
      const [created] = await tx
        .insert(consultations)
        .values({
          id,
          askerMemberId: principal.memberId,
          askerCountry: principal.country,
          country,
          competence,
          sensitive,
          status: 'pending',
          origin: input.origin,
          descriptionCiphertext: core.cipher.encrypt(description, core.descriptionContext(id)),
          descriptionLength: description.length,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (created === undefined) throw new Error('consultation insert returned nothing');
      await tx.insert(consultationParticipants).values({
        consultationId: id,
        memberId: principal.memberId,
        role: 'asker',
        contactId: principal.contactId,
        platform: from.address?.platform ?? null,
        chatId: from.address?.chatId ?? null,
        joinedAt: now,
      });
      effects.audit.push({
        actor: member(principal),
        action: 'consultation.start',
        subject: `consultation:${id}`,
        details: {
          ref: refOf(created.number),
          country,
          competence,
          sensitive,
          origin: input.origin,
          contactId: input.contactId ?? null,
          descriptionLength: description.length,
        },
      });
      const route = await planRoute(core, tx, created, {
        reason: 'initial',
        explicitContactId: input.contactId,
        tried: new Set(),
      });
      if (route === undefined) {
        await expire(tx, effects, created, 'consult-unreachable-asker', from);
      } else {
        const { seq } = await applyRoute(core, tx, effects, created, route, { status: 'pending' });
        await tellAskerAboutRoute(core, tx, effects, created, route, seq, 'initial', from);
      }
      const [after] = await tx.select().from(consultations).where(eq(consultations.id, id));
      return { consultation: after ?? created, replies: effects.replies };
    });
  }

  /** Nobody (left) to route to: the consultation ends and the asker hears why. */
  async function expire(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    messageId: string,
    from?: ActingFrom,
  ): Promise<void> {
    const now = clock();
    await tx
      .update(consultations)
      .set({
        status: 'expired',
        acceptDeadlineAt: null,
        closedAt: now,
        closedBy: 'system',
        updatedAt: now,
        ...purgeDescription(consultation, now),
      })
      .where(eq(consultations.id, consultation.id));
    effects.audit.push({
      actor: 'system',
      action: 'consultation.expire',
      subject: `consultation:${consultation.id}`,
      details: { ref: refOf(consultation.number) },
    });
    const asker = await activeMember(tx, consultation.askerMemberId);
    if (asker === undefined) return;
    const target = await participantAddress(core, tx, consultation.id, asker.id);
    if (target === undefined) return;
    const locale = core.localeOf(asker);
    core.tellActor(effects, from, `consult:${consultation.id}:expired:asker`, asker.id, target.address, {
      text: core.t(
        locale,
        messageId,
        core.notices.consultationArgs(consultation, locale) as Record<string, string>,
      ),
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

  async function accept(principal: Principal, number: number, from: ActingFrom = {}): Promise<RuleResult> {
    return core.transact(async (tx, effects) => {
      const { consultation, route } = await forRecipient(tx, principal, number);
      const now = clock();
      await closeRoute(core, tx, consultation, 'accepted', principal.memberId);
      const counterpartContactId = route.kind === 'coordinator' ? principal.contactId : route.contactId;
      await tx
        .update(consultations)
        .set({
          status: 'accepted',
          counterpartMemberId: principal.memberId,
          counterpartContactId,
          acceptedAt: now,
          acceptDeadlineAt: null,
          updatedAt: now,
          ...purgeDescription(consultation, now),
        })
        .where(eq(consultations.id, consultation.id));
      await tx.insert(consultationParticipants).values({
        consultationId: consultation.id,
        memberId: principal.memberId,
        role: 'counterpart',
        contactId: counterpartContactId,
        platform: from.address?.platform ?? null,
        chatId: from.address?.chatId ?? null,
        joinedAt: now,
      });
      effects.audit.push({
        actor: member(principal),
        action: 'consultation.accept',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(consultation.number), routeSeq: route.seq, contactId: counterpartContactId },
      });
      const [asker] = await membersByIds(tx, [consultation.askerMemberId]);
      const [counterpart] = await membersByIds(tx, [principal.memberId]);
      if (asker !== undefined && counterpart !== undefined) {
        const askerLocale = core.localeOf(asker);
        const askerTarget = await participantAddress(core, tx, consultation.id, asker.id);
        const party = core.notices.memberParty(counterpart, askerLocale);
        if (askerTarget !== undefined) {
          core.push(effects, `consult:${consultation.id}:accepted:asker`, asker.id, askerTarget.address, {
            text: core.t(askerLocale, 'consult-accepted-asker', {
              ...(core.notices.consultationArgs(consultation, askerLocale) as Record<string, string>),
              ...party,
              prefix: askerTarget.address.platform === 'matrix' ? '!' : '/',
            }),
            locale: askerLocale,
            buttons: [core.notices.closeButton(consultation, askerLocale)],
          });
        }
        const locale = core.localeOf(counterpart);
        const ownTarget = await participantAddress(
          core,
          tx,
          consultation.id,
          counterpart.id,
          consultation.sensitive,
        );
        if (ownTarget !== undefined) {
          const askerParty = core.notices.memberParty(asker, locale);
          const insecure = consultation.sensitive && !ownTarget.encrypted;
          core.tellActor(
            effects,
            from,
            `consult:${consultation.id}:accepted:counterpart`,
            counterpart.id,
            ownTarget.address,
            {
              text: core.t(locale, insecure ? 'consult-accepted-you-sensitive' : 'consult-accepted-you', {
                ref: refOf(consultation.number),
                asker: askerParty.name,
                askerAuthority: askerParty.authority,
                prefix: ownTarget.address.platform === 'matrix' ? '!' : '/',
              }),
              locale,
              buttons: [core.notices.closeButton(consultation, locale)],
            },
          );
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
      return { consultation: (await findByNumber(tx, number)) ?? consultation, replies: effects.replies };
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
      const now = clock();
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
        actor: member(principal),
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

  /** The acting person's confirmation: a direct answer in chat, else a push to their messenger. */
  async function confirm(
    tx: Queryable,
    effects: Effects,
    from: ActingFrom,
    person: MemberRow,
    dedupeKey: string,
    messageId: string,
    args: Record<string, string>,
  ) {
    const locale = core.localeOf(person);
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
        actor: member(principal),
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
        consultation.acceptDeadlineAt.getTime() > clock().getTime() + 1000
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
      const now = clock();
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
        actor: member(principal),
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

  return { start, accept, decline, forward, forwardOptions, handleDeadline, close };
}

export type ConsultationRules = ReturnType<typeof createConsultationRules>;
export type { MemberRow };
