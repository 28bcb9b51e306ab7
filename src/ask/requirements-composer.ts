// "What do I need to send an MLA request to Uzbekistan" when the country has no requirement sheet:
// what the registry knows (central authority, languages, channels, urgent procedure, treaties).
import type { CentralAuthorityInfo, CountryResult, LegalBasis } from './ask-types.ts';
import { authorityBlocks, legalBasisBlock } from './authority-notes.ts';
import type { AnswerFormat } from './composer-format.ts';
import type { Button, OutboundMessage, RichBlock } from '../chat/index.ts';

/** Countries answered in one message. */
export const countriesAnswered = 5;

export function requirementsMessage(
  format: AnswerFormat,
  country: string,
  competence: string,
  authorities: readonly CentralAuthorityInfo[],
  bases: readonly LegalBasis[],
  askerCountry: string | undefined,
): OutboundMessage {
  const { t, countryName, competenceLabel } = format;
  const names = { competence: competenceLabel(competence), country: countryName(country) };
  const blocks: RichBlock[] = [{ kind: 'heading', text: t('ask-requirements-heading', names) }];
  if (authorities.length === 0)
    blocks.push({ kind: 'line', line: { inlines: [{ text: t('ask-requirements-none', names) }] } });
  else blocks.push(...authorityBlocks(format, authorities, true));
  blocks.push({ kind: 'gap' }, legalBasisBlock(format, bases, country, askerCountry));
  const buttons: Button[] = [];
  format.pushButton(buttons, t('ask-button-consult'), 'consult', 'start', country, competence);
  return format.richMessage(blocks, buttons);
}

/** The requirements of each country asked (those without a sheet). */
export function requirementsAnswerMessage(
  format: AnswerFormat,
  results: readonly CountryResult[],
  askerCountry: string | undefined,
): OutboundMessage {
  const { t, countryName, pushButton } = format;
  const blocks: RichBlock[] = [];
  const buttons: Button[] = [];
  const several = results.length > 1;
  const section = (part: readonly RichBlock[]) => {
    if (blocks.length > 0) blocks.push({ kind: 'gap' });
    blocks.push(...part);
  };
  for (const result of results.slice(0, countriesAnswered)) {
    const country = countryName(result.country);
    if (!result.inRegistry || result.competence === null) {
      section([{ kind: 'line', line: { inlines: [{ text: t('ask-not-in-registry', { country }) }] } }]);
      continue;
    }
    const message = requirementsMessage(
      format,
      result.country,
      result.competence,
      result.centralAuthorities,
      result.legalBases,
      askerCountry,
    );
    section(message.rich?.blocks ?? []);
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
    section([
      { kind: 'line', line: { inlines: [{ text: t('ask-more-countries', { count: countriesAnswered }) }] } },
    ]);
  return format.richMessage(blocks, buttons);
}
