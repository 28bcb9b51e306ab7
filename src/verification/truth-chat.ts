// The registry-truth conversations: the four answers of a re-verification prompt, `/away` (until
// when, who deputises), `/imback`, and `/stale` for coordinators.
//
// Ending an absence: `/imback` (`/вернулся`, `!imback`) always; `/back` (`/назад`, `!back`) too,
// but only in a chat with no guided conversation in progress: inside one, `/back` stays the flow
// engine's "previous step" (and after one timed out it says so), so it is given to this module
// for the chat with no flow only (`flows.onBackOutsideFlow`).
import type {
  ActionContext,
  ChatReply,
  ConversationEngine,
  FlowContext,
  FlowStart,
  StepOption,
} from '../chat/index.ts';
import { addDays } from '../schedule/index.ts';
import { defineFlow } from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import { commonChannelKinds, isoDay, type Contact, type RegistryService } from '../registry/index.ts';
import type { ProposalService } from './proposal-service.ts';
import { answerFlowIds } from './verification-prompt.ts';
import type { VerificationService, VerificationStateItem } from './verification-service.ts';
import {
  actionButtons,
  contactsPerPage,
  coordinatorActionPrefix,
  readAction,
} from './coordinator-actions.ts';
import type { InviteContact } from './coordinator-actions.ts';
import { AppError } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';

type Engine = Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>;

export interface TruthChatDeps {
  registry: Pick<RegistryService, 'snapshot' | 'confirmContactBySelf' | 'verifyContact'>;
  proposals: ProposalService;
  verification: VerificationService;
  clock: Clock;
  /** The longest button action every messenger of the deployment carries. */
  maxButtonActionBytes: number;
  /** Issues an invite for the person behind a contact; absent: no Invite button. */
  inviteContact?: InviteContact | undefined;
}

interface Away {
  contactId?: string;
  /** The first day away (the contact's own calendar). */
  from?: string;
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
  /** Today where the contact is: someone in New York at 21:00 may still say "until today". */
  const todayOf = (contactId: string | undefined): string => {
    const contact = contactId === undefined ? undefined : registry.snapshot().contactById.get(contactId);
    return contact === undefined ? isoDay(clock.now()) : verification.todayOf(contact);
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
    id: answerFlowIds.away,
    actionPrefix: 'away',
    titleId: 'truth-away-title',
    goneId: 'truth-flow-gone',
    steps: [
      {
        id: 'from',
        kind: 'date',
        action: 'f',
        prompt: (context) => context.t('truth-away-from'),
        placeholder: (context) => context.t('truth-away-from-placeholder'),
        today: (context) => todayOf(context.data.contactId),
        // One tap for "from today"; any later day typed (their own calendar, not in the past).
        options: (context) => [{ value: '0', label: context.t('truth-away-from-today') }],
        accept: (answer, context) => {
          const today = todayOf(context.data.contactId);
          const from = 'option' in answer ? addDays(today, Number(answer.option)) : answer.date;
          if (from < today) return { retry: context.t('truth-away-from-past') };
          return { next: { ...context.data, from } };
        },
      },
      {
        id: 'until',
        kind: 'date',
        action: 'u',
        prompt: (context) => context.t('truth-away-until'),
        placeholder: (context) => context.t('truth-away-until-placeholder'),
        today: (context) => todayOf(context.data.contactId),
        options: (context) => {
          // The last day of the absence: its first day itself ("Today only" when that is today),
          // or a week or two from its first day.
          const today = todayOf(context.data.contactId);
          const fromToday = (context.data.from ?? today) === today;
          return [0, 7, 14].map((days) => ({
            value: String(days),
            label: context.t(
              days === 0 && !fromToday ? 'truth-away-days-0-from' : `truth-away-days-${String(days)}`,
            ),
          }));
        },
        accept: (answer, context) => {
          const today = todayOf(context.data.contactId);
          const from = context.data.from ?? today;
          const until = 'option' in answer ? addDays(from, Number(answer.option)) : answer.date;
          if (until < today) return { retry: context.t('truth-away-past') };
          if (until < from) return { retry: context.t('truth-away-before-from', { from }) };
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
      const { contactId, from, until, deputy } = context.data;
      if (contactId === undefined || until === undefined) return undefined;
      const absence = { start: from ?? todayOf(contactId), end: until };
      try {
        await proposals.propose(context.principal, contactId, {
          outOfOffice: absence,
          ...(deputy === undefined || deputy === nobody ? {} : { deputy }),
        });
      } catch (error) {
        return { text: refused(error, context.t), locale: context.locale };
      }
      // An answer to the prompt: no reminder while they are away; asked again after (README).
      await verification.awayAnswered(contactId, absence);
      // Starting later: recorded now, and they count as away (answers, routing) from that day only.
      const planned = absence.start > todayOf(contactId);
      return {
        text: context.t(planned ? 'truth-away-done-planned' : 'truth-away-done', {
          from: absence.start,
          until,
          prefix: context.prefix,
        }),
        locale: context.locale,
      };
    },
  });

  const changeFlow = defineFlow<Change>({
    id: answerFlowIds.change,
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
    id: answerFlowIds.gone,
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

  /**
   * Opens one of the answers' flows about the contact. The round's pending reminder is put off
   * first, so it cannot arrive in the middle of the answer (README, "Re-verification campaigns").
   */
  const startAnswer = async (
    flow: typeof awayFlow | typeof changeFlow | typeof goneFlow,
    at: FlowStart,
    contactId: string,
  ) => {
    await verification.answerStarted(contactId);
    return engine.flows.start(flow, at, { contactId });
  };

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
      return startAnswer(awayFlow, { principal, conversation: inbound, locale }, contact.id);
    },
  });

