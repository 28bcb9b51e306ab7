// Every read is hashed into the audit chain, so the hashing takes shortcuts: plain objects for
// JSON.stringify's fast path, the entry's own keys written already sorted. The bytes hashed must
// stay exactly those of the canonical form the chain was built with (and `audit verify` re-hashes
// with): keys sorted at every level, a `__proto__` key an ordinary key, undefined left out.
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storableEntry } from '../src/audit/audit-canonical.ts';
import { entryHash, genesisHash } from '../src/audit/audit-service.ts';

/** The canonical form as first written (prototype-less objects), kept verbatim as the reference. */
function referenceCanonicalJson(value: unknown): string {
  const sortKeys = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(sortKeys);
    if (inner !== null && typeof inner === 'object') {
      const sorted = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(inner).sort()) {
        const item = (inner as Record<string, unknown>)[key];
        if (item !== undefined) sorted[key] = sortKeys(item);
      }
      return sorted;
    }
    return inner;
  };
  return JSON.stringify(sortKeys(value));
}

const referenceHash = (prevHash: string, row: Record<string, unknown>) =>
  hash('sha256', `${prevHash}\n${referenceCanonicalJson(row)}`, 'hex');

// Keys that catch shortcuts: `__proto__`, integer-like keys (ordered first by objects), unicode.
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', '10', '2', 'b', 'a', 'ключ'), fc.string());
const details = fc.dictionary(
  key,
  fc.letrec((tie) => ({
    // At most four containers inside the details: a fifth is cut ('[nested too deep]', its
    // own test below), so the stored details could not equal the question's.
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    ),
  })).value,
  { maxKeys: 6 },
);

describe('audit entries hash as their canonical form', () => {
  it('an entry made storable hashes to the same value as the reference canonical form', () => {
    fc.assert(
      fc.property(details, fc.string(), fc.option(fc.string()), fc.nat(), (raw, actor, subject, seq) => {
        // A `__proto__` key as JSON.parse makes it: an own property.
        const parsed = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        const stored = storableEntry({
          actor,
          action: 'registry.read',
          subject: subject ?? undefined,
          details: parsed,
        });
        const row = { seq, at: '2026-12-05T21:00:00.000Z', ...stored };
        expect(entryHash(genesisHash, row)).toBe(referenceHash(genesisHash, row));
        // The details stored keep every key of the question, `__proto__` included.
        expect(JSON.stringify(stored.details)).toBe(JSON.stringify(parsed));
      }),
      { numRuns: 500 },
    );
  });

  it('details nested more than four containers deep are cut, and the cut entry still hashes as the reference', () => {
    const deep = JSON.parse('{"a":[{"__proto__":[[[[["x"]]]]]}]}') as Record<string, unknown>;
    const stored = storableEntry({ actor: 'cli', action: 'x', details: deep });
    expect(JSON.stringify(stored.details)).toBe('{"a":[{"__proto__":[[["[nested too deep]"]]]}]}');
    const row = { seq: 2, at: 'now', ...stored };
    expect(entryHash(genesisHash, row)).toBe(referenceHash(genesisHash, row));
  });

  it('a __proto__ key in the details is an ordinary key of the stored and hashed entry', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "b": 1}') as Record<string, unknown>;
    const stored = storableEntry({ actor: 'cli', action: 'x', details: parsed });
    expect(JSON.stringify(stored.details)).toBe('{"__proto__":{"polluted":true},"b":1}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const row = { seq: 1, at: 'now', ...stored };
    expect(entryHash(genesisHash, row)).toBe(referenceHash(genesisHash, row));
  });
});
