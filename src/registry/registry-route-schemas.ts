// Request and response schemas of the registry API. Records travel in the registry file format,
// so what the API returns can be pasted into a registry file and back.
import { Type, type TSchema } from 'typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { countryNameLocales } from './country-names.ts';
import {
  AuthorityRecord,
  CompetenceRecord,
  ContactRecord,
  Language,
  LocalizedTextSchema,
  RegistryFileSchema,
  RequirementRecord,
  TreatyRecord,
  patterns,
  serverOwnedFields,
} from './registry-format.ts';
import { schemaProblems } from './schema-problems.ts';
import { pagingQuery, errorResponses } from '../http/index.ts';

export const readErrors = errorResponses(400, 401, 403, 404);
export const writeErrors = errorResponses(400, 401, 403, 404, 409, 413, 415);

/** A record id in a path: malformed is a 400, well-formed but unknown a 404. */
export const IdParams = Type.Object(
  { id: Type.String({ pattern: patterns.recordId, description: 'A record id, e.g. kg-001.' }) },
  { additionalProperties: false },
);

const paging = {
  limit: Type.Optional(pagingQuery.limit),
  offset: Type.Optional(pagingQuery.offset),
};
const CountryFilter = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2, any case.' });
const CompetenceFilter = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'A competence id, e.g. extradition.',
});

export const PageQuery = Type.Object(paging, { additionalProperties: false });

export const ContactQuery = Type.Object(
  {
    country: Type.Optional(CountryFilter),
    competence: Type.Optional(CompetenceFilter),
    status: Type.Optional(
      Type.Union(
        [Type.Literal('active'), Type.Literal('retired'), Type.Literal('suspended'), Type.Literal('all')],
        { description: 'Default active: lists show current records; all: every record.' },
      ),
    ),
    authority: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    stale: Type.Optional(
      Type.Boolean({ description: 'true: verified more than 12 months ago; false: verified since.' }),
    ),
    ...paging,
  },
  { additionalProperties: false },
);

export const AuthorityQuery = Type.Object(
  {
    country: Type.Optional(CountryFilter),
    competence: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Central authority for this competence.' }),
    ),
    ...paging,
  },
  { additionalProperties: false },
);

export const TreatyQuery = Type.Object(
  {
    country: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{2}$', description: 'A party (treaties open to all included).' }),
    ),
    competence: Type.Optional(CompetenceFilter),
    ...paging,
  },
  { additionalProperties: false },
);

export const RequirementQuery = Type.Object(
  {
    country: Type.Optional(CountryFilter),
    competence: Type.Optional(CompetenceFilter),
    askerCountry: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z]{2}$',
        description: "Legal bases link this country with the sheet's; default: the caller's country.",
      }),
    ),
    ...paging,
  },
  { additionalProperties: false },
);

export const ImportQuery = Type.Object(
  { dryRun: Type.Optional(Type.Boolean({ description: 'Validate and count only; nothing changes.' })) },
  { additionalProperties: false },
);

const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

export const CountryListing = Type.Object({
  iso2: Type.String(),
  name: Type.Object(Object.fromEntries(countryNameLocales.map((locale) => [locale, Type.String()]))),
  timezone: Type.String(),
  languages: Type.Array(Language),
  capital: Type.Union([Type.String(), Type.Null()]),
});

export const CountryPage = pageOf(CountryListing);
export const CompetencePage = pageOf(CompetenceRecord);
export const AuthorityPage = pageOf(AuthorityRecord);
export const ContactPage = pageOf(ContactRecord);
export const TreatyPage = pageOf(TreatyRecord);
export const RequirementPage = pageOf(
  Type.Object({
    ...RequirementRecord.properties,
    derived: Type.Object({
      fallbackFor: Type.Union([Type.String(), Type.Null()]),
      stale: Type.Boolean(),
      legalBases: Type.Array(Type.Object({ id: Type.String(), name: LocalizedTextSchema })),
    }),
  }),
);
export { LocalizedTextSchema };

export const ImportSummaryBody = Type.Object({
  dryRun: Type.Boolean(),
  competences: Type.Integer(),
  countries: Type.Integer(),
  authorities: Type.Integer(),
  contacts: Type.Integer(),
  treaties: Type.Integer(),
  requirements: Type.Integer({ description: 'Requirement sheets.' }),
  created: Type.Integer({ description: 'Records that are new.' }),
  updated: Type.Integer({ description: 'Records whose content changed.' }),
  removed: Type.Integer({ description: 'Records no longer in the registry.' }),
});

/**
 * The import body is documented with the file schema but checked by the registry validator, which
 * reports shape and reference problems together, with the same paths as the CLI.
 */
export const ImportBody = {
  ...RegistryFileSchema,
  'x-validated-by': 'registry-validator',
} as unknown as typeof RegistryFileSchema;

/**
 * Validation for the registry routes with TypeBox itself: bodies are checked strictly (a number
 * where text belongs is an error, never silently converted), query strings and params are
 * converted from text and get their defaults.
 */
export const registryValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if ((schema as Record<string, unknown>)['x-validated-by'] !== undefined)
    return (value: unknown) => ({ value });
  const prepare = httpPart === 'body' ? (input: unknown) => input : textConverter(schema);
  return (input: unknown) => {
    const value = prepare(input);
    const problems = schemaProblems(schema, value);
    if (problems.length === 0) return { value };
    return {
      error: problems.map((problem) => {
        const field = problem.message === 'unknown field' ? problem.path.split('/').pop() : undefined;
        const serverOwned = (serverOwnedFields as readonly (string | undefined)[]).includes(field);
        return {
          keyword: field === undefined ? 'schema' : 'additionalProperties',
          instancePath: problem.path,
          schemaPath: '',
          params: field === undefined ? {} : { additionalProperty: field },
          message: serverOwned
            ? 'is set by the server: verifying a record (POST .../{id}/verify) records who and when'
            : problem.message,
        };
      }),
    } as never;
  };
};

/**
 * Converts query-string text to the numbers and booleans a flat object schema asks for and fills
 * in defaults. Precomputed per schema: this runs on every read, and TypeBox's generic
 * `Value.Convert` costs more than the rest of a contacts lookup.
 */
function textConverter(schema: TSchema): (input: unknown) => unknown {
  const properties = Object.entries(
    (schema as { properties?: Record<string, { type?: unknown; default?: unknown }> }).properties ?? {},
  );
  if (properties.length === 0) return (input) => input;
  const numeric = new Set(
    properties
      .filter(([, property]) => property.type === 'integer' || property.type === 'number')
      .map(([key]) => key),
  );
  const booleans = new Set(
    properties.filter(([, property]) => property.type === 'boolean').map(([key]) => key),
  );
  const defaults = properties
    .filter(([, property]) => property.default !== undefined)
    .map(([key, property]) => [key, property.default] as const);
  return (input) => {
    if (typeof input !== 'object' || input === null) return input;
    const output: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const [key, value] of Object.entries(output)) {
      if (typeof value !== 'string') continue;
      if (numeric.has(key) && /^-?\d+(\.\d+)?$/.test(value)) output[key] = Number(value);
      else if (booleans.has(key) && (value === 'true' || value === 'false')) output[key] = value === 'true';
    }
    for (const [key, value] of defaults) if (output[key] === undefined) output[key] = value;
    return output;
  };
}
