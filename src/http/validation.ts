import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const common: Options = {
  // Unknown fields are an error, not silently dropped: a typo must not look like success.
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strict: false,
};

/**
 * Query strings, path parameters and headers arrive as text, so they are coerced ("50" -> 50);
 * bodies are JSON and must already have the right types (`{"name": 42}` is an error, not "42").
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const coercing = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  const exact = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema as object);
}
