// Turns looked-up results into one platform-neutral message (text and buttons) in the answer
// language. Every messenger renders the same message, so the wording lives here and in ask.ftl.
import countryCodes from 'i18n-iso-countries';
import type { Button, OutboundMessage } from '../chat/chat-types.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/i18n.ts';
import { displayChannelValue } from '../registry/channel-rules.ts';
import type { RegistrySnapshot } from '../registry/registry-types.ts';
import type {
  CentralAuthorityInfo,
  CountryResult,
  Interpretation,
  LegalBasis,
  RankedContact,
} from './ask-types.ts';
import { localized } from './contact-ranking.ts';

/**
 * Contacts listed per country and competence, the rest counted: messengers cap a message's length
 * (Telegram at 4096 characters), so an answer about several countries lists fewer per country.
 */
const contactsShownForOneCountry = 5;
const contactsShownForSeveral = 3;
/** Telegram's limit is 4096 characters; some room is left for the adapter's own marks. */
const maximumReplyCharacters = 3900;
/** Countries answered in one message. */
export const countriesAnswered = 5;
/** Buttons offering countries when the question named none. */
const countryChoices = 8;
/** Telegram's callback data holds 64 bytes; actions stay within 60 (chat-types.ts). */
const maximumActionBytes = 60;

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
}

export const buttonAction = (...parts: string[]): string | undefined => {
  const action = parts.join(':');
  return Buffer.byteLength(action) <= maximumActionBytes && /^[\x21-\x7e]+$/.test(action)
    ? action
    : undefined;
};

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

