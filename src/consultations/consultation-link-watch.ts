// "Tell me when someone links": an undeliverable consultation's asker taps once, and when a person
// of that country who handles that competence (or one of the contacts the notice named) links a
// messenger, the asker hears it (with a button to consult them) and so do the country's
// coordinators, who are the ones able to get people linked. Each person hears of a watch once:
// a coordinator reachable when the asker taps is told then (they can invite the contacts now) and
// not again; the others when the contact links.
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Core, Effects } from './consultation-core.ts';
import { fallbackContacts } from './consultation-fallback.ts';
import { findById, findByNumber } from './consultation-repository.ts';
import { participantAddress } from './consultation-routing.ts';
import { consultationLinkWatches } from './consultations-schema.ts';
import { refOf, type ActingFrom, type ConsultationRow } from './consultation-types.ts';
import type { Button, OutboundMessage } from '../chat/index.ts';
import type { Principal } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import type { Locale } from '../i18n/index.ts';
import {
  activeMember,
  reachableMembers,
  type MemberLinkListener,
  type MemberRecord,
} from '../members/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

/** The undeliverable notice's button. */
export const watchButton = (
  consultation: Pick<ConsultationRow, 'number'>,
  t: (id: string) => string,
): Button => ({ label: t('consult-button-watch'), action: `consult:watch:${consultation.number}` });

/** Contacts named to a coordinator: enough to act on, short enough to read on a phone. */
const contactsNamed = 5;

/** Active contacts of the country who handle the competence, and those the notice named. */
const watchedContacts = (
  snapshot: RegistrySnapshot,
  country: string,
  competence: string,
  named: readonly string[],
) =>
  snapshot.contacts.filter(
    (contact) =>
      contact.country === country &&
      contact.status === 'active' &&
      (contact.competences.includes(competence) || named.includes(contact.id)),
  );

