// Requests in the chat: `/requests` lists mine to steer (requests-steering.ts), `/newrequest` registers one
// in a few taps, and `req:` buttons carry the counterpart's one-tap answers to a nudge.
import type { Clock } from '../clock/index.ts';
import type { ActionContext, ChatCommand, ChatReply, ConversationEngine } from '../chat/index.ts';
import type { RequestAnswers } from './request-answers.ts';
import type { RequestMessages } from './request-messages.ts';
import { createRequestNewFlow, readReferenceAndSubject } from './request-new-flow.ts';
import { createRequestSteering } from './requests-steering.ts';
import { referenceMaxLength, subjectMaxLength, type RequestService } from './request-service.ts';
import { isAnswerCode } from './request-types.ts';
import type { MessageArguments } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

export interface RequestsChatDeps {
  requests: RequestService;
  answers: RequestAnswers;
  messages: RequestMessages;
  registry: { snapshot(): RegistrySnapshot; todayIn(country: string): string };
  clock: Clock;
}

type Translate = (id: string, args?: MessageArguments) => string;

type Engine = Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>;

export function registerRequestsChat(engine: Engine, deps: RequestsChatDeps): void {
  const { requests, answers, messages, registry, clock } = deps;

  const steering = createRequestSteering(engine, { requests, messages, registry });

  const listCommand: ChatCommand = {
    id: 'request-list',
    names: { en: ['requests'], ru: ['запросы'] },
    role: 'member',
    helpId: 'requests-command-list-help',
    run: (command) => steering.list(command.principal, command.locale, (id, args) => command.t(id, args)),
  };

  const newRequestFlow = createRequestNewFlow({ requests, messages, registry, clock });
  engine.flows.register(newRequestFlow);

  const newCommand: ChatCommand = {
    id: 'request-new',
    names: { en: ['newrequest'], ru: ['новыйзапрос'] },
    role: 'member',
    helpId: 'requests-command-new-help',
    arguments: [
      { name: 'reference-subject', labelId: 'requests-argument-reference-subject', required: false },
    ],
    async run(command) {
      const { principal, locale, inbound } = command;
      const typed = readReferenceAndSubject(command.argumentText);
      if (typed === 'too_long')
        return {
          text: command.t('requests-new-too-long', {
            reference: referenceMaxLength,
            subject: subjectMaxLength,
          }),
          locale,
        };
      return engine.flows.start(newRequestFlow, { principal, conversation: inbound, locale }, typed);
    },
  };

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

  engine.registerCommand(listCommand);
  engine.registerCommand(newCommand);
  engine.registerActionHandler('req', async (context) => {
    const parts = context.action.split(':');
    if (parts[1] !== 'new') return onAnswerButton(context, parts);
    // `req:new` (under /requests) starts the flow; its steps' buttons (`req:new:t:…`) are the flow's.
    if (parts.length > 2) return undefined;
    const { principal, inbound, locale } = context;
    return engine.flows.start(newRequestFlow, { principal, conversation: inbound, locale }, {});
  });
}
