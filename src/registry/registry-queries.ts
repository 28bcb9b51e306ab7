// Filters over the in-memory registry. The registry holds hundreds to a few thousand records, so
// scanning the snapshot beats a database round trip on the hottest route by a wide margin.
import type { AuthorityRecord, ContactRecord, TreatyRecord } from './registry-format.ts';
import { freshSinceDay, type RegistryView } from './registry-snapshot.ts';
import type { ContactStatus, Country } from './registry-types.ts';
import { defaultPageSize, maxPageSize } from '../http/index.ts';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface PageRequest {
  limit?: number | undefined;
  offset?: number | undefined;
}

export function paginate<T>(items: readonly T[], request: PageRequest): Page<T> {
  const limit = Math.min(request.limit ?? defaultPageSize, maxPageSize);
  const offset = request.offset ?? 0;
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
}

export interface ContactFilter {
  /** ISO2, any case. */
  country?: string | undefined;
  competence?: string | undefined;
  /** Default `active`: a list shows current records unless retired or all are asked for. */
  status?: ContactStatus | 'all' | undefined;
  authority?: string | undefined;
  /**
   * true: only records verified more than 12 months ago; false: only fresher ones. Judged on each
   * record's country's local date, the date verifications are recorded on.
   */
  stale?: boolean | undefined;
}

/** Today's local date (YYYY-MM-DD) in a country (`RegistryService.todayIn`). */
export type TodayIn = (country: string) => string;

export function filterContacts(view: RegistryView, filter: ContactFilter, todayIn: TodayIn): ContactRecord[] {
  const country = filter.country?.toUpperCase();
  // One cutoff per country: a list of thousands reads each country's date once.
  const cutoffs = new Map<string, string>();
  const cutoffOf = (of: string): string => {
    let cutoff = cutoffs.get(of);
    if (cutoff === undefined) {
      cutoff = freshSinceDay(todayIn(of));
      cutoffs.set(of, cutoff);
    }
    return cutoff;
  };
  const status = filter.status ?? 'active';
  const candidates =
    country === undefined ? view.file.contacts : (view.contactRecordsByCountry.get(country) ?? []);
  return candidates.filter(
    (contact) =>
      (country === undefined || contact.country === country) &&
      (filter.competence === undefined || contact.competences.includes(filter.competence)) &&
      (status === 'all' || contact.status === status) &&
      (filter.authority === undefined || contact.authority === filter.authority) &&
      (filter.stale === undefined || contact.verifiedAt < cutoffOf(contact.country) === filter.stale),
  );
}

export interface AuthorityFilter {
  country?: string | undefined;
  /** Authorities that are the central authority for this competence. */
  competence?: string | undefined;
}

export function filterAuthorities(view: RegistryView, filter: AuthorityFilter): AuthorityRecord[] {
  const country = filter.country?.toUpperCase();
  return view.file.authorities.filter(
    (authority) =>
      (country === undefined || authority.country === country) &&
      (filter.competence === undefined || authority.centralAuthorityFor.includes(filter.competence)),
  );
}

export interface TreatyFilter {
  /** Treaties this country is party to (open treaties included). */
  country?: string | undefined;
  competence?: string | undefined;
}

export function filterTreaties(view: RegistryView, filter: TreatyFilter): TreatyRecord[] {
  const country = filter.country?.toUpperCase();
  return view.file.treaties.filter(
    (treaty) =>
      (country === undefined || treaty.parties === 'all' || treaty.parties.includes(country)) &&
      (filter.competence === undefined || treaty.covers.includes(filter.competence)),
  );
}

type TreatyLike = Pick<TreatyRecord, 'covers' | 'parties'>;

const isParty = (treaty: TreatyLike, country: string): boolean =>
  treaty.parties === 'all' || treaty.parties.includes(country);

/**
 * Treaties that can carry a request from the asker's country to the target country for the
 * competence: both are parties and the treaty covers it. Without an asker country (or asking
 * about one's own), the target's treaties for the competence. A null competence means any.
 */
export function treatiesLinking<T extends TreatyLike>(
  treaties: readonly T[],
  target: string,
  askerCountry: string | undefined,
  competence: string | null,
): T[] {
  const asker = askerCountry === target ? undefined : askerCountry;
  return treaties.filter(
    (treaty) =>
      (competence === null || treaty.covers.includes(competence)) &&
      isParty(treaty, target) &&
      (asker === undefined || isParty(treaty, asker)),
  );
}

/** Countries with their names (ISO data, English and Russian). */
export const listCountries = (view: RegistryView): readonly Country[] => view.snapshot.countries;
