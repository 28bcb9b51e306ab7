// The one memo of response bytes (contacts pages, ask answers): a body is sent again only for the
// same source, key and shown values.
import { describe, expect, it } from 'vitest';
import { createSerializedBodies } from '../src/http/index.ts';

describe('remembered response bodies', () => {
  it('serializes once per source and key, and again when a shown value differs', () => {
    const bodies = createSerializedBodies<object>();
    const source = {};
    let serialized = 0;
    const make = (text: string) => () => {
      serialized += 1;
      return JSON.stringify({ text });
    };
    const first = bodies.body(source, 'k', make('a'), ['a', 0]);
    expect(bodies.body(source, 'k', make('a'), ['a', 0])).toBe(first);
    expect(serialized).toBe(1);
    // Same source and key, another reply text: a new body with the new text, never the old one.
    expect(bodies.body(source, 'k', make('b'), ['b', 0]).toString()).toBe('{"text":"b"}');
    expect(serialized).toBe(2);
    // Another key or another source: its own body.
    expect(bodies.body(source, 'other', make('a'), ['a', 0])).not.toBe(first);
    expect(bodies.body({}, 'k', make('a'), ['a', 0])).not.toBe(first);
    // Without shown values: keyed by source and key alone (the contacts pages).
    const page = bodies.body(source, 'page', make('p'));
    expect(bodies.body(source, 'page', make('q'))).toBe(page);
  });

  it('keeps at most maxEntries bodies per source, dropping the oldest', () => {
    const bodies = createSerializedBodies<object>({ maxEntries: 2 });
    const source = {};
    let serialized = 0;
    const make = () => {
      serialized += 1;
      return String(serialized);
    };
    bodies.body(source, 'a', make);
    bodies.body(source, 'b', make);
    bodies.body(source, 'c', make);
    bodies.body(source, 'b', make);
    expect(serialized).toBe(3);
    bodies.body(source, 'a', make);
    expect(serialized).toBe(4);
  });
});
