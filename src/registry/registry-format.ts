// The registry file format ("counterpart-registry", version 1), as TypeBox schemas. The same
// schemas validate imports, the REST API bodies and document both in OpenAPI.
import { Type, type Static, type TSchema } from 'typebox';
import { multilineText } from '../text/index.ts';

export const registryFormatName = 'counterpart-registry';
export const registryFormatVersion = 1;

/** Named patterns; `schema-problems.ts` turns a failed pattern into a sentence from this table. */
export const patterns = {
  recordId: '^[a-z0-9][a-z0-9._-]{0,63}$',
  vocabularyId: '^[a-z][a-z0-9_]{0,63}$',
  iso2: '^[A-Z]{2}$',
  language: '^[a-z]{2,3}$',
  date: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  time: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
} as const;

export const patternDescriptions: Record<string, string> = {
  [patterns.recordId]: 'must be an id of lowercase letters, digits, ".", "_" or "-" (at most 64)',
  [patterns.vocabularyId]: 'must be an identifier of lowercase letters, digits and "_"',
  [patterns.iso2]: 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. "KG"',
  [patterns.language]: 'must be an ISO 639 language code in lowercase, e.g. "ru"',
  [patterns.date]: 'must be a date "YYYY-MM-DD"',
  [patterns.time]: 'must be a time "HH:MM" (00:00 to 23:59)',
};

export const contactStatuses = ['active', 'retired', 'suspended'] as const;
export const proceedingStages = ['pre_trial', 'trial', 'enforcement'] as const;

const text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const list = <T extends TSchema>(item: T, options: { minItems?: number } = {}) =>
  Type.Array(item, { uniqueItems: true, maxItems: 100, ...options });
const nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

export const RecordId = Type.String({ pattern: patterns.recordId });
export const VocabularyId = Type.String({ pattern: patterns.vocabularyId });
export const Iso2 = Type.String({ pattern: patterns.iso2 });
export const Language = Type.String({ pattern: patterns.language });
export const IsoDate = Type.String({ pattern: patterns.date });
export const LocalTime = Type.String({ pattern: patterns.time });

/** `{ "en": "...", "ru": "..." }`; English is required so every reader has a fallback. */
export const LocalizedTextSchema = Type.Record(Language, text(500), { additionalProperties: false });

/**
 * Text people read that a registry may give in one language (a plain string, as files written
 * before translations had) or per language (`{ "en": "...", "ru": "..." }`, English required).
 * Either form is stored and exported as written.
 */
const readable = (maxLength: number, kind: typeof multilineText | object = {}) => {
  const words = Type.String({ ...kind, minLength: 1, maxLength });
  return Type.Union([words, Type.Record(Language, words, { additionalProperties: false, minProperties: 1 })]);
};

export const CompetenceRecord = Type.Object(
  { id: VocabularyId, label: LocalizedTextSchema },
  { additionalProperties: false, description: 'A competence of the vocabulary, e.g. extradition.' },
);

export const CountryRecord = Type.Object(
  {
    iso2: Iso2,
    timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Bishkek.' }),
    languages: list(Language, { minItems: 1 }),
    capital: Type.Optional(nullable(text(200))),
  },
  { additionalProperties: false },
);

export const AuthorityRecord = Type.Object(
  {
    id: RecordId,
    country: Iso2,
    name: LocalizedTextSchema,
    kind: VocabularyId,
    centralAuthorityFor: list(VocabularyId),
    stages: list(Type.Union([Type.Literal('pre_trial'), Type.Literal('trial'), Type.Literal('enforcement')])),
    requestLanguages: list(Language),
    acceptedChannels: list(VocabularyId),
    urgentProcedure: Type.Optional(nullable(readable(2000, multilineText))),
  },
  { additionalProperties: false },
);

export const WorkingHoursSchema = Type.Object(
  {
    days: list(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1 }),
    start: LocalTime,
    end: LocalTime,
  },
  {
    additionalProperties: false,
    description: 'ISO weekdays (1 = Monday) and local times in the country time zone.',
  },
);

