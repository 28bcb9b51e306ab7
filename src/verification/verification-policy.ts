// The re-verification policy file: validated at start (every problem listed), then read per country.
import { readFile } from 'node:fs/promises';
import { Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/index.ts';

export interface VerificationPolicy {
  everyMs: number;
  remindAfterMs: number;
  reminders: number;
}

/** When coordinators get their weekly digest: ISO weekday (1 = Monday) and hour, in their own time. */
export interface DigestSchedule {
  weekday: number;
  hour: number;
}

export interface VerificationPolicies {
  forCountry(country: string): VerificationPolicy;
  unreachableAfterFailures: number;
  digest: DigestSchedule;
}

export class VerificationPolicyError extends ConfigError {
  constructor(file: string, problems: readonly string[]) {
    super(problems.map((problem) => `VERIFICATION_POLICY_FILE (${file}): ${problem}`));
    this.name = 'VerificationPolicyError';
  }
}

const builtIn: VerificationPolicy = {
  everyMs: Duration.fromISO('P6M').toMillis(),
  remindAfterMs: Duration.fromISO('P7D').toMillis(),
  reminders: 2,
};
const fields = ['every', 'remindAfter', 'reminders'];

export async function loadVerificationPolicies(file: string): Promise<VerificationPolicies> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new VerificationPolicyError(file, [
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  return parseVerificationPolicies(text, file);
}

export function parseVerificationPolicies(text: string, file = 'verification policy'): VerificationPolicies {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new VerificationPolicyError(file, [
      `not valid YAML or JSON: ${(error as Error).message.split('\n')[0] ?? ''}`,
    ]);
  }
  const problems: string[] = [];
  const root = isObject(document) ? document : {};
  if (!isObject(document)) problems.push('the file must be a mapping with a `default` policy');
  for (const key of Object.keys(root))
    if (!['default', 'countries', 'unreachableAfterFailures', 'digest'].includes(key))
      problems.push(`unknown key "${key}" (expected default, countries, unreachableAfterFailures, digest)`);

  const read = (value: unknown, at: string, base: VerificationPolicy): VerificationPolicy => {
    if (value === undefined || value === null) return base;
    if (!isObject(value)) {
      problems.push(`${at} must be a mapping`);
      return base;
    }
    const policy = { ...base };
    for (const [key, raw] of Object.entries(value)) {
      if (!fields.includes(key)) problems.push(`${at}.${key}: unknown key (expected ${fields.join(', ')})`);
      else if (key === 'reminders') {
        if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 10)
          problems.push(`${at}.reminders: a whole number from 0 to 10`);
        else policy.reminders = raw;
      } else {
        const duration = typeof raw === 'string' ? Duration.fromISO(raw) : undefined;
        const ms = duration?.isValid === true ? duration.toMillis() : 0;
        if (ms <= 0) problems.push(`${at}.${key}: an ISO 8601 duration such as P6M or PT30S`);
        else if (key === 'every') policy.everyMs = ms;
        else policy.remindAfterMs = ms;
      }
    }
    return policy;
  };

  const fallback = read(root.default, 'default', builtIn);
  const byCountry = new Map<string, VerificationPolicy>();
  const countries = root.countries ?? {};
  if (!isObject(countries)) problems.push('countries must be a mapping of ISO 3166 codes');
  else
    for (const [code, value] of Object.entries(countries)) {
      if (!/^[A-Z]{2}$/.test(code)) problems.push(`countries.${code}: not an ISO 3166 alpha-2 code`);
      byCountry.set(code, read(value, `countries.${code}`, fallback));
    }
  const failures = root.unreachableAfterFailures ?? 3;
  if (typeof failures !== 'number' || !Number.isInteger(failures) || failures < 1 || failures > 100)
    problems.push('unreachableAfterFailures: a whole number from 1 to 100');
  const digest = readDigest(root.digest, problems);
  if (problems.length > 0) throw new VerificationPolicyError(file, problems);
  return {
    forCountry: (country) => byCountry.get(country) ?? fallback,
    unreachableAfterFailures: failures as number,
    digest,
  };
}

function readDigest(value: unknown, problems: string[]): DigestSchedule {
  const digest = { weekday: 1, hour: 9 };
  if (value === undefined || value === null) return digest;
  if (!isObject(value)) {
    problems.push('digest must be a mapping with weekday and hour');
    return digest;
  }
  for (const [key, raw] of Object.entries(value)) {
    const whole = typeof raw === 'number' && Number.isInteger(raw);
    if (key === 'weekday') {
      if (!whole || raw < 1 || raw > 7) problems.push('digest.weekday: 1 (Monday) to 7 (Sunday)');
      else digest.weekday = raw;
    } else if (key === 'hour') {
      if (!whole || raw < 0 || raw > 23) problems.push('digest.hour: a whole hour from 0 to 23');
      else digest.hour = raw;
    } else problems.push(`digest.${key}: unknown key (expected weekday, hour)`);
  }
  return digest;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
