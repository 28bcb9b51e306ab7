// The declarative word lists of the ask module (config/ask-vocabulary.yaml, config/ask-places.yaml),
// loaded and checked once. Adding a synonym is a data change, not a code change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { eng as englishStopwords, rus as russianStopwords } from 'stopword';

export type VocabularyLanguage = 'en' | 'ru';
export type WordsByLanguage = Record<VocabularyLanguage, string[]>;

export interface AskVocabulary {
  /** Competence id -> phrases naming it. Ids not in the registry are ignored. */
  competences: Record<string, WordsByLanguage>;
  contactCues: WordsByLanguage;
  /** Words of criminal cases: with a country, they make a question for a counterpart. */
  domainWords: WordsByLanguage;
  neutralWords: WordsByLanguage;
  /** Question words that, with only a place, ask about something else ("where", "how"). */
  offTopicWords: WordsByLanguage;
  /** Words that change the subject ("weather", "capital"). */
  offTopicSubjects: WordsByLanguage;
  treatyWords: WordsByLanguage;
  languageContext: { before: WordsByLanguage; after: WordsByLanguage };
  /** Two-letter capitals that are country codes but mostly mean something else ("IT", "ID"). */
  codesThatAreWords: string[];
  stopwords: WordsByLanguage;
  /** What a question asks about besides who: phrases of each kind, function words included. */
  asks: Record<AskedKind, WordsByLanguage>;
  /** Competence id -> phrases describing its acts (config/ask-acts.yaml). */
  acts: Record<string, WordsByLanguage>;
  /** Words left out of act phrases. */
  actFillers: WordsByLanguage;
}

/** Kinds of question besides "who handles it" (`interpretation.asks`), most specific first. */
export const askedKinds = ['tips', 'requirements'] as const;
export type AskedKind = (typeof askedKinds)[number];

export interface PlaceAliases {
  aliases: Record<string, string[]>;
  abbreviations: Record<string, string[]>;
  cities: Record<string, string[]>;
}

const configFolder = join(import.meta.dirname, '..', '..', 'config');
export const defaultVocabularyFile = join(configFolder, 'ask-vocabulary.yaml');
export const defaultPlacesFile = join(configFolder, 'ask-places.yaml');
export const defaultActsFile = join(configFolder, 'ask-acts.yaml');

type Problems = string[];

const stringList = (value: unknown, path: string, problems: Problems): string[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' || typeof item === 'number')) {
    problems.push(`${path} must be a list of words`);
    return [];
  }
  return value.map(String);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const byLanguage = (value: unknown, path: string, problems: Problems): WordsByLanguage => {
  if (!isRecord(value)) {
    problems.push(`${path} must have "en" and "ru" lists`);
    return { en: [], ru: [] };
  }
  return {
    en: stringList(value.en, `${path}.en`, problems),
    ru: stringList(value.ru, `${path}.ru`, problems),
  };
};

const listsByCountry = (value: unknown, path: string, problems: Problems): Record<string, string[]> => {
  const result: Record<string, string[]> = {};
  if (value === undefined) return result;
  if (!isRecord(value)) {
    problems.push(`${path} must map ISO codes to lists`);
    return result;
  }
  for (const [iso2, names] of Object.entries(value)) {
    if (!/^[A-Z]{2}$/.test(iso2)) problems.push(`${path}.${iso2} is not an ISO 3166-1 alpha-2 code`);
    result[iso2] = stringList(names, `${path}.${iso2}`, problems);
  }
  return result;
};

const phrasesByCompetence = (
  value: unknown,
  path: string,
  problems: Problems,
): Record<string, WordsByLanguage> => {
  const result: Record<string, WordsByLanguage> = {};
  if (!isRecord(value)) problems.push(`${path} must map competence ids to phrases`);
  else {
    for (const [id, phrases] of Object.entries(value))
      result[id] = byLanguage(phrases, `${path}.${id}`, problems);
  }
  return result;
};

/** Reads the acts file; throws one error listing every problem. */
function loadActs(file: string): Pick<AskVocabulary, 'acts' | 'actFillers'> {
  const data: unknown = parse(readFileSync(file, 'utf8'));
  if (!isRecord(data)) throw new Error(`${file}: not a YAML mapping`);
  const problems: Problems = [];
  const loaded = {
    acts: phrasesByCompetence(data.acts, 'acts', problems),
    actFillers: byLanguage(data.fillers, 'fillers', problems),
  };
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return loaded;
}

/** Reads the vocabulary and acts files; throws one error listing every problem. */
export function loadAskVocabulary(
  file: string = defaultVocabularyFile,
  actsFile: string = defaultActsFile,
): AskVocabulary {
  const data: unknown = parse(readFileSync(file, 'utf8'));
  const problems: Problems = [];
  if (!isRecord(data)) throw new Error(`${file}: not a YAML mapping`);
  const competences = phrasesByCompetence(data.competences, 'competences', problems);
  const context = isRecord(data.languageContext) ? data.languageContext : {};
  const asks = isRecord(data.asks) ? data.asks : {};
  const vocabulary: AskVocabulary = {
    competences,
    contactCues: byLanguage(data.contactCues, 'contactCues', problems),
    domainWords: byLanguage(data.domainWords, 'domainWords', problems),
    neutralWords: byLanguage(data.neutralWords, 'neutralWords', problems),
    offTopicWords: byLanguage(data.offTopicWords, 'offTopicWords', problems),
    offTopicSubjects: byLanguage(data.offTopicSubjects, 'offTopicSubjects', problems),
    treatyWords: byLanguage(data.treatyWords, 'treatyWords', problems),
    languageContext: {
      before: byLanguage(context.before, 'languageContext.before', problems),
      after: byLanguage(context.after, 'languageContext.after', problems),
    },
    codesThatAreWords: stringList(data.codesThatAreWords, 'codesThatAreWords', problems),
    stopwords: { en: [...englishStopwords], ru: [...russianStopwords] },
    asks: {
      tips: byLanguage(asks.tips, 'asks.tips', problems),
      requirements: byLanguage(asks.requirements, 'asks.requirements', problems),
    },
    ...loadActs(actsFile),
  };
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return vocabulary;
}

/** Reads the place aliases file; throws one error listing every problem. */
export function loadPlaceAliases(file: string = defaultPlacesFile): PlaceAliases {
  const data: unknown = parse(readFileSync(file, 'utf8'));
  if (!isRecord(data)) throw new Error(`${file}: not a YAML mapping`);
  const problems: Problems = [];
  const places: PlaceAliases = {
    aliases: listsByCountry(data.aliases, 'aliases', problems),
    abbreviations: listsByCountry(data.abbreviations, 'abbreviations', problems),
    cities: listsByCountry(data.cities, 'cities', problems),
  };
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return places;
}
