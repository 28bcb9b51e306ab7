// Every way of naming a country, for all countries (not only the registry's: a question about a
// country outside the registry must still be understood, to say so). Names come from maintained
// packages: i18n-iso-countries (names in the network's languages), world-countries (official,
// native and former names, capitals, demonyms), city-timezones (cities with population); only what
// they lack is curated in config/ask-places.yaml.
import countryCodes from 'i18n-iso-countries';
import worldCountriesModule, { type Country as WorldCountry } from 'world-countries';
import cityTimezones from 'city-timezones';
import { FuzzyIndex } from './fuzzy-index.ts';
import { minimumStemLength, tokenize } from './word-keys.ts';
import type { PlaceAliases } from './ask-vocabulary.ts';

import az from 'i18n-iso-countries/langs/az.json' with { type: 'json' };
import be from 'i18n-iso-countries/langs/be.json' with { type: 'json' };
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import hy from 'i18n-iso-countries/langs/hy.json' with { type: 'json' };
import ka from 'i18n-iso-countries/langs/ka.json' with { type: 'json' };
import kk from 'i18n-iso-countries/langs/kk.json' with { type: 'json' };
import ky from 'i18n-iso-countries/langs/ky.json' with { type: 'json' };
import nl from 'i18n-iso-countries/langs/nl.json' with { type: 'json' };
import ru from 'i18n-iso-countries/langs/ru.json' with { type: 'json' };
import sv from 'i18n-iso-countries/langs/sv.json' with { type: 'json' };
import tg from 'i18n-iso-countries/langs/tg.json' with { type: 'json' };
import tk from 'i18n-iso-countries/langs/tk.json' with { type: 'json' };
import tr from 'i18n-iso-countries/langs/tr.json' with { type: 'json' };
import uk from 'i18n-iso-countries/langs/uk.json' with { type: 'json' };
import uz from 'i18n-iso-countries/langs/uz.json' with { type: 'json' };

// The package is CommonJS exporting the array itself; its typings describe an ES default export.
const worldCountries = worldCountriesModule as unknown as readonly WorldCountry[];

// The network's working languages (English, Russian), the languages of its member states, and
// those of its main partner states. More languages would mean more accidental matches.
const nameLocales = [en, ru, kk, ky, uz, tg, tk, az, ka, hy, tr, de, nl, sv, uk, be];
for (const locale of nameLocales) countryCodes.registerLocale(locale);

// Names in scripts whose transliteration is a different word altogether (Chinese 阿根廷 becomes
// "a gen ting") would match unrelated Latin words; only alphabets transliterated letter by letter
// are indexed.
const indexableName =
  /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Georgian}\p{Script=Armenian}\p{M}\p{N}\p{P}\p{Zs}ʻʼ]+$/u;

/** How a place was named; it decides how strictly it must be written to count. */
export type PlaceKind = 'name' | 'demonym' | 'code' | 'city' | 'capital';

export interface PlaceRef {
  iso2: string;
  kind: PlaceKind;
  /** Cities of a country outside the registry count only when written exactly and capitalised. */
  majorCity: boolean;
  /**
   * A capital or one of a country's three largest cities: counts in any case. Smaller cities
   * count only when capitalised ("Semey" is a city, "семьёй" means "with the family").
   */
  prominent: boolean;
}

/** Cities above this population count for any country; smaller ones only for registry countries. */
const worldCityPopulation = 2_000_000;
const regionalCitiesPerCountry = 10;
const prominentCitiesPerCountry = 3;
const regionalCityPopulation = 100_000;

export interface PlaceIndex {
  /** Phrase of word keys ("kirgiz respublik") -> places. */
  readonly exact: ReadonlyMap<string, readonly PlaceRef[]>;
  /** Phrase of word stems -> places (Russian case endings, English plurals). */
  readonly stems: ReadonlyMap<string, readonly PlaceRef[]>;
  /** Single-word keys and stems, for misspellings. */
  readonly fuzzy: FuzzyIndex<PlaceRef>;
  /** Codes and abbreviations as written ("KG", "KGZ", "США"). */
  readonly codes: ReadonlyMap<string, string>;
  /** Cyrillic abbreviations of three or more letters, any case ("сша"). */
  readonly lowercaseCodes: ReadonlyMap<string, string>;
  readonly maxWords: number;
  /**
   * First word keys and stems of the names longer than one word: a span starting with any other
   * word is looked up as one word only, which spares most of a question's lookups.
   */
  readonly multiWordStarts: ReadonlySet<string>;
  /** Every assigned ISO 3166-1 alpha-2 code. */
  readonly isoCodes: ReadonlySet<string>;
}

