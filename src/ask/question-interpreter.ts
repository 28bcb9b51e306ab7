// Reads a typed question: which countries, which competence, is it a question for the registry at
// all, and which language to answer in. Pure and synchronous; rebuilt when the registry changes.
import type { AskLexicon } from './ask-lexicon.ts';
import type { Asks, Interpretation } from './ask-types.ts';
import { findCountries, type RegistryPlaces } from './country-finder.ts';
import { PhraseMatcher, selectNonOverlapping, type PhraseInput, type PhraseMatch } from './phrase-matcher.ts';
import { sanitizeQuestion } from './question-text.ts';
import { tokenize, type Token } from './word-keys.ts';
import type { Locale } from '../i18n/index.ts';
import type { Competence } from '../registry/index.ts';

export interface InterpretedQuestion extends Interpretation {
  /** The language the question is written in; undefined when it has no words (emoji, digits). */
  language: Locale | undefined;
}

export interface QuestionInterpreter {
  interpret(text: string): InterpretedQuestion;
}

export interface QuestionInterpreterOptions {
  lexicon: AskLexicon;
  /** The registry's competence vocabulary; phrases for other ids are ignored. */
  competences: readonly Competence[];
  registry: RegistryPlaces;
}

const nothing = (language: Locale | undefined, asks: Asks = 'contacts'): InterpretedQuestion => ({
  intent: 'other',
  countries: [],
  competence: null,
  asks,
  language,
});

/** Competence names: the synonym table plus the registry's own labels ("Экстрадиция (выдача)"). */
function competenceNames(lexicon: AskLexicon, competences: readonly Competence[]): PhraseInput<string>[] {
  const inputs: PhraseInput<string>[] = [];
  for (const competence of competences) {
    const synonyms = lexicon.vocabulary.competences[competence.id];
    for (const language of ['en', 'ru'] as const) {
      for (const text of synonyms?.[language] ?? []) inputs.push({ text, value: competence.id, language });
      const label = competence.label[language];
      if (label !== undefined) {
        for (const part of label.split(/[()]/)) {
          if (part.trim() !== '' && !part.includes(','))
            inputs.push({ text: part, value: competence.id, language });
        }
      }
    }
    inputs.push({ text: competence.id.replaceAll('_', ' '), value: competence.id, language: 'en' });
  }
  return inputs;
}

/** What people describe doing for each competence ("fled to", "take over the case"): config/ask-acts.yaml. */
function competenceActs(lexicon: AskLexicon, competences: readonly Competence[]): PhraseInput<string>[] {
  const inputs: PhraseInput<string>[] = [];
  for (const competence of competences) {
    const acts = lexicon.vocabulary.acts[competence.id];
    for (const language of ['en', 'ru'] as const) {
      for (const text of acts?.[language] ?? []) inputs.push({ text, value: competence.id, language });
    }
  }
  return inputs;
}

/** The competence the acts found speak for: each votes with its score (longer phrases more); the earliest wins a tie. */
function votedCompetence(matches: readonly PhraseMatch<string>[]): string | null {
  const votes = new Map<string, number>();
  let best: string | null = null;
  let bestVotes = 0;
  for (const match of [...matches].sort((a, b) => a.start - b.start)) {
    const total = (votes.get(match.value) ?? 0) + match.score;
    votes.set(match.value, total);
    if (total > bestVotes) {
      best = match.value;
      bestVotes = total;
    }
  }
  return best;
}