  /** Ends the member's contact's absence now (`/imback`, and `/back` with no flow in progress). */
  const endAbsence = async (
    principal: Principal,
    locale: Locale,
    t: (id: string, args?: Record<string, string | number>) => string,
    texts: { notAContact: string; notAway: string },
  ): Promise<ChatReply> => {
    const contact = ownContact(principal);
    if (contact === undefined) return { text: t(texts.notAContact), locale };
    const absence = contact.outOfOffice;
    const today = todayOf(contact.id);
    // An absence already over ends nothing; one still to come is called off.
    if (absence === null || absence.end < today) return { text: t(texts.notAway), locale };
    try {
      await proposals.propose(principal, contact.id, { outOfOffice: null });
    } catch (error) {
      return { text: refused(error, t), locale };
    }
    if (absence.start > today)
      return { text: t('truth-imback-planned-off', { from: absence.start, until: absence.end }), locale };
    return { text: t('truth-imback-done'), locale };
  };

  engine.registerCommand({
    id: 'imback',
    names: { en: ['imback'], ru: ['вернулся', 'вернулась'] },
    role: 'member',
    helpId: 'truth-command-imback',
    run: (command) =>
      endAbsence(command.principal, command.locale, (id, args) => command.t(id, args), {
        notAContact: 'truth-not-a-contact',
        notAway: 'truth-imback-not-away',
      }),
  });

  // `/back` with no flow in the chat: the absence ends, as with `/imback`; nothing to end, a hint.
  engine.flows.onBackOutsideFlow((actor) =>
    endAbsence(actor.principal, actor.locale, (id, args) => actor.t(id, { prefix: actor.prefix, ...args }), {
      notAContact: 'flow-nothing-to-go-back',
      notAway: 'truth-back-not-away',
    }),
  );

  type Say = (id: string, args?: Record<string, string | number>) => string;

  /** The records of the coordinator's country (an admin: every one) that need attention. */
  const needingAttention = async (principal: Principal) =>
    (await verification.list(principal, undefined)).filter((item) => item.state !== 'fresh');

  /** One line of `/stale`: state, since when (the day where the contact is), whether anyone can be asked. */
  const staleLine = (item: VerificationStateItem, locale: Locale, t: Say): string => {
    const contact = registry.snapshot().contactById.get(item.contactId);
    const since =
      item.since === null || contact === undefined
        ? null
        : verification.dayOf(contact, Date.parse(item.since));
    const line = t(since === null ? 'truth-stale-line' : 'truth-stale-line-since', {
      name: contact === undefined ? item.contactId : nameOf(contact, locale),
      id: item.contactId,
      state: t(`truth-state-${item.state}`),
      verifiedAt: item.verifiedAt,
      ...(since === null ? {} : { since }),
    });
    return item.linked ? line : `${line}${t('truth-stale-unlinked')}`;
  };

  /**
   * The one-tap buttons of a page of `/stale` (`contactsPerPage` contacts from `offset`), then
   * "More" when the list goes on: a keyboard every messenger shows whole, numbered where choices are.
   */
  const pageButtons = (items: readonly VerificationStateItem[], offset: number, locale: Locale, t: Say) => {
    const snapshot = registry.snapshot();
    const page = items.slice(offset, offset + contactsPerPage);
    const buttons = page.flatMap((item) => {
      const contact = snapshot.contactById.get(item.contactId);
      const target = {
        contactId: item.contactId,
        name: contact === undefined ? item.contactId : nameOf(contact, locale),
        linked: item.linked,
        unreachable: item.state === 'unreachable',
        seq: item.seq,
      };
      return actionButtons((_, id, args) => t(id, args), locale, target, {
        maxActionBytes: deps.maxButtonActionBytes,
        invites: deps.inviteContact !== undefined,
      });
    });
    const next = offset + contactsPerPage;
    if (next < items.length)
      buttons.push({
        label: t('truth-stale-more', { from: next + 1, to: Math.min(next + contactsPerPage, items.length) }),
        action: `${coordinatorActionPrefix}:n:${String(next)}`,
      });
    return buttons;
  };

