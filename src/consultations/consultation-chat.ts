// Consultations in the conversation: `/consult` and its guided flow, the `consult:` buttons
// (accept, decline, forward, close) and free text that belongs to a consultation being talked in.
import type {
  ActionContext,
  ChatCommand,
  ChatReply,
  Flows,
  InboundMessage,
  MemberCommandContext,
  OutboundMessage,
  TextHandler,
} from '../chat/index.ts';
import type { Core } from './consultation-core.ts';
import type { ConsultationRelay } from './consultation-relay.ts';
import { createConsultationFlows, heldContext, type ConsultationDraft } from './consultation-flows.ts';
import {
  activeConversationsOf,
  consultationOfMessage,
  openConsultationsOf,
} from './consultation-repository.ts';
import type { ConsultationRules } from './consultation-service.ts';
import type { LinkWatch } from './consultation-link-watch.ts';
import { refOf, type ChatAddress, type ConsultationRow } from './consultation-types.ts';
import { AppError } from '../errors/index.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';
import { membersByIds } from '../members/index.ts';

const addressOf = (inbound: InboundMessage): ChatAddress => ({
  platform: inbound.platform,
  chatId: inbound.chatId,
});

type ConsultationFlows = ReturnType<typeof createConsultationFlows>;

interface ChatDeps {
  core: Core;
  rules: ConsultationRules;
  relay: ConsultationRelay;
  watch: LinkWatch;
  flows: Flows;
}

/**
 * Consultations in the conversation, by use case: starting and closing (commands), the buttons,
 * and the text of a member talking in a consultation. The guided flows live in consultation-flows.
 */
export function createConsultationChat({ core, rules, relay, watch, flows }: ChatDeps) {
  const replies = consultationReplies(core);
  const relayTo = relayWithNotice(relay, replies);
  const consultationFlows = createConsultationFlows({ core, rules, relayTo, attempt: replies.attempt });
  flows.register(consultationFlows.start);
  flows.register(consultationFlows.decline);
  flows.register(consultationFlows.choose);
  const deps = { core, rules, watch, flows, consultationFlows, replies };
  return {
    commands: consultationCommands(deps),
    handleAction: consultationButtons(deps),
    interceptText: talkingInConsultation({ ...deps, relayTo }),
  };
}

export type ConsultationChat = ReturnType<typeof createConsultationChat>;

/** Sentences for the chat, and the rules' refusals turned into sentences. */
function consultationReplies(core: Core) {
  const say = (
    locale: Locale,
    id: string,
    args?: Record<string, string | number>,
    buttons?: OutboundMessage['buttons'],
  ): OutboundMessage => ({
    text: core.t(locale, id, args),
    locale,
    ...(buttons === undefined ? {} : { buttons }),
  });

  /** Turns the rules' refusals into a sentence for the chat; anything unexpected propagates. */
  function explain(error: unknown, locale: Locale, number: number): OutboundMessage {
    if (error instanceof AppError) {
      const reason = (error.details as { reason?: string } | undefined)?.reason;
      if (error.code === 'conflict' && reason === 'delivered')
        return say(locale, 'consult-watch-delivered', { ref: refOf(number) });
      if (error.code === 'conflict' && reason === 'no_longer_yours')
        return say(locale, 'consult-no-longer-yours', { ref: refOf(number) });
      if (error.code === 'conflict') return say(locale, 'consult-not-open', { ref: refOf(number) });
      if (error.code === 'forbidden' || error.code === 'not_found') return say(locale, 'consult-not-yours');
      if (error.code === 'validation_failed' || error.code === 'bad_request')
        return say(locale, 'consult-invalid', { reason: error.message });
    }
    throw error;
  }

  async function attempt(locale: Locale, number: number, work: () => Promise<ChatReply>): Promise<ChatReply> {
    try {
      return await work();
    } catch (error) {
      return explain(error, locale, number);
    }
  }

  /** One button per consultation, named by the other side (or the country while nobody took it). */
  async function chooseButtons(
    open: readonly ConsultationRow[],
    principal: Principal,
    locale: Locale,
    verb: 'to' | 'close',
  ) {
    const others = await membersByIds(
      core.deps.db,
      open.flatMap((row) =>
        row.askerMemberId === principal.memberId ? (row.counterpartMemberId ?? []) : row.askerMemberId,
      ),
    );
    return open.map((row) => {
      const otherId = row.askerMemberId === principal.memberId ? row.counterpartMemberId : row.askerMemberId;
      const other = others.find((member) => member.id === otherId);
      const name =
        other === undefined
          ? core.notices.countryName(row.country, locale)
          : core.notices.memberParty(other, locale).name;
      return {
        label: core.t(locale, 'consult-button-choose', { ref: refOf(row.number), name }),
        action: `consult:${verb}:${row.number}`,
      };
    });
  }

  return { say, attempt, chooseButtons };
}