export function createQuestionInterpreter({
  lexicon,
  competences,
  registry,
}: QuestionInterpreterOptions): QuestionInterpreter {
  const nameMatcher = new PhraseMatcher(competenceNames(lexicon, competences), lexicon.stopwordKeys);
  const actMatcher = new PhraseMatcher(competenceActs(lexicon, competences), lexicon.actFillerKeys);

  const detectLanguage = (tokens: readonly Token[], russianMatches: number): Locale | undefined => {
    let cyrillic = 0;
    let latin = 0;
    let russianWords = russianMatches;
    let englishWords = 0;
    for (const token of tokens) {
      if (token.script === 'cyrillic') cyrillic += token.text.length;
      else if (token.script === 'latin') {
        latin += token.text.length;
        if (lexicon.russianOnlyKeys.has(token.key)) russianWords++;
        else if (lexicon.englishKeys.has(token.key)) englishWords++;
      }
    }
    if (cyrillic === 0 && latin === 0) return undefined;
    if (cyrillic > latin) return 'ru';
    // Russian typed in Latin letters: "kto zanimaetsya ekstradiciej v Kazakhstane".
    return russianWords > englishWords ? 'ru' : 'en';
  };

  // The same questions come back again and again ("extradition KG"); reading one costs a tenth
  // of a millisecond, remembering it far less. Cleared when full, and with the index on change.
  const remembered = new Map<string, InterpretedQuestion>();
  const rememberLimit = 2_000;

  const read = (question: string): InterpretedQuestion => {
    const tokens = tokenize(question);
    if (tokens.length === 0) return nothing(undefined);
    const taken = tokens.map(() => false);

    // A competence named outright wins ("MLA request for bank records"); without one, the acts
    // described vote ("secure the contents of a mailbox").
    const nameMatches = selectNonOverlapping(nameMatcher.find(tokens));
    for (const match of nameMatches) for (const position of match.positions) taken[position] = true;
    const actMatches = selectNonOverlapping(actMatcher.find(tokens, taken));
    for (const match of actMatches) for (const position of match.positions) taken[position] = true;
    const competence = nameMatches[0]?.value ?? votedCompetence(actMatches);
    const competenceMatches = [...nameMatches, ...actMatches];
    // "Tips" before "requirements": "tips on what to include in an MLA request" asks for tips.
    let asks: Asks = 'contacts';
    for (const match of lexicon.asks.find(tokens)) {
      if (match.value === 'tips' || asks === 'contacts') asks = match.value;
    }
    const russianCompetenceWords = competenceMatches.filter(
      (match) => match.language === 'ru' && match.positions.some((p) => tokens[p]?.script === 'latin'),
    ).length;

    const found = findCountries(tokens, taken, lexicon, registry);
    const countries = found.map((country) => country.iso2);

    let contactCue = false;
    for (const match of selectNonOverlapping(lexicon.cues.find(tokens, taken))) {
      if (match.value !== 'neutral') contactCue = true;
      for (const position of match.positions) taken[position] = true;
    }
    // Words nobody declared: "weather" in "what is the weather in Bishkek" changes the subject.
    let otherWords = 0;
    let questionWords = 0;
    let offTopic = false;
    for (const [index, token] of tokens.entries()) {
      if (taken[index] === true || token.isNumber) continue;
      if (lexicon.offTopicKeys.has(token.key)) questionWords++;
      else if (!lexicon.stopwordKeys.has(token.key)) otherWords++;
      if (lexicon.offTopicSubjectKeys.has(token.key) || lexicon.offTopicSubjectKeys.has(token.stem))
        offTopic = true;
    }
    // A country named by its name, code or adjective (not only a city) is not dropped because the
    // rest of the sentence was not understood ("как вернуть беглого преступника из Турции"),
    // unless a word changes the subject ("the capital of") or a question word stands alone with
    // it ("where is Kazakhstan").
    const countryNamed = found.some((country) => country.kind !== 'city' && country.kind !== 'capital');
    const keptCountry = countryNamed && !offTopic && (questionWords === 0 || otherWords > 0);

    const language = detectLanguage(tokens, russianCompetenceWords);
    const isQuestion =
      competence !== null ||
      (countries.length > 0 &&
        (contactCue || asks !== 'contacts' || otherWords + questionWords === 0 || keptCountry));
    if (!isQuestion) return nothing(language, asks);
    return { intent: 'find_contact', countries, competence, asks, language };
  };

  return {
    interpret(text: string): InterpretedQuestion {
      const question = sanitizeQuestion(text);
      let understood = remembered.get(question);
      if (understood === undefined) {
        understood = read(question);
        if (remembered.size >= rememberLimit) remembered.clear();
        remembered.set(question, understood);
      }
      return { ...understood, countries: [...understood.countries] };
    },
  };
}
