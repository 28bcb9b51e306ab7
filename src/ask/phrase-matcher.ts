// Finds declared phrases (competence synonyms, contact cues) in a tokenised question, tolerant of
// inflection, misspelling and a few words in between.
import { allowedEdits, FuzzyIndex } from './fuzzy-index.ts';
import { minimumStemLength, tokenize, type Token } from './word-keys.ts';

/** Words that may stand between two words of a phrase ("transfer of criminal proceedings"). */
const maximumGap = 2;

interface PhraseWord {
  /** Lowercase as written, for abbreviations: their keys fold too much ("JIT" and "it"). */
  text: string;
  key: string;
  stem: string;
  lemmas: readonly string[];
  /**
   * Abbreviations ("MLA", "ВПП") and other words of three letters or fewer match only as written:
   * their keys fold too much ("jit" and "it") and a typo in three letters makes another word.
   */
  abbreviation: boolean;
}

interface Phrase<T> {
  value: T;
  language: string;
  words: PhraseWord[];
  /** Letters in the phrase's words: the longer, the more specific. */
  weight: number;
}

export interface PhraseMatch<T> {
  value: T;
  language: string;
  /** Token positions that matched (gaps excluded). */
  positions: number[];
  start: number;
  end: number;
  score: number;
}

export interface PhraseInput<T> {
  text: string;
  value: T;
  language: string;
}

/**
 * Phrases to find. Function words (`ignoredKeys`) inside a phrase are dropped so "transfer of
 * proceedings" also matches "transfer proceedings".
 */
export class PhraseMatcher<T> {
  readonly #phrases: Phrase<T>[] = [];
  /** Word key or stem -> indexes (into #words) of the phrase words it names. */
  readonly #byKey = new Map<string, Set<number>>();
  readonly #fuzzy = new FuzzyIndex<number>();
  readonly #words: PhraseWord[] = [];
  readonly #wordOwners: { phrase: number; position: number }[] = [];
  /**
   * Phrase words per token already looked up. Tokens of the same word are the same object
   * (word-keys.ts keeps them), and a fuzzy lookup costs more than the rest of reading a word.
   */
  readonly #ownersByToken = new WeakMap<Token, readonly { phrase: number; position: number }[]>();