export function buildPlaceIndex(places: PlaceAliases): PlaceIndex {
  const exact = new Map<string, PlaceRef[]>();
  const stems = new Map<string, PlaceRef[]>();
  const fuzzy = new FuzzyIndex<PlaceRef>();
  const codes = new Map<string, string>();
  const lowercaseCodes = new Map<string, string>();
  let maxWords = 1;
  const multiWordStarts = new Set<string>();
  const isoCodes = new Set(Object.keys(countryCodes.getAlpha2Codes()));
  const seen = new Set<string>();

  const push = (map: Map<string, PlaceRef[]>, key: string, ref: PlaceRef): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [ref]);
    else if (!list.some((known) => known.iso2 === ref.iso2 && known.kind === ref.kind)) list.push(ref);
  };

  const addCode = (code: string, iso2: string): void => {
    if (/\p{Script=Cyrillic}/u.test(code) && code.length >= 3) lowercaseCodes.set(code.toLowerCase(), iso2);
    codes.set(code, iso2);
  };

  const addName = (name: string, iso2: string, kind: PlaceKind, majorCity = true, prominent = true): void => {
    const trimmed = name.trim().replace(/^(the|The)\s+/u, '');
    if (trimmed === '' || !indexableName.test(trimmed)) return;
    // Short all-capital spellings ("UK", "USA", "ОАЭ") are abbreviations: exact case only.
    if (/^[\p{Lu}.]{2,4}$/u.test(trimmed)) {
      addCode(trimmed.replaceAll('.', ''), iso2);
      return;
    }
    const tokens = tokenize(trimmed);
    if (tokens.length === 0) return;
    const identity = `${iso2}:${kind}:${tokens.map((t) => t.key).join(' ')}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    const ref: PlaceRef = { iso2, kind, majorCity, prominent };
    maxWords = Math.max(maxWords, tokens.length);
    if (tokens.length > 1 && tokens[0] !== undefined) {
      multiWordStarts.add(tokens[0].key);
      multiWordStarts.add(tokens[0].stem);
    }
    push(exact, tokens.map((t) => t.key).join(' '), ref);
    if (tokens.every((t) => t.stem.length >= minimumStemLength))
      push(stems, tokens.map((t) => t.stem).join(' '), ref);
    if (tokens.length === 1) {
      const [token] = tokens;
      if (token === undefined) return;
      fuzzy.add(token.key, ref);
      if (token.stem !== token.key) fuzzy.add(token.stem, ref);
      // "Kazakh" names Kazakhstan, "Uzbek" Uzbekistan: the demonym is the name without "(i)stan".
      const prefix = /^(.{4,}?)i?stan$/.exec(token.key)?.[1];
      if (prefix !== undefined && kind === 'name') {
        push(exact, prefix, { iso2, kind: 'demonym', majorCity, prominent });
        fuzzy.add(prefix, { iso2, kind: 'demonym', majorCity, prominent });
      }
    }
  };

  for (const iso2 of isoCodes) {
    for (const { locale } of nameLocales) {
      for (const name of countryCodes.getName(iso2, locale, { select: 'all' }) ?? [])
        addName(name, iso2, 'name');
    }
    const alpha3 = countryCodes.alpha2ToAlpha3(iso2);
    addCode(iso2, iso2);
    if (alpha3 !== undefined) addCode(alpha3, iso2);
  }

  for (const country of worldCountries) {
    const iso2 = country.cca2;
    if (!isoCodes.has(iso2)) continue;
    const names = [country.name.common, country.name.official, ...country.altSpellings];
    for (const native of Object.values(country.name.native)) names.push(native.common, native.official);
    const russian = country.translations.rus;
    if (russian !== undefined) names.push(russian.common, russian.official);
    for (const name of names) addName(name, iso2, 'name');
    const demonyms = country.demonyms.eng;
    if (demonyms !== undefined)
      for (const demonym of [demonyms.m, demonyms.f]) addName(demonym, iso2, 'demonym');
    for (const capital of country.capital) addName(capital, iso2, 'capital', country.independent);
  }

  const citiesByCountry = new Map<string, typeof cityTimezones.cityMapping>();
  for (const city of [...cityTimezones.cityMapping].sort((a, b) => b.pop - a.pop)) {
    const list = citiesByCountry.get(city.iso2) ?? [];
    list.push(city);
    citiesByCountry.set(city.iso2, list);
  }
  for (const [iso2, cities] of citiesByCountry) {
    if (!isoCodes.has(iso2)) continue;
    cities.forEach((city, rank) => {
      const major = city.pop >= worldCityPopulation;
      if (major || (rank < regionalCitiesPerCountry && city.pop >= regionalCityPopulation)) {
        const prominent = major || rank < prominentCitiesPerCountry;
        addName(city.city_ascii, iso2, 'city', major, prominent);
        if (city.city !== city.city_ascii) addName(city.city, iso2, 'city', major, prominent);
      }
    });
  }

  for (const [iso2, names] of Object.entries(places.aliases))
    for (const name of names) addName(name, iso2, 'name');
  for (const [iso2, names] of Object.entries(places.abbreviations))
    for (const name of names) addCode(name, iso2);
  for (const [iso2, names] of Object.entries(places.cities))
    for (const name of names) addName(name, iso2, 'city', false);

  return { exact, stems, fuzzy, codes, lowercaseCodes, maxWords, multiWordStarts, isoCodes };
}
