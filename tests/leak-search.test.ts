// The leak search the privacy tests rely on: it must find a person's details however they are
// written (cased, inside JSON, in an address), and must not take a word that random machine-made
// strings happen to spell (event ids, keys, ciphertext) for a leak.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leakedWords } from './support/leak-search.ts';

const secrets = [
  'Bakyt Demo-Toktogulov',
  'demo-toktogulov@kg-gpo.example.org',
  'bakyt_demo',
  '+000 01 300289',
];
/** The words found, each once, sorted (a word of several secrets is listed once per secret). */
const found = (texts: string[]) => [...new Set(leakedWords(secrets, texts))].sort();

describe('leakedWords', () => {
  it('finds names, handles, addresses and numbers in text and JSON, whatever their case', () => {
    expect(found(['Write to BAKYT about it'])).toEqual(['bakyt']);
    expect(found([JSON.stringify({ body: 'Demo-Toktogulov (@bakyt_demo), +000 01 300289' })])).toEqual([
      '300289',
      'bakyt',
      'toktogulov',
    ]);
    expect(found(['mailto:someone@kg-gpo.example.org'])).toEqual(['gpo']);
    expect(found(['Bakytbek wrote', 'Nothing here'])).toEqual([]);
  });

  it('leaves out what random ids and ciphertext happen to spell', () => {
    const eventId = `$aB3-gPo_${randomBytes(12).toString('base64url')}`;
    const ciphertext = `${randomBytes(40).toString('base64')}+Bakyt/${randomBytes(40).toString('base64')}`;
    expect(found([JSON.stringify({ event_id: eventId, content: { ciphertext } })])).toEqual([]);
    // The same words as plain text are found.
    expect(found([JSON.stringify({ body: 'gPo Bakyt' })])).toEqual(['bakyt', 'gpo']);
  });
});
