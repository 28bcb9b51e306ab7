// The registry-truth conversations: the four answers of a re-verification prompt, `/away` (until
// when, who deputises), `/imback`, and `/stale` for coordinators.
//
// Why `/imback` and not `/back`: `/back` is the flow engine's "previous step" in every guided
// conversation, so ending an absence needs a name of its own (`/imback`, `/вернулся`, `!imback`).
import type { ActionContext, ChatReply, ConversationEngine, FlowContext, StepOption } from '../chat/index.ts';
import { defineFlow } from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import { commonChannelKinds, isoDay, type Contact, type RegistryService } from '../registry/index.ts';
import type { ProposalService } from './proposal-service.ts';
import type { VerificationService } from './verification-service.ts';
import { AppError } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';

type Engine = Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>;

export interface TruthChatDeps {
  registry: Pick<RegistryService, 'snapshot' | 'confirmContactBySelf'>;
  proposals: ProposalService;
  verification: VerificationService;
  clock: Clock;
}

interface Away {
  contactId?: string;
  until?: string;
  deputy?: string;
}
interface Change {
  contactId?: string;
  field?: string;
}
interface Gone {
  contactId?: string;
}

const nobody = '-';
/** What "Something changed" offers; channels are the record's messenger handles and numbers. */
const changeFields = [...commonChannelKinds, 'title', 'languages', 'workingHours', 'competences'] as const;
// The registry format's channel kinds (src/registry/channel-rules.ts), in the same order.
const channelFields: ReadonlySet<string> = new Set(commonChannelKinds);

const nameOf = (contact: Contact, locale: Locale) => contact.name[locale] ?? contact.name.en ?? contact.id;

const dayNames: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/** "1-5 09:00-18:00" or "Mon-Fri 9:00-18:00": the days (ISO numbers) and the hours. */
export function parseWorkingHours(text: string): { days: number[]; start: string; end: string } | undefined {
  const match = /^([a-z1-7]+)\s*-\s*([a-z1-7]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/i.exec(text);
  if (match === null) return undefined;
  const day = (value: string) => dayNames[value.slice(0, 3).toLowerCase()] ?? Number(value);
  const [from, to] = [day(match[1] ?? ''), day(match[2] ?? '')];
  const time = (hours: string | undefined, minutes: string | undefined) =>
    `${(hours ?? '').padStart(2, '0')}:${minutes ?? ''}`;
  const [start, end] = [time(match[3], match[4]), time(match[5], match[6])];
  if (!(from >= 1 && to <= 7 && from <= to) || start >= end || end > '24:00') return undefined;
  return { days: Array.from({ length: to - from + 1 }, (_, index) => from + index), start, end };
}

/** A list typed as "ru, en" or "mla extradition". */
const listOf = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);

/** The registry-format change one answer of "Something changed" makes; undefined: unreadable. */
function changeOf(contact: Contact, field: string, value: string): Record<string, unknown> | undefined {
  if (value.length === 0) return undefined;
  if (channelFields.has(field)) return { channels: { ...contact.channels, [field]: value } };
  if (field === 'title') return { title: value };
  if (field === 'languages' || field === 'competences') {
    const items = [...new Set(listOf(value))];
    return items.length === 0 ? undefined : { [field]: items };
  }
  if (field === 'workingHours') {
    const hours = parseWorkingHours(value);
    return hours === undefined ? undefined : { workingHours: hours };
  }
  return undefined;
}

