import { boolean, date, integer, json, jsonb, pgTable, text, timestamp, index } from 'drizzle-orm/pg-core';

/** Text in several languages, e.g. `{ "en": "...", "ru": "..." }`. */
export type LocalizedText = Record<string, string>;

/** Text people read: one string as the registry file gave it, or per language. */
export type ReadableText = string | LocalizedText;

export interface WorkingHours {
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  days: number[];
  /** Local time "HH:MM" in the contact's country time zone. */
  start: string;
  end: string;
}

export interface OutOfOffice {
  start: string;
  end: string;
  note?: ReadableText | null;
}

// Objects with free keys (localized names, channels) are `json`, not `jsonb`: json keeps the keys
// in the order they were written (a contact's channels are listed in order of preference), so an
// export reproduces the imported file.

/** The registry file's header (format, version, notice, network) kept verbatim for lossless export. */
export const registryMeta = pgTable('registry_meta', {
  key: text('key').primaryKey(),
  value: json('value').notNull(),
});

export const competences = pgTable('competences', {
  id: text('id').primaryKey(),
  label: json('label').$type<LocalizedText>().notNull(),
  position: integer('position').notNull().default(0),
});

export const countries = pgTable('countries', {
  iso2: text('iso2').primaryKey(),
  timezone: text('timezone').notNull(),
  languages: text('languages').array().notNull(),
  capital: text('capital'),
  position: integer('position').notNull().default(0),
});

export const authorities = pgTable(
  'authorities',
  {
    id: text('id').primaryKey(),
    country: text('country')
      .notNull()
      .references(() => countries.iso2),
    name: json('name').$type<LocalizedText>().notNull(),
    kind: text('kind').notNull(),
    centralAuthorityFor: text('central_authority_for').array().notNull(),
    stages: text('stages').array().notNull(),
    requestLanguages: text('request_languages').array().notNull(),
    acceptedChannels: text('accepted_channels').array().notNull(),
    urgentProcedure: json('urgent_procedure').$type<ReadableText | null>(),
    position: integer('position').notNull().default(0),
  },
  (table) => [index('authorities_country_idx').on(table.country)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: text('id').primaryKey(),
    authority: text('authority')
      .notNull()
      .references(() => authorities.id),
    country: text('country')
      .notNull()
      .references(() => countries.iso2),
    name: json('name').$type<LocalizedText>().notNull(),
    title: json('title').$type<ReadableText>().notNull(),
    competences: text('competences').array().notNull(),
    languages: text('languages').array().notNull(),
    channels: json('channels').$type<Record<string, string>>().notNull(),
    workingHours: jsonb('working_hours').$type<WorkingHours>().notNull(),
    verifiedAt: date('verified_at', { mode: 'string' }).notNull(),
    /** Member id of whoever last verified the record; null for imported records. */
    verifiedBy: text('verified_by'),
    status: text('status').$type<'active' | 'retired' | 'suspended'>().notNull(),
    // json, not jsonb: a note given per language keeps its languages in the order written.
    outOfOffice: json('out_of_office').$type<OutOfOffice | null>(),
    deputy: text('deputy'),
    position: integer('position').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('contacts_country_idx').on(table.country),
    index('contacts_authority_idx').on(table.authority),
  ],
);

export const treaties = pgTable('treaties', {
  id: text('id').primaryKey(),
  name: json('name').$type<LocalizedText>().notNull(),
  covers: text('covers').array().notNull(),
  /** Every state may join ("all"), or the listed ISO2 codes. */
  openToAll: boolean('open_to_all').notNull().default(false),
  parties: text('parties').array().notNull(),
  position: integer('position').notNull().default(0),
});

/**
 * Requirement sheets: what a country needs in a request (per competence, or country-wide when
 * `competence` is null). The record is kept whole as `json` so an export reproduces the file; the
 * columns beside it are what queries and references need.
 */
export const requirementSheets = pgTable(
  'requirement_sheets',
  {
    id: text('id').primaryKey(),
    country: text('country')
      .notNull()
      .references(() => countries.iso2),
    competence: text('competence'),
    record: json('record').$type<Record<string, unknown>>().notNull(),
    verifiedAt: date('verified_at', { mode: 'string' }).notNull(),
    position: integer('position').notNull().default(0),
  },
  (table) => [index('requirement_sheets_country_idx').on(table.country)],
);
