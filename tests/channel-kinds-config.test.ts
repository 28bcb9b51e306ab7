// The contact-channel rules are configuration (src/config/channel-kinds.ts) that src/registry
// applies. Moving them there changed nothing people see: every value gets the same verdict, the
// same reading and the same link as under the rules the registry used to name itself (kept here,
// verbatim, as the reference). A broken rule table stops the start with every problem listed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, channelKinds } from '../src/config/index.ts';
import {
  channelHref,
  channelProblem,
  channelProblemMessage,
  commonChannelKinds,
  createChannelRules,
  displayChannelValue,
} from '../src/registry/channel-rules.ts';

const reference = {
  patterns: {
    phone: /^\+[0-9](?:[ ()./-]?[0-9]){5,19}$/,
    email: /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]{2,}$/,
    telegram: /^@?[A-Za-z][A-Za-z0-9_]{3,31}$/,
    matrix: /^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]{1,5})?$/,
  } as Record<string, RegExp>,
  problem(kind: string, value: string): string | undefined {
    const pattern = Object.hasOwn(this.patterns, kind) ? this.patterns[kind] : undefined;
    if (pattern === undefined) return undefined;
    return pattern.test(value.trim()) ? undefined : kind;
  },
  display: (kind: string, value: string) =>
    kind === 'telegram' && !value.startsWith('@') ? `@${value}` : value,
  href(kind: string, value: string): string | undefined {
    const trimmed = value.trim();
    if (!Object.hasOwn(this.patterns, kind) || this.problem(kind, trimmed) !== undefined) return undefined;
    if (kind === 'phone') return `tel:+${trimmed.replace(/\D/g, '')}`;
    if (kind === 'email') return `mailto:${trimmed}`;
    if (kind === 'telegram') return `https://t.me/${trimmed.replace(/^@/, '')}`;
    return `https://matrix.to/#/${trimmed}`;
  },
};

const kinds = fc.constantFrom('phone', 'email', 'telegram', 'matrix', 'fax', 'web', '__proto__', 'toString');
// Values near each kind's shape, so the property visits valid and almost-valid ones alike.
const values = fc.oneof(
  fc.string(),
  fc.stringMatching(/^\s?\+[0-9 ()./-]{4,24}\s?$/),
  fc.stringMatching(/^[a-z.@_-]{1,12}@[a-z.-]{1,12}\.[a-z]{1,4}$/),
  fc.stringMatching(/^@?[A-Za-z0-9_]{2,34}$/),
  fc.stringMatching(/^@[a-z0-9._=/+-]{1,10}:[A-Za-z0-9.-]{1,12}(:[0-9]{1,6})?$/),
  fc.constantFrom(
    '+000 01 828141',
    '+996 312 66 22 11',
    'name@agency.example.org',
    'name',
    '@name:matrix.example.org',
  ),
);

describe('contact-channel rules from configuration', () => {
  it('give every value the verdict, reading and link the registry gave before', () => {
    fc.assert(
      fc.property(kinds, values, (kind, value) => {
        expect(channelProblem(kind, value)).toBe(reference.problem(kind, value));
        expect(displayChannelValue(kind, value)).toBe(reference.display(kind, value));
        expect(channelHref(kind, value)).toBe(reference.href(kind, value));
      }),
      { numRuns: 3000 },
    );
  });

  it('offer the same kinds in the same order, with the same sentences', () => {
    expect(commonChannelKinds).toEqual(['phone', 'email', 'telegram', 'matrix']);
    expect(channelProblemMessage('phone')).toBe(
      'must be a phone number in international format, e.g. "+996 312 66 22 11"',
    );
    expect(channelProblemMessage('matrix')).toBe('must be a Matrix user id, e.g. "@name:matrix.example.org"');
  });

  it('apply a kind the configuration adds, with no change to the registry', () => {
    const rules = createChannelRules({
      ...channelKinds,
      signal: {
        pattern: /^[a-z0-9_]{3,32}\.[0-9]{2}$/,
        message: 'must be a Signal username',
        link: 'https://signal.me/#eu/{value}',
      },
    });
    expect(rules.kinds.at(-1)).toBe('signal');
    expect(rules.problem('signal', 'call me')).toBe('signal');
    expect(rules.href('signal', ' name.01 ')).toBe('https://signal.me/#eu/name.01');
  });

  it('refuse a broken rule table, listing every problem', () => {
    const broken = () =>
      createChannelRules({
        Phone: { pattern: /x/g, message: ' ', link: 'tel:{number}' },
        fax: { pattern: /x/, message: 'a fax number', link: 'no scheme' },
      });
    expect(broken).toThrow(ConfigError);
    try {
      broken();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'channel kind "Phone": must be lowercase letters, digits and "_"',
        'channel kind "Phone": pattern must not be global or sticky (it is tested again and again)',
        'channel kind "Phone": message must be a sentence',
        'channel kind "Phone": link placeholder {number} is not one of {value}, {digits}, {name}',
        'channel kind "fax": link must start with a URI scheme',
      ]);
    }
  });
});
