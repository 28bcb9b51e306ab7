// Validates a whole registry: the shape of every record (TypeBox) and everything a schema cannot
// say: unique ids, references between records, ISO codes, time zones, real calendar dates. Every
// problem is reported with its JSON pointer, so a coordinator fixes a file in one pass.
import { Type } from 'typebox';
import { channelProblem, channelProblemMessage } from './channel-rules.ts';
import { isIsoCountryCode } from './country-names.ts';
import {
  AuthorityRecord,
  CompetenceRecord,
  ContactRecord,
  CountryRecord,
  RegistryFileSchema,
  RequirementRecord,
  TreatyRecord,
  registrySections,
  requestElementIds,
  type RegistryFile,
  type RegistrySection,
} from './registry-format.ts';
import { schemaProblems, type Problem } from './schema-problems.ts';
import { textProblems } from '../text/index.ts';

export type { Problem };

export type ValidationResult = { ok: true; registry: RegistryFile } | { ok: false; problems: Problem[] };

/** Beyond this many, a file is broken wholesale; listing more helps nobody. */
export const maxReportedProblems = 1000;

const recordSchemas = {
  competences: CompetenceRecord,
  countries: CountryRecord,
  authorities: AuthorityRecord,
  contacts: ContactRecord,
  treaties: TreatyRecord,
  requirements: RequirementRecord,
} as const;

// The header is checked on its own and each record separately, so one broken record cannot use up
// the error budget of the whole file.
const HeaderSchema = Type.Object(
  {
    ...RegistryFileSchema.properties,
    competences: Type.Array(Type.Unknown()),
    countries: Type.Array(Type.Unknown()),
    authorities: Type.Array(Type.Unknown()),
    contacts: Type.Array(Type.Unknown()),
    treaties: Type.Array(Type.Unknown()),
    requirements: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: false },
);

export interface ValidationOptions {
  /**
   * The latest day a record may say it was verified (see `latestVerificationDay`); later is a
   * problem. Undefined: not checked.
   */
  latestVerificationDay?: string | undefined;
}

/**
 * The last calendar day on which a verification could have happened by `now`: today where the
 * day begins first (UTC+14), so a record verified "today" in any member's time zone passes.
 */
