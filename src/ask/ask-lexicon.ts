// Everything the interpreter knows about words that does not depend on the registry: the place
// index, cue phrases, function words. Built once per process (about a quarter of a second).
import {
  askedKinds,
  loadAskVocabulary,
  loadPlaceAliases,
  type AskedKind,
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
  /** Requirement and tips phrases ("what do I need", "советы"); function words count. */
  readonly asks: PhraseMatcher<AskedKind>;
  /** Keys of the words left out of act phrases ("the", "of", "в"). */
  readonly actFillerKeys: ReadonlySet<string>;
  /** Keys of function words of both languages ("in", "the", "в", "того"). */
  readonly stopwordKeys: ReadonlySet<string>;
  /** The same function words, lowercase as written (keys fold too much for two-letter words). */
  readonly stopwordTexts: ReadonlySet<string>;
  readonly treatyKeys: ReadonlySet<string>;
  /** Question words that, with only a place, ask about something else ("where", "how"). */
  readonly offTopicKeys: ReadonlySet<string>;
  /** Keys and stems of words that change the subject ("weather", "погоду"). */
  readonly offTopicSubjectKeys: ReadonlySet<string>;
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
  /** Default: config/ask-acts.yaml. */
  actsFile?: string;
}

const keysOf = (words: readonly string[]): Set<string> => {
  const keys = new Set<string>();
  for (const word of words) for (const token of tokenize(word)) keys.add(token.key);
  return keys;
};

const both = (words: WordsByLanguage): string[] => [...words.en, ...words.ru];

const keysAndStemsOf = (words: readonly string[]): Set<string> => {
  const keys = new Set<string>();
  for (const word of words) {
    for (const token of tokenize(word)) {
      keys.add(token.key);
      if (token.stem !== token.key) keys.add(token.stem);
    }
  }
  return keys;
};

export function createAskLexicon(options: AskLexiconOptions = {}): AskLexicon {
  const vocabulary = loadAskVocabulary(options.vocabularyFile, options.actsFile);
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

  const askInputs: PhraseInput<AskedKind>[] = [];
  for (const kind of askedKinds) {
    for (const language of ['en', 'ru'] as const) {
      for (const text of vocabulary.asks[kind][language]) askInputs.push({ text, value: kind, language });
    }
  }

  const russianWords = [
    ...vocabulary.stopwords.ru,
    ...vocabulary.contactCues.ru,
    ...vocabulary.neutralWords.ru,
    ...vocabulary.domainWords.ru,
    ...Object.values(vocabulary.competences).flatMap((phrases) => phrases.ru),
    ...Object.values(vocabulary.acts).flatMap((phrases) => phrases.ru),
    ...Object.values(vocabulary.asks).flatMap((phrases) => phrases.ru),
  ];
  const englishWords = [
    ...vocabulary.stopwords.en,
    ...vocabulary.contactCues.en,
    ...vocabulary.neutralWords.en,
    ...vocabulary.domainWords.en,
    ...Object.values(vocabulary.competences).flatMap((phrases) => phrases.en),
    ...Object.values(vocabulary.acts).flatMap((phrases) => phrases.en),
    ...Object.values(vocabulary.asks).flatMap((phrases) => phrases.en),
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
    asks: new PhraseMatcher(askInputs, new Set()),
    actFillerKeys: keysOf(both(vocabulary.actFillers)),
    stopwordKeys,
    stopwordTexts: new Set(both(vocabulary.stopwords).map((word) => word.toLowerCase())),
    treatyKeys: keysOf(both(vocabulary.treatyWords)),
    offTopicKeys: keysOf(both(vocabulary.offTopicWords)),
    offTopicSubjectKeys: keysAndStemsOf(both(vocabulary.offTopicSubjects)),
    languageBeforeKeys: keysOf(both(vocabulary.languageContext.before)),
    languageAfterKeys: keysOf(both(vocabulary.languageContext.after)),
    russianOnlyKeys,
    englishKeys,
    vocabularyKeys: new Set([...keysOf(russianWords), ...englishKeys]),
    codesThatAreWords: new Set(vocabulary.codesThatAreWords),
  };
}
