// Misspellings are found by edit distance over word keys, not from lists of known typos. Only
// keys of the same first letter and close length are compared, and a letter-set check rules out
// most of those before the distance is computed, so a lookup costs microseconds.
import { distance } from 'fastest-levenshtein';

/**
 * Edits allowed for a word of this many letters. Short words get none: "Oman" is one letter
 * from "woman", "Benin" from "begin", so a short typo is better unrecognised than misread.
 */
export function allowedEdits(length: number): number {
  if (length >= 13) return 3;
  if (length >= 9) return 2;
  if (length >= 6) return 1;
  return 0;
}

const letterMask = (key: string): number => {
  let mask = 0;
  for (let i = 0; i < key.length; i++) mask |= 1 << (key.charCodeAt(i) % 31);
  return mask;
};

const bitCount = (value: number): number => {
  let n = value - ((value >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

interface Entry<T> {
  key: string;
  mask: number;
  values: T[];
}

export interface FuzzyMatch<T> {
  key: string;
  edits: number;
  values: readonly T[];
}

/** Keys with attached values, searchable by edit distance. */
export class FuzzyIndex<T> {
  readonly #buckets = new Map<string, Entry<T>[]>();
  readonly #entries = new Map<string, Entry<T>>();

  add(key: string, value: T): void {
    if (key.length === 0) return;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { key, mask: letterMask(key), values: [] };
      this.#entries.set(key, entry);
      const bucketKey = `${key[0] ?? ''}${key.length}`;
      const bucket = this.#buckets.get(bucketKey);
      if (bucket === undefined) this.#buckets.set(bucketKey, [entry]);
      else bucket.push(entry);
    }
    entry.values.push(value);
  }

  /** The nearest keys (all those at the smallest distance) within `maxEdits`, which defaults to what `key`'s length allows. */
  search(key: string, maxEdits: number = allowedEdits(key.length)): FuzzyMatch<T>[] {
    if (maxEdits === 0 || key.length === 0) return [];
    const mask = letterMask(key);
    const first = key[0] ?? '';
    let best: FuzzyMatch<T>[] = [];
    let bestEdits = maxEdits + 1;
    for (let length = key.length - maxEdits; length <= key.length + maxEdits; length++) {
      const bucket = this.#buckets.get(`${first}${length}`);
      if (bucket === undefined) continue;
      for (const entry of bucket) {
        // A substitution changes at most two letters of the set, an insertion or deletion one.
        if (bitCount(mask ^ entry.mask) > 2 * maxEdits) continue;
        const edits = distance(key, entry.key);
        if (edits > maxEdits || edits > bestEdits) continue;
        if (edits < bestEdits) {
          best = [];
          bestEdits = edits;
        }
        best.push({ key: entry.key, edits, values: entry.values });
      }
    }
    return best;
  }
}