export const OutOfOfficeSchema = Type.Object(
  { start: IsoDate, end: IsoDate, note: Type.Optional(nullable(readable(500))) },
  { additionalProperties: false, description: 'First and last day away (inclusive).' },
);

/** How to reach a contact, in order of preference: `{ "phone": "...", "email": "..." }`. */
export const ChannelsSchema = Type.Record(VocabularyId, text(300), { additionalProperties: false });

const contactFields = {
  authority: RecordId,
  country: Iso2,
  name: LocalizedTextSchema,
  title: readable(300),
  competences: list(VocabularyId, { minItems: 1 }),
  languages: list(Language, { minItems: 1 }),
  channels: ChannelsSchema,
  workingHours: WorkingHoursSchema,
  verifiedAt: IsoDate,
  verifiedBy: Type.Optional(text(200)),
  status: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('suspended')]),
  outOfOffice: Type.Optional(nullable(OutOfOfficeSchema)),
  deputy: Type.Optional(nullable(RecordId)),
};

export const ContactRecord = Type.Object({ id: RecordId, ...contactFields }, { additionalProperties: false });

/** Who vouched for a record and when: in registry files, never in what an API caller sends. */
export const serverOwnedFields = ['verifiedAt', 'verifiedBy'] as const;

/**
 * A new contact through the API. Verification belongs to the server: the record counts as verified
 * now by its creator, and only `POST /v1/contacts/{id}/verify` vouches for it again later.
 */
export const NewContactRecord = Type.Omit(ContactRecord, serverOwnedFields, { additionalProperties: false });

/** Any fields of a contact except its id and its verification. */
export const ContactChanges = Type.Partial(Type.Omit(ContactRecord, ['id', ...serverOwnedFields]), {
  additionalProperties: false,
  minProperties: 1,
});

export const AuthorityChanges = Type.Partial(Type.Omit(AuthorityRecord, ['id']), {
  additionalProperties: false,
  minProperties: 1,
});

export const TreatyRecord = Type.Object(
  {
    id: RecordId,
    name: LocalizedTextSchema,
    covers: list(VocabularyId, { minItems: 1 }),
    parties: Type.Union([Type.Literal('all'), Type.Array(Iso2, { uniqueItems: true, maxItems: 300 })], {
      description: '"all" when every state may be party, else the ISO codes of the parties.',
    }),
  },
  { additionalProperties: false },
);

export const TreatyChanges = Type.Partial(Type.Omit(TreatyRecord, ['id']), {
  additionalProperties: false,
  minProperties: 1,
});

/**
 * The parts a request must contain, in the order a request is written. Each has a label in every
 * language the bot speaks (i18n `element-<id>`); a sheet may add its own elements with a label.
 */
export const requestElementIds = [
  'summary_of_facts',
  'legal_qualification',
  'provisions_text',
  'assistance_sought',
  'persons_concerned',
  'accounts_and_assets',
  'data_identifiers',
  'link_to_offence',
  'dual_criminality',
  'deadlines_and_urgency',
  'confidentiality',
  'use_of_results',
  'judicial_decision',
  'guarantees',
] as const;

export const RequirementElement = Type.Object(
  {
    id: VocabularyId,
    label: Type.Optional(LocalizedTextSchema),
    hint: Type.Optional(LocalizedTextSchema),
    required: Type.Optional(Type.Boolean({ description: 'Default true; false: include when it applies.' })),
  },
  {
    additionalProperties: false,
    description: `An element a request must contain; built-in ids (${requestElementIds.join(', ')}) need no label.`,
  },
);

export const RequirementAuthority = Type.Object(
  {
    authority: RecordId,
    stages: Type.Optional(
      list(Type.Union([Type.Literal('pre_trial'), Type.Literal('trial'), Type.Literal('enforcement')])),
    ),
  },
  {
    additionalProperties: false,
    description: 'A central authority and the stages it handles (all if absent).',
  },
);

