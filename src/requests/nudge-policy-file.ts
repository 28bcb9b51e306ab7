import { readFile } from 'node:fs/promises';
import { Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import {
  createNudgePolicies,
  type CountryPairOverride,
  type NudgePolicies,
  type PartialNudgePolicy,
} from './nudge-policy.ts';
import { ConfigError } from '../config/index.ts';

/**
 * Every problem of a policy file, listed at start so an operator fixes them in one go. A
 * configuration error: the entry point prints it and exits.
 */
export class NudgePolicyError extends ConfigError {
  constructor(file: string, problems: readonly string[]) {
    super(problems.map((problem) => `NUDGE_POLICIES_FILE (${file}): ${problem}`));
    this.name = 'NudgePolicyError';
  }
}

const policyFields = [
  'firstNudgeAfter',
  'repeatEvery',
  'escalateAfterUnanswered',
  'urgentFactor',
  'respectWorkingTime',
];
const reservedKeys = new Set(['default', 'countryPairs', 'types']);
const typePattern = /^[a-z][a-z0-9_]{0,63}$/;
const countryPattern = /^([A-Z]{2}|\*)$/;

/** Reads and validates the policy file (YAML, or JSON, which is YAML too). */
export async function loadNudgePolicies(file: string): Promise<NudgePolicies> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NudgePolicyError(file, [
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseNudgePolicies(text, file);
}

/**
 * The file: a `default` policy, one policy per request type (a registry competence id such as
 * `mla` or `extradition`; top level, or under `types:`) and `countryPairs` overrides. See
 * config/nudge-policies.yaml for the documented example.
 */
export function parseNudgePolicies(text: string, file = 'nudge policies'): NudgePolicies {
  const problems: string[] = [];
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new NudgePolicyError(file, [
      `not valid YAML or JSON: ${(error as Error).message.split('\n')[0] ?? ''}`,
    ]);
  }
  if (!isRecord(document))
    throw new NudgePolicyError(file, ['the top level must be a mapping of request types to policies']);

  const types = new Map<string, PartialNudgePolicy>();
  const addType = (name: string, value: unknown, path: string) => {
    if (!typePattern.test(name)) {
      problems.push(
        `${path}: "${name}" is not a request type (lower-case competence id such as mla, extradition)`,
      );
      return;
    }
    types.set(name, readPolicy(value, path, problems));
  };
  for (const [key, value] of Object.entries(document)) {
    if (reservedKeys.has(key)) continue;
    addType(key, value, key);
  }
  if (document.types !== undefined) {
    if (!isRecord(document.types)) problems.push('types: must be a mapping of request types to policies');
    else for (const [key, value] of Object.entries(document.types)) addType(key, value, `types.${key}`);
  }
  const defaults = document.default === undefined ? {} : readPolicy(document.default, 'default', problems);

  const countryPairs: CountryPairOverride[] = [];
  if (document.countryPairs !== undefined) {
    if (!Array.isArray(document.countryPairs)) problems.push('countryPairs: must be a list of overrides');
    else {
      document.countryPairs.forEach((entry: unknown, index) => {
        const path = `countryPairs[${index}]`;
        if (!isRecord(entry)) {
          problems.push(`${path}: must be a mapping with from, to and policy keys`);
          return;
        }
        const { from, to, type, ...rest } = entry;
        const pair: CountryPairOverride = { from: '*', to: '*', ...readPolicy(rest, path, problems) };
        for (const [name, value] of [
          ['from', from],
          ['to', to],
        ] as const) {
          if (typeof value !== 'string' || !countryPattern.test(value)) {
            problems.push(`${path}.${name}: an ISO 3166-1 alpha-2 code (e.g. KZ) or "*" is required`);
          } else pair[name] = value;
        }
        if (type !== undefined) {
          if (typeof type !== 'string' || !typePattern.test(type))
            problems.push(`${path}.type: must be a request type such as mla`);
          else pair.type = type;
        }
        countryPairs.push(pair);
      });
    }
  }
  if (problems.length > 0) throw new NudgePolicyError(file, problems);
  return createNudgePolicies({ defaults, types, countryPairs });
}

function readPolicy(value: unknown, path: string, problems: string[]): PartialNudgePolicy {
  const policy: PartialNudgePolicy = {};
  if (!isRecord(value)) {
    problems.push(`${path}: must be a mapping of ${policyFields.join(', ')}`);
    return policy;
  }
  for (const [key, raw] of Object.entries(value)) {
    const where = `${path}.${key}`;
    switch (key) {
      case 'firstNudgeAfter':
      case 'repeatEvery': {
        const ms = durationMs(raw);
        if (ms === undefined) {
          problems.push(
            `${where}: ${JSON.stringify(raw)} is not a positive ISO 8601 duration (e.g. P14D, PT12H, PT5S)`,
          );
        } else if (key === 'firstNudgeAfter') policy.firstNudgeAfterMs = ms;
        else policy.repeatEveryMs = ms;
        break;
      }
      case 'escalateAfterUnanswered':
        if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 100) {
          problems.push(`${where}: must be a whole number of nudges from 0 (never escalate) to 100`);
        } else policy.escalateAfterUnanswered = raw;
        break;
      case 'urgentFactor':
        if (typeof raw !== 'number' || !(raw > 0 && raw <= 1))
          problems.push(`${where}: must be a number above 0 and at most 1 (0.5 halves)`);
        else policy.urgentFactor = raw;
        break;
      case 'respectWorkingTime':
        if (typeof raw !== 'boolean') problems.push(`${where}: must be true or false`);
        else policy.respectWorkingTime = raw;
        break;
      default:
        problems.push(`${where}: unknown key (allowed: ${policyFields.join(', ')})`);
    }
  }
  return policy;
}

/**
 * ISO 8601 duration to milliseconds. Calendar units use luxon's casual conversion (a month is
 * 30 days, a year 365), which is what "every month" means for a reminder.
 */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const duration = Duration.fromISO(value.trim());
  if (!duration.isValid) return undefined;
  const ms = duration.as('milliseconds');
  return Number.isFinite(ms) && ms >= 1000 ? Math.round(ms) : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
