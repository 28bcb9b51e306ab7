// The re-verification policy file (config/verification-policy.yaml): per-country overrides take
// what they do not name from the default, and a broken file is refused at start with every problem
// listed (a process must not run a campaign on a half-read policy).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  loadVerificationPolicies,
  parseVerificationPolicies,
  VerificationPolicyError,
} from '../src/verification/verification-policy.ts';

const day = 86_400_000;

describe('the re-verification policy', () => {
  it('ships a valid policy file', async () => {
    const policies = await loadVerificationPolicies('config/verification-policy.yaml');
    expect(policies.forCountry('UZ').reminders).toBeGreaterThanOrEqual(0);
  });

  it('a country override keeps the default for what it does not name', () => {
    const policies = parseVerificationPolicies(`
default: { every: P6M, remindAfter: P10D, reminders: 3 }
countries:
  KG: { every: P3M }
  KZ: { remindAfter: PT5S, reminders: 0 }
unreachableAfterFailures: 4
`);
    expect(policies.forCountry('KG')).toMatchObject({ remindAfterMs: 10 * day, reminders: 3 });
    expect(policies.forCountry('KG').everyMs).toBeLessThan(policies.forCountry('UZ').everyMs);
    expect(policies.forCountry('KZ')).toMatchObject({
      everyMs: policies.forCountry('UZ').everyMs,
      remindAfterMs: 5000,
      reminders: 0,
    });
    expect(policies.unreachableAfterFailures).toBe(4);
  });

  it('refuses a broken file, listing every problem', () => {
    const broken = `
default: { every: soon, reminders: -1, colour: blue }
countries:
  Kyrgyzstan: { every: P3M }
  KZ: { remindAfter: 0 }
extra: true
`;
    let caught: unknown;
    try {
      parseVerificationPolicies(broken, 'policy.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerificationPolicyError);
    const message = (caught as Error).message;
    for (const problem of [
      'default.every',
      'default.reminders',
      'default.colour',
      'countries.Kyrgyzstan',
      'countries.KZ.remindAfter',
      'unknown key "extra"',
    ])
      expect(message).toContain(problem);
  });

  it('any text is either a policy or a VerificationPolicyError, never another failure', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .dictionary(fc.constantFrom('default', 'countries', 'digest', 'x'), fc.anything())
            .map((value) => JSON.stringify(value)),
        ),
        (text) => {
          try {
            parseVerificationPolicies(text);
          } catch (error) {
            expect(error).toBeInstanceOf(VerificationPolicyError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
