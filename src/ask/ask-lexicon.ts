// Everything the interpreter knows about words that does not depend on the registry: the place
// index, cue phrases, function words. Built once per process (about a quarter of a second).
import {
  loadAskVocabulary,
  loadPlaceAliases,
  type AskVocabulary,
  type WordsByLanguage,
} from './ask-vocabulary.ts';
import { PhraseMatcher, type PhraseInput } from './phrase-matcher.ts';
import { buildPlaceIndex, type PlaceIndex } from './place-index.ts';
import { tokenize } from './word-keys.ts';

export type CueKind = 'contact' | 'domain' | 'neutral';

export interface AskLexicon {
  readonly vocabulary: AskVocabulary;
  readonly places: PlaceIndex;
  readonly cues: PhraseMatcher<CueKind>;
  /** Keys of function words of both languages ("in", "the", "в", "того"). */
  readonly stopwordKeys: ReadonlySet<string>;
  /** The same function words, lowercase as written (keys fold too much for two-letter words). */
  readonly stopwordTexts: ReadonlySet<string>;
  readonly treatyKeys: ReadonlySet<string>;
  readonly offTopicKeys: ReadonlySet<string>;
  readonly languageBeforeKeys: ReadonlySet<string>;
  readonly languageAfterKeys: ReadonlySet<string>;
  /** Keys that only Russian words have: a Latin-letter sentence full of them is Russian. */
  readonly russianOnlyKeys: ReadonlySet<string>;
  readonly englishKeys: ReadonlySet<string>;
  /** Every key of the vocabulary; such words are never read as misspelt place names. */
  readonly vocabularyKeys: ReadonlySet<string>;
  readonly codesThatAreWords: ReadonlySet<string>;
}

export interface AskLexiconOptions {
  /** Default: config/ask-vocabulary.yaml. */
  vocabularyFile?: string;
  /** Default: config/ask-places.yaml. */
  placesFile?: string;
}

const keysOf = (words: readonly string[]): Set<string> => {
  const keys = new Set<string>();
  for (const word of words) for (const token of tokenize(word)) keys.add(token.key);
  return keys;
};

const both = (words: WordsByLanguage): string[] => [...words.en, ...words.ru];

export function createAskLexicon(options: AskLexiconOptions = {}): AskLexicon {
  const vocabulary = loadAskVocabulary(options.vocabularyFile);
  const places = buildPlaceIndex(loadPlaceAliases(options.placesFile));
  const stopwordKeys = keysOf(both(vocabulary.stopwords));

  const cueInputs: PhraseInput<CueKind>[] = [];
  const addCues = (words: WordsByLanguage, kind: CueKind): void => {
    for (const language of ['en', 'ru'] as const) {
      for (const text of words[language]) cueInputs.push({ text, value: kind, language });
    }
  };
  addCues(vocabulary.contactCues, 'contact');
  addCues(vocabulary.domainWords, 'domain');
  addCues(vocabulary.neutralWords, 'neutral');

  const russianWords = [
    ...vocabulary.stopwords.ru,
    ...vocabulary.contactCues.ru,
    ...vocabulary.neutralWords.ru,
    ...vocabulary.domainWords.ru,
    ...Object.values(vocabulary.competences).flatMap((phrases) => phrases.ru),
  ];
  const englishWords = [
    ...vocabulary.stopwords.en,
    ...vocabulary.contactCues.en,
    ...vocabulary.neutralWords.en,
    ...vocabulary.domainWords.en,
    ...Object.values(vocabulary.competences).flatMap((phrases) => phrases.en),
  ];
  const englishKeys = keysOf(englishWords);
  // One- and two-letter keys ("a", "i", "v") are too common in both languages to tell them apart.
  const russianOnlyKeys = new Set(
    [...keysOf(russianWords)].filter((key) => key.length > 2 && !englishKeys.has(key)),
  );

  return {
    vocabulary,
    places,
    cues: new PhraseMatcher(cueInputs, stopwordKeys),
    stopwordKeys,
    stopwordTexts: new Set(both(vocabulary.stopwords).map((word) => word.toLowerCase())),
    treatyKeys: keysOf(both(vocabulary.treatyWords)),
    offTopicKeys: keysOf(both(vocabulary.offTopicWords)),
    languageBeforeKeys: keysOf(both(vocabulary.languageContext.before)),
    languageAfterKeys: keysOf(both(vocabulary.languageContext.after)),
    russianOnlyKeys,
    englishKeys,
    vocabularyKeys: new Set([...keysOf(russianWords), ...englishKeys]),
    codesThatAreWords: new Set(vocabulary.codesThatAreWords),
  };
}
