// `/draft` (`/черновик`, `!draft`) and the "Start a draft" button: a guided conversation that
// asks the requested country, the competence, then each element of that country's requirement
// sheet with the sheet's hint beside it, and ends with a checklist and the request skeleton.
// The member's text is case material: between steps it is kept only sealed (encrypted with the
// flows' key), and the finished draft goes only where the conversation can carry it safely: as
// an encrypted file where the chat is end-to-end encrypted, otherwise as a one-time link to the
// web console. Nothing of it is logged.
import {
  defineFlow,
  type ChatCommand,
  type ChatReply,
  type ConversationCapabilities,
  type ConversationEngine,
  type FlowContext,
  type FlowConversation,
  type FlowStep,
  type OutboundMessage,
} from '../chat/index.ts';
import {
  countryName,
  requestElementIds,
  type RegistryView,
  type RequirementElement,
} from '../registry/index.ts';
import { draftDownloadUrl } from './draft-download-routes.ts';
import { docxMediaType } from './draft-docx.ts';
import type { DraftDownloads } from './draft-downloads.ts';
import { draftAnswerMaxLength } from './drafts-routes.ts';
import type { DraftRequest, DraftsService } from './drafts-service.ts';
import type { Locale } from '../i18n/index.ts';

/** A draft being written in a chat. `answers` hold sealed text only. */
export interface DraftInChat {
  country?: string;
  competence?: string;
  /** The sheet's element ids, fixed when the competence is chosen (a registry edit mid-way changes nothing). */
  elements?: string[];
  /** Element id → the member's text, sealed. */
  answers?: Record<string, string>;
}

export const draftFlowId = 'draft';
/** Elements asked at most; a sheet has a dozen. Beyond this, elements stay "missing" in the checklist. */
export const draftElementSlots = 40;
/** Typed to leave an element for later. */
const skipWords = new Set(['-', '—', '–', 'skip', 'later', 'пропустить', 'пропуск', 'позже']);

type Context = FlowContext<DraftInChat>;

const builtIn: ReadonlySet<string> = new Set(requestElementIds);

export interface DraftChatDeps {
  engine: Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>;
  drafts: Pick<DraftsService, 'elements' | 'json' | 'docx'>;
  registry: { view(): RegistryView };
  /** The ask module's reading of typed text: the countries and competence it names. */
  interpret: (text: string) => { countries: readonly string[]; competence: string | null };
  /** What the conversation can carry, asked of its messenger's adapter. */
  capabilities: (conversation: FlowConversation) => Promise<ConversationCapabilities>;
  downloads: DraftDownloads;
  /** The web console's address, for one-time links. */
  consoleUrl: string;
  /** How long a one-time link works, for the message that gives it. */
  downloadTtlSeconds: number;
}

