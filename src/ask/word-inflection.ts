// Inflection beyond case endings: "допросить", "допросили" and "допрос"; "preserve", "preserved"
// and "preserving" meet on one stem. Snowball stemmers (a maintained port, @orama/stemmers) do the
// linguistics; this module only feeds them. Russian is stemmed from the word's key spelled back in
// Cyrillic, so a word typed in Cyrillic and the same word typed in Latin letters ("perepisku",
// "переписку") get the same stem, as they get the same key.
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as russianStemmer } from '@orama/stemmers/russian';

// Keys are folded (see word-keys.ts): "х" became "g", "й" and "ы" became "i", doubled letters one.
// Spelled back, the endings Snowball looks for are restored where Russian nearly always has them.
const cyrillicOfKeyLetters: Record<string, string> = {
  sh: 'ш',
  ch: 'ч',
  zh: 'ж',
  ia: 'я',
  iu: 'ю',
  a: 'а',
  b: 'б',
  c: 'ц',
  d: 'д',
  e: 'е',
  f: 'ф',
  g: 'г',
  h: 'х',
  i: 'и',
  k: 'к',
  l: 'л',
  m: 'м',
  n: 'н',
  o: 'о',
  p: 'п',
  r: 'р',
  s: 'с',
  t: 'т',
  u: 'у',
  v: 'в',
  z: 'з',
};
const keyLetters = /sh|ch|zh|ia|iu|[a-z]/g;
const restoredEndings: readonly [RegExp, string][] = [
  // "-ых", "-их", "-ах", "-ях": plural endings whose "х" the key folded into "g".
  [/яг$/u, 'ях'],
  [/иг$/u, 'их'],
  [/аг$/u, 'ах'],
  // "-ай", "-ей", "-ой", "-уй": a final "i" after a vowel is "й".
  [/(?<=[аеоу])и$/u, 'й'],
];

/** A word key spelled in Russian letters, as Snowball expects. */
export function cyrillicOfKey(key: string): string {
  let word = key.replace(keyLetters, (letters) => cyrillicOfKeyLetters[letters] ?? letters);
  for (const [pattern, replacement] of restoredEndings) word = word.replace(pattern, replacement);
  return word;
}

const latinWord = /^[a-z]+$/;

/**
 * The Snowball stems of a word, as written by the stemmers (word-keys.ts turns them into keys):
 * the Russian stem of every word with letters, from its `key`, and the English stem of a word in
 * Latin letters.
 */
export function snowballStems(word: string, key: string): string[] {
  const stems = /[a-z]/.test(key) ? [russianStemmer(cyrillicOfKey(key))] : [];
  const lower = word.toLowerCase();
  if (latinWord.test(lower)) stems.push(englishStemmer(lower));
  return stems;
}
