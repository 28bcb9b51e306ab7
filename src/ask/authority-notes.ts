// What an answer says beside the contacts: the central authorities (languages, accepted channels,
// urgent procedure) and the legal bases, as lines of rich content.
import type { CentralAuthorityInfo, LegalBasis } from './ask-types.ts';
import type { AnswerFormat } from './composer-format.ts';
import type { RichBlock, RichLine } from '../chat/index.ts';

const lineBlock = (text: string, detail = false, role?: RichLine['role']): RichBlock => ({
  kind: 'line',
  line: { ...(role === undefined ? {} : { role }), ...(detail ? { indent: true } : {}), inlines: [{ text }] },
});

/** `withDetails`: accepted channels and the urgent procedure too (always when there is one authority). */
export function authorityBlocks(
  format: AnswerFormat,
  authorities: readonly CentralAuthorityInfo[],
  withDetails: boolean,
): RichBlock[] {
  const { t, list, label, languageName } = format;
  return authorities.flatMap((authority) => {
    // Stages are named only where the country splits the competence between authorities.
    const heading =
      authorities.length > 1
        ? t('ask-central-authority-stages', {
            authority: authority.name,
            stages: list(authority.stages.map((stage) => label('ask-stage', stage))),
          })
        : t('ask-central-authority', { authority: authority.name });
    const blocks = [
      lineBlock(heading, false, 'authority'),
      lineBlock(
        t('ask-request-languages', { languages: list(authority.requestLanguages.map(languageName)) }),
        true,
      ),
    ];
    if (withDetails || authorities.length === 1) {
      blocks.push(
        lineBlock(
          t('ask-accepted-channels', {
            channels: list(authority.acceptedChannels.map((channel) => label('ask-accepted', channel))),
          }),
          true,
        ),
      );
      const procedure = authority.urgentProcedure;
      // A procedure with no translation goes on a line of its own, so no line mixes two languages.
      if (
        procedure !== null &&
        (authority.urgentProcedureLanguage === null || authority.urgentProcedureLanguage === format.locale)
      )
        blocks.push(lineBlock(t('ask-urgent', { procedure }), true));
      else if (procedure !== null)
        blocks.push(lineBlock(t('ask-urgent-heading'), true), lineBlock(procedure, true, 'note'));
    }
    return blocks;
  });
}

export const legalBasisBlock = (
  format: AnswerFormat,
  bases: readonly LegalBasis[],
  country: string,
  askerCountry: string | undefined,
): RichBlock => lineBlock(format.legalBasisLine(bases, country, askerCountry), false, 'notice');
