// Formatting in the answer language (lists, languages, dates, labels, countries, competences), shared
// by every answer the ask module composes. Intl does the locale's punctuation; nothing is hand-made.
import countryCodes from 'i18n-iso-countries';
import type { LegalBasis } from './ask-types.ts';
import { localized } from './contact-ranking.ts';
import {
  type Button,
  type OutboundMessage,
  richToPlainText,
  type RichBlock,
  type SharedMessageLimits,
} from '../chat/index.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

/** Formatting helpers in the answer language, cached per language for the process. */
export interface ComposerFormat {
  t: (id: string, args?: MessageArguments) => string;
  list: (items: readonly string[]) => string;
  languageName: (code: string) => string;
  /** A vocabulary id's label (`ask-stage`, `ask-accepted`); an id without a message shows as itself. */
  label: (prefix: string, id: string) => string;
  date: (isoDate: string) => string;
  /** Cuts a text to what every messenger takes in one message, saying so. */
  fitted: (text: string) => string;
  legalBasisLine: (bases: readonly LegalBasis[], country: string, askerCountry: string | undefined) => string;
  /** Adds a button unless its action is too long for a messenger or already there. */
  pushButton: (buttons: Button[], labelText: string, ...parts: string[]) => void;
  /** The action `verb:arg:arg`, or undefined when it is too long for a messenger or not plain ASCII. */
  buttonAction: (...parts: string[]) => string | undefined;
}

/** The full formatting context of one answer: the helpers above, names of countries and competences. */
export interface AnswerFormat extends ComposerFormat {
  locale: Locale;
  countryName: (iso2: string) => string;
  competenceLabel: (id: string) => string;
  /** A message whose text is the plain rendering of `blocks` (fitted) and whose `rich` is the blocks. */
  richMessage: (blocks: RichBlock[], buttons: Button[]) => OutboundMessage;
}

// Printable ASCII only: one byte a character, whatever the messenger counts.
const actionCharacters = /^[\x21-\x7e]+$/;

interface Formatters {
  list: Intl.ListFormat;
  languages: Intl.DisplayNames;
  dates: Intl.DateTimeFormat;
  /** Formatted values repeat across answers (the same languages, dates); Intl calls are not free. */
  memo: Map<string, string>;
}

// Intl constructors cost more than the rest of an answer; one set per language, for the process.
const formattersByLocale = new Map<Locale, Formatters>();
const memoLimit = 5_000;

function formattersFor(locale: Locale): Formatters {
  let formatters = formattersByLocale.get(locale);
  if (formatters === undefined) {
    formatters = {
      list: new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }),
      languages: new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' }),
      dates: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }),
      memo: new Map(),
    };
    formattersByLocale.set(locale, formatters);
  }
  return formatters;
}

export function createAnswerFormat(
  translator: Translator,
  locale: Locale,
  snapshot: RegistrySnapshot,
  limits: SharedMessageLimits,
): AnswerFormat {
  const t = (id: string, args?: MessageArguments): string => translator.t(locale, id, args);
  const formatters = formattersFor(locale);
  const memo = (key: string, compute: () => string): string => {
    const known = formatters.memo.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (formatters.memo.size >= memoLimit) formatters.memo.clear();
    formatters.memo.set(key, value);
    return value;
  };
  const list = (items: readonly string[]): string =>
    memo(`list:${items.join('\u0000')}`, () => formatters.list.format(items));
  const languageName = (code: string): string =>
    memo(`language:${code}`, () => {
      try {
        return formatters.languages.of(code) ?? code;
      } catch {
        return code;
      }
    });
  const date = (isoDate: string): string =>
    memo(`date:${isoDate}`, () => {
      const parsed = new Date(`${isoDate}T00:00:00Z`);
      return Number.isNaN(parsed.getTime()) ? isoDate : formatters.dates.format(parsed);
    });
  // Labels for vocabulary ids (stages, channels); an id without a message shows as itself.
  const label = (prefix: string, id: string): string =>
    translator.has(locale, `${prefix}-${id}`) || translator.has('en', `${prefix}-${id}`)
      ? t(`${prefix}-${id}`)
      : id.replaceAll('_', ' ');

  const countryName = (iso2: string): string =>
    countryCodes.getName(iso2, locale) ?? countryCodes.getName(iso2, 'en') ?? iso2;
  const competenceLabel = (id: string): string => {
    const competence = snapshot.competences.find((candidate) => candidate.id === id);
    return competence === undefined ? id : localized(competence.label, locale);
  };

  const legalBasisLine = (
    bases: readonly LegalBasis[],
    country: string,
    askerCountry: string | undefined,
  ): string => {
    if (bases.length > 0)
      return t('ask-legal-bases', { treaties: bases.map((basis) => basis.name).join('; ') });
    return askerCountry === undefined || askerCountry === country
      ? t('ask-legal-bases-none-any', { country: countryName(country) })
      : t('ask-legal-bases-none', { asker: countryName(askerCountry), country: countryName(country) });
  };

  // A last guard for messengers' length limits: cut at a line, and say so.
  const fitted = (text: string): string => {
    if (text.length <= limits.maxTextCharacters) return text;
    const notice = t('ask-cut-short');
    const cut = text.slice(0, limits.maxTextCharacters - notice.length - 2);
    return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}\n…\n${notice}`;
  };

  const buttonAction = (...parts: string[]): string | undefined => {
    const action = parts.join(':');
    return action.length <= limits.maxButtonActionBytes && actionCharacters.test(action) ? action : undefined;
  };

  const pushButton = (buttons: Button[], labelText: string, ...parts: string[]): void => {
    const action = buttonAction(...parts);
    if (action !== undefined && !buttons.some((button) => button.action === action))
      buttons.push({ label: labelText, action });
  };

  return {
    locale,
    t,
    list,
    languageName,
    label,
    date,
    fitted,
    legalBasisLine,
    pushButton,
    buttonAction,
    countryName,
    competenceLabel,
    richMessage: (blocks, buttons) => ({
      text: fitted(richToPlainText({ blocks })),
      rich: { blocks },
      buttons,
      locale,
    }),
  };
}