  engine.registerCommand({
    id: 'stale',
    names: { en: ['stale'], ru: ['устаревшие'] },
    role: 'coordinator',
    helpId: 'truth-command-stale',
    async run(command) {
      const { principal, locale } = command;
      const t: Say = (id, args) => command.t(id, args);
      const items = await needingAttention(principal);
      if (items.length === 0) return { text: t('truth-stale-none'), locale };
      const lines = items.slice(0, 30).map((item) => staleLine(item, locale, t));
      return {
        text: [t('truth-stale-title', { count: items.length }), ...lines].join('\n'),
        buttons: pageButtons(items, 0, locale, t),
        locale,
      };
    },
  });

  /** What a refused one-tap action says, by error code. */
  const actionRefusals: Record<string, string> = {
    forbidden: 'truth-act-not-yours',
    conflict: 'truth-act-already',
    not_found: 'truth-act-gone',
  };

  /**
   * `vco:<verb>:<seq>:<contactId>`: a coordinator verifies a record on the person's behalf, sends
   * the prompt again, or gets an invite to forward; `vco:n:<offset>`: the next page of `/stale`.
   * Only a coordinator of the contact's country (or an admin) may; each acts once (see
   * coordinator-actions.ts), audited as its API equivalent.
   */
  engine.registerActionHandler(
    coordinatorActionPrefix,
    async (context: ActionContext): Promise<ChatReply> => {
      const { principal, locale, action } = context;
      const t: Say = (id, args) => context.t(id, args);
      if (principal.role !== 'coordinator' && principal.role !== 'admin')
        return { text: t('truth-act-not-yours'), locale };
      const [, verb, offsetText] = action.split(':');
      if (verb === 'n') {
        const offset = Number(offsetText);
        if (!Number.isSafeInteger(offset) || offset < 0) return undefined;
        const items = await needingAttention(principal);
        const page = items.slice(offset, offset + contactsPerPage);
        if (page.length === 0) return { text: t('truth-stale-none'), locale };
        return {
          text: [
            t('truth-stale-page', { from: offset + 1, to: offset + page.length, count: items.length }),
            ...page.map((item) => staleLine(item, locale, t)),
          ].join('\n'),
          buttons: pageButtons(items, offset, locale, t),
          locale,
        };
      }
      const read = readAction(action);
      if (read === undefined) return undefined;
      const contact = registry.snapshot().contactById.get(read.contactId);
      const name = contact === undefined ? read.contactId : nameOf(contact, locale);
      const about = { name, id: read.contactId };
      try {
        switch (read.verb) {
          case 'verify':
            await verification.verifyOnBehalf(principal, read.contactId, read.seq, (inTransaction) =>
              registry.verifyContact(principal, read.contactId, { inTransaction }),
            );
            return { text: t('truth-act-verified', about), locale };
          case 'prompt':
            await verification.reverify(principal, read.contactId, { seq: read.seq });
            return { text: t('truth-act-prompted', about), locale };
          case 'invite': {
            if (deps.inviteContact === undefined) return undefined;
            const target = await verification.takeAction(principal, read.contactId, read.seq);
            const issued = await deps.inviteContact(principal, target);
            const ways = [
              ...Object.values(issued.links),
              ...Object.values(issued.instructions).map((instruction) =>
                t('truth-act-invite-instruction', { command: instruction.command, to: instruction.to }),
              ),
            ];
            return {
              text: [
                t('truth-act-invited', {
                  ...about,
                  code: issued.code,
                  expiresAt: verification.dayOf(target, issued.expiresAt.getTime()),
                }),
                ...ways,
              ].join('\n'),
              locale,
            };
          }
        }
      } catch (error) {
        const refusal = error instanceof AppError ? actionRefusals[error.code] : undefined;
        if (refusal === undefined) throw error;
        return { text: t(refusal, { ...about, prefix: context.prefix }), locale };
      }
    },
  );

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
        return startAnswer(changeFlow, at, contact.id);
      case 'away':
        return startAnswer(awayFlow, at, contact.id);
      case 'gone':
        return startAnswer(goneFlow, at, contact.id);
      default:
        return undefined;
    }
  });
}
