// A request skeleton from a requirement sheet and the user's own text: a checklist of what is done
// and missing, and the text addressed to the right central authority, citing the legal basis both
// countries share. Built in memory only: the text is case material and is never stored or logged.
import {
  countryName,
  findSheets,
  requestElementIds,
  type RegistryView,
  type RequirementElement,
  type SheetAnswer,
  type TodayIn,
} from '../registry/index.ts';
import { type Locale, type Translator, supportedLocales } from '../i18n/index.ts';

export interface DraftInput {
  /** ISO2 of the requested country. */
  country: string;
  competence: string;
  /** The user's text per element id. */
  answers: Readonly<Record<string, string>>;
  /** The requesting country (legal bases link it with the requested one). */
  askerCountry?: string | undefined;
  /** The user's own reference, printed in the skeleton. */
  reference?: string | undefined;
  /** The language of the checklist (the user's). */
  locale: Locale;
}

export interface ChecklistItem {
  element: string;
  label: string;
  hint: string | null;
  required: boolean;
  done: boolean;
}

/** The skeleton as structure, rendered as plain text or as a document by the caller. */
export interface DraftDocument {
  /** The language of the skeleton: the requested country's where we have a template, else English. */
  locale: Locale;
  title: string;
  header: string[];
  sections: { heading: string; body: string; missing: boolean }[];
  documents: string[];
  notes: string[];
  signature: string;
}

export interface Draft {
  checklist: ChecklistItem[];
  /** Required elements with no text yet. */
  missing: string[];
  document: DraftDocument;
  text: string;
}

/** Elements asked when the requested country has no sheet: what nearly every request needs. */
const usualElements: RequirementElement[] = [
  { id: 'summary_of_facts' },
  { id: 'legal_qualification' },
  { id: 'provisions_text' },
  { id: 'assistance_sought' },
  { id: 'link_to_offence' },
  { id: 'deadlines_and_urgency', required: false },
  { id: 'confidentiality', required: false },
];

const builtIn: ReadonlySet<string> = new Set(requestElementIds);

/** The elements a draft for this country and competence walks through, with the sheet that lists them. */
export function draftElements(
  view: RegistryView,
  country: string,
  competence: string,
  todayIn: TodayIn,
): { sheet: SheetAnswer | undefined; elements: readonly RequirementElement[] } {
  const [sheet] = findSheets(view, { country, competence }, todayIn);
  return { sheet, elements: sheet?.sheet.elements ?? usualElements };
}