export function createLinkWatch(core: Core) {
  const t = (locale: Locale, id: string, args?: Record<string, string>) => core.t(locale, id, args);

  /** The country's coordinators with a messenger, never the asker. */
  async function reachableCoordinators(
    tx: Queryable,
    consultation: ConsultationRow,
  ): Promise<MemberRecord[]> {
    const reached = await reachableMembers(tx, { coordinatorsOf: [consultation.country] });
    return reached
      .filter((member) => member.accounts.length > 0 && member.memberId !== consultation.askerMemberId)
      .map((member) => member.record);
  }

  /** One notice per coordinator and watch: the same key at subscription and at the link. */
  async function tellCoordinators(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    coordinators: readonly MemberRecord[],
    message: (locale: Locale) => OutboundMessage,
  ): Promise<string[]> {
    const told: string[] = [];
    for (const coordinator of coordinators) {
      const target = await core.addressFor(tx, coordinator.id, { needsEncryption: false });
      if (target === undefined) continue;
      core.push(
        effects,
        `consult:${consultation.id}:watch:coordinator:${coordinator.id}`,
        coordinator.id,
        target.address,
        message(core.localeOf(coordinator)),
      );
      told.push(coordinator.id);
    }
    return told;
  }

  /** How the asker is named to someone else, in that reader's language. */
  const askerParty = (asker: MemberRecord | undefined, locale: Locale) => {
    const party =
      asker === undefined ? { name: '?', authority: '' } : core.notices.memberParty(asker, locale);
    return { asker: party.name, askerAuthority: party.authority };
  };

  /**
   * The asker taps the undeliverable notice's button. Only the asker, only an undeliverable
   * consultation; a second tap (or the same tap on another replica) finds the watch and says so.
   */
  async function watch(principal: Principal, number: number, from: ActingFrom): Promise<OutboundMessage[]> {
    return core.transact(async (tx, effects) => {
      const consultation = await findByNumber(tx, number);
      if (consultation === undefined) throw notFound('consultation', refOf(number));
      if (consultation.askerMemberId !== principal.memberId)
        throw forbidden('only the asker can ask to be told about this consultation');
      if (consultation.status !== 'undeliverable')
        throw new AppError('conflict', `consultation ${refOf(number)} was delivered`, {
          reason: 'delivered',
        });
      const locale = from.locale ?? core.settings.defaultLocale;
      const args = core.notices.consultationArgs(consultation, locale) as Record<string, string>;
      const snapshot = core.snapshot();
      const named = fallbackContacts(snapshot, consultation.country, consultation.competence, locale).map(
        (contact) => contact.id,
      );
      const watched = watchedContacts(snapshot, consultation.country, consultation.competence, named);

      // Someone linked since the notice: nothing to wait for, the asker can consult them now.
      const linked = (await reachableMembers(tx, { contactIds: watched.map((contact) => contact.id) })).find(
        (member) =>
          member.accounts.length > 0 && member.contactId !== null && member.memberId !== principal.memberId,
      );
      if (linked?.contactId != null) {
        const party = core.notices.contactParty(linked.contactId, locale);
        return [
          {
            text: t(locale, 'consult-watch-reachable-now', { ...args, ...party }),
            locale,
            buttons: [consultButton(consultation, linked.contactId, party.name, locale)],
          },
        ];
      }

      const now = core.clock.now();
      const inserted = await tx
        .insert(consultationLinkWatches)
        .values({
          consultationId: consultation.id,
          askerMemberId: consultation.askerMemberId,
          country: consultation.country,
          competence: consultation.competence,
          contactIds: named,
          toldMemberIds: [],
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: consultationLinkWatches.consultationId });
      if (inserted.length === 0) return [{ text: t(locale, 'consult-watch-already', args), locale }];

      const unlinked = watched.slice(0, contactsNamed);
      const asker = await activeMember(tx, principal.memberId);
      const told = await tellCoordinators(
        tx,
        effects,
        consultation,
        await reachableCoordinators(tx, consultation),
        (coordinatorLocale) => {
          return {
            text: [
              t(coordinatorLocale, 'consult-watch-coordinator', {
                ...(core.notices.consultationArgs(consultation, coordinatorLocale) as Record<string, string>),
                ...askerParty(asker, coordinatorLocale),
              }),
              ...unlinked.map(
                (contact) => `• ${core.notices.contactParty(contact.id, coordinatorLocale).name}`,
              ),
            ].join('\n'),
            locale: coordinatorLocale,
          };
        },
      );
      if (told.length > 0)
        await tx
          .update(consultationLinkWatches)
          .set({ toldMemberIds: told })
          .where(eq(consultationLinkWatches.consultationId, consultation.id));
      effects.audit.push({
        actor: `member:${principal.memberId}`,
        action: 'consultation.watch',
        subject: `consultation:${consultation.id}`,
        details: { ref: refOf(number), contacts: watched.length, coordinatorsTold: told.length },
      });
      return [
        {
          text: t(locale, told.length > 0 ? 'consult-watch-set-told' : 'consult-watch-set', args),
          locale,
        },
      ];
    });
  }

  const consultButton = (
    consultation: ConsultationRow,
    contactId: string,
    name: string,
    locale: Locale,
  ): Button => ({
    label: t(locale, 'consult-button-consult-contact', { name }),
    action: `consult:start:${consultation.country}:${consultation.competence}:${contactId}`,
  });

  /**
   * A member linked a messenger (inside the link's transaction). When they stand behind a contact
   * some watch waits for, that watch fires: the row is claimed by one UPDATE, so two replicas
   * linking two contacts at once fire it once.
   */
  const onMemberLinked: MemberLinkListener = async (tx, event) => {
    if (event.contactId === null) return undefined;
    const contact = core.snapshot().contactById.get(event.contactId);
    if (contact === undefined || contact.status !== 'active') return undefined;
    const { value: fired, effects } = await core.within(tx, async (inner, effects) => {
      const matches = [sql`${consultationLinkWatches.contactIds} @> ${JSON.stringify([contact.id])}::jsonb`];
      if (contact.competences.length > 0)
        matches.push(inArray(consultationLinkWatches.competence, contact.competences));
      const claimed = await inner
        .update(consultationLinkWatches)
        .set({ firedAt: core.clock.now(), firedByContactId: contact.id })
        .where(
          and(
            isNull(consultationLinkWatches.firedAt),
            eq(consultationLinkWatches.country, contact.country),
            // The asker linking another account of their own is nobody new to consult.
            ne(consultationLinkWatches.askerMemberId, event.memberId),
            or(...matches),
          ),
        )
        .returning();
      for (const row of claimed) {
        const consultation = await findById(inner, row.consultationId);
        if (consultation === undefined) continue;
        await tellOfLink(inner, effects, consultation, contact.id, row.toldMemberIds);
        effects.audit.push({
          actor: 'system',
          action: 'consultation.watch.fired',
          subject: `consultation:${consultation.id}`,
          details: { ref: refOf(consultation.number), contactId: contact.id, memberId: event.memberId },
        });
      }
      return claimed.length;
    });
    return fired === 0 ? undefined : () => core.afterCommit(effects);
  };

  async function tellOfLink(
    tx: Queryable,
    effects: Effects,
    consultation: ConsultationRow,
    contactId: string,
    alreadyTold: readonly string[],
  ): Promise<void> {
    const asker = await activeMember(tx, consultation.askerMemberId);
    if (asker !== undefined) {
      const target = await participantAddress(core, tx, consultation.id, asker.id);
      if (target !== undefined) {
        const locale = core.localeOf(asker);
        const party = core.notices.contactParty(contactId, locale);
        core.push(effects, `consult:${consultation.id}:watch:asker`, asker.id, target.address, {
          text: t(locale, 'consult-watch-linked-asker', {
            ...(core.notices.consultationArgs(consultation, locale) as Record<string, string>),
            ...party,
          }),
          locale,
          buttons: [consultButton(consultation, contactId, party.name, locale)],
        });
      }
    }
    const coordinators = (await reachableCoordinators(tx, consultation)).filter(
      (coordinator) => !alreadyTold.includes(coordinator.id),
    );
    await tellCoordinators(tx, effects, consultation, coordinators, (locale) => {
      const party = core.notices.contactParty(contactId, locale);
      return {
        text: t(locale, 'consult-watch-linked-coordinator', {
          ...(core.notices.consultationArgs(consultation, locale) as Record<string, string>),
          ...party,
          ...askerParty(asker, locale),
        }),
        locale,
      };
    });
  }

  return { watch, onMemberLinked };
}

export type LinkWatch = ReturnType<typeof createLinkWatch>;