type Replies = ReturnType<typeof consultationReplies>;

interface UseCaseDeps {
  core: Core;
  rules: ConsultationRules;
  watch: LinkWatch;
  flows: Flows;
  consultationFlows: ConsultationFlows;
  replies: Replies;
}

/** Relays one message and tells the sender only when something kept it from the other side. */
function relayWithNotice(relay: ConsultationRelay, { say, attempt }: Replies) {
  return async (
    principal: Principal,
    locale: Locale,
    number: number,
    address: ChatAddress,
    sourceKey: string,
    text: string,
  ): Promise<ChatReply> =>
    attempt(locale, number, async () => {
      const outcome = await relay.relay(principal, number, { address, sourceKey, text });
      if (outcome.kind === 'sender_not_encrypted')
        return say(locale, 'consult-sensitive-send-from-encrypted', { ref: refOf(number) });
      if (outcome.kind === 'recipient_not_encrypted') {
        return say(locale, 'consult-relay-recipient-not-encrypted', {
          ref: refOf(number),
          name: outcome.recipientName,
        });
      }
      return [];
    });
}

/** Starts the guided flow, asking only for what is not known yet. */
function flowStarter({ core, flows, consultationFlows, replies }: UseCaseDeps) {
  return async (
    principal: Principal,
    inbound: InboundMessage,
    locale: Locale,
    known: { country: string | undefined; competence: string | undefined; contactId?: string | undefined },
  ): Promise<ChatReply> => {
    // Every consultation is sensitive here, and this chat is not encrypted: nothing to start.
    if (core.settings.alwaysSensitive && !(await core.conversationEncrypted(inbound)))
      return replies.say(locale, 'consult-sensitive-needs-encrypted');
    const draft: ConsultationDraft = {
      ...(known.country === undefined ? {} : { country: known.country }),
      ...(known.competence === undefined ? {} : { competence: known.competence }),
      ...(known.contactId === undefined ? {} : { contactId: known.contactId }),
    };
    return flows.start(consultationFlows.start, { principal, conversation: inbound, locale }, draft);
  };
}

/** `/consult` (with or without a country and competence) and `/close`. */
function consultationCommands(deps: UseCaseDeps): ChatCommand[] {
  const { core, rules, consultationFlows, replies } = deps;
  const { say, attempt, chooseButtons } = replies;
  const startFlow = flowStarter(deps);

  const consultCommand: ChatCommand = {
    id: 'consult',
    names: { en: ['consult'], ru: ['консультация', 'консультироваться'] },
    arguments: [{ name: 'subject', labelId: 'consult-argument-country-competence', required: false }],
    helpId: 'consult-command',
    role: 'member',
    async run(context: MemberCommandContext) {
      const { principal, inbound, locale } = context;
      const { country, competence } =
        context.argumentText === ''
          ? { country: undefined, competence: undefined }
          : consultationFlows.understand(context.argumentText);
      if (country === undefined && competence === undefined && context.argumentText !== '') {
        return say(locale, 'consult-unknown-country', { input: context.argumentText });
      }
      return startFlow(principal, inbound, locale, { country, competence });
    },
  };

  async function closeFlow(
    principal: Principal,
    inbound: InboundMessage,
    locale: Locale,
  ): Promise<ChatReply> {
    const open = await openConsultationsOf(core.deps.db, principal.memberId);
    if (open.length === 0) return say(locale, 'consult-close-none');
    const only = open[0];
    if (open.length === 1 && only !== undefined) {
      return attempt(
        locale,
        only.number,
        async () => (await rules.close(principal, only.number, { address: addressOf(inbound) })).replies,
      );
    }
    return say(locale, 'consult-close-choose', {}, await chooseButtons(open, principal, locale, 'close'));
  }

  const closeCommand: ChatCommand = {
    id: 'consult-close',
    names: { en: ['close'], ru: ['закрыть'] },
    helpId: 'consult-command-close',
    role: 'member',
    run: (context: MemberCommandContext) => closeFlow(context.principal, context.inbound, context.locale),
  };

  return [consultCommand, closeCommand];
}