export function registerDraftChat(deps: DraftChatDeps): void {
  const { engine, drafts, registry } = deps;

  const countryLabel = (iso2: string, locale: Locale) => countryName(iso2)[locale] ?? iso2;
  const competenceLabel = (id: string, locale: Locale) => {
    const label = registry.view().file.competences.find((competence) => competence.id === id)?.label;
    return label?.[locale] ?? label?.en ?? id;
  };
  const pick = (text: Readonly<Record<string, string>> | undefined, locale: Locale) =>
    text === undefined ? undefined : (text[locale] ?? text.en);

  /** The elements of the flow's sheet, by id, with their labels and hints. */
  const elementsOf = (context: Context): RequirementElement[] => {
    const { country, competence, elements = [] } = context.data;
    if (country === undefined || competence === undefined) return [];
    const known = new Map(
      drafts.elements(country, competence).elements.map((element) => [element.id, element]),
    );
    return elements.map((id) => known.get(id) ?? { id });
  };
  const elementLabel = (element: RequirementElement, context: Context) =>
    pick(element.label, context.locale) ??
    (builtIn.has(element.id) ? context.t(`element-${element.id}`) : element.id.replaceAll('_', ' '));

  const withElements = (data: DraftInChat, country: string, competence: string): DraftInChat => ({
    ...data,
    country,
    competence,
    elements: drafts.elements(country, competence).elements.map((element) => element.id),
    answers: {},
  });

  const elementStep = (slot: number): FlowStep<DraftInChat> => ({
    id: `element-${slot}`,
    kind: 'text',
    when: (context) => slot < Math.min(draftElementSlots, context.data.elements?.length ?? 0),
    prompt: (context) => {
      const elements = elementsOf(context);
      const element = elements[slot] ?? { id: '' };
      const hint = pick(element.hint, context.locale);
      return [
        context.t(element.required === false ? 'draft-step-optional' : 'draft-step', {
          position: slot + 1,
          total: elements.length,
          element: elementLabel(element, context),
        }),
        ...(hint === undefined ? [] : [context.t('draft-step-hint', { hint })]),
        context.t('draft-step-how'),
      ].join('\n');
    },
    placeholder: (context) => elementLabel(elementsOf(context)[slot] ?? { id: '' }, context),
    // Text about this country and competence is part of the case, not a new question.
    confirmQuestion: (context) => ({
      useLabel: context.t('draft-use-it'),
      about: { country: context.data.country, competence: context.data.competence },
    }),
    accept: (text, context) => {
      const id = context.data.elements?.[slot];
      if (id === undefined) return { next: context.data };
      const others = Object.entries(context.data.answers ?? {}).filter(([element]) => element !== id);
      if (skipWords.has(text.trim().toLocaleLowerCase()))
        return { next: { ...context.data, answers: Object.fromEntries(others) } };
      if (text.length > draftAnswerMaxLength)
        return { retry: context.t('draft-too-long', { limit: draftAnswerMaxLength }) };
      return {
        next: { ...context.data, answers: Object.fromEntries([...others, [id, context.seal(text.trim())]]) },
      };
    },
  });

  /** The checklist, the skeleton where the chat can carry it, a one-time link where it cannot. */
  async function finish(context: Context): Promise<ChatReply> {
    const { principal, locale, t } = context;
    const { country, competence, answers = {} } = context.data;
    if (country === undefined || competence === undefined) return undefined;
    const opened: Record<string, string> = {};
    for (const [id, sealed] of Object.entries(answers)) {
      const text = context.open(sealed);
      if (text !== undefined) opened[id] = text;
    }
    const request: DraftRequest = { country, competence, answers: opened, locale };
    const capabilities = await deps.capabilities(context.conversation);
    const safe = capabilities.endToEndEncrypted && capabilities.files;
    const made = safe ? await drafts.docx(principal, request) : { draft: drafts.json(principal, request) };
    const { draft } = made;
    const required = draft.checklist.filter((item) => item.required);
    const lines = [
      t('draft-done-heading', {
        country: countryLabel(country, locale),
        competence: competenceLabel(competence, locale),
        done: required.filter((item) => item.done).length,
        total: required.length,
      }),
      ...draft.checklist
        .filter((item) => item.required || item.done)
        .map((item) => `${item.done ? '✓' : '✗'} ${item.label}`),
    ];
    if (draft.missing.length > 0) lines.push('', t('draft-done-missing'));
    const checklist: OutboundMessage = { text: lines.join('\n'), locale };
    if ('file' in made) {
      checklist.text += `\n\n${t('draft-done-attached')}`;
      return [
        checklist,
        {
          text: draft.text,
          locale,
          requiresEncryption: true,
          attachment: {
            fileName: `request-${country}-${competence}.docx`,
            mediaType: docxMediaType,
            data: made.file,
          },
        },
      ];
    }
    const token = deps.downloads.offer({ principal, request });
    checklist.text += `\n\n${t('draft-done-link', {
      url: draftDownloadUrl(deps.consoleUrl, token),
      minutes: Math.round(deps.downloadTtlSeconds / 60),
    })}`;
    return checklist;
  }

  const flow = defineFlow<DraftInChat>({
    id: draftFlowId,
    actionPrefix: 'draft',
    titleId: 'draft-flow-title',
    cancelledId: 'draft-flow-cancelled',
    goneId: 'draft-flow-gone',
    steps: [
      {
        id: 'country',
        kind: 'choice',
        action: 'c',
        when: (context) => context.data.country === undefined,
        prompt: (context) => context.t('draft-choose-country'),
        options: (context) => {
          const view = registry.view();
          const withSheets = [...view.requirementsByCountry.keys()];
          const countries = withSheets.length > 0 ? withSheets : view.snapshot.countries.map((c) => c.iso2);
          return countries
            .filter((iso2) => iso2 !== context.principal.country)
            .map((iso2) => ({ value: iso2, label: countryLabel(iso2, context.locale) }))
            .sort((a, b) => a.label.localeCompare(b.label, context.locale));
        },
        read: (text) => {
          const typed = text.trim().toUpperCase();
          const snapshot = registry.view().snapshot;
          if (snapshot.countryByIso2.has(typed)) return typed;
          const [named] = deps.interpret(text).countries;
          return named !== undefined && snapshot.countryByIso2.has(named) ? named : undefined;
        },
        accept: (country, context) => ({ next: { ...context.data, country } }),
      },
      {
        id: 'competence',
        kind: 'choice',
        action: 'k',
        when: (context) => context.data.competence === undefined,
        prompt: (context) =>
          context.t('draft-choose-competence', {
            country: countryLabel(context.data.country ?? '', context.locale),
          }),
        options: (context) => {
          const view = registry.view();
          const sheets = view.requirementsByCountry.get(context.data.country ?? '') ?? [];
          const specific = new Set(
            sheets.flatMap((sheet) => (sheet.competence === null ? [] : [sheet.competence])),
          );
          const everyCompetence = specific.size === 0 || sheets.some((sheet) => sheet.competence === null);
          return view.file.competences
            .filter((competence) => everyCompetence || specific.has(competence.id))
            .map((competence) => ({
              value: competence.id,
              label: competenceLabel(competence.id, context.locale),
            }));
        },
        read: (text) => deps.interpret(text).competence ?? undefined,
        accept: (competence, context) => ({
          next: withElements(context.data, context.data.country ?? '', competence),
        }),
      },
      ...Array.from({ length: draftElementSlots }, (_, slot) => elementStep(slot)),
    ],
    finish,
  });
  engine.flows.register(flow);

  const command: ChatCommand = {
    id: 'draft',
    names: { en: ['draft'], ru: ['черновик'] },
    role: 'member',
    helpId: 'draft-command-help',
    run: ({ principal, inbound, locale }) =>
      engine.flows.start(flow, { principal, conversation: inbound, locale }, {}),
  };
  engine.registerCommand(command);

  // "Start a draft" under a requirement sheet: `draft:start:UZ:mla`.
  engine.registerActionHandler('draft', async ({ principal, inbound, locale, action }) => {
    const [, verb, country = '', competence = ''] = action.split(':');
    const view = registry.view();
    if (
      verb !== 'start' ||
      !view.snapshot.countryByIso2.has(country) ||
      !view.file.competences.some((candidate) => candidate.id === competence)
    )
      return undefined;
    return engine.flows.start(
      flow,
      { principal, conversation: inbound, locale },
      withElements({}, country, competence),
    );
  });
}