export function buildDraft(
  deps: { view: RegistryView; translator: Translator; todayIn: TodayIn },
  input: DraftInput,
): Draft {
  const { view, translator } = deps;
  const country = input.country.toUpperCase();
  const [sheet] = findSheets(
    view,
    { country, competence: input.competence, askerCountry: input.askerCountry },
    deps.todayIn,
  );
  const elements = sheet?.sheet.elements ?? usualElements;
  const pick = (text: Readonly<Record<string, string>> | undefined, locale: Locale) =>
    text === undefined ? undefined : (text[locale] ?? text.en);
  const label = (element: RequirementElement, locale: Locale) =>
    pick(element.label, locale) ??
    (builtIn.has(element.id) ? translator.t(locale, `element-${element.id}`) : element.id);

  const answerTo = (element: RequirementElement) => input.answers[element.id]?.trim() ?? '';
  const checklist = elements.map((element) => ({
    element: element.id,
    label: label(element, input.locale),
    hint: pick(element.hint, input.locale) ?? null,
    required: element.required !== false,
    done: answerTo(element) !== '',
  }));
  const missing = checklist.filter((item) => item.required && !item.done).map((item) => item.element);

  // The requested country's language where we have a template, else English with a note.
  const languages =
    sheet?.sheet.languages ?? centralAuthorityOf(view, country, input.competence)?.requestLanguages ?? [];
  const template = languages.find((language): language is Locale =>
    (supportedLocales as readonly string[]).includes(language),
  );
  const locale: Locale = template ?? 'en';
  const t = (id: string, args?: Record<string, string>) => translator.t(locale, id, args);
  const countryLabel = countryName(country)[locale] ?? country;
  const languageList = (codes: readonly string[]) =>
    new Intl.ListFormat(locale, { type: 'disjunction' }).format(
      codes.map((code) => new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code),
    );

  const authorityIds = sheet?.sheet.centralAuthorities.map((entry) => entry.authority) ?? [];
  const authorities = (
    authorityIds.length > 0 ? authorityIds : [centralAuthorityOf(view, country, input.competence)?.id]
  )
    .flatMap((id) => (id === undefined ? [] : [view.authorityRecordById.get(id)]))
    .flatMap((authority) => (authority === undefined ? [] : [pick(authority.name, locale) ?? authority.id]));
  const bases = sheet?.legalBases ?? [];
  const asker = input.askerCountry?.toUpperCase();

  const header = [
    authorities.length > 0
      ? t('draft-to', { authority: authorities.join('; '), country: countryLabel })
      : t('draft-to-unknown', { country: countryLabel }),
    t('draft-from'),
    input.reference === undefined || input.reference.trim() === ''
      ? t('draft-reference-blank')
      : t('draft-reference', { reference: input.reference.trim() }),
    bases.length > 0
      ? t('draft-legal-basis', {
          treaties: bases.map((treaty) => pick(treaty.name, locale) ?? treaty.id).join('; '),
        })
      : t('draft-legal-basis-none', {
          asker: asker === undefined ? '—' : (countryName(asker)[locale] ?? asker),
          country: countryLabel,
        }),
  ];
  // Optional elements appear only when the user wrote something for them.
  const sections = elements
    .filter((element) => element.required !== false || answerTo(element) !== '')
    .map((element, index) => {
      const text = answerTo(element);
      const what = pick(element.hint, locale) ?? label(element, locale);
      return {
        heading: `${index + 1}. ${label(element, locale)}`,
        body: text === '' ? t('draft-to-complete', { what }) : text,
        missing: text === '',
      };
    });
  const documents = (sheet?.sheet.documents ?? []).map((document) => pick(document, locale) ?? '');
  const notes = [
    ...(sheet === undefined ? [t('draft-no-sheet', { country: countryLabel })] : []),
    ...(languages.length === 0
      ? []
      : [
          t(sheet?.sheet.certifiedTranslation === true ? 'draft-languages-certified' : 'draft-languages', {
            languages: languageList(languages),
          }),
        ]),
    ...(template === undefined && languages.length > 0
      ? [t('draft-translation-needed', { languages: languageList(languages) })]
      : []),
    ...(sheet?.sheet.demo === true ? [t('draft-demo-sheet')] : []),
  ];
  const document: DraftDocument = {
    locale,
    title: translator.has(locale, `draft-title-${input.competence}`)
      ? t(`draft-title-${input.competence}`)
      : t('draft-title-other'),
    header,
    sections,
    documents: documents.length > 0 ? documents : [t('draft-document-blank')],
    notes,
    signature: t('draft-signature'),
  };
  return { checklist, missing, document, text: renderText(document, t('draft-documents')) };
}

function centralAuthorityOf(view: RegistryView, country: string, competence: string) {
  return view.file.authorities.find(
    (authority) => authority.country === country && authority.centralAuthorityFor.includes(competence),
  );
}

function renderText(document: DraftDocument, documentsHeading: string): string {
  const lines = [document.title.toUpperCase(), '', ...document.header, ''];
  for (const section of document.sections) lines.push(section.heading, section.body, '');
  lines.push(documentsHeading, ...document.documents.map((item) => `- ${item}`), '');
  if (document.notes.length > 0) lines.push(...document.notes.map((note) => `* ${note}`), '');
  lines.push(document.signature);
  return lines.join('\n');
}