/** The `consult:` buttons: start, accept, decline, forward (and to whom), close, watch. */
function consultationButtons(deps: UseCaseDeps) {
  const { core, rules, watch, flows, consultationFlows, replies } = deps;
  const { say, attempt } = replies;
  const startFlow = flowStarter(deps);

  return async function handleAction(context: ActionContext): Promise<ChatReply> {
    const { principal, inbound, locale } = context;
    const [, verb = '', first = '', second = '', third = ''] = context.action.split(':');
    const number = Number(first);
    const from = { address: addressOf(inbound) };
    switch (verb) {
      case 'start':
        return startFlow(principal, inbound, locale, {
          country: consultationFlows.findCountry(first),
          competence: consultationFlows.findCompetence(second),
          // A contact that has just linked (the watch's notice): checked by the rules at the end.
          contactId: core.snapshot().contactById.has(third) ? third : undefined,
        });
      case 'accept':
        return attempt(locale, number, async () => (await rules.accept(principal, number, from)).replies);
      case 'decline':
        return attempt(locale, number, async () => {
          // Checks the consultation still waits for this person before asking for a reason.
          await rules.forwardOptions(principal, number);
          return flows.start(
            consultationFlows.decline,
            { principal, conversation: inbound, locale },
            { number },
          );
        });
      case 'forward':
        return attempt(locale, number, async () => {
          const { consultation, contactIds } = await rules.forwardOptions(principal, number);
          if (contactIds.length === 0)
            return say(locale, 'consult-forward-nobody', {
              competence: core.notices.competenceName(consultation.competence, locale),
            });
          return say(
            locale,
            'consult-forward-choose',
            { ref: refOf(number) },
            contactIds.slice(0, 8).map((contactId) => ({
              label: core.notices.contactParty(contactId, locale).name,
              action: `consult:fwd:${number}:${contactId}`,
            })),
          );
        });
      case 'fwd':
        return attempt(
          locale,
          number,
          async () => (await rules.forward(principal, number, second, from)).replies,
        );
      case 'close':
        return attempt(locale, number, async () => (await rules.close(principal, number, from)).replies);
      case 'watch':
        return attempt(locale, number, () => watch.watch(principal, number, { ...from, locale }));
      default:
        return undefined;
    }
  };
}

const sourceKeyOf = (inbound: InboundMessage): string =>
  inbound.messageId === undefined
    ? `${inbound.platform}:${inbound.chatId}:anon:${crypto.randomUUID()}`
    : `${inbound.platform}:${inbound.chatId}:${inbound.messageId}`;

/** Text of a member talking in a consultation (the engine asks only when one is accepted). */
function talkingInConsultation({
  core,
  flows,
  consultationFlows,
  replies,
  relayTo,
}: UseCaseDeps & { relayTo: ReturnType<typeof relayWithNotice> }): TextHandler {
  const db = core.deps.db;

  /** A reply to a relayed message belongs to that message's consultation. */
  async function consultationRepliedTo(
    inbound: InboundMessage,
    talking: readonly ConsultationRow[],
  ): Promise<ConsultationRow | undefined> {
    if (inbound.replyToMessageId === undefined) return undefined;
    const id = await consultationOfMessage(db, inbound.platform, inbound.chatId, inbound.replyToMessageId);
    return talking.find((row) => row.id === id);
  }

  return async ({ inbound, principal, locale, text }) => {
    if (inbound.chatType !== 'private') return undefined;
    const talking = await activeConversationsOf(db, principal.memberId);
    if (talking.length === 0) return undefined;
    const sourceKey = sourceKeyOf(inbound);
    const only = talking[0];
    if (talking.length === 1 && only !== undefined)
      return relayTo(principal, locale, only.number, addressOf(inbound), sourceKey, text);
    const replied = await consultationRepliedTo(inbound, talking);
    if (replied !== undefined)
      return relayTo(principal, locale, replied.number, addressOf(inbound), sourceKey, text);
    // Several: the message waits (encrypted) while its sender picks the consultation.
    return flows.start(
      consultationFlows.choose,
      { principal, conversation: inbound, locale },
      {
        held: core.cipher.encrypt(text, heldContext(principal.memberId)),
        sourceKey,
        choices: await replies
          .chooseButtons(talking, principal, locale, 'to')
          .then((buttons) =>
            buttons.map((button) => ({ value: button.action.split(':')[2] ?? '', label: button.label })),
          ),
      },
    );
  };
}
