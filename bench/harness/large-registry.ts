// A registry far larger than the demo: the demo's vocabulary and treaties, with 200 real countries
// of 500 contacts each (100,000 contacts). Deterministic, so every run measures the same registry.
import { readFileSync } from 'node:fs';
import cityTimezones from 'city-timezones';
import countryCodes from 'i18n-iso-countries';
import type { RegistrySnapshot } from '../../src/registry/registry-types.ts';
import { demoRegistryFile, snapshotFromRegistryFile } from '../../tests/support/registry-snapshot.ts';

/** A deterministic pseudo-random sequence. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** The registry requires at least one competence per contact. */
function withAtLeastOne(chosen: string[], all: readonly string[], n: number): string[] {
  return chosen.length > 0 ? chosen : [all[n % all.length] ?? 'mla'];
}

interface DemoFile {
  format: string;
  version: number;
  notice?: unknown;
  network: unknown;
  competences: { id: string; label: Record<string, string> }[];
  treaties: { id: string; name: Record<string, string>; covers: string[]; parties: 'all' | string[] }[];
}

const demoCountries = [
  'KZ',
  'KG',
  'TJ',
  'TM',
  'UZ',
  'AM',
  'AZ',
  'GE',
  'US',
  'NL',
  'SE',
  'DE',
  'TR',
  'AE',
  'GB',
];

/** The registry file (the import format): `countryCount` countries of `contactsPerCountry` contacts. */
export function largeRegistryFile(countryCount = 200, contactsPerCountry = 500) {
  const demo = JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as DemoFile;
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const competenceIds = demo.competences.map((competence) => competence.id);
  const zoneOf = new Map(cityTimezones.cityMapping.map((city) => [city.iso2, city.timezone]));
  const others = Object.keys(countryCodes.getAlpha2Codes()).filter(
    (iso2) => zoneOf.has(iso2) && !demoCountries.includes(iso2),
  );
  const countries = [...demoCountries, ...others].slice(0, countryCount).map((iso2) => ({
    iso2,
    timezone: zoneOf.get(iso2) ?? 'UTC',
    languages: [...new Set([pick(['ru', 'en', 'fr', 'es', 'ar']), 'en'])],
    capital: null,
  }));
  const authorities = countries.flatMap((country) => [
    {
      id: `${country.iso2.toLowerCase()}-gpo`,
      country: country.iso2,
      name: { en: `Prosecutor General's Office (${country.iso2})` },
      kind: 'prosecution',
      centralAuthorityFor: competenceIds,
      stages: ['pre_trial'],
      requestLanguages: country.languages,
      acceptedChannels: ['post'],
      urgentProcedure: null,
    },
    {
      id: `${country.iso2.toLowerCase()}-moj`,
      country: country.iso2,
      name: { en: `Ministry of Justice (${country.iso2})` },
      kind: 'ministry',
      centralAuthorityFor: ['mla', 'transfer_of_sentenced_persons'],
      stages: ['trial', 'enforcement'],
      requestLanguages: country.languages,
      acceptedChannels: ['post', 'diplomatic'],
      urgentProcedure: null,
    },
  ]);
  const contacts = countries.flatMap((country) =>
    Array.from({ length: contactsPerCountry }, (_, n) => {
      const id = `${country.iso2.toLowerCase()}-${String(n).padStart(4, '0')}`;
      const away = next() < 0.1;
      return {
        id,
        authority: `${country.iso2.toLowerCase()}-${next() < 0.7 ? 'gpo' : 'moj'}`,
        country: country.iso2,
        name: { en: `Contact ${id}`, ru: `Контакт ${id}` },
        title: 'Prosecutor',
        competences: withAtLeastOne(
          competenceIds.filter(() => next() < 0.35),
          competenceIds,
          n,
        ),
        languages: [...new Set([pick(['ru', 'en', 'fr', 'de', 'tr']), pick(['en', 'ar', 'es'])])],
        channels: { email: `${id}@example.org`, phone: '+000 00 000000' },
        workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
        verifiedAt: next() < 0.2 ? '2024-06-01' : '2026-09-15',
        status: next() < 0.05 ? ('retired' as const) : ('active' as const),
        outOfOffice: away ? { start: '2026-11-20', end: '2026-12-10', note: null } : null,
        deputy: away ? `${country.iso2.toLowerCase()}-${n === 0 ? '0001' : '0000'}` : null,
      };
    }),
  );
  return {
    format: demo.format,
    version: demo.version,
    network: demo.network,
    competences: demo.competences,
    countries,
    authorities,
    contacts,
    treaties: demo.treaties,
  };
}

/** The same registry as an in-memory snapshot, for in-process measurements. */
export function largeRegistry(countryCount = 200, contactsPerCountry = 500): RegistrySnapshot {
  return snapshotFromRegistryFile(largeRegistryFile(countryCount, contactsPerCountry));
}
