// Requests in the chat: `/requests` lists mine with status and age, `/newrequest` registers one
// in a few taps, and `req:` buttons carry the counterpart's one-tap answers to a nudge.
import {
  commandPrefix,
  type ActionContext,
  type ChatCommand,
  type ChatReply,
  type ConversationEngine,
  type TextHandler,
} from '../chat/index.ts';
import type { Button, OutboundMessage } from '../chat/chat-types.ts';
import { AppError } from '../http/errors.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/i18n.ts';
import type { Principal } from '../members/principal.ts';
import type { RegistrySnapshot } from '../registry/registry-types.ts';
import type { RequestAnswers } from './request-answers.ts';
import type { RequestDraft, RequestDraftStore } from './request-drafts.ts';
import type { RequestMessages } from './request-messages.ts';
import { referenceMaxLength, subjectMaxLength, type RequestService } from './request-service.ts';
import { isAnswerCode, type RequestView } from './request-types.ts';

export interface RequestsChatDeps {
  requests: RequestService;
  answers: RequestAnswers;
  drafts: RequestDraftStore;
  messages: RequestMessages;
  registry: { snapshot(): RegistrySnapshot };
  translator: Translator;
  clock: () => Date;
}

type Translate = (id: string, args?: MessageArguments) => string;

type Engine = Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'registerTextHandler'>;

const sentOptions = [0, 1, 7, 30, 90];
const listLimit = 15;

