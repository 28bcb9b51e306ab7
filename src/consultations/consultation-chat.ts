// Consultations in the conversation: `/consult` and its short guided flow, the `consult:` buttons
// (accept, decline, forward, close, choose) and free text that belongs to a consultation.
import type {
  ActionContext,
  ChatCommand,
  ChatReply,
  InboundMessage,
  MemberCommandContext,
  OutboundMessage,
  TextHandler,
} from '../chat/index.ts';
import { AppError } from '../http/errors.ts';
import type { Locale } from '../i18n/i18n.ts';
import type { Principal } from '../members/principal.ts';
import type { Core } from './consultation-core.ts';
import type { ConsultationRelay } from './consultation-relay.ts';
import {
  activeConversationsOf,
  consultationOfMessage,
  deleteDraft,
  draftOf,
  membersByIds,
  openConsultationsOf,
} from './consultation-repository.ts';
import { maxDescriptionLength, type ConsultationRules } from './consultation-service.ts';
import { refOf, type ChatAddress, type ConsultationRow } from './consultation-types.ts';
import { createStartFlow, prefixOf } from './consultation-start-flow.ts';

const addressOf = (inbound: InboundMessage): ChatAddress => ({
  platform: inbound.platform,
  chatId: inbound.chatId,
});

export function createConsultationChat({
  core,
  rules,
  relay,
}: {
  core: Core;
  rules: ConsultationRules;
  relay: ConsultationRelay;
}) {
  const db = core.deps.db;
  const { say, cancelButton, findCountry, findCompetence, understand, save, nextStep } =
    createStartFlow(core);

  /** Turns the rules' refusals into a sentence for the chat; anything unexpected propagates. */
  function explain(error: unknown, locale: Locale, number: number): OutboundMessage {
    if (error instanceof AppError) {
      const reason = (error.details as { reason?: string } | undefined)?.reason;
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
          : understand(context.argumentText);
      if (country === undefined && competence === undefined && context.argumentText !== '') {
        return say(locale, 'consult-unknown-country', { input: context.argumentText });
      }
      return nextStep(principal, inbound, locale, {
        country: country ?? null,
        competence: competence ?? null,
        sensitive: null,
      });
    },
  };

  async function closeFlow(
    principal: Principal,
    inbound: InboundMessage,
    locale: Locale,
  ): Promise<ChatReply> {
    const open = await openConsultationsOf(db, principal.memberId);
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

  async function chooseButtons(
    open: readonly ConsultationRow[],
    principal: Principal,
    locale: Locale,
    verb: 'to' | 'close',
  ) {
    const others = await membersByIds(
      db,
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

  /** Relays one message and tells the sender only when something kept it from the other side. */
  async function relayTo(
    principal: Principal,
    locale: Locale,
    number: number,
    address: ChatAddress,
    sourceKey: string,
    text: string,
  ): Promise<ChatReply> {
    return attempt(locale, number, async () => {
      const outcome = await relay.relay(principal, number, { address, sourceKey, text });
      if (outcome.kind === 'sender_not_encrypted')
        return say(locale, 'consult-sensitive-send-from-matrix', { ref: refOf(number) });
      if (outcome.kind === 'recipient_not_encrypted') {
        return say(locale, 'consult-relay-recipient-no-matrix', {
          ref: refOf(number),
          name: outcome.recipientName,
        });
      }
      return [];
    });
  }

  const sourceKeyOf = (inbound: InboundMessage): string =>
    inbound.messageId === undefined
      ? `${inbound.platform}:${inbound.chatId}:anon:${crypto.randomUUID()}`
      : `${inbound.platform}:${inbound.chatId}:${inbound.messageId}`;

  const interceptText: TextHandler = async ({ inbound, principal, locale, text }) => {
    if (inbound.chatType !== 'private') return undefined;
    const draft = await draftOf(db, principal.memberId, core.clock());
    if (draft !== undefined) {
      switch (draft.step) {
        case 'country': {
          const understood = understand(text);
          if (understood.country === undefined)
            return say(locale, 'consult-unknown-country', { input: text.slice(0, 60) }, [
              cancelButton(locale),
            ]);
          return nextStep(principal, inbound, locale, {
            ...draft,
            country: understood.country,
            competence: draft.competence ?? understood.competence ?? null,
          });
        }
        case 'competence':
          return nextStep(principal, inbound, locale, {
            ...draft,
            competence: understand(text).competence ?? null,
          });
        case 'sensitivity':
          return nextStep(principal, inbound, locale, draft);
        case 'description': {
          const description = text.trim();
          if (description.length > maxDescriptionLength) {
            return say(locale, 'consult-description-too-long', {
              length: description.length,
              max: maxDescriptionLength,
            });
          }
          if (draft.country === null || draft.competence === null)
            return nextStep(principal, inbound, locale, draft);
          if (draft.sensitive === true && inbound.platform !== 'matrix')
            return nextStep(principal, inbound, locale, draft);
          await deleteDraft(db, principal.memberId);
          const started = await rules.start(
            principal,
            {
              country: draft.country,
              competence: draft.competence,
              description,
              sensitive: draft.sensitive === true,
              origin: 'chat',
            },
            { address: addressOf(inbound) },
          );
          return started.replies;
        }
        case 'decline_reason': {
          const number = draft.consultationNumber ?? 0;
          await deleteDraft(db, principal.memberId);
          return attempt(
            locale,
            number,
            async () =>
              (await rules.decline(principal, number, text, { address: addressOf(inbound) })).replies,
          );
        }
        case 'choose':
          // A new message while another waits for its consultation: the new one is held instead.
          break;
      }
    }

    const talking = await activeConversationsOf(db, principal.memberId);
    if (talking.length === 0) return undefined;
    const sourceKey = sourceKeyOf(inbound);
    const only = talking[0];
    if (talking.length === 1 && only !== undefined)
      return relayTo(principal, locale, only.number, addressOf(inbound), sourceKey, text);
    const replied = await consultationRepliedTo(inbound, talking);
    if (replied !== undefined)
      return relayTo(principal, locale, replied.number, addressOf(inbound), sourceKey, text);
    await save(principal, inbound, 'choose', {
      heldCiphertext: core.cipher.encrypt(text, heldContext(principal.memberId)),
      heldSourceKey: sourceKey,
    });
    return say(locale, 'consult-choose', {}, await chooseButtons(talking, principal, locale, 'to'));
  };

  const heldContext = (memberId: string): string => `draft:${memberId}:held`;

  /** A reply to a relayed message belongs to that message's consultation. */
  async function consultationRepliedTo(
    inbound: InboundMessage,
    talking: readonly ConsultationRow[],
  ): Promise<ConsultationRow | undefined> {
    if (inbound.replyToMessageId === undefined) return undefined;
    const id = await consultationOfMessage(db, inbound.platform, inbound.chatId, inbound.replyToMessageId);
    return talking.find((row) => row.id === id);
  }

  async function handleAction(context: ActionContext): Promise<ChatReply> {
    const { principal, inbound, locale } = context;
    const [, verb = '', first = '', second = ''] = context.action.split(':');
    const number = Number(first);
    const from = { address: addressOf(inbound) };
    switch (verb) {
      case 'start': {
        const country = findCountry(first);
        const competence = findCompetence(second);
        return nextStep(principal, inbound, locale, {
          country: country ?? null,
          competence: competence ?? null,
          sensitive: null,
        });
      }
      case 'comp': {
        const draft = await draftOf(db, principal.memberId, core.clock());
        if (draft === undefined) return say(locale, 'consult-draft-expired', { prefix: prefixOf(inbound) });
        return nextStep(principal, inbound, locale, { ...draft, competence: findCompetence(first) ?? null });
      }
      case 'sens': {
        const draft = await draftOf(db, principal.memberId, core.clock());
        if (draft === undefined) return say(locale, 'consult-draft-expired', { prefix: prefixOf(inbound) });
        return nextStep(principal, inbound, locale, { ...draft, sensitive: first === 'y' });
      }
      case 'cancel':
        await deleteDraft(db, principal.memberId);
        return say(locale, 'consult-draft-cancelled');
      case 'accept':
        return attempt(locale, number, async () => (await rules.accept(principal, number, from)).replies);
      case 'decline':
        return attempt(locale, number, async () => {
          // Checks the consultation still waits for this person before asking for a reason.
          await rules.forwardOptions(principal, number);
          await save(principal, inbound, 'decline_reason', { consultationNumber: number });
          return say(locale, 'consult-decline-ask-reason', { ref: refOf(number) }, [cancelButton(locale)]);
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
      case 'to': {
        const draft = await draftOf(db, principal.memberId, core.clock());
        const text =
          draft?.heldCiphertext == null
            ? undefined
            : core.cipher.decrypt(draft.heldCiphertext, heldContext(principal.memberId));
        if (draft?.step !== 'choose' || text === undefined || draft.heldSourceKey === null)
          return say(locale, 'consult-choose-expired');
        await deleteDraft(db, principal.memberId);
        return relayTo(
          principal,
          locale,
          number,
          { platform: draft.platform as ChatAddress['platform'], chatId: draft.chatId },
          draft.heldSourceKey,
          text,
        );
      }
      default:
        return undefined;
    }
  }

  return { commands: [consultCommand, closeCommand], handleAction, interceptText };
}

export type ConsultationChat = ReturnType<typeof createConsultationChat>;
