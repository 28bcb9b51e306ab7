// Answers about sending a request rather than finding a person: a country's requirement sheet
// (short first, everything behind "Show all"), the network's tips on a topic, one tip. Built on the
// answer composer's formatting so every answer reads alike.
import {
  requestElementIds,
  type LocalizedText,
  type RequirementElement,
  type SheetAnswer,
} from '../registry/index.ts';
import type { LocalizedTip } from '../tips/index.ts';
import type { Composer } from './answer-composer.ts';
import { localized } from './contact-ranking.ts';
import { linkedInlines } from './linked-text.ts';
import { richToPlainText, type Button, type OutboundMessage, type RichBlock } from '../chat/index.ts';
import type { Locale } from '../i18n/index.ts';

/** What the ask module needs of the practical tools: the registry's sheets and the tips library. */
export interface PracticalReader {
  /**
   * The sheet for a request about `competence` to `country` (or the country's default sheet), with
   * the legal bases linking `askerCountry` and `country`; undefined when the country has none.
   */
  sheet(country: string, competence: string, askerCountry: string | undefined): SheetAnswer | undefined;
  /** Tips on a topic (a competence id; all when undefined), in `locale` where written. */
  tips(topic: string | undefined, locale: Locale): LocalizedTip[];
}

/** `short`: what to check before writing; `full`: also each element, documents, returns, retention. */
export type SheetDetail = 'short' | 'full';

/** One country's sheet in an answer. */
export interface SheetInAnswer {
  country: string;
  competence: string;
  answer: SheetAnswer;
  /** The tip linked under the sheet. */
  tip: LocalizedTip | undefined;
}

const builtInElements: ReadonlySet<string> = new Set(requestElementIds);

/** Tips listed per answer; the library holds a handful per topic. */
const tipsListed = 10;

const disjunctions = new Map<Locale, Intl.ListFormat>();
const disjunctionFor = (locale: Locale): Intl.ListFormat => {
  let format = disjunctions.get(locale);
  if (format === undefined) {
    format = new Intl.ListFormat(locale, { style: 'long', type: 'disjunction' });
    disjunctions.set(locale, format);
  }
  return format;
};

/** The tip to link under a sheet: the first in the library on that competence. */
export const tipFor = (tips: readonly LocalizedTip[], competence: string): LocalizedTip | undefined =>
  tips.find((tip) => tip.topics.includes(competence));

