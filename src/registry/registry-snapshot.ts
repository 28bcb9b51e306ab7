// The in-memory registry: built once per change from the canonical registry file, then shared
// read-only by every request until the next change replaces it.
import { countryName } from './country-names.ts';
import type {
  AuthorityRecord,
  ContactRecord,
  RegistryFile,
  RequirementRecord,
  TreatyRecord,
} from './registry-format.ts';
import type { Authority, Contact, Country, RegistrySnapshot, Treaty } from './registry-types.ts';

/** The snapshot plus the records in file form, which the API and export serve as they are. */
export interface RegistryView {
  readonly snapshot: RegistrySnapshot;
  readonly file: RegistryFile;
  readonly contactRecordById: ReadonlyMap<string, ContactRecord>;
  /** Contacts per country, in file order: the most common filter skips the rest of the registry. */
  readonly contactRecordsByCountry: ReadonlyMap<string, readonly ContactRecord[]>;
  readonly authorityRecordById: ReadonlyMap<string, AuthorityRecord>;
  readonly treatyRecordById: ReadonlyMap<string, TreatyRecord>;
  readonly requirementRecordById: ReadonlyMap<string, RequirementRecord>;
  /** Requirement sheets per country, in file order. */
  readonly requirementsByCountry: ReadonlyMap<string, readonly RequirementRecord[]>;
}

/** `file` must be canonical (see `canonicalRegistry`). */
export function buildRegistryView(file: RegistryFile, version: number): RegistryView {
  const countries: Country[] = file.countries.map((record) => ({
    iso2: record.iso2,
    name: countryName(record.iso2),
    timezone: record.timezone,
    languages: record.languages,
    capital: record.capital ?? null,
  }));
  const authorities: Authority[] = file.authorities.map((record) => ({
    ...record,
    urgentProcedure: record.urgentProcedure ?? null,
  }));
  const contacts: Contact[] = file.contacts.map((record) => ({
    ...record,
    verifiedBy: record.verifiedBy ?? null,
    outOfOffice: record.outOfOffice ?? null,
    deputy: record.deputy ?? null,
  }));
  const treaties: Treaty[] = file.treaties.map((record) => ({ ...record }));
  const snapshot: RegistrySnapshot = {
    version,
    competences: file.competences.map((record) => ({ ...record })),
    countries,
    authorities,
    contacts,
    treaties,
    countryByIso2: new Map(countries.map((country) => [country.iso2, country])),
    authorityById: new Map(authorities.map((authority) => [authority.id, authority])),
    contactById: new Map(contacts.map((contact) => [contact.id, contact])),
  };
  deepFreeze(snapshot);
  deepFreeze(file);
  return {
    snapshot,
    file,
    contactRecordById: new Map(file.contacts.map((record) => [record.id, record])),
    contactRecordsByCountry: Map.groupBy(file.contacts, (record) => record.country),
    authorityRecordById: new Map(file.authorities.map((record) => [record.id, record])),
    treatyRecordById: new Map(file.treaties.map((record) => [record.id, record])),
    requirementRecordById: new Map((file.requirements ?? []).map((record) => [record.id, record])),
    requirementsByCountry: Map.groupBy(file.requirements ?? [], (record) => record.country),
  };
}

export const emptyRegistryFile = (): RegistryFile => ({
  format: 'counterpart-registry',
  version: 1,
  competences: [],
  countries: [],
  authorities: [],
  contacts: [],
  treaties: [],
});

/** Months after its last verification when a record counts as stale. */
export const staleAfterMonths = 12;

/** The date `months` calendar months before a date (YYYY-MM-DD), as YYYY-MM-DD. */
export function monthsBeforeDay(day: string, months: number): string {
  const [year = 1970, month = 1, date = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 - months, date)).toISOString().slice(0, 10);
}

/**
 * The first verification date still fresh on `today`, as YYYY-MM-DD. `today` is a local date: the
 * calendar date where the record's country is (`RegistryService.todayIn`), the date verifications
 * are recorded on, so a record verified in Almaty at 02:00 is not judged by the UTC date before.
 */
export const freshSinceDay = (today: string): string => monthsBeforeDay(today, staleAfterMonths);

/** Verified more than twelve months before `today`, the contact's country's own date (`todayIn`). */
export const isStale = (contact: { verifiedAt: string }, today: string): boolean =>
  contact.verifiedAt < freshSinceDay(today);

/** A country's time zone in the snapshot (UTC for a country it does not know, or none). */
export const countryTimezone = (snapshot: RegistrySnapshot, country: string | null | undefined): string =>
  (country == null ? undefined : snapshot.countryByIso2.get(country)?.timezone) ?? 'UTC';

/** A country's time zone in the registry (UTC for a country it does not know). */
export const timezoneOfCountry = (view: RegistryView, country: string): string =>
  countryTimezone(view.snapshot, country);

/** Today's date in UTC, YYYY-MM-DD. */
export const isoDay = (now: Date): string => now.toISOString().slice(0, 10);

// Snapshots are shared by every request; freezing turns an accidental mutation into an error.
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  if (value instanceof Map) {
    for (const entry of value.values()) deepFreeze(entry);
  } else {
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  Object.freeze(value);
}
