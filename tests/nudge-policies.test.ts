// The nudge policy file an operator writes: YAML or JSON, ISO 8601 durations, per type, a
// default and country-pair overrides; every mistake listed at start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config.ts';
import { loadNudgePolicies, NudgePolicyError, parseNudgePolicies } from '../src/requests/index.ts';

const day = 86_400_000;

describe('the nudge policy file', () => {
  it('the shipped file is valid: MLA after 14 days then monthly, extradition tighter, urgent halved', async () => {
    const policies = await loadNudgePolicies(
      join(import.meta.dirname, '..', 'config', 'nudge-policies.yaml'),
    );
    expect(policies.intervals('mla', 'KZ', 'KG', false)).toMatchObject({
      firstNudgeAfterMs: 14 * day,
      repeatEveryMs: 30 * day,
      escalateAfterUnanswered: 3,
    });
    const extradition = policies.intervals('extradition', 'KZ', 'KG', false);
    expect(extradition.firstNudgeAfterMs).toBeLessThan(14 * day);
    expect(policies.intervals('mla', 'KZ', 'KG', true)).toMatchObject({
      firstNudgeAfterMs: 7 * day,
      repeatEveryMs: 15 * day,
    });
    // A type the file does not name follows the default.
    expect(policies.intervals('jit', 'KZ', 'KG', false).firstNudgeAfterMs).toBe(14 * day);
  });

  it('accepts JSON and durations in seconds, for drills', () => {
    const policies = parseNudgePolicies(
      JSON.stringify({
        default: { firstNudgeAfter: 'PT5S', repeatEvery: 'PT10S', escalateAfterUnanswered: 2 },
      }),
    );
    expect(policies.intervals('mla', 'KZ', 'UZ', false)).toMatchObject({
      firstNudgeAfterMs: 5000,
      repeatEveryMs: 10_000,
      escalateAfterUnanswered: 2,
    });
  });

  it('country-pair overrides apply to their pair only, the typed ones over the untyped', () => {
    const policies = parseNudgePolicies(`
default: { firstNudgeAfter: P14D, repeatEvery: P30D, escalateAfterUnanswered: 3 }
extradition: { firstNudgeAfter: P7D }
countryPairs:
  - { from: KZ, to: UZ, type: extradition, firstNudgeAfter: P5D }
  - { from: "*", to: UZ, firstNudgeAfter: P10D, repeatEvery: P20D }
`);
    expect(policies.intervals('extradition', 'KZ', 'UZ', false)).toMatchObject({
      firstNudgeAfterMs: 5 * day,
      repeatEveryMs: 20 * day,
    });
    expect(policies.intervals('extradition', 'KG', 'UZ', false).firstNudgeAfterMs).toBe(10 * day);
    expect(policies.intervals('extradition', 'KZ', 'KG', false).firstNudgeAfterMs).toBe(7 * day);
    expect(policies.intervals('mla', 'KZ', 'UZ', false).firstNudgeAfterMs).toBe(10 * day);
  });

  it('lists every mistake at once, naming where it is', () => {
    let error: unknown;
    try {
      parseNudgePolicies(`
default: { firstNudgeAfter: 14 days, repeatEvery: P30D, escalateAfterUnanswered: -1 }
mla: { repeatEvry: P30D, urgentFactor: 2 }
countryPairs:
  - { from: Kazakhstan, to: UZ, firstNudgeAfter: PT0S }
`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NudgePolicyError);
    // A configuration error: the entry point prints it and exits instead of starting half-configured.
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as NudgePolicyError).problems.join('\n');
    expect(problems).toContain('default.firstNudgeAfter: "14 days" is not a positive ISO 8601 duration');
    expect(problems).toContain('default.escalateAfterUnanswered');
    expect(problems).toContain('mla.repeatEvry: unknown key');
    expect(problems).toContain('mla.urgentFactor');
    expect(problems).toContain('countryPairs[0].from');
    expect(problems).toContain('countryPairs[0].firstNudgeAfter');
    expect((error as NudgePolicyError).problems).toHaveLength(6);
  });

  it('a missing file or broken YAML stops the start with a clear message', async () => {
    await expect(loadNudgePolicies('/nonexistent/nudges.yaml')).rejects.toThrow(
      /cannot read the file \(ENOENT\)/,
    );
    const directory = mkdtempSync(join(tmpdir(), 'nudges-'));
    const file = join(directory, 'broken.yaml');
    writeFileSync(file, 'default: { firstNudgeAfter: P1D\n');
    await expect(loadNudgePolicies(file)).rejects.toThrow(/not valid YAML or JSON/);
  });
});
