// Turns looked-up results into platform-neutral messages in the answer language: the content as
// data (rich content: headings, contact cards, links) and its plain text. Every messenger renders
// the same data, so the wording lives here, in the files beside it and in ask.ftl.
import type { CentralAuthorityInfo, CountryResult, Interpretation, LegalBasis } from './ask-types.ts';
import { createAnswerFormat, type ComposerFormat } from './composer-format.ts';
import { contactsAnswerMessage, whichCountryMessage, type ContactsAnswerOptions } from './contacts-answer.ts';
import { requirementsAnswerMessage, requirementsMessage } from './requirements-composer.ts';
import type { OutboundMessage, SharedMessageLimits } from '../chat/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

export type { ComposerFormat } from './composer-format.ts';
export { countriesAnswered } from './requirements-composer.ts';

export interface Composer {
  /** The answer language. */
  locale: Locale;
  countryName(iso2: string): string;
  competenceLabel(id: string): string;
  help(): OutboundMessage;
  /** `verb`: what a chosen country opens, its contacts (`pick`) or its requirements (`req`). */
  whichCountry(competence: string | null, choices: readonly string[], verb?: 'pick' | 'req'): OutboundMessage;
  answer(
    interpretation: Interpretation,
    results: readonly CountryResult[],
    askerCountry: string | undefined,
    options?: ContactsAnswerOptions,
  ): OutboundMessage;
  requirements(
    country: string,
    competence: string,
    authorities: readonly CentralAuthorityInfo[],
    bases: readonly LegalBasis[],
    askerCountry: string | undefined,
  ): OutboundMessage;
  /** "What do I need to send an MLA request to Uzbekistan": the requirements of each country asked. */
  requirementsAnswer(results: readonly CountryResult[], askerCountry: string | undefined): OutboundMessage;
  staleAction(): OutboundMessage;
  /** The composer's formatting, shared with the answers built beside it (practical-answers.ts). */
  format: ComposerFormat;
}

export function createComposer(
  translator: Translator,
  locale: Locale,
  snapshot: RegistrySnapshot,
  limits: SharedMessageLimits,
): Composer {
  const format = createAnswerFormat(translator, locale, snapshot, limits);
  return {
    locale,
    countryName: format.countryName,
    competenceLabel: format.competenceLabel,
    format,
    help: () => ({ text: format.t('ask-help'), buttons: [], locale }),
    staleAction: () => ({ text: format.t('ask-stale-action'), buttons: [], locale }),
    whichCountry: (competence, choices, verb = 'pick') =>
      whichCountryMessage(format, competence, choices, verb),
    answer: (interpretation, results, askerCountry, options) =>
      contactsAnswerMessage(format, snapshot, interpretation, results, askerCountry, options),
    requirements: (country, competence, authorities, bases, askerCountry) =>
      requirementsMessage(format, country, competence, authorities, bases, askerCountry),
    requirementsAnswer: (results, askerCountry) => requirementsAnswerMessage(format, results, askerCountry),
  };
}
