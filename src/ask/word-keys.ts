// Script-independent keys for words, so that "Казахстане", "Kazakhstane", "Qazaqstan" and
// "Kazakstan" meet on the same or a nearby key. Every name and synonym of the ask module is
// compared through these keys, never letter by letter.
import { transliterate } from 'transliteration';
import { snowballStems } from './word-inflection.ts';

// Letters of Central Asian Cyrillic alphabets that the transliteration library renders with
// apostrophes ("Қазақстан" -> "K'azak'stan"); mapped to their Russian neighbours first.
const cyrillicNeighbours: Record<string, string> = {
  қ: 'к',
  ғ: 'г',
  ҳ: 'х',
  һ: 'х',
  ҷ: 'дж',
  ӣ: 'и',
  ӯ: 'у',
  ң: 'н',
  ө: 'о',
  ү: 'у',
  ұ: 'у',
  ә: 'а',
  і: 'и',
  ё: 'е',
  ə: 'e',
  ı: 'i',
};
const neighbourPattern = new RegExp(`[${Object.keys(cyrillicNeighbours).join('')}]`, 'gu');

// Spelling variants between transliteration schemes and languages, folded so they stop
// counting as differences: Russian "х" is kh or h, "ц" ts or c, "й"/"ы" y, i or j, "дж" j or dzh,
// and Russian writes the h of other languages as "г" (Stockholm, Стокгольм; Hamburg, Гамбург).
const spellingFolds: readonly [RegExp, string][] = [
  [/dzh/g, 'j'],
  [/s?shch|sch/g, 'sh'],
  [/ck/g, 'k'],
  [/kh/g, 'h'],
  [/gh/g, 'g'],
  [/ph/g, 'f'],
  [/(?<![scz])h/g, 'g'],
  [/t[sz]/g, 'c'],
  [/x/g, 'ks'],
  [/q/g, 'k'],
  [/w/g, 'v'],
  [/[yj]/g, 'i'],
  [/(.)\1+/g, '$1'],
  // Initial "е" is "ye" in one scheme and "e" in another ("Yerevan", "Ереван" -> "Erevan").
  [/^ie/, 'e'],
];

/**
 * The key of one word: transliterated to Latin, lowercase, without diacritics or apostrophes,
 * with spelling variants folded. Empty for words without letters or digits.
 */
export function wordKey(word: string): string {
  const lower = word
    .toLowerCase()
    .replace(neighbourPattern, (letter) => cyrillicNeighbours[letter] ?? letter);
  let key = transliterate(lower)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  for (const [pattern, replacement] of spellingFolds) key = key.replace(pattern, replacement);
  return key;
}

// Russian case endings (nouns and adjectives) and English inflections, written as they look
// after `wordKey` (so "ией" is "iei", "ых" is "ig"). Russian typed in Latin letters takes the same
// endings, which is why stemming happens on keys rather than on Cyrillic words.
const endings = (
  'iami ami iag ag iam am ogo ego omu emu imi aia uiu iei ions ion ing ' +
  'oi ei oe ee ie ig im om em ov ev ia iu ed es a e i u s'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);

/** Shortest stem worth comparing: shorter ones collide with unrelated words. */
export const minimumStemLength = 4;

/** The key without its inflection ending: "kazahstane" -> "kazahstan", "ekstradiciei" -> "ekstradic". */
export function stemOfKey(key: string): string {
  for (const ending of endings) {
    if (key.length - ending.length >= minimumStemLength && key.endsWith(ending))
      return key.slice(0, -ending.length);
  }
  return key;
}

const adjectivePattern = /^(.{4,}?)sk(?:aia|ogo|omu|oi|oe|ie|ig|imi|im|uiu|ia|i|u|e|a|om)?$/;

/**
 * The place a Russian relative adjective is built from: "kazahstanskii" (казахстанский) ->
 * "kazahstan", "uzbekskaia" -> "uzbek"; undefined when the key is not such an adjective.
 */
export function adjectiveBase(key: string): string | undefined {
  return adjectivePattern.exec(key)?.[1];
}

export type Script = 'latin' | 'cyrillic' | 'other';

