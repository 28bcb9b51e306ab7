// Who to contact, best first. One ranking for every module (ask, consultations, requests), so the
// person a consultation is routed to is the person the answer listed first.
import { DateTime } from 'luxon';
import type { Locale } from '../i18n/i18n.ts';
import type { Principal } from '../members/principal.ts';
import type { Contact, Country, LocalizedText, RegistrySnapshot, Treaty } from '../registry/registry-types.ts';
import { askIndexFor } from './ask-index.ts';
import type { CentralAuthorityInfo, LegalBasis, RankedContact } from './ask-types.ts';

/** Records verified longer ago than this are flagged as possibly out of date. */
export const staleAfterMonths = 12;

/**
 * Channels shown only to admins and to coordinators of the contact's country: private numbers a
 * contact gave their coordinator, not the network. Every other channel is the contact point's
 * published way to be reached and is shown to every member.
 */
const restrictedChannels = new Set(['mobile', 'personal_phone', 'home_phone', 'private']);

const stageOrder = ['pre_trial', 'trial', 'enforcement'];

export interface RankingQuery {
  country: string;
  /** Null: every competence. */
  competence: string | null;
  now: Date;
  /** Languages the asker reads, most preferred first. */
  askerLanguages?: readonly string[];
  /** Who will see the list; decides which channels are shown. Undefined: published channels only. */
  viewer?: Pick<Principal, 'role' | 'country'> | undefined;
  /** Language of names. Default English. */
  locale?: Locale;
}

export const localized = (text: LocalizedText, locale: Locale): string => text[locale] ?? text.en ?? Object.values(text)[0] ?? '';

/** Local clock of a country: computed once per country, not per contact. */
interface LocalClock {
  date: string;
  weekday: number;
  minutes: number;
  time: string;
}

function localClock(now: Date, timezone: string): LocalClock {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const valid = local.isValid ? local : DateTime.fromJSDate(now, { zone: 'UTC' });
  return {
    date: valid.toISODate() ?? '',
    weekday: valid.weekday,
    minutes: valid.hour * 60 + valid.minute,
    time: valid.toFormat('HH:mm'),
  };
}

const minutesOf = (time: string): number => {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
};

const isAway = (contact: Contact, today: string): boolean =>
  contact.outOfOffice !== null && contact.outOfOffice.start <= today && today <= contact.outOfOffice.end;

function visibleChannels(contact: Contact, viewer: RankingQuery['viewer']): Record<string, string> {
  const privileged = viewer !== undefined && (viewer.role === 'admin' || (viewer.role === 'coordinator' && viewer.country === contact.country));
  const channels: Record<string, string> = {};
  for (const [channel, address] of Object.entries(contact.channels)) {
    if (privileged || !restrictedChannels.has(channel)) channels[channel] = address;
  }
  return channels;
}

function staleBefore(now: Date): string {
  return DateTime.fromJSDate(now, { zone: 'UTC' }).minus({ months: staleAfterMonths }).toISODate() ?? '';
}

/**
 * Contacts of a country holding a competence (all competences when null), best first: in the
 * office before away; then sharing a language with the asker; then freshly verified; then working
 * at the central authority for the competence; then registry order. Retired and suspended
 * contacts never appear.
 */
