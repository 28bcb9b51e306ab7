// Reads and writes the registry tables. The registry is small and always read whole, and every
// write goes through `syncRegistry`, which compares the registry before and after a change and
// writes only the rows that differ: one path for imports and single-record edits alike.
import { asc, count, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type {
  AuthorityRecord,
  CompetenceRecord,
  ContactRecord,
  CountryRecord,
  RegistryFile,
  RegistrySection,
  RequirementRecord,
  TreatyRecord,
} from './registry-format.ts';
import { registryFormatName, registryFormatVersion } from './registry-format.ts';
import {
  authorities,
  competences,
  contacts,
  countries,
  registryMeta,
  requirementSheets,
  treaties,
} from './registry-schema.ts';
import type { Queryable } from '../db/index.ts';

/** Changed records of one write, summed over all sections. */
export interface SyncCounts {
  created: number;
  updated: number;
  removed: number;
}

const headerKey = 'header';
const chunkSize = 500;

interface Header {
  notice?: string;
  network?: RegistryFile['network'];
}

/** The whole registry in its file form, records in their stored order. */
export async function loadRegistry(db: Queryable): Promise<RegistryFile> {
  const [meta] = await db
    .select()
    .from(registryMeta)
    .where(sql`${registryMeta.key} = ${headerKey}`);
  const header = (meta?.value ?? {}) as Header;
  const competenceRows = await db
    .select()
    .from(competences)
    .orderBy(asc(competences.position), asc(competences.id));
  const countryRows = await db.select().from(countries).orderBy(asc(countries.position), asc(countries.iso2));
  const authorityRows = await db
    .select()
    .from(authorities)
    .orderBy(asc(authorities.position), asc(authorities.id));
  const contactRows = await db.select().from(contacts).orderBy(asc(contacts.position), asc(contacts.id));
  const treatyRows = await db.select().from(treaties).orderBy(asc(treaties.position), asc(treaties.id));
  const requirementRows = await db
    .select({ record: requirementSheets.record })
    .from(requirementSheets)
    .orderBy(asc(requirementSheets.position), asc(requirementSheets.id));
  return {
    format: registryFormatName,
    version: registryFormatVersion,
    ...(header.notice === undefined ? {} : { notice: header.notice }),
    ...(header.network === undefined ? {} : { network: header.network }),
    competences: competenceRows.map((row) => canonicalCompetence(row)),
    countries: countryRows.map((row) => canonicalCountry(row)),
    authorities: authorityRows.map((row) => canonicalAuthority(row as AuthorityRecord)),
    contacts: contactRows.map((row) => canonicalContact(row as ContactRecord)),
    treaties: treatyRows.map((row) =>
      canonicalTreaty({ ...row, parties: row.openToAll ? 'all' : row.parties }),
    ),
    ...optionalRequirements(
      requirementRows.map((row) => canonicalRequirement(row.record as RequirementRecord)),
    ),
  };
}

/**
 * Files written before requirement sheets existed have no `requirements` section; a registry
 * without sheets is written the same way, so such files export byte for byte as imported.
 */
const optionalRequirements = (records: RequirementRecord[]): { requirements?: RequirementRecord[] } =>
  records.length === 0 ? {} : { requirements: records };

// Canonical forms: fixed key order (the order of the format's documentation), optional
// nullable fields written out as null, `verifiedBy` only when known. Export emits these.
export const canonicalCompetence = (record: CompetenceRecord): CompetenceRecord => ({
  id: record.id,
  label: record.label,
});

export const canonicalCountry = (record: CountryRecord): CountryRecord => ({
  iso2: record.iso2,
  timezone: record.timezone,
  languages: record.languages,
  capital: record.capital ?? null,
});

export const canonicalAuthority = (record: AuthorityRecord): AuthorityRecord => ({
  id: record.id,
  country: record.country,
  name: record.name,
  kind: record.kind,
  centralAuthorityFor: record.centralAuthorityFor,
  stages: record.stages,
  requestLanguages: record.requestLanguages,
  acceptedChannels: record.acceptedChannels,
  urgentProcedure: record.urgentProcedure ?? null,
});

export const canonicalContact = (record: ContactRecord): ContactRecord => ({
  id: record.id,
  authority: record.authority,
  country: record.country,
  name: record.name,
  title: record.title,
  competences: record.competences,
  languages: record.languages,
  channels: record.channels,
  workingHours: {
    days: record.workingHours.days,
    start: record.workingHours.start,
    end: record.workingHours.end,
  },
  verifiedAt: record.verifiedAt,
  ...(record.verifiedBy == null ? {} : { verifiedBy: record.verifiedBy }),
  status: record.status,
  outOfOffice:
    record.outOfOffice == null
      ? null
      : {
          start: record.outOfOffice.start,
          end: record.outOfOffice.end,
          ...(record.outOfOffice.note === undefined ? {} : { note: record.outOfOffice.note }),
        },
  deputy: record.deputy ?? null,
});

export const canonicalTreaty = (record: TreatyRecord): TreatyRecord => ({
  id: record.id,
  name: record.name,
  covers: record.covers,
  parties: record.parties,
});

export const canonicalRequirement = (record: RequirementRecord): RequirementRecord => ({
  id: record.id,
  country: record.country,
  competence: record.competence,
  ...(record.demo === undefined ? {} : { demo: record.demo }),
  centralAuthorities: record.centralAuthorities.map((entry) => ({
    authority: entry.authority,
    ...(entry.stages === undefined ? {} : { stages: entry.stages }),
  })),
  languages: record.languages,
  certifiedTranslation: record.certifiedTranslation,
  channels: record.channels,
  elements: record.elements.map((element) => ({
    id: element.id,
    ...(element.label === undefined ? {} : { label: element.label }),
    ...(element.hint === undefined ? {} : { hint: element.hint }),
    ...(element.required === undefined ? {} : { required: element.required }),
  })),
  documents: record.documents,
  urgentRoute: record.urgentRoute,
  returnReasons: record.returnReasons,
  retention: record.retention,
  ...(record.notes === undefined ? {} : { notes: record.notes }),
  verifiedAt: record.verifiedAt,
  ...(record.verifiedBy == null ? {} : { verifiedBy: record.verifiedBy }),
});

/** The registry with every record in canonical form (what `loadRegistry` would read back). */
export function canonicalRegistry(registry: RegistryFile): RegistryFile {
  return {
    format: registryFormatName,
    version: registryFormatVersion,
    ...(registry.notice === undefined ? {} : { notice: registry.notice }),
    ...(registry.network === undefined ? {} : { network: registry.network }),
    competences: registry.competences.map(canonicalCompetence),
    countries: registry.countries.map(canonicalCountry),
    authorities: registry.authorities.map(canonicalAuthority),
    contacts: registry.contacts.map(canonicalContact),
    treaties: registry.treaties.map(canonicalTreaty),
    ...optionalRequirements((registry.requirements ?? []).map(canonicalRequirement)),
  };
}

interface SectionTable {
  table: PgTable;
  key: string;
  idOf: (record: never) => string;
  toRow: (record: never, position: number, now: Date) => Record<string, unknown>;
}

const sectionTables: Record<RegistrySection, SectionTable> = {
  competences: {
    table: competences,
    key: 'id',
    idOf: (record: CompetenceRecord) => record.id,
    toRow: (record: CompetenceRecord, position: number) => ({ ...record, position }),
  },
  countries: {
    table: countries,
    key: 'iso2',
    idOf: (record: CountryRecord) => record.iso2,
    toRow: (record: CountryRecord, position: number) => ({
      ...record,
      capital: record.capital ?? null,
      position,
    }),
  },
  authorities: {
    table: authorities,
    key: 'id',
    idOf: (record: AuthorityRecord) => record.id,
    toRow: (record: AuthorityRecord, position: number) => ({
      ...record,
      urgentProcedure: record.urgentProcedure ?? null,
      position,
    }),
  },
  contacts: {
    table: contacts,
    key: 'id',
    idOf: (record: ContactRecord) => record.id,
    toRow: (record: ContactRecord, position: number, now: Date) => ({
      ...record,
      verifiedBy: record.verifiedBy ?? null,
      outOfOffice: record.outOfOffice ?? null,
      deputy: record.deputy ?? null,
      position,
      updatedAt: now,
    }),
  },
  treaties: {
    table: treaties,
    key: 'id',
    idOf: (record: TreatyRecord) => record.id,
    toRow: (record: TreatyRecord, position: number) => ({
      ...record,
      openToAll: record.parties === 'all',
      parties: record.parties === 'all' ? [] : record.parties,
      position,
    }),
  },
  requirements: {
    table: requirementSheets,
    key: 'id',
    idOf: (record: RequirementRecord) => record.id,
    toRow: (record: RequirementRecord, position: number) => ({
      id: record.id,
      country: record.country,
      competence: record.competence,
      record,
      verifiedAt: record.verifiedAt,
      position,
    }),
  },
};

// Rows are inserted parents first and deleted children first, so foreign keys hold throughout.
const insertOrder: readonly RegistrySection[] = [
  'competences',
  'countries',
  'authorities',
  'contacts',
  'treaties',
  'requirements',
];
const deleteOrder: readonly RegistrySection[] = [
  'requirements',
  'contacts',
  'treaties',
  'authorities',
  'competences',
  'countries',
];

/** What a write must do to turn `current` into `next`: rows to upsert and ids to delete per section. */
export interface SyncPlan {
  counts: SyncCounts;
  upserts: { section: RegistrySection; records: { record: never; position: number }[] }[];
  removals: { section: RegistrySection; ids: string[] }[];
}

/** Compares two canonical registries record by record (content and position). */
export function planSync(current: RegistryFile, next: RegistryFile): SyncPlan {
  const plan: SyncPlan = { counts: { created: 0, updated: 0, removed: 0 }, upserts: [], removals: [] };
  for (const section of insertOrder) {
    const { idOf } = sectionTables[section];
    const before = new Map<string, { json: string; position: number }>();
    ((current[section] ?? []) as never[]).forEach((record, position) => {
      before.set(idOf(record), { json: JSON.stringify(record), position });
    });
    const records: { record: never; position: number }[] = [];
    const seen = new Set<string>();
    ((next[section] ?? []) as never[]).forEach((record, position) => {
      const id = idOf(record);
      seen.add(id);
      const old = before.get(id);
      if (old === undefined) plan.counts.created += 1;
      else if (old.json !== JSON.stringify(record)) plan.counts.updated += 1;
      else if (old.position === position) return;
      records.push({ record, position });
    });
    plan.upserts.push({ section, records });
    const gone = [...before.keys()].filter((id) => !seen.has(id));
    plan.counts.removed += gone.length;
    plan.removals.push({ section, ids: gone });
  }
  return plan;
}

/**
 * Writes the difference between `current` (what the tables hold) and `next` (both canonical).
 * A removed record still referenced by another table fails with Postgres error 23503.
 */
export async function syncRegistry(
  tx: Queryable,
  current: RegistryFile,
  next: RegistryFile,
  now: Date,
): Promise<SyncCounts> {
  const plan = planSync(current, next);
  await tx
    .insert(registryMeta)
    .values({ key: headerKey, value: headerOf(next) })
    .onConflictDoUpdate({ target: registryMeta.key, set: { value: headerOf(next) } });
  for (const { section, records } of plan.upserts) {
    const { table, key, toRow } = sectionTables[section];
    const rows = records.map(({ record, position }) => toRow(record, position, now));
    for (const chunk of chunks(rows)) await upsert(tx, table, key, chunk);
  }
  for (const section of deleteOrder) {
    const ids = plan.removals.find((removal) => removal.section === section)?.ids ?? [];
    const { table, key } = sectionTables[section];
    const column = getTableColumns(table)[key];
    if (column === undefined) throw new Error(`no column ${key}`);
    for (const chunk of chunks(ids)) await tx.delete(table).where(inArray(column, chunk));
  }
  return plan.counts;
}

async function upsert(
  tx: Queryable,
  table: PgTable,
  key: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const columns = getTableColumns(table);
  const target = columns[key];
  if (target === undefined) throw new Error(`no column ${key}`);
  const set: Record<string, SQL> = {};
  for (const [property, column] of Object.entries(columns)) {
    if (property !== key) set[property] = sql.raw(`excluded."${column.name}"`);
  }
  await tx.insert(table).values(rows).onConflictDoUpdate({ target, set });
}

function headerOf(registry: RegistryFile): Header {
  return {
    ...(registry.notice === undefined ? {} : { notice: registry.notice }),
    ...(registry.network === undefined ? {} : { network: registry.network }),
  };
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += chunkSize) yield items.slice(start, start + chunkSize);
}

export async function isRegistryEmpty(db: Queryable): Promise<boolean> {
  const [countryCount] = await db.select({ value: count() }).from(countries);
  const [competenceCount] = await db.select({ value: count() }).from(competences);
  return (countryCount?.value ?? 0) === 0 && (competenceCount?.value ?? 0) === 0;
}

export async function countryExists(db: Queryable, iso2: string): Promise<boolean> {
  const rows = await db
    .select({ iso2: countries.iso2 })
    .from(countries)
    .where(sql`${countries.iso2} = ${iso2}`);
  return rows.length > 0;
}

export async function contactExists(db: Queryable, id: string): Promise<boolean> {
  const rows = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(sql`${contacts.id} = ${id}`);
  return rows.length > 0;
}

/** Is this error Postgres refusing to delete a row another table still points at? */
export function isForeignKeyViolation(error: unknown): boolean {
  for (
    let current: unknown = error;
    typeof current === 'object' && current !== null;
    current = (current as { cause?: unknown }).cause
  ) {
    if ((current as { code?: unknown }).code === '23503') return true;
  }
  return false;
}