  constructor(inputs: readonly PhraseInput<T>[], ignoredKeys: ReadonlySet<string>) {
    for (const input of inputs) {
      const tokens = tokenize(input.text);
      const content = tokens.filter((token) => !ignoredKeys.has(token.key));
      const chosen = content.length > 0 ? content : tokens;
      if (chosen.length === 0) continue;
      const words = chosen.map((token) => ({
        text: token.text.toLowerCase(),
        key: token.key,
        stem: token.stem,
        lemmas: token.lemmas,
        abbreviation: (token.allCaps && token.text.length <= 5) || token.key.length <= 3,
      }));
      const phraseIndex = this.#phrases.length;
      this.#phrases.push({
        value: input.value,
        language: input.language,
        words,
        weight: words.reduce((sum, w) => sum + w.key.length, 0),
      });
      words.forEach((word, position) => {
        const wordIndex = this.#words.length;
        this.#words.push(word);
        this.#wordOwners.push({ phrase: phraseIndex, position });
        this.#index(word.key, wordIndex);
        if (!word.abbreviation) {
          if (word.stem.length >= minimumStemLength) this.#index(word.stem, wordIndex);
          for (const lemma of word.lemmas) this.#index(lemma, wordIndex);
          this.#fuzzy.add(word.key, wordIndex);
          if (word.stem !== word.key) this.#fuzzy.add(word.stem, wordIndex);
        }
      });
    }
  }

  #index(key: string, wordIndex: number): void {
    const set = this.#byKey.get(key);
    if (set === undefined) this.#byKey.set(key, new Set([wordIndex]));
    else set.add(wordIndex);
  }

  /** Phrases and positions in them of the words a token stands for. */
  #ownersFor(token: Token): readonly { phrase: number; position: number }[] {
    // Number tokens are new objects every time (case numbers are not remembered, word-keys.ts):
    // one that names no phrase word by its key (numbers get no fuzzy lookup) is answered without
    // remembering anything.
    if (
      token.isNumber &&
      token.stem === token.key &&
      token.lemmas.length === 0 &&
      !this.#byKey.has(token.key)
    )
      return noOwners;
    let found = this.#ownersByToken.get(token);
    if (found === undefined) {
      found = [...this.#lookUp(token)].flatMap((wordIndex) => this.#wordOwners[wordIndex] ?? []);
      this.#ownersByToken.set(token, found);
    }
    return found;
  }

  #lookUp(token: Token): Set<number> {
    const found = new Set<number>();
    const add = (wordIndex: number, how: 'key' | 'stem' | 'lemma' | 'fuzzy'): void => {
      const word = this.#words[wordIndex];
      if (word === undefined) return;
      if (word.abbreviation && (how !== 'key' || token.text.toLowerCase() !== word.text)) return;
      found.add(wordIndex);
    };
    for (const wordIndex of this.#byKey.get(token.key) ?? []) add(wordIndex, 'key');
    if (token.stem.length >= minimumStemLength) {
      for (const wordIndex of this.#byKey.get(token.stem) ?? []) add(wordIndex, 'stem');
    }
    for (const lemma of token.lemmas) {
      for (const wordIndex of this.#byKey.get(lemma) ?? []) add(wordIndex, 'lemma');
    }
    if (found.size === 0 && !token.isNumber) {
      // A stem gets the edits of a word one letter shorter than itself: it is already cut.
      const searches: [string, number][] = [[token.key, allowedEdits(token.key.length)]];
      if (token.stem !== token.key) searches.push([token.stem, allowedEdits(token.stem.length - 1)]);
      for (const [candidate, edits] of searches) {
        for (const match of this.#fuzzy.search(candidate, edits)) {
          for (const wordIndex of match.values) add(wordIndex, 'fuzzy');
        }
      }
    }
    return found;
  }

  /** Every phrase found in the tokens, skipping positions already `taken`; best first. */
  find(tokens: readonly Token[], taken: readonly boolean[] = []): PhraseMatch<T>[] {
    // phrase -> position in phrase -> token indexes
    const positionsByPhraseWord = new Map<number, number[][]>();
    for (let tokenIndex = 0; tokenIndex < tokens.length; tokenIndex++) {
      const token = tokens[tokenIndex];
      if (token === undefined || taken[tokenIndex] === true) continue;
      for (const owner of this.#ownersFor(token)) {
        let perWord = positionsByPhraseWord.get(owner.phrase);
        if (perWord === undefined) {
          perWord = [];
          positionsByPhraseWord.set(owner.phrase, perWord);
        }
        (perWord[owner.position] ??= []).push(tokenIndex);
      }
    }

    const matches: PhraseMatch<T>[] = [];
    for (const [phraseIndex, perWord] of positionsByPhraseWord) {
      const phrase = this.#phrases[phraseIndex];
      if (phrase === undefined || perWord.length !== phrase.words.length) continue;
      for (const start of perWord[0] ?? []) {
        const positions = inOrder(perWord, start) ?? inAnyOrder(perWord, start);
        if (positions === undefined) continue;
        matches.push({
          value: phrase.value,
          language: phrase.language,
          positions,
          start: Math.min(...positions),
          end: Math.max(...positions),
          score: phrase.words.length * 100 + phrase.weight,
        });
      }
    }
    return matches.sort((a, b) => b.score - a.score || a.start - b.start);
  }
}

const noOwners: readonly { phrase: number; position: number }[] = Object.freeze([]);

/** Positions of a phrase's words in order from `start`, each within `maximumGap` of the previous. */
function inOrder(perWord: readonly (number[] | undefined)[], start: number): number[] | undefined {
  const positions = [start];
  let previous = start;
  for (let position = 1; position < perWord.length; position++) {
    const next = (perWord[position] ?? []).find(
      (index) => index > previous && index <= previous + 1 + maximumGap,
    );
    if (next === undefined) return undefined;
    positions.push(next);
    previous = next;
  }
  return positions;
}

/**
 * Positions of a phrase's words in any order around `start`, all within a window no wider than
 * the phrase plus `maximumGap` ("доказательства в электронном виде", "data preservation" /
 * "preservation of data").
 */
function inAnyOrder(perWord: readonly (number[] | undefined)[], start: number): number[] | undefined {
  const width = perWord.length + maximumGap;
  const positions = [start];
  for (let position = 1; position < perWord.length; position++) {
    const next = (perWord[position] ?? []).find(
      (index) => !positions.includes(index) && Math.abs(index - start) < width,
    );
    if (next === undefined) return undefined;
    positions.push(next);
  }
  return Math.max(...positions) - Math.min(...positions) < width ? positions : undefined;
}

/** Non-overlapping matches, best first (a longer phrase wins over a shorter one inside it). */
export function selectNonOverlapping<T>(matches: readonly PhraseMatch<T>[]): PhraseMatch<T>[] {
  const used = new Set<number>();
  const chosen: PhraseMatch<T>[] = [];
  for (const match of matches) {
    if (match.positions.some((position) => used.has(position))) continue;
    for (const position of match.positions) used.add(position);
    chosen.push(match);
  }
  return chosen;
}