export function latestVerificationDay(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

export function validateRegistryFile(data: unknown, options: ValidationOptions = {}): ValidationResult {
  if (!isObject(data))
    return { ok: false, problems: [{ path: '', message: 'must be a JSON object (a registry file)' }] };
  // Text Postgres or the logs cannot hold (NUL, control characters, lone surrogates) is a
  // problem like any other, whether the file came through the API or the CLI.
  const problems: Problem[] = textProblems(data, RegistryFileSchema, { limit: maxReportedProblems });
  problems.push(...schemaProblems(HeaderSchema, data));
  const sections = {} as Record<RegistrySection, unknown[]>;
  for (const section of registrySections) {
    const records = data[section];
    sections[section] = Array.isArray(records) ? records : [];
    sections[section].forEach((record, index) => {
      problems.push(...schemaProblems(recordSchemas[section], record, `/${section}/${index}`));
    });
  }
  problems.push(...referenceProblems(sections, data.network, options.latestVerificationDay));
  if (problems.length === 0) return { ok: true, registry: data as RegistryFile };
  const sorted = problems
    .map((problem, order) => ({ problem, order }))
    .sort((a, b) => comparePaths(a.problem.path, b.problem.path) || a.order - b.order)
    .map(({ problem }) => problem);
  if (sorted.length > maxReportedProblems) {
    const hidden = sorted.length - maxReportedProblems;
    return {
      ok: false,
      problems: [
        ...sorted.slice(0, maxReportedProblems),
        { path: '', message: `and ${hidden} more problems` },
      ],
    };
  }
  return { ok: false, problems: sorted };
}

type Loose = Record<string, unknown>;

/** Checks across records. Reads fields defensively: a record of the wrong shape is already reported. */
function referenceProblems(
  sections: Record<RegistrySection, unknown[]>,
  network: unknown,
  latestDay: string | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  const records = (section: RegistrySection) =>
    sections[section].map((record, index) => ({
      record: isObject(record) ? record : {},
      at: `/${section}/${index}`,
    }));

  const index = (section: RegistrySection, key: string): Map<string, Loose> => {
    const byId = new Map<string, Loose>();
    const firstAt = new Map<string, string>();
    for (const { record, at } of records(section)) {
      const id = record[key];
      if (typeof id !== 'string') continue;
      const earlier = firstAt.get(id);
      if (earlier === undefined) {
        byId.set(id, record);
        firstAt.set(id, at);
      } else {
        report(`${at}/${key}`, `duplicate ${key} ${JSON.stringify(id)} (first at ${earlier})`);
      }
    }
    return byId;
  };
  const competences = index('competences', 'id');
  const countries = index('countries', 'iso2');
  const authorities = index('authorities', 'id');
  const contacts = index('contacts', 'id');
  index('treaties', 'id');

  const checkEach = (
    record: Loose,
    at: string,
    field: string,
    check: (value: string, path: string) => void,
  ) => {
    const values = record[field];
    if (!Array.isArray(values)) return;
    values.forEach((value, position) => {
      if (typeof value === 'string') check(value, `${at}/${field}/${position}`);
    });
  };
  const knownCompetence = (value: string, path: string) => {
    if (!competences.has(value))
      report(path, `unknown competence ${JSON.stringify(value)} (not in /competences)`);
  };
  const knownCountry = (value: string, path: string) => {
    if (/^[A-Z]{2}$/.test(value) && !countries.has(value))
      report(path, `unknown country ${JSON.stringify(value)} (not in /countries)`);
  };
  const knownLanguage = (value: string, path: string) => {
    if (/^[a-z]{2,3}$/.test(value) && !isKnownLanguage(value))
      report(path, `unknown language code ${JSON.stringify(value)}`);
  };
  const localized = (value: unknown, path: string) => {
    if (!isObject(value)) return;
    if (typeof value.en !== 'string')
      report(`${path}/en`, 'is required (English text, the fallback for every reader)');
    for (const language of Object.keys(value)) knownLanguage(language, `${path}/${language}`);
  };
  const realDate = (value: unknown, path: string): value is string => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    if (isCalendarDate(value)) return true;
    report(path, `${JSON.stringify(value)} is not a calendar date`);
    return false;
  };
  const verificationDate = (value: unknown, path: string) => {
    if (realDate(value, path) && latestDay !== undefined && value > latestDay)
      report(path, `${JSON.stringify(value)} is in the future: a record cannot have been verified yet`);
  };

  if (isObject(network)) localized(network.name, '/network/name');

  for (const { record, at } of records('competences')) localized(record.label, `${at}/label`);

  for (const { record, at } of records('countries')) {
    if (typeof record.iso2 === 'string' && /^[A-Z]{2}$/.test(record.iso2) && !isIsoCountryCode(record.iso2)) {
      report(`${at}/iso2`, `${JSON.stringify(record.iso2)} is not an ISO 3166-1 country code`);
    }
    if (typeof record.timezone === 'string' && !isIanaTimeZone(record.timezone)) {
      report(`${at}/timezone`, `unknown IANA time zone ${JSON.stringify(record.timezone)}`);
    }
    checkEach(record, at, 'languages', knownLanguage);
  }

  for (const { record, at } of records('authorities')) {
    localized(record.name, `${at}/name`);
    localized(record.urgentProcedure, `${at}/urgentProcedure`);
    if (typeof record.country === 'string') knownCountry(record.country, `${at}/country`);
    checkEach(record, at, 'centralAuthorityFor', knownCompetence);
    checkEach(record, at, 'requestLanguages', knownLanguage);
  }

  for (const { record, at } of records('contacts')) {
    localized(record.name, `${at}/name`);
    localized(record.title, `${at}/title`);
    if (isObject(record.outOfOffice)) localized(record.outOfOffice.note, `${at}/outOfOffice/note`);
    if (typeof record.country === 'string') knownCountry(record.country, `${at}/country`);
    if (typeof record.authority === 'string') {
      const authority = authorities.get(record.authority);
      if (authority === undefined) {
        report(
          `${at}/authority`,
          `unknown authority ${JSON.stringify(record.authority)} (not in /authorities)`,
        );
      } else if (typeof record.country === 'string' && authority.country !== record.country) {
        report(
          `${at}/country`,
          `${JSON.stringify(record.country)} is not the country of authority ${JSON.stringify(record.authority)} (${String(authority.country)})`,
        );
      }
    }
    checkEach(record, at, 'competences', knownCompetence);
    checkEach(record, at, 'languages', knownLanguage);
    if (isObject(record.channels)) {
      for (const [kind, value] of Object.entries(record.channels)) {
        const problem = typeof value === 'string' ? channelProblem(kind, value) : undefined;
        if (problem !== undefined) report(`${at}/channels/${kind}`, channelProblemMessage(problem));
      }
    }
    if (typeof record.deputy === 'string') {
      if (record.deputy === record.id) report(`${at}/deputy`, 'a contact cannot be its own deputy');
      else if (!contacts.has(record.deputy))
        report(`${at}/deputy`, `unknown contact ${JSON.stringify(record.deputy)} (not in /contacts)`);
    }
    const hours = record.workingHours;
    if (
      isObject(hours) &&
      typeof hours.start === 'string' &&
      typeof hours.end === 'string' &&
      hours.start >= hours.end
    ) {
      if (/^\d{2}:\d{2}$/.test(hours.start) && /^\d{2}:\d{2}$/.test(hours.end)) {
        report(`${at}/workingHours/end`, `must be later than start (${hours.start})`);
      }
    }
    verificationDate(record.verifiedAt, `${at}/verifiedAt`);
    const away = record.outOfOffice;
    if (isObject(away)) {
      const start = realDate(away.start, `${at}/outOfOffice/start`) ? away.start : undefined;
      const end = realDate(away.end, `${at}/outOfOffice/end`) ? away.end : undefined;
      if (start !== undefined && end !== undefined && start > end) {
        report(`${at}/outOfOffice/end`, `must not be before start (${start})`);
      }
    }
  }

  for (const { record, at } of records('treaties')) {
    localized(record.name, `${at}/name`);
    checkEach(record, at, 'covers', knownCompetence);
    checkEach(record, at, 'parties', knownCountry);
  }

  index('requirements', 'id');
  const sheetFor = new Map<string, string>();
  for (const { record, at } of records('requirements')) {
    const country = typeof record.country === 'string' ? record.country : undefined;
    if (country !== undefined) knownCountry(country, `${at}/country`);
    if (typeof record.competence === 'string') knownCompetence(record.competence, `${at}/competence`);
    if (country !== undefined && (record.competence === null || typeof record.competence === 'string')) {
      const key = `${country}/${record.competence ?? ''}`;
      const earlier = sheetFor.get(key);
      if (earlier === undefined) sheetFor.set(key, at);
      else
        report(
          `${at}/competence`,
          `${country} already has a sheet for ${record.competence === null ? 'all competences' : JSON.stringify(record.competence)} (${earlier})`,
        );
    }
    listOf(record.centralAuthorities).forEach((entry, position) => {
      if (!isObject(entry) || typeof entry.authority !== 'string') return;
      const path = `${at}/centralAuthorities/${position}/authority`;
      const authority = authorities.get(entry.authority);
      if (authority === undefined)
        report(path, `unknown authority ${JSON.stringify(entry.authority)} (not in /authorities)`);
      else if (country !== undefined && authority.country !== country)
        report(path, `authority ${JSON.stringify(entry.authority)} is not of ${country}`);
    });
    checkEach(record, at, 'languages', knownLanguage);
    const elementIds = new Set<string>();
    listOf(record.elements).forEach((element, position) => {
      if (!isObject(element) || typeof element.id !== 'string') return;
      const path = `${at}/elements/${position}`;
      if (elementIds.has(element.id))
        report(`${path}/id`, `element ${JSON.stringify(element.id)} is listed twice`);
      elementIds.add(element.id);
      if (!builtInElements.has(element.id) && element.label === undefined)
        report(
          `${path}/label`,
          `is required for an element that is not built in (${JSON.stringify(element.id)})`,
        );
      localized(element.label, `${path}/label`);
      localized(element.hint, `${path}/hint`);
    });
    for (const field of ['documents', 'returnReasons'] as const)
      listOf(record[field]).forEach((value, position) => {
        localized(value, `${at}/${field}/${position}`);
      });
    for (const field of ['urgentRoute', 'retention', 'notes'] as const)
      localized(record[field], `${at}/${field}`);
    verificationDate(record.verifiedAt, `${at}/verifiedAt`);
  }
  return problems;
}

const builtInElements: ReadonlySet<string> = new Set(requestElementIds);

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** Known to ICU's language data (ISO 639). */
export function isKnownLanguage(code: string): boolean {
  try {
    return languageNames.of(code) !== undefined;
  } catch {
    return false;
  }
}

/** A zone name of the IANA database (Intl accepts offsets like "+05:00" too; the registry does not). */
export function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Orders JSON pointers the way a reader scans a file: by section, then record number. */
function comparePaths(a: string, b: string): number {
  const order = (path: string) => {
    const section = path.split('/')[1] ?? '';
    const position = (registrySections as readonly string[]).indexOf(section);
    return position < 0 ? -1 : position;
  };
  return order(a) - order(b) || a.localeCompare(b, 'en', { numeric: true });
}