export function registerRequestsChat(engine: Engine, deps: RequestsChatDeps): void {
  const { requests, answers, drafts, messages, registry, translator, clock } = deps;
  const timezoneOf = (snapshot: RegistrySnapshot, country: string) =>
    snapshot.countryByIso2.get(country)?.timezone ?? 'UTC';
  const cancel = (t: (id: string) => string): Button => ({
    label: t('requests-new-cancel'),
    action: 'req:new:x',
  });

  function listLine(t: Translate, locale: Locale, snapshot: RegistrySnapshot, request: RequestView): string {
    return t('requests-list-item', {
      ourReference: request.ourReference,
      type: messages.typeLabel(locale, request.type, snapshot),
      toCountry: request.toCountry,
      status: messages.status(locale, request.status),
      ageDays: request.ageDays,
    });
  }

  const listCommand: ChatCommand = {
    id: 'request-list',
    names: { en: ['requests'], ru: ['запросы'] },
    role: 'member',
    helpId: 'requests-command-list-help',
    async run(command) {
      const { principal, locale } = command;
      const t: Translate = (id, args) => command.t(id, args);
      const snapshot = registry.snapshot();
      const mine = await requests.list(principal, { mine: true, limit: listLimit, offset: 0 });
      const addressed =
        principal.contactId === null
          ? { items: [], total: 0 }
          : await requests.list(principal, { addressedToMe: true, limit: listLimit, offset: 0 });
      const lines: string[] = [];
      if (mine.items.length === 0) lines.push(t('requests-list-empty'));
      else {
        lines.push(
          t('requests-list-heading'),
          ...mine.items.map((item) => listLine(t, locale, snapshot, item)),
        );
        if (mine.total > mine.items.length)
          lines.push(t('requests-list-more', { count: mine.total - mine.items.length }));
      }
      if (addressed.items.length > 0) {
        lines.push(
          '',
          t('requests-list-addressed-heading'),
          ...addressed.items.map((item) => listLine(t, locale, snapshot, item)),
        );
      }
      return {
        text: lines.join('\n'),
        buttons: [{ label: t('requests-button-new'), action: 'req:new' }],
        locale,
      };
    },
  };

  /** Asks for whatever the draft still lacks, or registers the request when it lacks nothing. */
  async function nextStep(
    principal: Principal,
    locale: Locale,
    t: Translate,
    given: RequestDraft,
  ): Promise<OutboundMessage> {
    // A button press or typed answer moves the flow on: nothing is awaited until asked again.
    const { awaiting: _awaiting, ...draft } = given;
    const snapshot = registry.snapshot();
    const reference = draft.ourReference ?? '…';
    if (draft.type === undefined) {
      await drafts.set(principal.memberId, draft);
      const buttons = snapshot.competences.map((competence) => ({
        label: messages.typeLabel(locale, competence.id, snapshot),
        action: `req:new:t:${competence.id}`,
      }));
      return {
        text: t('requests-new-choose-type', { ourReference: reference }),
        buttons: [...buttons, cancel(t)],
        locale,
      };
    }
    if (draft.toCountry === undefined) {
      await drafts.set(principal.memberId, draft);
      const buttons = snapshot.countries
        .filter((country) => country.iso2 !== principal.country)
        .map((country) => ({
          label: messages.countryName(locale, country.iso2, snapshot),
          action: `req:new:c:${country.iso2}`,
        }));
      return {
        text: t('requests-new-choose-country', { ourReference: reference }),
        buttons: [...buttons, cancel(t)],
        locale,
      };
    }
    if (draft.sentDaysAgo === undefined) {
      await drafts.set(principal.memberId, draft);
      const buttons = sentOptions.map((days) => ({
        label: t(`requests-new-sent-${days}`),
        action: `req:new:s:${days}`,
      }));
      return {
        text: t('requests-new-choose-sent', { ourReference: reference }),
        buttons: [...buttons, cancel(t)],
        locale,
      };
    }
    if (draft.urgent === undefined) {
      await drafts.set(principal.memberId, draft);
      const buttons = [
        { label: t('requests-no'), action: 'req:new:u:0' },
        { label: t('requests-yes'), action: 'req:new:u:1' },
      ];
      return {
        text: t('requests-new-choose-urgent', { ourReference: reference }),
        buttons: [...buttons, cancel(t)],
        locale,
      };
    }
    if (draft.ourReference === undefined) {
      await drafts.set(principal.memberId, { ...draft, awaiting: 'reference' });
      return {
        text: t('requests-new-ask-reference', {
          toCountry: messages.countryName(locale, draft.toCountry, snapshot),
        }),
        buttons: [cancel(t)],
        locale,
      };
    }
    if (draft.subject === undefined) {
      await drafts.set(principal.memberId, { ...draft, awaiting: 'subject' });
      return {
        text: t('requests-new-ask-subject', { ourReference: draft.ourReference }),
        buttons: [cancel(t)],
        locale,
      };
    }
    await drafts.clear(principal.memberId);
    const sentAt = new Date(clock().getTime() - draft.sentDaysAgo * 86_400_000);
    let created: RequestView;
    try {
      created = await requests.create(
        principal,
        {
          type: draft.type,
          toCountry: draft.toCountry,
          ourReference: draft.ourReference,
          subject: draft.subject,
          sentAt: sentAt.toISOString(),
          urgent: draft.urgent,
        },
        locale,
      );
    } catch (error) {
      if (error instanceof AppError) return { text: error.message, locale };
      throw error;
    }
    const contact = created.contactId === null ? undefined : snapshot.contactById.get(created.contactId);
    const lines = [
      t('requests-new-done', {
        ourReference: created.ourReference,
        type: messages.typeLabel(locale, created.type, snapshot),
        toCountry: messages.countryName(locale, created.toCountry, snapshot),
        sentDate: messages.date(locale, sentAt, timezoneOf(snapshot, principal.country)),
      }),
      contact === undefined || created.nextNudgeAt === null
        ? t('requests-new-no-contact', {
            toCountry: messages.countryName(locale, created.toCountry, snapshot),
          })
        : t('requests-new-contact', {
            contactName: messages.contactName(locale, contact),
            authority: messages.authorityName(locale, created.authorityId, snapshot),
            nextNudge: messages.dateTime(
              locale,
              new Date(created.nextNudgeAt),
              timezoneOf(snapshot, principal.country),
            ),
          }),
    ];
    return { text: lines.join('\n'), locale };
  }

  /** `REFERENCE SUBJECT…` as typed after the command: both optional. */
  function readReferenceAndSubject(
    text: string,
  ): Pick<RequestDraft, 'ourReference' | 'subject'> | 'too_long' {
    const [reference, ...rest] = text.trim().split(/\s+/);
    const subject = rest.join(' ').trim();
    if ((reference?.length ?? 0) > referenceMaxLength || subject.length > subjectMaxLength) return 'too_long';
    return {
      ...(reference === undefined || reference === '' ? {} : { ourReference: reference }),
      ...(subject === '' ? {} : { subject }),
    };
  }

  const tooLong = (locale: Locale, t: Translate): OutboundMessage => ({
    text: t('requests-new-too-long', { reference: referenceMaxLength, subject: subjectMaxLength }),
    locale,
  });

  const newCommand: ChatCommand = {
    id: 'request-new',
    names: { en: ['newrequest'], ru: ['новыйзапрос'] },
    role: 'member',
    helpId: 'requests-command-new-help',
    arguments: [
      { name: 'reference-subject', labelId: 'requests-argument-reference-subject', required: false },
    ],
    async run(command) {
      const { principal, locale } = command;
      const t: Translate = (id, args) => command.t(id, args);
      const typed = readReferenceAndSubject(command.argumentText);
      if (typed === 'too_long') return tooLong(locale, t);
      return nextStep(principal, locale, t, typed);
    },
  };

  async function onNewRequestButton(context: ActionContext, parts: readonly string[]): Promise<ChatReply> {
    const { principal, locale } = context;
    const t: Translate = (id, args) => context.t(id, args);
    const [, , step, value = ''] = parts;
    if (step === undefined) return nextStep(principal, locale, t, {});
    if (step === 'x') {
      await drafts.clear(principal.memberId);
      return { text: t('requests-new-cancelled'), locale };
    }
    const draft = await drafts.get(principal.memberId);
    if (draft === undefined)
      return { text: t('requests-new-expired', { prefix: commandPrefix(context.inbound.platform) }), locale };
    const snapshot = registry.snapshot();
    switch (step) {
      case 't':
        if (!snapshot.competences.some((competence) => competence.id === value)) return undefined;
        return nextStep(principal, locale, t, { ...draft, type: value });
      case 'c':
        if (!snapshot.countryByIso2.has(value)) return undefined;
        return nextStep(principal, locale, t, { ...draft, toCountry: value });
      case 's': {
        const days = Number(value);
        if (!sentOptions.includes(days)) return undefined;
        return nextStep(principal, locale, t, { ...draft, sentDaysAgo: days });
      }
      case 'u':
        return nextStep(principal, locale, t, { ...draft, urgent: value === '1' });
      default:
        return undefined;
    }
  }

  async function onAnswerButton(context: ActionContext, parts: readonly string[]): Promise<ChatReply> {
    const { principal, locale } = context;
    const t: Translate = (id, args) => context.t(id, args);
    const [, requestId = '', code = '', contactId] = parts;
    const outcome =
      code === 'to' && contactId !== undefined
        ? await answers.reassign(principal, requestId, contactId)
        : isAnswerCode(code)
          ? await answers.answer(principal, requestId, code)
          : undefined;
    if (outcome === undefined) return undefined;
    const snapshot = registry.snapshot();
    switch (outcome.kind) {
      case 'recorded':
        return {
          text: t('requests-answer-thanks', {
            ourReference: outcome.request.ourReference,
            status: messages.status(locale, outcome.status),
          }),
          locale,
        };
      case 'pick_colleague':
        return {
          text: t('requests-pick-colleague', {
            ourReference: outcome.request.ourReference,
            authority: messages.authorityName(locale, outcome.request.authorityId, snapshot),
          }),
          buttons: answers.colleagueButtons(locale, outcome.request.id, outcome.colleagues),
          locale,
        };
      case 'no_colleague':
        return { text: t('requests-no-colleague'), locale };
      case 'reassigned':
        return {
          text: t('requests-reassigned', {
            ourReference: outcome.request.ourReference,
            contactName: messages.contactName(locale, outcome.to),
          }),
          locale,
        };
      case 'closed':
        return {
          text: t('requests-answer-closed', {
            ourReference: outcome.request.ourReference,
            status: messages.status(locale, outcome.request.status),
          }),
          locale,
        };
      case 'not_yours':
        return { text: t('requests-answer-not-yours'), locale };
      case 'not_found':
        return { text: t('requests-answer-stale'), locale };
    }
  }

  const textHandler: TextHandler = async ({ principal, locale, text }) => {
    const draft = await drafts.get(principal.memberId);
    if (draft?.awaiting === undefined) return undefined;
    const t: Translate = (id, args) => translator.t(locale, id, args);
    const value = text.trim();
    if (draft.awaiting === 'reference') {
      if (value.length > referenceMaxLength || /\s/.test(value)) return tooLong(locale, t);
      return nextStep(principal, locale, t, { ...draft, ourReference: value });
    }
    if (value.length > subjectMaxLength) return tooLong(locale, t);
    return nextStep(principal, locale, t, { ...draft, subject: value });
  };

  engine.registerCommand(listCommand);
  engine.registerCommand(newCommand);
  engine.registerActionHandler('req', async (context) => {
    const parts = context.action.split(':');
    return parts[1] === 'new' ? onNewRequestButton(context, parts) : onAnswerButton(context, parts);
  });
  engine.registerTextHandler(textHandler);
}