export function createPracticalAnswers(
  composer: Composer,
  locale: Locale,
  authorityName: (id: string) => string,
) {
  const { t, list, languageName, label, date, fitted, legalBasisLine, pushButton } = composer.format;
  const text = (value: LocalizedText | null | undefined): string | undefined =>
    value == null ? undefined : localized(value, locale);
  /**
   * Lines as rich blocks: `headings` (the answer's first line, a section's title) as headings,
   * blank lines as gaps, the rest with their addresses as links. The plain text is unchanged.
   */
  const blocksOf = (lines: readonly string[], headings: ReadonlySet<string>): RichBlock[] =>
    lines
      .flatMap((line) => line.split('\n'))
      .map((line): RichBlock => {
        if (line === '') return { kind: 'gap' };
        if (headings.has(line)) return { kind: 'heading', text: line };
        return { kind: 'line', line: { inlines: linkedInlines(line) } };
      });
  const richMessage = (blocks: RichBlock[], buttons: Button[]): OutboundMessage => ({
    text: fitted(richToPlainText({ blocks })),
    rich: { blocks },
    buttons,
    locale,
  });
  /** The titles of a full sheet's sections. */
  const sectionTitles = (): Set<string> =>
    new Set([
      t('ask-sheet-must-contain'),
      t('ask-sheet-where-applies'),
      t('ask-sheet-documents'),
      t('ask-sheet-return-reasons'),
    ]);

  const elementLabel = (element: RequirementElement): string =>
    text(element.label) ??
    (builtInElements.has(element.id) ? t(`element-${element.id}`) : element.id.replaceAll('_', ' '));

  const authorityLines = ({ answer }: SheetInAnswer): string[] => {
    const entries = answer.sheet.centralAuthorities;
    return entries.map((entry) =>
      entries.length > 1 && entry.stages !== undefined
        ? t('ask-central-authority-stages', {
            authority: authorityName(entry.authority),
            stages: list(entry.stages.map((stage) => label('ask-stage', stage))),
          })
        : t('ask-central-authority', { authority: authorityName(entry.authority) }),
    );
  };

  const legalBasesLine = ({ answer, country }: SheetInAnswer, askerCountry: string | undefined): string => {
    const names = answer.legalBases.map((treaty) => text(treaty.name) ?? treaty.id);
    if (names.length > 0 && askerCountry !== undefined && askerCountry !== country)
      return t('ask-sheet-legal-bases-between', {
        asker: composer.countryName(askerCountry),
        country: composer.countryName(country),
        treaties: names.join('; '),
      });
    return legalBasisLine(
      answer.legalBases.map((treaty, index) => ({ id: treaty.id, name: names[index] ?? treaty.id })),
      country,
      askerCountry,
    );
  };

  /** The short sheet: who receives it, in which language, how, on which basis, how much to write, and fast. */
  function shortLines(item: SheetInAnswer, askerCountry: string | undefined, counted = true): string[] {
    const { answer, country, competence } = item;
    const { sheet } = answer;
    const lines = [
      t('ask-requirements-heading', {
        competence: composer.competenceLabel(competence),
        country: composer.countryName(country),
      }),
    ];
    if (answer.fallbackFor !== null)
      lines.push(t('ask-sheet-general', { competence: composer.competenceLabel(competence) }));
    lines.push(...authorityLines(item));
    const languages = disjunctionFor(locale).format(sheet.languages.map(languageName));
    lines.push(
      t(sheet.certifiedTranslation ? 'ask-sheet-languages-certified' : 'ask-sheet-languages', { languages }),
    );
    if (sheet.channels.length > 0)
      lines.push(
        t('ask-accepted-channels', {
          channels: list(sheet.channels.map((channel) => label('ask-accepted', channel))),
        }),
      );
    lines.push(legalBasesLine(item, askerCountry));
    const required = sheet.elements.filter((element) => element.required !== false).length;
    const optional = sheet.elements.length - required;
    if (counted)
      lines.push(
        optional === 0
          ? t('ask-sheet-elements', { required })
          : t('ask-sheet-elements-optional', { required, optional }),
      );
    const urgent = text(sheet.urgentRoute);
    if (urgent !== undefined) lines.push(t('ask-sheet-urgent', { route: urgent }));
    lines.push(
      t(answer.stale ? 'ask-sheet-stale' : 'ask-sheet-verified', { date: date(sheet.verifiedAt) }) +
        (sheet.demo === true ? ` · ${t('ask-sheet-demo')}` : ''),
    );
    if (item.tip !== undefined) lines.push(t('ask-sheet-tip', { title: item.tip.title }));
    return lines;
  }

  /** Everything behind "Show all": each element with its hint, documents, returns, retention, notes. */
  function fullLines(item: SheetInAnswer, askerCountry: string | undefined): string[] {
    const { sheet } = item.answer;
    // The elements are listed below, so they are not counted.
    const lines = shortLines(item, askerCountry, false);
    const elementLine = (element: RequirementElement, position: number) => {
      const hint = text(element.hint);
      return hint === undefined
        ? `${position}. ${elementLabel(element)}`
        : `${position}. ${elementLabel(element)} — ${hint}`;
    };
    const required = sheet.elements.filter((element) => element.required !== false);
    const optional = sheet.elements.filter((element) => element.required === false);
    lines.push(
      '',
      t('ask-sheet-must-contain'),
      ...required.map((element, index) => elementLine(element, index + 1)),
    );
    if (optional.length > 0)
      lines.push(
        t('ask-sheet-where-applies'),
        ...optional.map((element, index) => elementLine(element, required.length + index + 1)),
      );
    const bullets = (heading: string, items: readonly LocalizedText[]) =>
      items.length === 0 ? [] : ['', heading, ...items.map((entry) => `• ${localized(entry, locale)}`)];
    lines.push(...bullets(t('ask-sheet-documents'), sheet.documents));
    lines.push(...bullets(t('ask-sheet-return-reasons'), sheet.returnReasons));
    const retention = text(sheet.retention);
    if (retention !== undefined) lines.push('', t('ask-sheet-retention', { retention }));
    const notes = text(sheet.notes);
    if (notes !== undefined) lines.push('', t('ask-sheet-notes', { notes }));
    return lines;
  }

  /** A sheet's buttons; `several`: the answer covers several countries, so labels name the country. */
  function sheetButtons(buttons: Button[], item: SheetInAnswer, detail: SheetDetail, several: boolean): void {
    const { country, competence } = item;
    const name = composer.countryName(country);
    if (detail === 'short')
      pushButton(
        buttons,
        several ? t('ask-button-show-all-country', { country: name }) : t('ask-button-show-all'),
        'ask',
        'all',
        country,
        competence,
      );
    pushButton(
      buttons,
      several ? t('ask-button-draft-country', { country: name }) : t('ask-button-draft'),
      'draft',
      'start',
      country,
      competence,
    );
  }

  const tipButton = (buttons: Button[], tip: LocalizedTip | undefined) => {
    if (tip !== undefined)
      pushButton(buttons, t('ask-button-tip', { title: tip.title }), 'ask', 'tip', tip.id);
  };

  return {
    /** One country's sheet, short or full, with Show all, Start a draft, the tip, consult and contacts. */
    sheet(item: SheetInAnswer, detail: SheetDetail, askerCountry: string | undefined): OutboundMessage {
      const lines = detail === 'short' ? shortLines(item, askerCountry) : fullLines(item, askerCountry);
      const buttons: Button[] = [];
      sheetButtons(buttons, item, detail, false);
      tipButton(buttons, item.tip);
      pushButton(buttons, t('ask-button-consult'), 'consult', 'start', item.country, item.competence);
      pushButton(buttons, t('ask-button-contacts'), 'ask', 'pick', item.country, item.competence);
      const headings = detail === 'short' ? new Set<string>() : sectionTitles();
      headings.add(lines[0] ?? '');
      return richMessage(blocksOf(lines, headings), buttons);
    },

    /** The short sheets of several countries (or fallbacks where a country has none), in one message. */
    sheets(
      parts: readonly (SheetInAnswer | { country: string; fallback: OutboundMessage })[],
      askerCountry: string | undefined,
      extra: string | undefined,
    ): OutboundMessage {
      const buttons: Button[] = [];
      const sections: RichBlock[][] = [];
      let tip: LocalizedTip | undefined;
      for (const part of parts) {
        if ('fallback' in part) {
          sections.push(part.fallback.rich?.blocks ?? blocksOf([part.fallback.text], new Set()));
          continue;
        }
        const lines = shortLines({ ...part, tip: undefined }, askerCountry);
        sections.push(blocksOf(lines, new Set([lines[0] ?? ''])));
        sheetButtons(buttons, part, 'short', parts.length > 1);
        tip ??= part.tip;
      }
      if (tip !== undefined) sections.push(blocksOf([t('ask-sheet-tip', { title: tip.title })], new Set()));
      tipButton(buttons, tip);
      if (extra !== undefined) sections.push(blocksOf([extra], new Set()));
      return richMessage(
        sections.flatMap((section, index) =>
          index === 0 ? section : [{ kind: 'gap' } as const, ...section],
        ),
        buttons,
      );
    },

    /** The tips on a topic, one button each; `countries`: the question named some, offer their requirements. */
    tips(topic: string, tips: readonly LocalizedTip[], countries: readonly string[]): OutboundMessage {
      const topicLabel = composer.competenceLabel(topic);
      const buttons: Button[] = [];
      if (tips.length === 0) return { text: t('ask-tips-none', { topic: topicLabel }), buttons, locale };
      const shown = tips.slice(0, tipsListed);
      const heading = t('ask-tips-heading', { topic: topicLabel });
      const lines = [
        heading,
        ...shown.map((tip, index) => `${index + 1}. ${tip.title}`),
        '',
        t('ask-tips-open'),
      ];
      for (const tip of shown) pushButton(buttons, tip.title, 'ask', 'tip', tip.id);
      for (const country of countries)
        pushButton(
          buttons,
          t('ask-button-requirements-country', { country: composer.countryName(country) }),
          'ask',
          'req',
          country,
          topic,
        );
      return richMessage(blocksOf(lines, new Set([heading])), buttons);
    },

    /** A tips question without a topic: the topics the library covers. */
    topics(topics: readonly string[]): OutboundMessage {
      const buttons: Button[] = [];
      for (const topic of topics) pushButton(buttons, composer.competenceLabel(topic), 'ask', 'tips', topic);
      return { text: t('ask-tips-topics'), buttons, locale };
    },

    /** One tip in full, with its sources. */
    tip(tip: LocalizedTip): OutboundMessage {
      const lines = [
        tip.title,
        '',
        // The library's bodies are wrapped for editing; a messenger wraps them itself.
        tip.body.trim().replaceAll(/(?<!\n)\n(?!\n)/g, ' '),
        '',
        t('ask-tip-sources'),
        ...tip.sources.map((source) =>
          source.url === undefined ? `• ${source.name}` : `• ${source.name}: ${source.url}`,
        ),
        '',
        t('ask-tip-verified', { date: date(tip.verifiedAt) }),
      ];
      const buttons: Button[] = [];
      const [topic] = tip.topics;
      if (topic !== undefined)
        pushButton(
          buttons,
          t('ask-button-more-tips', { topic: composer.competenceLabel(topic) }),
          'ask',
          'tips',
          topic,
        );
      return richMessage(blocksOf(lines, new Set([tip.title, t('ask-tip-sources')])), buttons);
    },
  };
}

export type PracticalAnswers = ReturnType<typeof createPracticalAnswers>;
