// Finds the countries a question names, in the order it names them: codes, names in any
// language and grammatical case, demonyms and adjectives, capitals and cities, misspellings.
import type { AskLexicon } from './ask-lexicon.ts';
import { allowedEdits } from './fuzzy-index.ts';
import type { PlaceKind, PlaceRef } from './place-index.ts';
import { adjectiveBase, minimumStemLength, stemOfKey, type Token } from './word-keys.ts';

export interface RegistryPlaces {
  /** Countries the registry covers: their cities count in any spelling. */
  countries: ReadonlySet<string>;
  /** Extra city keys from the registry (the seat of an authority, e.g. Bonn), key -> ISO2. */
  cityKeys: ReadonlyMap<string, string>;
}

export interface FoundCountry {
  iso2: string;
  start: number;
  end: number;
  /** How it was named: a city alone says less about what the sentence asks than a country's name. */
  kind: PlaceKind;
}

type How = 'exact' | 'stem' | 'fuzzy';

const kindRank: Record<PlaceKind, number> = { name: 0, code: 0, demonym: 1, capital: 2, city: 3 };

/**
 * Finds countries among tokens not yet `taken`; marks the tokens it reads (countries, and place
 * names that turned out to be treaty or language names) in `taken`.
 */
export function findCountries(
  tokens: readonly Token[],
  taken: boolean[],
  lexicon: AskLexicon,
  registry: RegistryPlaces,
): FoundCountry[] {
  const { places } = lexicon;
  const found: FoundCountry[] = [];
  const words = tokens.filter((token) => !token.isNumber);
  // In a sentence typed in capitals, "IN" and "TO" are words, not India and Tonga.
  const shouting = words.length >= 3 && words.every((token) => token.allCaps);

  const choose = (refs: readonly PlaceRef[], how: How, span: readonly Token[]): PlaceRef | undefined => {
    const first = span[0];
    if (first === undefined) return undefined;
    const single = span.length === 1;
    // One- and two-letter words ("I", "в") are never names; codes are handled before.
    if (single && first.key.length < 3) return undefined;
    // "in", "to", "того", "сын": function words and short words that happen to be names (or fold
    // into one) count only when capitalised; Cyrillic function words never.
    if (
      single &&
      !first.capitalized &&
      (lexicon.stopwordKeys.has(first.key) || first.key.length < minimumStemLength)
    ) {
      return undefined;
    }
    if (single && first.script !== 'latin' && lexicon.stopwordKeys.has(first.key)) return undefined;
    const allowed = refs.filter((ref) => {
      if (ref.kind !== 'city' && ref.kind !== 'capital') return how !== 'fuzzy' || ref.kind !== 'code';
      if (registry.countries.has(ref.iso2)) return ref.prominent || first.capitalized;
      // A city elsewhere in the world: only a famous one, written exactly and capitalised.
      return ref.majorCity && how === 'exact' && first.capitalized;
    });
    allowed.sort(
      (a, b) =>
        kindRank[a.kind] - kindRank[b.kind] ||
        Number(registry.countries.has(b.iso2)) - Number(registry.countries.has(a.iso2)),
    );
    return allowed[0];
  };

  const isVocabulary = (token: Token): boolean =>
    lexicon.vocabularyKeys.has(token.key) || lexicon.vocabularyKeys.has(token.stem);

  const isLanguageName = (start: number, end: number): boolean => {
    const before = tokens[start - 1];
    const after = tokens[end + 1];
    return (
      (before !== undefined && lexicon.languageBeforeKeys.has(before.key)) ||
      (after !== undefined && lexicon.languageAfterKeys.has(after.key))
    );
  };

  const isTreatyName = (end: number): boolean => {
    const after = tokens[end + 1];
    return after !== undefined && (lexicon.treatyKeys.has(after.key) || lexicon.treatyKeys.has(after.stem));
  };

  const record = (ref: PlaceRef, start: number, end: number, fromAdjective: boolean): void => {
    for (let i = start; i <= end; i++) taken[i] = true;
    if (isTreatyName(end)) return;
    if ((ref.kind === 'demonym' || fromAdjective) && isLanguageName(start, end)) return;
    if (!found.some((country) => country.iso2 === ref.iso2))
      found.push({ iso2: ref.iso2, start, end, kind: fromAdjective ? 'demonym' : ref.kind });
  };

  const code = (token: Token): string | undefined => {
    if (token.isNumber || lexicon.codesThatAreWords.has(token.text)) return undefined;
    if (shouting && lexicon.stopwordTexts.has(token.text.toLowerCase())) return undefined;
    if (token.allCaps && token.text.length <= 4) {
      const iso2 = places.codes.get(token.text);
      if (iso2 !== undefined) return iso2;
    }
    if (token.script === 'cyrillic' && token.text.length >= 3)
      return places.lowercaseCodes.get(token.text.toLowerCase());
    // Mixed-case abbreviations as written ("РУз").
    return token.text.length <= 4 && /\p{Lu}/u.test(token.text) ? places.codes.get(token.text) : undefined;
  };

  let i = 0;
  outer: while (i < tokens.length) {
    const token = tokens[i];
    if (token === undefined) break;
    if (taken[i] === true || token.isNumber) {
      i++;
      continue;
    }
    const iso2 = code(token);
    if (iso2 !== undefined) {
      record({ iso2, kind: 'code', majorCity: true, prominent: true }, i, i, false);
      i++;
      continue;
    }

    const startsLongName = places.multiWordStarts.has(token.key) || places.multiWordStarts.has(token.stem);
    for (let n = startsLongName ? Math.min(places.maxWords, tokens.length - i) : 1; n >= 1; n--) {
      // One word (nearly always): the token itself, which the loop has already found free and
      // not a number.
      const single = n === 1;
      const span = single ? [token] : tokens.slice(i, i + n);
      if (!single && span.some((_, offset) => taken[i + offset] === true || span[offset]?.isNumber === true))
        continue;
      const keyPhrase = single ? token.key : span.map((t) => t.key).join(' ');
      const registryCity =
        n === 1 ? (registry.cityKeys.get(keyPhrase) ?? registry.cityKeys.get(token.stem)) : undefined;
      if (registryCity !== undefined) {
        record({ iso2: registryCity, kind: 'city', majorCity: false, prominent: true }, i, i, false);
        i++;
        continue outer;
      }
      // No places under a phrase: nothing to choose from (choose answers undefined for none).
      const exact = places.exact.get(keyPhrase);
      let ref = exact === undefined ? undefined : choose(exact, 'exact', span);
      // Our own vocabulary ("witness") is never a place by its stem ("vitn", as in a name of Vietnam).
      if (ref === undefined && span.every((t) => t.stem.length >= minimumStemLength && !isVocabulary(t))) {
        const stems = places.stems.get(single ? token.stem : span.map((t) => t.stem).join(' '));
        if (stems !== undefined) ref = choose(stems, 'stem', span);
      }
      if (ref !== undefined) {
        record(ref, i, i + n - 1, false);
        i += n;
        continue outer;
      }
    }

    const base = adjectiveBase(token.key);
    if (base !== undefined) {
      const ref = choose(
        [...(places.exact.get(base) ?? []), ...(places.stems.get(stemOfKey(base)) ?? [])].filter(
          (candidate) => candidate.kind === 'name' || candidate.kind === 'demonym',
        ),
        'stem',
        [token],
      );
      if (ref !== undefined) {
        record(ref, i, i, true);
        i++;
        continue;
      }
    }

    if (token.script !== 'other' && !lexicon.stopwordKeys.has(token.key) && !isVocabulary(token)) {
      // A stem is shorter than the word it came from; it gets the edits of a word one letter shorter.
      const matches = [
        ...places.fuzzy.search(token.key),
        ...(token.stem === token.key
          ? []
          : places.fuzzy.search(token.stem, allowedEdits(token.stem.length - 1))),
      ];
      const fewest = Math.min(...matches.map((match) => match.edits));
      const refs = matches.filter((match) => match.edits === fewest).flatMap((match) => match.values);
      const ref = choose(refs, 'fuzzy', [token]);
      if (ref !== undefined) {
        record(ref, i, i, false);
        i++;
        continue;
      }
    }
    i++;
  }
  return found;
}