export interface Token {
  /** As typed (after sanitising). */
  text: string;
  key: string;
  stem: string;
  script: Script;
  /** Written in capitals throughout (codes and abbreviations: "KG", "США"). */
  allCaps: boolean;
  /** First letter is a capital ("Tashkent"). */
  capitalized: boolean;
  isNumber: boolean;
  /**
   * Keys of the word's Snowball stems (Russian, and English for Latin letters) that differ from
   * `key` and `stem`: "допросили" -> "dopros", "preserving" -> "preserv".
   */
  lemmas: readonly string[];
}

const scriptOf = (word: string): Script =>
  /\p{Script=Cyrillic}/u.test(word) ? 'cyrillic' : /\p{Script=Latin}/u.test(word) ? 'latin' : 'other';

// Apostrophes inside words belong to them ("Qirg'iziston", "O'zbekiston"); dots between single
// capitals make one abbreviation ("U.S.A.").
const innerApostrophe = /(?<=\p{L})['ʻʼ’`‘](?=\p{L})/gu;
const dottedAbbreviation = /\b(?:\p{Lu}\.){2,}/gu;
const anyApostrophe = /['ʻʼ’`‘]/u;
const wordPattern = /[\p{L}\p{M}\p{N}]+/gu;

export function tokenOf(word: string): Token | undefined {
  const key = wordKey(word);
  if (key === '') return undefined;
  const stem = stemOfKey(key);
  const lemmas: string[] = [];
  for (const written of snowballStems(word, key)) {
    const lemma = wordKey(written);
    if (lemma.length >= minimumStemLength && lemma !== key && lemma !== stem && !lemmas.includes(lemma))
      lemmas.push(lemma);
  }
  const letters = word.replace(/[^\p{L}]/gu, '');
  return Object.freeze({
    text: word,
    key,
    stem,
    script: scriptOf(word),
    allCaps: letters.length > 0 && letters === letters.toUpperCase() && letters !== letters.toLowerCase(),
    capitalized: /^\p{Lu}/u.test(word),
    isNumber: /^\p{N}+$/u.test(word),
    lemmas: Object.freeze(lemmas),
  });
}

const asciiDigits = /^[0-9]+$/;

/** The token `tokenOf` makes of ASCII digits, without transliterating or stemming them. */
function numberToken(word: string): Token {
  const key = word.replace(repeatedCharacter, '$1');
  return Object.freeze({
    text: word,
    key,
    stem: key,
    script: 'other' as const,
    allCaps: false,
    capitalized: false,
    isNumber: true,
    lemmas: noLemmas,
  });
}
const noLemmas: readonly string[] = Object.freeze([]);
const repeatedCharacter = /(.)\1+/g;

// Questions reuse a small vocabulary ("extradition", "в", "Kazakhstan"), and working out a word's
// keys and stems costs more than the rest of reading it; tokens are immutable, so each word is
// worked out once. Cleared when full, so odd input cannot grow it without bound.
const knownWords = new Map<string, Token | null>();
const knownWordsLimit = 20_000;

/** Splits sanitised text into word tokens with their keys. "24/7" becomes "24", "7". */
export function tokenize(text: string): Token[] {
  // Most questions hold neither an apostrophe nor a dot: the look-around passes are skipped then.
  const withoutApostrophes = anyApostrophe.test(text) ? text.replace(innerApostrophe, '') : text;
  const joined = withoutApostrophes.includes('.')
    ? withoutApostrophes.replace(dottedAbbreviation, (abbreviation) => abbreviation.replaceAll('.', ''))
    : withoutApostrophes;
  const tokens: Token[] = [];
  for (const word of joined.match(wordPattern) ?? []) {
    // Numbers (case numbers, years) are mostly new each time: worked out directly and not kept,
    // so they never push the vocabulary out of `knownWords`.
    if (asciiDigits.test(word)) {
      tokens.push(numberToken(word));
      continue;
    }
    let token = knownWords.get(word);
    if (token === undefined) {
      token = tokenOf(word) ?? null;
      if (knownWords.size >= knownWordsLimit) knownWords.clear();
      knownWords.set(word, token);
    }
    if (token !== null) tokens.push(token);
  }
  return tokens;
}
