// The rules of a consultation's life: start, route, accept, decline, forward, time out, close.
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
import { consultationParticipants, consultations } from './consultations-schema.ts';
import { createAnswers } from './consultation-answers.ts';
import { createEndings } from './consultation-endings.ts';
import { createSteps, memberActor } from './consultation-steps.ts';
import { refOf, type ActingFrom, type RuleResult, type StartInput } from './consultation-types.ts';
import { AppError, badRequest } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import { newId, membersByIds } from '../members/index.ts';

export const maxDescriptionLength = 2000;
export { maxReasonLength } from './consultation-answers.ts';

export function createConsultationRules(core: Core) {
  const { clock } = core;
  const steps = createSteps(core);
  const { expire, purgeDescription, forRecipient, tellOthersOfRoute } = steps;

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
    const now = clock.now();
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
        actor: memberActor(principal),
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

  async function accept(principal: Principal, number: number, from: ActingFrom = {}): Promise<RuleResult> {
    return core.transact(async (tx, effects) => {
      const { consultation, route } = await forRecipient(tx, principal, number);
      const now = clock.now();
      await closeRoute(core, tx, consultation, 'accepted', principal.memberId);
      const counterpartContactId = route.kind === 'coordinator' ? principal.contactId : route.contactId;
      // A consultation handed over after an acceptance (its counterpart retired) is accepted again:
      // its notices get keys of their own, or the outbox would take them for the first ones.
      const acceptance = consultation.acceptedAt === null ? 'accepted' : `accepted:${String(route.seq)}`;
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
        actor: memberActor(principal),
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
          core.push(
            effects,
            `consult:${consultation.id}:${acceptance}:asker`,
            asker.id,
            askerTarget.address,
            {
              text: core.t(askerLocale, 'consult-accepted-asker', {
                ...(core.notices.consultationArgs(consultation, askerLocale) as Record<string, string>),
                ...party,
                prefix: core.capabilitiesOf(askerTarget.address.platform).commandPrefix,
              }),
              locale: askerLocale,
              buttons: core.notices.closeButtons(consultation, askerLocale, askerTarget.address.platform),
            },
          );
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
            `consult:${consultation.id}:${acceptance}:counterpart`,
            counterpart.id,
            ownTarget.address,
            {
              text: core.t(locale, insecure ? 'consult-accepted-you-sensitive' : 'consult-accepted-you', {
                ref: refOf(consultation.number),
                asker: askerParty.name,
                askerAuthority: askerParty.authority,
                prefix: core.capabilitiesOf(ownTarget.address.platform).commandPrefix,
              }),
              locale,
              buttons: core.notices.closeButtons(consultation, locale, ownTarget.address.platform),
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

  return { start, accept, ...createAnswers(core, steps), ...createEndings(core, steps) };
}

export type ConsultationRules = ReturnType<typeof createConsultationRules>;