const localizedList = list(LocalizedTextSchema);

const requirementFields = {
  country: Iso2,
  competence: Type.Union([Type.Null(), VocabularyId], {
    description: 'The competence the sheet is for; null: the country-wide default.',
  }),
  demo: Type.Optional(
    Type.Boolean({ description: 'Demo data written from public facts, not an official sheet.' }),
  ),
  centralAuthorities: list(RequirementAuthority),
  languages: list(Language, { minItems: 1 }),
  certifiedTranslation: Type.Boolean({ description: 'Must a translation be certified?' }),
  channels: list(VocabularyId),
  elements: list(RequirementElement),
  documents: localizedList,
  urgentRoute: nullable(LocalizedTextSchema),
  returnReasons: localizedList,
  retention: nullable(LocalizedTextSchema),
  notes: Type.Optional(nullable(LocalizedTextSchema)),
};

/** What a country needs in a request for one competence (or for all: `competence` null). */
export const RequirementRecord = Type.Object(
  {
    id: RecordId,
    ...requirementFields,
    verifiedAt: IsoDate,
    verifiedBy: Type.Optional(text(200)),
  },
  { additionalProperties: false },
);

/** A new sheet through the API: verification belongs to the server (now, by the caller). */
export const NewRequirementRecord = Type.Object(
  { id: RecordId, ...requirementFields },
  { additionalProperties: false },
);

export const RequirementChanges = Type.Partial(
  Type.Object(requirementFields, { additionalProperties: false }),
  {
    additionalProperties: false,
    minProperties: 1,
  },
);

export const NetworkSchema = Type.Object(
  { id: RecordId, name: LocalizedTextSchema },
  { additionalProperties: false },
);

export const RegistryFileSchema = Type.Object(
  {
    format: Type.Literal(registryFormatName),
    version: Type.Literal(registryFormatVersion),
    notice: Type.Optional(Type.String({ ...multilineText, maxLength: 5000 })),
    network: Type.Optional(NetworkSchema),
    competences: Type.Array(CompetenceRecord, { maxItems: 1000 }),
    countries: Type.Array(CountryRecord, { maxItems: 300 }),
    authorities: Type.Array(AuthorityRecord, { maxItems: 10_000 }),
    contacts: Type.Array(ContactRecord, { maxItems: 100_000 }),
    treaties: Type.Array(TreatyRecord, { maxItems: 10_000 }),
    requirements: Type.Optional(Type.Array(RequirementRecord, { maxItems: 10_000 })),
  },
  {
    additionalProperties: false,
    description: 'A whole registry in the counterpart-registry format, version 1.',
  },
);

export type LocalizedTextValue = Static<typeof LocalizedTextSchema>;
/** A plain string or text per language (see `readable`). */
export type ReadableTextValue = string | LocalizedTextValue;
export type CompetenceRecord = Static<typeof CompetenceRecord>;
export type CountryRecord = Static<typeof CountryRecord>;
export type AuthorityRecord = Static<typeof AuthorityRecord>;
export type ContactRecord = Static<typeof ContactRecord>;
export type NewContactRecord = Static<typeof NewContactRecord>;
export type ContactChanges = Static<typeof ContactChanges>;
export type AuthorityChanges = Static<typeof AuthorityChanges>;
export type TreatyRecord = Static<typeof TreatyRecord>;
export type TreatyChanges = Static<typeof TreatyChanges>;
export type RequirementRecord = Static<typeof RequirementRecord>;
export type NewRequirementRecord = Static<typeof NewRequirementRecord>;
export type RequirementChanges = Static<typeof RequirementChanges>;
export type RequirementElement = Static<typeof RequirementElement>;
export type RegistryFile = Static<typeof RegistryFileSchema>;

/** The sections of a registry file holding records, in the order they are written. */
export const registrySections = [
  'competences',
  'countries',
  'authorities',
  'contacts',
  'treaties',
  'requirements',
] as const;
export type RegistrySection = (typeof registrySections)[number];