export function rankContacts(snapshot: RegistrySnapshot, query: RankingQuery): RankedContact[] {
  const index = askIndexFor(snapshot);
  const country: Country | undefined = snapshot.countryByIso2.get(query.country);
  if (country === undefined) return [];
  const locale = query.locale ?? 'en';
  const clock = localClock(query.now, country.timezone);
  const stale = staleBefore(query.now);
  const askerLanguages = query.askerLanguages ?? [];
  const candidates = (index.activeContactsByCountry.get(query.country) ?? []).filter(
    (contact) => query.competence === null || contact.competences.includes(query.competence),
  );

  const ranked = candidates.map((contact) => {
    const away = isAway(contact, clock.date);
    const authority = snapshot.authorityById.get(contact.authority);
    const deputy = contact.deputy === null ? undefined : snapshot.contactById.get(contact.deputy);
    const shared = askerLanguages.filter((language) => contact.languages.includes(language));
    const firstShared = askerLanguages.findIndex((language) => contact.languages.includes(language));
    const { start, end, days } = contact.workingHours;
    const result: RankedContact = {
      id: contact.id,
      name: localized(contact.name, locale),
      title: contact.title,
      authority: { id: contact.authority, name: authority === undefined ? contact.authority : localized(authority.name, locale) },
      competences: [...contact.competences],
      languages: [...contact.languages],
      sharedLanguages: shared,
      channels: visibleChannels(contact, query.viewer),
      available: !away,
      outOfOffice:
        away && contact.outOfOffice !== null
          ? { start: contact.outOfOffice.start, end: contact.outOfOffice.end, note: contact.outOfOffice.note ?? null }
          : null,
      deputy:
        deputy === undefined || deputy.status !== 'active'
          ? null
          : { id: deputy.id, name: localized(deputy.name, locale), available: !isAway(deputy, clock.date) },
      timezone: country.timezone,
      localTime: clock.time,
      withinWorkingHours: days.includes(clock.weekday) && clock.minutes >= minutesOf(start) && clock.minutes < minutesOf(end),
      verifiedAt: contact.verifiedAt,
      possiblyStale: contact.verifiedAt < stale,
    };
    const sortKey = [
      away ? 1 : 0,
      firstShared === -1 ? askerLanguages.length : firstShared,
      result.possiblyStale ? 1 : 0,
      query.competence !== null && authority?.centralAuthorityFor.includes(query.competence) === true ? 0 : 1,
      index.contactPosition.get(contact.id) ?? 0,
    ];
    return { result, sortKey };
  });

  ranked.sort((a, b) => {
    for (let i = 0; i < a.sortKey.length; i++) {
      const difference = (a.sortKey[i] ?? 0) - (b.sortKey[i] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  });
  return ranked.map((entry) => entry.result);
}

/** The country's central authorities for a competence, pre-trial first where it is split by stage. */
export function centralAuthorities(snapshot: RegistrySnapshot, country: string, competence: string, locale: Locale): CentralAuthorityInfo[] {
  const authorities = askIndexFor(snapshot).authoritiesByCountry.get(country) ?? [];
  const firstStage = (stages: readonly string[]): number =>
    Math.min(...stages.map((stage) => (stageOrder.includes(stage) ? stageOrder.indexOf(stage) : stageOrder.length)));
  return authorities
    .filter((authority) => authority.centralAuthorityFor.includes(competence))
    .sort((a, b) => firstStage(a.stages) - firstStage(b.stages))
    .map((authority) => ({
      id: authority.id,
      name: localized(authority.name, locale),
      kind: authority.kind,
      stages: [...authority.stages],
      requestLanguages: [...authority.requestLanguages],
      acceptedChannels: [...authority.acceptedChannels],
      urgentProcedure: authority.urgentProcedure,
    }));
}

const isParty = (treaty: Treaty, country: string): boolean => treaty.parties === 'all' || treaty.parties.includes(country);

/**
 * Treaties that can carry a request from the asker's country to the target country for the
 * competence: both are parties and the treaty covers it. Without an asker country (or asking
 * about one's own), the target's treaties for the competence. A null competence means any.
 */
export function legalBases(
  snapshot: RegistrySnapshot,
  target: string,
  askerCountry: string | undefined,
  competence: string | null,
  locale: Locale,
): LegalBasis[] {
  const asker = askerCountry === target ? undefined : askerCountry;
  return snapshot.treaties
    .filter(
      (treaty) =>
        (competence === null || treaty.covers.includes(competence)) &&
        isParty(treaty, target) &&
        (asker === undefined || isParty(treaty, asker)),
    )
    .map((treaty) => ({ id: treaty.id, name: localized(treaty.name, locale) }));
}
