// Reads a typed question: which countries, which competence, is it a question for the registry at
// all, and which language to answer in. Pure and synchronous; rebuilt when the registry changes.
import type { Locale } from '../i18n/i18n.ts';
import type { Competence } from '../registry/registry-types.ts';
import type { AskLexicon } from './ask-lexicon.ts';
import type { Interpretation } from './ask-types.ts';
import { findCountries, type RegistryPlaces } from './country-finder.ts';
import { PhraseMatcher, selectNonOverlapping, type PhraseInput } from './phrase-matcher.ts';
import { sanitizeQuestion } from './question-text.ts';
import { tokenize, type Token } from './word-keys.ts';

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

const nothing = (language: Locale | undefined): InterpretedQuestion => ({
  intent: 'other',
  countries: [],
  competence: null,
  language,
});

/** Competence phrases: the synonym table plus the registry's own labels ("Экстрадиция (выдача)"). */
function competencePhrases(lexicon: AskLexicon, competences: readonly Competence[]): PhraseInput<string>[] {
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

export function createQuestionInterpreter({
  lexicon,
  competences,
  registry,
}: QuestionInterpreterOptions): QuestionInterpreter {
  const competenceMatcher = new PhraseMatcher(competencePhrases(lexicon, competences), lexicon.stopwordKeys);

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

    const competenceMatches = selectNonOverlapping(competenceMatcher.find(tokens));
    const best = competenceMatches[0];
    for (const match of competenceMatches) for (const position of match.positions) taken[position] = true;
    const russianCompetenceWords = competenceMatches.filter(
      (match) => match.language === 'ru' && match.positions.some((p) => tokens[p]?.script === 'latin'),
    ).length;

    const countries = findCountries(tokens, taken, lexicon, registry).map((country) => country.iso2);

    let contactCue = false;
    for (const match of selectNonOverlapping(lexicon.cues.find(tokens, taken))) {
      if (match.value !== 'neutral') contactCue = true;
      for (const position of match.positions) taken[position] = true;
    }
    // Words nobody declared: "weather" in "what is the weather in Bishkek" changes the subject.
    const otherWords = tokens.filter(
      (token, index) =>
        !taken[index] &&
        !token.isNumber &&
        (!lexicon.stopwordKeys.has(token.key) || lexicon.offTopicKeys.has(token.key)),
    ).length;

    const language = detectLanguage(tokens, russianCompetenceWords);
    const isQuestion = best !== undefined || (countries.length > 0 && (contactCue || otherWords === 0));
    if (!isQuestion) return nothing(language);
    return { intent: 'find_contact', countries, competence: best?.value ?? null, language };
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
