// What people read about consultations, in their own language: names, authorities, countries and
// competences as the registry spells them, deadlines in the reader's own time zone.
import type { MessengerCapabilityLookup, Button, OutboundMessage } from '../chat/index.ts';
import { DateTime } from 'luxon';
import { refOf, type ConsultationRow } from './consultation-types.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';
import type { MemberRecord } from '../members/index.ts';

export interface Party {
  name: string;
  authority: string;
}

const localized = (text: Record<string, string> | undefined, locale: Locale): string | undefined =>
  text === undefined ? undefined : (text[locale] ?? text.en ?? Object.values(text)[0]);

export function createNotices({
  translator,
  snapshot,
  capabilitiesOf,
}: {
  translator: Translator;
  capabilitiesOf: MessengerCapabilityLookup['capabilitiesOf'];
  snapshot: () => RegistrySnapshot;
}) {
  const countryName = (iso2: string | null, locale: Locale): string => {
    // An admin of no country speaks for the network's secretariat.
    if (iso2 === null) return translator.t(locale, 'no-country-secretariat');
    const country = snapshot().countryByIso2.get(iso2) as { name?: Record<string, string> } | undefined;
    return localized(country?.name, locale) ?? iso2;
  };
  const competenceName = (id: string, locale: Locale): string =>
    localized(snapshot().competences.find((competence) => competence.id === id)?.label, locale) ?? id;

  /** A registry contact by name and authority. */
  const contactParty = (contactId: string, locale: Locale): Party => {
    const registry = snapshot();
    const contact = registry.contactById.get(contactId);
    if (contact === undefined) return { name: contactId, authority: '' };
    return {
      name: localized(contact.name, locale) ?? contactId,
      authority:
        localized(registry.authorityById.get(contact.authority)?.name, locale) ??
        countryName(contact.country, locale),
    };
  };

  /** A member: as their registry contact when they are one, otherwise by name and country. */
  const memberParty = (
    member: Pick<MemberRecord, 'name' | 'contactId' | 'country'>,
    locale: Locale,
  ): Party => {
    if (member.contactId !== null && snapshot().contactById.has(member.contactId)) {
      const party = contactParty(member.contactId, locale);
      return { name: party.name, authority: party.authority };
    }
    return { name: member.name, authority: countryName(member.country, locale) };
  };

  const deadlineText = (at: Date, timezone: string, locale: Locale): string => {
    const local = DateTime.fromJSDate(at, { zone: timezone }).setLocale(locale);
    return `${(local.isValid ? local : DateTime.fromJSDate(at).setLocale(locale)).toFormat('ccc d LLL, HH:mm')} (${timezone})`;
  };

  const message = (
    locale: Locale,
    id: string,
    args: MessageArguments,
    buttons?: Button[],
  ): OutboundMessage => ({
    text: translator.t(locale, id, args),
    locale,
    ...(buttons === undefined || buttons.length === 0 ? {} : { buttons }),
  });

  const consultationArgs = (consultation: ConsultationRow, locale: Locale): MessageArguments => ({
    ref: refOf(consultation.number),
    country: countryName(consultation.country, locale),
    competence: competenceName(consultation.competence, locale),
  });

  const recipientButtons = (consultation: ConsultationRow, locale: Locale): Button[] => [
    { label: translator.t(locale, 'consult-button-accept'), action: `consult:accept:${consultation.number}` },
    {
      label: translator.t(locale, 'consult-button-decline'),
      action: `consult:decline:${consultation.number}`,
    },
    {
      label: translator.t(locale, 'consult-button-forward'),
      action: `consult:forward:${consultation.number}`,
    },
  ];

  /**
   * A Close button under a conversation's notices. Not where choices are numbered (answered by
   * typing the number, and offered until the next choice): a message "1" in the conversation
   * would close it.
   */
  const closeButtons = (consultation: ConsultationRow, locale: Locale, platform: string): Button[] =>
    capabilitiesOf(platform).choices === 'numbered'
      ? []
      : [
          {
            label: translator.t(locale, 'consult-button-close'),
            action: `consult:close:${consultation.number}`,
          },
        ];

  return {
    countryName,
    competenceName,
    contactParty,
    memberParty,
    deadlineText,
    message,
    consultationArgs,
    recipientButtons,
    closeButtons,
  };
}

export type Notices = ReturnType<typeof createNotices>;
