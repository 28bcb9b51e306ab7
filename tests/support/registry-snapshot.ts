// A RegistrySnapshot straight from a registry file (the demo fixture or a synthetic one), for
// tests and benchmarks of modules that only read the registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import countryCodes from 'i18n-iso-countries';
import type { PracticalReader } from '../../src/ask/index.ts';
import { findSheets, type RegistryFile } from '../../src/registry/index.ts';
import { buildRegistryView, type RegistryView } from '../../src/registry/registry-snapshot.ts';
import { createHolidayCalendar, createWorkingTime } from '../../src/schedule/index.ts';
import { createTipsService, parseTips } from '../../src/tips/index.ts';
import type {
  Authority,
  Contact,
  Country,
  RegistrySnapshot,
  Treaty,
} from '../../src/registry/registry-types.ts';

export const demoRegistryFile = join(import.meta.dirname, '..', '..', 'config', 'demo-registry.json');
const shippedTipsFile = join(import.meta.dirname, '..', '..', 'config', 'tips.yaml');

interface RegistryFileLike {
  competences: { id: string; label: Record<string, string> }[];
  countries: { iso2: string; timezone: string; languages: string[]; capital?: string | null }[];
  authorities: (Omit<Authority, 'urgentProcedure'> & { urgentProcedure?: Authority['urgentProcedure'] })[];
  contacts: (Omit<Contact, 'verifiedBy' | 'outOfOffice' | 'deputy'> &
    Partial<Pick<Contact, 'verifiedBy' | 'outOfOffice' | 'deputy'>>)[];
  treaties: Treaty[];
}

export function snapshotFromRegistryFile(file: RegistryFileLike, version = 1): RegistrySnapshot {
  const countries = file.countries.map((record) => {
    const country: Country = {
      iso2: record.iso2,
      name: {
        en: countryCodes.getName(record.iso2, 'en') ?? record.iso2,
        ru: countryCodes.getName(record.iso2, 'ru') ?? record.iso2,
      },
      timezone: record.timezone,
      languages: record.languages,
      capital: record.capital ?? null,
    };
    return country;
  });
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
  return {
    version,
    competences: file.competences,
    countries,
    authorities,
    contacts,
    treaties: file.treaties,
    countryByIso2: new Map(countries.map((country) => [country.iso2, country])),
    authorityById: new Map(authorities.map((authority) => [authority.id, authority])),
    contactById: new Map(contacts.map((contact) => [contact.id, contact])),
  };
}

export function demoSnapshot(): RegistrySnapshot {
  return snapshotFromRegistryFile(JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as RegistryFileLike);
}

/** Today in each country of `view` at `now`, as the registry service tells it (`todayIn`). */
export function todayInAt(view: RegistryView, now: Date): (country: string) => string {
  const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
  return (country) =>
    workingTime.localDate(now.getTime(), view.snapshot.countryByIso2.get(country)?.timezone ?? 'UTC');
}

/**
 * The demo registry's requirement sheets and the shipped tips library, read the way the
 * application wires them (findSheets on the registry view, the tips service).
 */
export function demoPracticalReader(now: Date): PracticalReader {
  const view = buildRegistryView(JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as RegistryFile, 1);
  const tips = createTipsService(parseTips(readFileSync(shippedTipsFile, 'utf8'), shippedTipsFile));
  return {
    sheet: (country, competence, askerCountry) =>
      findSheets(view, { country, competence, askerCountry }, todayInAt(view, now))[0],
    tips: (topic, locale) => tips.list({ topic, locale }),
  };
}
