// Finds every string in a decoded input (a JSON body, a query, a registry file) that breaks the
// text rules, walking the value together with its schema: the schema says which strings may span
// lines (`x-text: "multiline"`) and which are a person's chat text that the conversation engine
// cleans itself (`x-text: "chat"`). Object keys are text too (`{"\u0000": 1}` would reach a jsonb
// column just the same). The walk keeps its own stack, so deeply nested input cannot overflow the
// call stack.
import { quotableText, unsafeTextReason } from './text-rules.ts';

/** Schema annotation (OpenAPI extension) that marks how a string is checked. */
export const textKindKeyword = 'x-text';
/** `{ "x-text": "multiline" }`: tab and line breaks allowed. */
export const multilineText = { [textKindKeyword]: 'multiline' } as const;
/**
 * `{ "x-text": "chat" }`: not refused at the edge; the conversation engine drops what must not
 * pass, as for a message typed on any messenger.
 */
export const chatText = { [textKindKeyword]: 'chat' } as const;

export interface TextProblem {
  /** Where, as a JSON pointer below `basePath` (`body/contacts/3/name/en`). */
  path: string;
  message: string;
}

type SchemaNode = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every alternative a node stands for: the node itself and the branches of its unions. */
function alternatives(schemas: readonly SchemaNode[]): SchemaNode[] {
  const result: SchemaNode[] = [];
  const pending = [...schemas];
  while (pending.length > 0) {
    const schema = pending.pop() as SchemaNode;
    result.push(schema);
    for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
      const branches = schema[keyword];
      if (Array.isArray(branches)) pending.push(...branches.filter(isObject));
    }
  }
  return result;
}

// Patterns come from our own schemas (patternProperties), a handful: bounded by the program.
const patternCache = new Map<string, RegExp | null>();
function matches(pattern: string, key: string): boolean {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      compiled = null;
    }
    patternCache.set(pattern, compiled);
  }
  return compiled?.test(key) ?? false;
}

function propertySchemas(schemas: readonly SchemaNode[], key: string): SchemaNode[] {
  const result: SchemaNode[] = [];
  for (const schema of schemas) {
    const properties = schema.properties;
    if (isObject(properties) && Object.hasOwn(properties, key) && isObject(properties[key])) {
      result.push(properties[key]);
      continue;
    }
    const patterns = schema.patternProperties;
    if (isObject(patterns)) {
      for (const [pattern, child] of Object.entries(patterns))
        if (isObject(child) && matches(pattern, key)) result.push(child);
    }
    if (isObject(schema.additionalProperties)) result.push(schema.additionalProperties);
  }
  return result;
}

function itemSchemas(schemas: readonly SchemaNode[], index: number): SchemaNode[] {
  const result: SchemaNode[] = [];
  for (const schema of schemas) {
    const prefix = schema.prefixItems;
    if (Array.isArray(prefix) && isObject(prefix[index])) result.push(prefix[index]);
    else if (isObject(schema.items)) result.push(schema.items);
  }
  return result;
}

const pointerSegment = (key: string): string =>
  quotableText(key.replaceAll('~', '~0').replaceAll('/', '~1'), 64);

/**
 * The text problems of `value`, at most `limit` of them (a broken file need not list a million).
 * `schema` may be undefined: then every string is single-line text.
 */
export function textProblems(
  value: unknown,
  schema: unknown,
  options: { basePath?: string; limit?: number } = {},
): TextProblem[] {
  const limit = options.limit ?? 100;
  const problems: TextProblem[] = [];
  const stack: { value: unknown; schemas: SchemaNode[]; path: string }[] = [
    { value, schemas: isObject(schema) ? [schema] : [], path: options.basePath ?? '' },
  ];
  while (stack.length > 0 && problems.length < limit) {
    const { value: current, schemas, path } = stack.pop() as (typeof stack)[number];
    const candidates = alternatives(schemas);
    const kinds = new Set(candidates.map((candidate) => candidate[textKindKeyword]));
    if (kinds.has('chat')) continue;
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current, { multiline: kinds.has('multiline') });
      if (reason !== undefined) problems.push({ path, message: reason });
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        stack.push({
          value: current[index],
          schemas: itemSchemas(candidates, index),
          path: `${path}/${index}`,
        });
    } else if (isObject(current)) {
      const keys = Object.keys(current);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index] as string;
        const keyPath = `${path}/${pointerSegment(key)}`;
        const keyReason = unsafeTextReason(key);
        if (keyReason !== undefined) {
          problems.push({ path: keyPath, message: `field name ${keyReason}` });
          continue;
        }
        stack.push({ value: current[key], schemas: propertySchemas(candidates, key), path: keyPath });
      }
    }
  }
  return problems;
}
