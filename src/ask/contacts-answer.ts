// "Who handles extradition in Kyrgyzstan": per country asked, the contact cards (best first, the
// rest collapsed behind "show all"), the central authority and the legal bases; buttons to consult
// and to see the requirements. Also the question back when no country was named.
import type { CountryResult, Interpretation, RankedContact } from './ask-types.ts';
import { authorityBlocks, legalBasisBlock } from './authority-notes.ts';
import type { AnswerFormat } from './composer-format.ts';
import { contactBlocks } from './contact-cards.ts';
import { localized } from './contact-ranking.ts';
import { countriesAnswered } from './requirements-composer.ts';
import type { Button, OutboundMessage, RichBlock } from '../chat/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

/**
 * Contacts shown per country and competence, the rest collapsed: messengers cap a message's
 * length (`capabilities.maxMessageLength`), so an answer about several countries shows fewer each.
 */
const contactsShownForOneCountry = 5;
const contactsShownForSeveral = 3;
/** Buttons offering countries when the question named none. */
const countryChoices = 8;

export interface ContactsAnswerOptions {
  /** Every contact found at once ("show all" was pressed): nothing collapsed. */
  showAll?: boolean | undefined;
}

const textLine = (text: string): RichBlock => ({ kind: 'line', line: { inlines: [{ text }] } });

export function contactsAnswerMessage(
  format: AnswerFormat,
  snapshot: RegistrySnapshot,
  interpretation: Interpretation,
  results: readonly CountryResult[],
  askerCountry: string | undefined,
  { showAll = false }: ContactsAnswerOptions = {},
): OutboundMessage {
  const { t, locale, countryName, competenceLabel, pushButton, buttonAction } = format;
  const blocks: RichBlock[] = [];
  const buttons: Button[] = [];
  /** "Show all" buttons go after the others (consult, requirements), which matter more. */
  const expandButtons: Button[] = [];
  const several = results.length > 1;
  const compact = several;
  const shown = showAll
    ? Number.MAX_SAFE_INTEGER
    : several
      ? contactsShownForSeveral
      : contactsShownForOneCountry;
  const section = (part: readonly RichBlock[]) => {
    if (blocks.length > 0) blocks.push({ kind: 'gap' });
    blocks.push(...part);
  };
  /** A list's cards, the rest collapsed with a "show all" button for the country and competence. */
  const cards = (
    contacts: readonly RankedContact[],
    country: string,
    competence: string | null,
    described?: Set<string>,
  ): RichBlock[] => {
    const action = buttonAction('ask', 'every', country, competence ?? '-');
    const summary = t('ask-show-all-country', { country: countryName(country), count: contacts.length });
    if (contacts.length > shown && action !== undefined) pushButton(expandButtons, summary, action);
    return contactBlocks(format, contacts, { shown, compact, described, expand: { action, summary } });
  };

  for (const result of results.slice(0, countriesAnswered)) {
    const country = countryName(result.country);
    if (!result.inRegistry) {
      section([textLine(t('ask-not-in-registry', { country }))]);
      continue;
    }
    const part: RichBlock[] = [];
    if (result.competence === null && several) {
      // Every competence of several countries would not fit a message: what each country has,
      // and a button to open it.
      const present = snapshot.competences
        .map((competence) => ({
          competence,
          count: result.contacts.filter((contact) => contact.competences.includes(competence.id)).length,
        }))
        .filter(({ count }) => count > 0)
        .map(({ competence, count }) => `${localized(competence.label, locale)} (${String(count)})`);
      part.push({ kind: 'heading', text: t('ask-heading-all', { country }) });
      part.push(textLine(present.length === 0 ? t('ask-no-contacts-all', { country }) : present.join('; ')));
      pushButton(buttons, country, 'ask', 'pick', result.country, '-');
    } else if (result.competence === null) {
      part.push({ kind: 'heading', text: t('ask-heading-all', { country }) });
      const present = snapshot.competences.filter((competence) =>
        result.contacts.some((contact) => contact.competences.includes(competence.id)),
      );
      if (present.length === 0) part.push(textLine(t('ask-no-contacts-all', { country })));
      const described = new Set<string>();
      for (const competence of present) {
        const label = localized(competence.label, locale);
        part.push({ kind: 'gap' }, { kind: 'heading', text: t('ask-group-heading', { competence: label }) });
        part.push(
          ...cards(
            result.contacts.filter((contact) => contact.competences.includes(competence.id)),
            result.country,
            null,
            described,
          ),
        );
        pushButton(
          buttons,
          several ? `${label} (${country})` : label,
          'ask',
          'pick',
          result.country,
          competence.id,
        );
      }
    } else {
      const competence = competenceLabel(result.competence);
      part.push({ kind: 'heading', text: t('ask-heading', { competence, country }) });
      part.push(
        ...(result.contacts.length === 0
          ? [textLine(t('ask-no-contacts', { competence, country }))]
          : cards(result.contacts, result.country, result.competence)),
      );
      if (result.centralAuthorities.length > 0)
        part.push({ kind: 'gap' }, ...authorityBlocks(format, result.centralAuthorities, false));
      part.push({ kind: 'gap' }, legalBasisBlock(format, result.legalBases, result.country, askerCountry));
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
    section(part);
  }
  if (interpretation.countries.length > countriesAnswered)
    section([textLine(t('ask-more-countries', { count: countriesAnswered }))]);
  for (const button of expandButtons) pushButton(buttons, button.label, button.action);
  return format.richMessage(blocks, buttons);
}

/** The question back when no country was named, with likely countries as buttons. */
export function whichCountryMessage(
  format: AnswerFormat,
  competence: string | null,
  choices: readonly string[],
  verb: 'pick' | 'req',
): OutboundMessage {
  const buttons: Button[] = [];
  for (const iso2 of choices.slice(0, countryChoices))
    format.pushButton(buttons, format.countryName(iso2), 'ask', verb, iso2, competence ?? '-');
  const text =
    competence === null
      ? format.t('ask-which-country-any')
      : format.t('ask-which-country', { competence: format.competenceLabel(competence) });
  return { text, buttons, locale: format.locale };
}
