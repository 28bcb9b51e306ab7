// Who to contact, best first. One ranking for every module (ask, consultations, requests), so the
// person a consultation is routed to is the person the answer listed first.
import {
  freshSinceDay,
  readableIn,
  readsIn,
  treatiesLinking,
  type Contact,
  type Country,
  type LocalizedText,
  type RegistrySnapshot,
} from '../registry/index.ts';
import { askIndexFor } from './ask-index.ts';
import type { CentralAuthorityInfo, LegalBasis, RankedContact } from './ask-types.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { WorkingTime } from '../schedule/index.ts';

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
  /** Return only the best this many (all are still ranked). Default: all. */
  limit?: number;
}

export const localized = (text: LocalizedText, locale: string): string =>
  text[locale] ?? text.en ?? Object.values(text)[0] ?? '';

const isAway = (contact: Contact, today: string): boolean =>
  contact.outOfOffice !== null && contact.outOfOffice.start <= today && today <= contact.outOfOffice.end;

function visibleChannels(contact: Contact, viewer: RankingQuery['viewer']): Record<string, string> {
  const privileged =
    viewer !== undefined &&
    (viewer.role === 'admin' || (viewer.role === 'coordinator' && viewer.country === contact.country));
  const channels: Record<string, string> = {};
  for (const [channel, address] of Object.entries(contact.channels)) {
    if (privileged || !restrictedChannels.has(channel)) channels[channel] = address;
  }
  return channels;
}

/** The last local date asked about and its cutoff: every question of a day asks for the same one. */
let staleCutoff = { today: '', before: '' };

/**
 * The first verification date still fresh on `today` (a local date, YYYY-MM-DD: the contacts'
 * own, as the registry records verifications), as YYYY-MM-DD.
 */
function staleBefore(today: string): string {
  if (staleCutoff.today === today) return staleCutoff.before;
  const before = freshSinceDay(today);
  staleCutoff = { today, before };
  return before;
}

/**
 * Contacts of a country holding a competence (all competences when null), best first: in the
 * office before away; then sharing a language with the asker; then freshly verified; then working
 * at the central authority for the competence; then registry order. Retired and suspended
 * contacts never appear. Local time, "away today" and "within working hours" come from the one
 * working-time model (src/schedule), so an answer says "working now" exactly when a nudge or a
 * deadline would count the time as working (public holidays and night shifts included).
 */
export function rankContacts(
  snapshot: RegistrySnapshot,
  query: RankingQuery,
  workingTime: WorkingTime,
): RankedContact[] {
  const index = askIndexFor(snapshot);
  const country: Country | undefined = snapshot.countryByIso2.get(query.country);
  if (country === undefined) return [];
  const locale = query.locale ?? 'en';
  const at = query.now.getTime();
  const clock = workingTime.localClock(at, country.timezone);
  // Stale by the contacts' calendar (their country's local date, read once a minute per zone), not
  // UTC's: in Almaty at 02:00 it is already the next day.
  const stale = staleBefore(clock.date);
  const askerLanguages = query.askerLanguages ?? [];
  // The index keeps candidates in their static order (central authority, registry position); what
  // depends on the day and the asker (away, shared language, freshness) sorts them into buckets,
  // read best first. Linear, with no comparison sort, on countries of hundreds of contacts.
  const languageSlots = askerLanguages.length + 1;
  const buckets: Contact[][] = [];
  for (const contact of index.rankingCandidates(query.country, query.competence)) {
    let firstShared = askerLanguages.length;
    for (let i = 0; i < askerLanguages.length; i++) {
      if (contact.languages.includes(askerLanguages[i] ?? '')) {
        firstShared = i;
        break;
      }
    }
    const bucket =
      ((isAway(contact, clock.date) ? 1 : 0) * languageSlots + firstShared) * 2 +
      (contact.verifiedAt < stale ? 1 : 0);
    (buckets[bucket] ??= []).push(contact);
  }
  const ordered = buckets.flat();
  const chosen = query.limit === undefined ? ordered : ordered.slice(0, query.limit);

  return chosen.map((contact) => {
    const away = isAway(contact, clock.date);
    const authority = snapshot.authorityById.get(contact.authority);
    const deputy = contact.deputy === null ? undefined : snapshot.contactById.get(contact.deputy);
    const title = readableIn(contact.title, locale);
    const note = contact.outOfOffice?.note == null ? null : readableIn(contact.outOfOffice.note, locale);
    return {
      id: contact.id,
      name: localized(contact.name, readsIn(title, locale) ? locale : (title.language ?? locale)),
      title: title.text,
      titleLanguage: title.language ?? null,
      authority: {
        id: contact.authority,
        name: authority === undefined ? contact.authority : localized(authority.name, locale),
      },
      competences: [...contact.competences],
      languages: [...contact.languages],
      sharedLanguages: askerLanguages.filter((language) => contact.languages.includes(language)),
      channels: visibleChannels(contact, query.viewer),
      available: !away,
      outOfOffice:
        away && contact.outOfOffice !== null
          ? {
              start: contact.outOfOffice.start,
              end: contact.outOfOffice.end,
              note: note?.text ?? null,
              noteLanguage: note?.language ?? null,
            }
          : null,
      deputy:
        deputy === undefined || deputy.status !== 'active'
          ? null
          : { id: deputy.id, name: localized(deputy.name, locale), available: !isAway(deputy, clock.date) },
      timezone: country.timezone,
      localTime: clock.time,
      withinWorkingHours: workingTime.isWorkingInstant(at, {
        timezone: country.timezone,
        country: contact.country,
        workingHours: contact.workingHours,
      }),
      verifiedAt: contact.verifiedAt,
      possiblyStale: contact.verifiedAt < stale,
    };
  });
}

/** The country's central authorities for a competence, pre-trial first where it is split by stage. */
export function centralAuthorities(
  snapshot: RegistrySnapshot,
  country: string,
  competence: string,
  locale: Locale,
): CentralAuthorityInfo[] {
  const authorities = askIndexFor(snapshot).authoritiesByCountry.get(country) ?? [];
  const firstStage = (stages: readonly string[]): number =>
    Math.min(
      ...stages.map((stage) => (stageOrder.includes(stage) ? stageOrder.indexOf(stage) : stageOrder.length)),
    );
  return authorities
    .filter((authority) => authority.centralAuthorityFor.includes(competence))
    .sort((a, b) => firstStage(a.stages) - firstStage(b.stages))
    .map((authority) => {
      const procedure =
        authority.urgentProcedure === null ? undefined : readableIn(authority.urgentProcedure, locale);
      return {
        id: authority.id,
        name: localized(authority.name, locale),
        kind: authority.kind,
        stages: [...authority.stages],
        requestLanguages: [...authority.requestLanguages],
        acceptedChannels: [...authority.acceptedChannels],
        urgentProcedure: procedure?.text ?? null,
        urgentProcedureLanguage: procedure?.language ?? null,
      };
    });
}

/** The treaties linking the asker's country and the target for the competence (see `treatiesLinking`). */
export function legalBases(
  snapshot: RegistrySnapshot,
  target: string,
  askerCountry: string | undefined,
  competence: string | null,
  locale: Locale,
): LegalBasis[] {
  return treatiesLinking(snapshot.treaties, target, askerCountry, competence).map((treaty) => ({
    id: treaty.id,
    name: localized(treaty.name, locale),
  }));
}
