// Turns TypeBox validation errors into problems a person can act on: one line per problem, with
// the JSON pointer of the offending value. Raw errors of a union repeat themselves once per branch
// ("must be null", "must be object", "must match a schema in anyOf"), which reads as noise.
import { Compile, type Validator } from 'typebox/compile';
import { Settings } from 'typebox/system';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { patternDescriptions } from './registry-format.ts';

/** One thing wrong with an input, located by its JSON pointer (`/contacts/3/authority`). */
export interface Problem {
  path: string;
  message: string;
}

interface RawError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

// TypeBox stops after `maxErrors` (8 by default, a process-wide setting). An import must list
// every problem, so the limit is raised for the duration of one synchronous call only.
const errorsPerValue = 500;

const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** Problems of `value` against `schema`; empty when it conforms. Paths are prefixed with `basePath`. */
export function schemaProblems(schema: TSchema, value: unknown, basePath = ''): Problem[] {
  if (validatorOf(schema).Check(value)) return [];
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: errorsPerValue });
  let errors: RawError[];
  try {
    errors = Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
  return humanize(errors).map((problem) => ({ path: basePath + problem.path, message: problem.message }));
}

/** Raw TypeBox errors to problems; exported for the HTTP validator, which gets raw errors. */
export function humanize(errors: readonly RawError[]): Problem[] {
  // Where each union sits: its "anyOf" summary error carries the instance path of the union.
  const unionInstances = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf') continue;
    unionInstances.set(error.schemaPath, [
      ...(unionInstances.get(error.schemaPath) ?? []),
      error.instancePath,
    ]);
  }
  const unionOf = (error: RawError): { key: string; instancePath: string } | undefined => {
    const index = error.schemaPath.lastIndexOf('/anyOf/');
    if (index < 0) return undefined;
    const schemaPath = error.schemaPath.slice(0, index);
    const candidates = (unionInstances.get(schemaPath) ?? []).filter(
      (path) => error.instancePath === path || error.instancePath.startsWith(`${path}/`),
    );
    const instancePath = candidates.sort((a, b) => b.length - a.length)[0] ?? error.instancePath;
    return { key: `${schemaPath}@${instancePath}`, instancePath };
  };

  const branchRoots = new Map<string, RawError[]>();
  const unionsWithDeeperErrors = new Set<string>();
  for (const error of errors) {
    const union = unionOf(error);
    if (union === undefined) continue;
    const isBranchRoot = /\/anyOf\/\d+$/.test(error.schemaPath) && error.instancePath === union.instancePath;
    if (isBranchRoot && (error.keyword === 'type' || error.keyword === 'const')) {
      branchRoots.set(union.key, [...(branchRoots.get(union.key) ?? []), error]);
    } else {
      unionsWithDeeperErrors.add(union.key);
    }
  }

  const problems: Problem[] = [];
  const mergedUnions = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'additionalProperties') continue;
    const union = unionOf(error);
    if (union !== undefined && branchRoots.get(union.key)?.includes(error)) {
      // The value had the type of some branch: that branch's own errors say what is wrong.
      if (unionsWithDeeperErrors.has(union.key) || mergedUnions.has(union.key)) continue;
      mergedUnions.add(union.key);
      problems.push({ path: union.instancePath, message: describeUnion(branchRoots.get(union.key) ?? []) });
      continue;
    }
    problems.push(...describe(error));
  }
  return dedupe(problems);
}

function describeUnion(branchErrors: readonly RawError[]): string {
  const byBranch = new Map<string, string>();
  for (const error of branchErrors) {
    const branch = /\/anyOf\/(\d+)$/.exec(error.schemaPath)?.[1] ?? '';
    if (error.keyword === 'const') byBranch.set(branch, JSON.stringify(error.params.allowedValue));
    else if (!byBranch.has(branch)) byBranch.set(branch, String(error.params.type));
  }
  const options = [...byBranch.values()];
  if (options.length <= 2) return `must be ${options.join(' or ')}`;
  return `must be one of ${options.join(', ')}`;
}

function describe(error: RawError): Problem[] {
  const path = error.instancePath;
  switch (error.keyword) {
    case 'boolean':
      return [
        {
          path,
          message: error.schemaPath.endsWith('/additionalProperties') ? 'unknown field' : error.message,
        },
      ];
    case 'required': {
      const missing = (error.params.requiredProperties as string[] | undefined) ?? [];
      return missing.map((name) => ({ path: `${path}/${name}`, message: 'is required' }));
    }
    case 'pattern':
      return [{ path, message: patternDescriptions[String(error.params.pattern)] ?? error.message }];
    case 'uniqueItems':
      return [{ path, message: 'must not list the same value twice' }];
    case 'const':
      return [{ path, message: `must be ${JSON.stringify(error.params.allowedValue)}` }];
    case 'minItems':
      return [{ path, message: error.params.limit === 1 ? 'must not be empty' : error.message }];
    case 'minProperties':
      return [{ path, message: 'must contain at least one field' }];
    default:
      return [{ path, message: error.message }];
  }
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