export function registerTruthChat(engine: Engine, deps: TruthChatDeps) {
  const { registry, proposals, verification, clock } = deps;

  const colleagues = (contactId: string | undefined): Contact[] => {
    const snapshot = registry.snapshot();
    const contact = contactId === undefined ? undefined : snapshot.contactById.get(contactId);
    if (contact === undefined) return [];
    return snapshot.contacts.filter(
      (other) =>
        other.authority === contact.authority && other.status === 'active' && other.id !== contact.id,
    );
  };
  const colleagueOptions = (context: FlowContext<{ contactId?: string }>, none: string): StepOption[] => [
    ...colleagues(context.data.contactId)
      .slice(0, 8)
      .map((colleague) => ({ value: colleague.id, label: nameOf(colleague, context.locale).slice(0, 60) })),
    { value: nobody, label: context.t(none) },
  ];
  const refused = (error: unknown, t: (id: string) => string): string => {
    if (error instanceof AppError) return `${t('truth-refused')} ${error.message}`;
    throw error;
  };

  const awayFlow = defineFlow<Away>({
    id: 'truth-away',
    actionPrefix: 'away',
    titleId: 'truth-away-title',
    goneId: 'truth-flow-gone',
    steps: [
      {
        id: 'until',
        kind: 'date',
        action: 'u',
        prompt: (context) => context.t('truth-away-until'),
        placeholder: (context) => context.t('truth-away-until-placeholder'),
        options: (context) =>
          [1, 7, 14].map((days) => ({
            value: String(days),
            label: context.t(`truth-away-days-${String(days)}`),
          })),
        accept: (answer, context) => {
          const today = isoDay(clock.now());
          const until =
            'option' in answer
              ? isoDay(new Date(clock.now().getTime() + Number(answer.option) * 86_400_000))
              : answer.date;
          if (until < today) return { retry: context.t('truth-away-past') };
          return { next: { ...context.data, until } };
        },
      },
      {
        id: 'deputy',
        kind: 'choice',
        action: 'd',
        prompt: (context) => context.t('truth-away-deputy'),
        options: (context) => colleagueOptions(context, 'truth-away-no-deputy'),
        accept: (value, context) => ({ next: { ...context.data, deputy: value } }),
      },
    ],
    async finish(context) {
      const { contactId, until, deputy } = context.data;
      if (contactId === undefined || until === undefined) return undefined;
      try {
        await proposals.propose(context.principal, contactId, {
          outOfOffice: { start: isoDay(clock.now()), end: until },
          ...(deputy === undefined || deputy === nobody ? {} : { deputy }),
        });
      } catch (error) {
        return { text: refused(error, context.t), locale: context.locale };
      }
      return {
        text: context.t('truth-away-done', { until, prefix: context.prefix }),
        locale: context.locale,
      };
    },
  });

  const changeFlow = defineFlow<Change>({
    id: 'truth-change',
    actionPrefix: 'vchg',
    titleId: 'truth-change-title',
    goneId: 'truth-flow-gone',
    steps: [
      {
        id: 'field',
        kind: 'choice',
        action: 'f',
        prompt: (context) => context.t('truth-change-which'),
        options: (context) =>
          changeFields.map((field) => ({ value: field, label: context.t(`truth-change-field-${field}`) })),
        accept: (value, context) => ({ next: { ...context.data, field: value } }),
      },
      {
        id: 'value',
        kind: 'text',
        prompt: (context) =>
          context.t('truth-change-value', {
            field: context.t(`truth-change-field-${context.data.field ?? 'phone'}`),
            hint: context.t(`truth-change-hint-${context.data.field ?? 'phone'}`, {
              competences: registry
                .snapshot()
                .competences.map((competence) => competence.id)
                .join(', '),
            }),
          }),
        placeholder: (context) => context.t('truth-change-value-placeholder'),
        async accept(text, context) {
          const { contactId, field } = context.data;
          const contact =
            contactId === undefined ? undefined : registry.snapshot().contactById.get(contactId);
          if (contact === undefined || field === undefined) return { end: undefined };
          const changes = changeOf(contact, field, text.trim());
          if (changes === undefined) return { retry: context.t('truth-change-invalid') };
          let applied: string[];
          try {
            applied = (await proposals.propose(context.principal, contact.id, changes)).applied;
          } catch (error) {
            if (error instanceof AppError && error.code === 'validation_failed')
              return { retry: context.t('truth-change-invalid') };
            return { end: { text: refused(error, context.t), locale: context.locale } };
          }
          // Working hours are availability: they apply at once; the rest waits for the coordinator.
          const done = applied.length > 0 ? 'truth-change-applied' : 'truth-change-sent';
          return { end: { text: context.t(done), locale: context.locale } };
        },
      },
    ],
    finish: () => undefined,
  });

  const goneFlow = defineFlow<Gone>({
    id: 'truth-gone',
    actionPrefix: 'vgone',
    titleId: 'truth-gone-title',
    goneId: 'truth-flow-gone',
    steps: [
      {
        id: 'successor',
        kind: 'choice',
        action: 's',
        prompt: (context) => context.t('truth-gone-successor'),
        options: (context) => colleagueOptions(context, 'truth-gone-unknown'),
        async accept(value, context) {
          const { contactId } = context.data;
          if (contactId === undefined) return { end: undefined };
          try {
            await proposals.proposeRetirement(
              context.principal,
              contactId,
              value === nobody ? undefined : value,
            );
          } catch (error) {
            return { end: { text: refused(error, context.t), locale: context.locale } };
          }
          return { end: { text: context.t('truth-gone-sent'), locale: context.locale } };
        },
      },
    ],
    finish: () => undefined,
  });

  for (const flow of [awayFlow, changeFlow, goneFlow]) engine.flows.register(flow);

  /** The contact behind the member, or a polite refusal. */
  const ownContact = (principal: Principal): Contact | undefined => {
    if (principal.contactId === null) return undefined;
    const contact = registry.snapshot().contactById.get(principal.contactId);
    return contact?.status === 'active' ? contact : undefined;
  };

  engine.registerCommand({
    id: 'away',
    names: { en: ['away'], ru: ['отсутствую'] },
    role: 'member',
    helpId: 'truth-command-away',
    run: (command) => {
      const { principal, inbound, locale } = command;
      const t = (id: string) => command.t(id);
      const contact = ownContact(principal);
      if (contact === undefined) return { text: t('truth-not-a-contact'), locale };
      return engine.flows.start(
        awayFlow,
        { principal, conversation: inbound, locale },
        { contactId: contact.id },
      );
    },
  });

  engine.registerCommand({
    id: 'imback',
    names: { en: ['imback'], ru: ['вернулся', 'вернулась'] },
    role: 'member',
    helpId: 'truth-command-imback',
    async run(command) {
      const { principal, locale } = command;
      const t = (id: string, args?: Record<string, string | number>) => command.t(id, args);
      const contact = ownContact(principal);
      if (contact === undefined) return { text: t('truth-not-a-contact'), locale };
      if (contact.outOfOffice === null) return { text: t('truth-imback-not-away'), locale };
      try {
        await proposals.propose(principal, contact.id, { outOfOffice: null });
      } catch (error) {
        return { text: refused(error, t), locale };
      }
      return { text: t('truth-imback-done'), locale };
    },
  });

  engine.registerCommand({
    id: 'stale',
    names: { en: ['stale'], ru: ['устаревшие'] },
    role: 'coordinator',
    helpId: 'truth-command-stale',
    async run(command) {
      const { principal, locale } = command;
      const t = (id: string, args?: Record<string, string | number>) => command.t(id, args);
      const items = (await verification.list(principal, undefined)).filter((item) => item.state !== 'fresh');
      if (items.length === 0) return { text: t('truth-stale-none'), locale };
      const snapshot = registry.snapshot();
      const lines = items.slice(0, 30).map((item) => {
        const contact = snapshot.contactById.get(item.contactId);
        return t('truth-stale-line', {
          name: contact === undefined ? item.contactId : nameOf(contact, locale),
          id: item.contactId,
          state: t(`truth-state-${item.state}`),
          verifiedAt: item.verifiedAt,
        });
      });
      return { text: [t('truth-stale-title', { count: items.length }), ...lines].join('\n'), locale };
    },
  });

  /** `vfy:<answer>:<contactId>`: the prompt's four answers, for the person behind that contact only. */
  engine.registerActionHandler('vfy', async (context: ActionContext): Promise<ChatReply> => {
    const { principal, locale, inbound } = context;
    const t = (id: string, args?: Record<string, string>) => context.t(id, args);
    const [, answer, contactId] = context.action.split(':');
    const contact = ownContact(principal);
    if (contact === undefined || contact.id !== contactId)
      return { text: t('truth-not-your-record'), locale };
    const at = { principal, conversation: inbound, locale };
    switch (answer) {
      case 'ok': {
        const after: Parameters<VerificationService['rearm']>[0] extends readonly (infer R)[] ? R[] : never =
          [];
        await registry.confirmContactBySelf(principal.memberId, contact.id, {
          inTransaction: (tx) => verification.confirmedInTransaction(tx, contact, 'self', after),
        });
        await verification.rearm(after);
        return { text: t('truth-confirmed'), locale };
      }
      case 'chg':
        return engine.flows.start(changeFlow, at, { contactId: contact.id });
      case 'away':
        return engine.flows.start(awayFlow, at, { contactId: contact.id });
      case 'gone':
        return engine.flows.start(goneFlow, at, { contactId: contact.id });
      default:
        return undefined;
    }
  });
}