export function createComposer(translator: Translator, locale: Locale, snapshot: RegistrySnapshot): Composer {
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

  // Compact (answers about several countries): without the authority and languages lines.
  const contactLines = (contact: RankedContact, position: number, compact: boolean): string[] => {
    const lines = [t('ask-contact', { position, name: contact.name, title: contact.title })];
    if (!compact) lines.push(`   ${contact.authority.name}`);
    if (contact.outOfOffice !== null) {
      const { note, noteLanguage } = contact.outOfOffice;
      // A note with no translation goes on a line of its own, so no sentence mixes two languages.
      const inline = note !== null && note !== '' && (noteLanguage === null || noteLanguage === locale);
      const away = inline
        ? t('ask-contact-away-note', { until: date(contact.outOfOffice.end), note })
        : t('ask-contact-away', { until: date(contact.outOfOffice.end) });
      lines.push(
        `   ${contact.deputy === null ? away : `${away}; ${t('ask-contact-deputy', { deputy: contact.deputy.name })}`}`,
      );
      if (!inline && note !== null && note !== '') lines.push(`   ${note}`);
    }
    if (!compact) {
      lines.push(
        `   ${t('ask-contact-languages', { languages: list(contact.languages.map(languageName)) })}`,
      );
    }
    const channels = Object.entries(contact.channels).map(
      ([channel, address]) => `${label('ask-channel', channel)}: ${displayChannelValue(channel, address)}`,
    );
    if (channels.length > 0) lines.push(`   ${channels.join(' · ')}`);
    const verified = contact.possiblyStale
      ? t('ask-contact-stale', { date: date(contact.verifiedAt) })
      : t('ask-contact-verified', { date: date(contact.verifiedAt) });
    lines.push(
      `   ${t('ask-contact-time', { time: contact.localTime, inside: contact.withinWorkingHours ? 'yes' : 'no' })} · ${verified}`,
    );
    return lines;
  };

  // `described`: contacts already detailed in this message (grouped answers list a person under
  // each of their competences, with the details once).
  const contactBlock = (
    contacts: readonly RankedContact[],
    shown: number,
    described = new Set<string>(),
  ): string[] => {
    const lines = contacts.slice(0, shown).flatMap((contact, index) => {
      if (described.has(contact.id))
        return [
          `${t('ask-contact', { position: index + 1, name: contact.name, title: contact.title })} ${t('ask-see-above')}`,
        ];
      described.add(contact.id);
      return contactLines(contact, index + 1, shown < contactsShownForOneCountry);
    });
    if (contacts.length > shown) lines.push(t('ask-more-contacts', { count: contacts.length - shown }));
    return lines;
  };

  const authorityLines = (authorities: readonly CentralAuthorityInfo[], withDetails: boolean): string[] =>
    authorities.flatMap((authority) => {
      // Stages are named only where the country splits the competence between authorities.
      const heading =
        authorities.length > 1
          ? t('ask-central-authority-stages', {
              authority: authority.name,
              stages: list(authority.stages.map((stage) => label('ask-stage', stage))),
            })
          : t('ask-central-authority', { authority: authority.name });
      const lines = [
        heading,
        `   ${t('ask-request-languages', { languages: list(authority.requestLanguages.map(languageName)) })}`,
      ];
      if (withDetails || authorities.length === 1) {
        lines.push(
          `   ${t('ask-accepted-channels', { channels: list(authority.acceptedChannels.map((channel) => label('ask-accepted', channel))) })}`,
        );
        const procedure = authority.urgentProcedure;
        if (
          procedure !== null &&
          (authority.urgentProcedureLanguage === null || authority.urgentProcedureLanguage === locale)
        )
          lines.push(`   ${t('ask-urgent', { procedure })}`);
        else if (procedure !== null) lines.push(`   ${t('ask-urgent-heading')}`, `   ${procedure}`);
      }
      return lines;
    });

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
    if (text.length <= maximumReplyCharacters) return text;
    const notice = t('ask-cut-short');
    const cut = text.slice(0, maximumReplyCharacters - notice.length - 2);
    return `${cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))}\n…\n${notice}`;
  };

  const pushButton = (buttons: Button[], labelText: string, ...parts: string[]): void => {
    const action = buttonAction(...parts);
    if (action !== undefined && !buttons.some((button) => button.action === action))
      buttons.push({ label: labelText, action });
  };

  const requirements: Composer['requirements'] = (country, competence, authorities, bases, askerCountry) => {
    const lines = [
      t('ask-requirements-heading', {
        competence: competenceLabel(competence),
        country: countryName(country),
      }),
    ];
    if (authorities.length === 0)
      lines.push(
        t('ask-requirements-none', {
          competence: competenceLabel(competence),
          country: countryName(country),
        }),
      );
    else lines.push(...authorityLines(authorities, true));
    lines.push('', legalBasisLine(bases, country, askerCountry));
    const buttons: Button[] = [];
    pushButton(buttons, t('ask-button-consult'), 'consult', 'start', country, competence);
    return { text: lines.join('\n'), buttons, locale };
  };

  return {
    locale,
    countryName,
    competenceLabel,
    requirements,
    format: { t, list, languageName, label, date, fitted, legalBasisLine, pushButton },

    requirementsAnswer(results, askerCountry) {
      const sections: string[] = [];
      const buttons: Button[] = [];
      const several = results.length > 1;
      for (const result of results.slice(0, countriesAnswered)) {
        const country = countryName(result.country);
        if (!result.inRegistry || result.competence === null) {
          sections.push(t('ask-not-in-registry', { country }));
          continue;
        }
        const message = requirements(
          result.country,
          result.competence,
          result.centralAuthorities,
          result.legalBases,
          askerCountry,
        );
        sections.push(message.text);
        for (const button of message.buttons ?? []) {
          pushButton(
            buttons,
            several ? t('ask-button-consult-country', { country }) : button.label,
            ...button.action.split(':'),
          );
        }
        pushButton(
          buttons,
          several ? t('ask-button-contacts-country', { country }) : t('ask-button-contacts'),
          'ask',
          'pick',
          result.country,
          result.competence,
        );
      }
      if (results.length > countriesAnswered)
        sections.push(t('ask-more-countries', { count: countriesAnswered }));
      return { text: fitted(sections.join('\n\n')), buttons, locale };
    },
    help: () => ({ text: t('ask-help'), buttons: [], locale }),
    staleAction: () => ({ text: t('ask-stale-action'), buttons: [], locale }),

    whichCountry(competence, choices, verb = 'pick') {
      const buttons: Button[] = [];
      for (const iso2 of choices.slice(0, countryChoices))
        pushButton(buttons, countryName(iso2), 'ask', verb, iso2, competence ?? '-');
      const text =
        competence === null
          ? t('ask-which-country-any')
          : t('ask-which-country', { competence: competenceLabel(competence) });
      return { text, buttons, locale };
    },

    answer(interpretation, results, askerCountry) {
      const sections: string[] = [];
      const buttons: Button[] = [];
      const several = results.length > 1;
      const shown = several ? contactsShownForSeveral : contactsShownForOneCountry;
      for (const result of results.slice(0, countriesAnswered)) {
        const country = countryName(result.country);
        if (!result.inRegistry) {
          sections.push(t('ask-not-in-registry', { country }));
          continue;
        }
        const lines: string[] = [];
        if (result.competence === null && several) {
          // Every competence of several countries would not fit a message: what each country has,
          // and a button to open it.
          const present = snapshot.competences
            .map((competence) => ({
              competence,
              count: result.contacts.filter((contact) => contact.competences.includes(competence.id)).length,
            }))
            .filter(({ count }) => count > 0)
            .map(({ competence, count }) => `${localized(competence.label, locale)} (${count})`);
          lines.push(t('ask-heading-all', { country }));
          lines.push(present.length === 0 ? t('ask-no-contacts-all', { country }) : present.join('; '));
          pushButton(buttons, country, 'ask', 'pick', result.country, '-');
        } else if (result.competence === null) {
          lines.push(t('ask-heading-all', { country }));
          const present = snapshot.competences.filter((competence) =>
            result.contacts.some((contact) => contact.competences.includes(competence.id)),
          );
          if (present.length === 0) lines.push(t('ask-no-contacts-all', { country }));
          const described = new Set<string>();
          for (const competence of present) {
            lines.push('', t('ask-group-heading', { competence: localized(competence.label, locale) }));
            lines.push(
              ...contactBlock(
                result.contacts.filter((contact) => contact.competences.includes(competence.id)),
                shown,
                described,
              ),
            );
            pushButton(
              buttons,
              several
                ? `${localized(competence.label, locale)} (${country})`
                : localized(competence.label, locale),
              'ask',
              'pick',
              result.country,
              competence.id,
            );
          }
        } else {
          const competence = competenceLabel(result.competence);
          lines.push(t('ask-heading', { competence, country }));
          lines.push(
            ...(result.contacts.length === 0
              ? [t('ask-no-contacts', { competence, country })]
              : contactBlock(result.contacts, shown)),
          );
          if (result.centralAuthorities.length > 0)
            lines.push('', ...authorityLines(result.centralAuthorities, false));
          lines.push('', legalBasisLine(result.legalBases, result.country, askerCountry));
          if (result.contacts.length > 0) {
            pushButton(
              buttons,
              several ? t('ask-button-consult-country', { country }) : t('ask-button-consult'),
              'consult',
              'start',
              result.country,
              result.competence,
            );
          }
          pushButton(
            buttons,
            several ? t('ask-button-requirements-country', { country }) : t('ask-button-requirements'),
            'ask',
            'req',
            result.country,
            result.competence,
          );
        }
        sections.push(lines.join('\n'));
      }
      if (interpretation.countries.length > countriesAnswered)
        sections.push(t('ask-more-countries', { count: countriesAnswered }));
      return { text: fitted(sections.join('\n\n')), buttons, locale };
    },
  };
}
