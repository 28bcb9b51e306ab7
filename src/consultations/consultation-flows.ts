// The consultations' conversation flows: starting one (country, competence and sensitivity when
// the command or the ask button did not bring them, then the description), the reason for a
// decline, and which open consultation a message is for.
import {
  defineFlow,
  type ChatReply,
  type FlowContext,
  type FlowConversation,
  type StepOption,
} from '../chat/index.ts';
import type { Core } from './consultation-core.ts';
import { maxDescriptionLength, type ConsultationRules } from './consultation-service.ts';
import { refOf, type ChatAddress } from './consultation-types.ts';
import type { Principal } from '../access/index.ts';
import type { Locale } from '../i18n/index.ts';

/** A consultation being started in a chat. */
export interface ConsultationDraft {
  country?: string;
  competence?: string;
  sensitive?: boolean;
  /** A particular contact (the one whose link the asker was told of), instead of the best ranked. */
  contactId?: string;
}

/** A decline waiting for its reason. */
export interface DeclineDraft {
  number: number;
}

/** A message held while its sender picks which of their open consultations it belongs to. */
export interface HeldMessage {
  /** The text, encrypted (bound to the member). */
  held: string;
  /** The message's identity for relaying once (`platform:chat:message id`). */
  sourceKey: string;
  /** The consultations offered, as buttons, in the flow's language. */
  choices: StepOption[];
  /** The one chosen. */
  to?: number;
}

export const flowIds = {
  start: 'consultation-start',
  decline: 'consultation-decline',
  choose: 'consultation-choose',
} as const;

const addressOf = (conversation: FlowConversation): ChatAddress => ({
  platform: conversation.platform,
  chatId: conversation.chatId,
});

export const heldContext = (memberId: string): string => `draft:${memberId}:held`;

export interface ConsultationFlowDeps {
  core: Core;
  rules: ConsultationRules;
  /** Relays a message and says only what kept it from the other side. */
  relayTo: (
    principal: Principal,
    locale: Locale,
    number: number,
    address: ChatAddress,
    sourceKey: string,
    text: string,
  ) => Promise<ChatReply>;
  /** Turns the rules' refusals into a sentence. */
  attempt: (locale: Locale, number: number, work: () => Promise<ChatReply>) => Promise<ChatReply>;
}

export function createConsultationFlows({ core, rules, relayTo, attempt }: ConsultationFlowDeps) {
  function findCountry(input: string): string | undefined {
    const wanted = input.trim().toLowerCase();
    if (wanted === '') return undefined;
    const countries = core.snapshot().countries;
    const byCode = countries.find((country) => country.iso2.toLowerCase() === wanted);
    if (byCode !== undefined) return byCode.iso2;
    const names = (iso2: string) =>
      Object.values(
        (core.snapshot().countryByIso2.get(iso2) as { name?: Record<string, string> } | undefined)?.name ??
          {},
      ).map((name) => name.toLowerCase());
    return (
      countries.find((country) => names(country.iso2).includes(wanted)) ??
      countries.find(
        (country) =>
          wanted.length >= 4 &&
          names(country.iso2).some((name) =>
            name.startsWith(wanted.slice(0, Math.max(4, wanted.length - 2))),
          ),
      )
    )?.iso2;
  }

  function findCompetence(input: string): string | undefined {
    const wanted = input.trim().toLowerCase();
    if (wanted === '') return undefined;
    return core
      .snapshot()
      .competences.find(
        (competence) =>
          competence.id === wanted ||
          Object.values(competence.label).some((label) => label.toLowerCase() === wanted),
      )?.id;
  }

  /** Country and competence named in free words: the ask interpreter first, plain codes and names otherwise. */
  function understand(text: string): { country: string | undefined; competence: string | undefined } {
    const interpreted = core.deps.interpret?.(text);
    const known = interpreted?.countries.find((iso2) => core.snapshot().countryByIso2.has(iso2));
    const words = text.split(/\s+/);
    return {
      country: known ?? findCountry(text) ?? words.map(findCountry).find((found) => found !== undefined),
      competence:
        interpreted?.competence ??
        findCompetence(text) ??
        words.map(findCompetence).find((found) => found !== undefined),
    };
  }

  type StartContext = FlowContext<ConsultationDraft>;
  const subject = (context: StartContext) => ({
    country: core.notices.countryName(context.data.country ?? '', context.locale),
    competence: core.notices.competenceName(context.data.competence ?? '', context.locale),
  });
  /** Sensitive content may not be typed here: where it may (the encrypted messengers, by name). */
  const needsEncryptedChat = (context: StartContext) => ({
    text: context.t('consult-sensitive-needs-encrypted', core.encryptedMessengers(context.locale)),
    locale: context.locale,
  });

  const start = defineFlow<ConsultationDraft>({
    id: flowIds.start,
    actionPrefix: 'consult',
    titleId: 'consult-flow-title',
    cancelledId: 'consult-draft-cancelled',
    goneId: 'consult-draft-expired',
    steps: [
      {
        id: 'country',
        kind: 'choice',
        action: 'country',
        when: (context) => context.data.country === undefined,
        prompt: (context) => context.t('consult-ask-country'),
        placeholder: (context) => context.t('consult-country-placeholder'),
        options: (context) =>
          core
            .snapshot()
            .countries.filter((country) => country.iso2 !== context.principal.country)
            .map((country) => ({
              value: country.iso2,
              label: core.notices.countryName(country.iso2, context.locale),
            })),
        read: (text) => understand(text).country,
        invalid: (text, context) => context.t('consult-unknown-country', { input: text.slice(0, 60) }),
        accept: (country, context, typed) => {
          // "экстрадиция Киргизия" answers the next question too.
          const competence =
            context.data.competence ?? (typed === undefined ? undefined : understand(typed).competence);
          return { next: { ...context.data, country, ...(competence === undefined ? {} : { competence }) } };
        },
      },
      {
        id: 'competence',
        kind: 'choice',
        action: 'comp',
        when: (context) => context.data.competence === undefined,
        prompt: (context) =>
          context.t('consult-ask-competence', {
            country: core.notices.countryName(context.data.country ?? '', context.locale),
          }),
        options: (context) =>
          core.snapshot().competences.map((competence) => ({
            value: competence.id,
            label: core.notices.competenceName(competence.id, context.locale),
          })),
        read: (text) => understand(text).competence,
        accept: (competence, context) => ({ next: { ...context.data, competence } }),
      },
      {
        id: 'sensitivity',
        kind: 'confirm',
        action: 'sens',
        when: (context) => context.data.sensitive === undefined && !core.settings.alwaysSensitive,
        prompt: (context) => context.t('consult-ask-sensitivity', core.encryptedMessengers(context.locale)),
        answers: (context) => [
          { yes: false, value: 'n', label: context.t('consult-sensitive-no') },
          {
            yes: true,
            value: 'y',
            label: context.t('consult-sensitive-yes', core.encryptedMessengers(context.locale)),
          },
        ],
        accept: (sensitive, context) =>
          // The description is content: a sensitive one must not be typed into an unencrypted chat.
          sensitive && !context.capabilities.endToEndEncrypted
            ? { end: needsEncryptedChat(context) }
            : { next: { ...context.data, sensitive } },
      },
      {
        id: 'description',
        kind: 'text',
        prompt: (context) =>
          context.t('consult-ask-description', { ...subject(context), prefix: context.prefix }),
        placeholder: (context) => context.t('consult-description-placeholder'),
        // It goes to the counterpart as typed: a question typed here by mistake must not.
        confirmQuestion: (context) => ({
          useLabel: context.t('consult-use-as-description'),
          about: { country: context.data.country, competence: context.data.competence },
        }),
        accept: (text, context) => {
          const description = text.trim();
          if (description.length > maxDescriptionLength)
            return {
              retry: context.t('consult-description-too-long', {
                length: description.length,
                max: maxDescriptionLength,
              }),
            };
          // Only the last step: the description is never stored with the flow, it goes with `finish`.
          return { next: { ...context.data, description } as ConsultationDraft };
        },
      },
    ],
    async finish(context) {
      const { country, competence } = context.data;
      const description = (context.data as ConsultationDraft & { description?: string }).description;
      if (country === undefined || competence === undefined || description === undefined) return undefined;
      const sensitive = core.settings.alwaysSensitive || context.data.sensitive === true;
      // The step above judged the messenger; this chat itself must be encrypted too (asked of the port).
      if (sensitive && !(await core.conversationEncrypted(context.conversation)))
        return needsEncryptedChat(context);
      const started = await rules.start(
        context.principal,
        { country, competence, description, sensitive, origin: 'chat', contactId: context.data.contactId },
        { address: addressOf(context.conversation), locale: context.locale },
      );
      return started.replies;
    },
  });

  const decline = defineFlow<DeclineDraft>({
    id: flowIds.decline,
    actionPrefix: 'consult:decline-reason',
    titleId: 'consult-decline-flow-title',
    cancelledId: 'consult-decline-cancelled',
    goneId: 'consult-decline-gone',
    steps: [
      {
        id: 'reason',
        kind: 'text',
        prompt: (context) => context.t('consult-decline-ask-reason', { ref: refOf(context.data.number) }),
        placeholder: (context) => context.t('consult-decline-placeholder'),
        // The asker reads the reason: a question typed here by mistake must not reach them.
        confirmQuestion: (context) => ({ useLabel: context.t('consult-use-as-reason') }),
        accept: (text, context) => ({ next: { ...context.data, reason: text.trim() } as DeclineDraft }),
      },
    ],
    finish: (context) => {
      const { number } = context.data;
      const reason = (context.data as DeclineDraft & { reason?: string }).reason ?? '';
      return attempt(
        context.locale,
        number,
        async () =>
          (
            await rules.decline(context.principal, number, reason, {
              address: addressOf(context.conversation),
              locale: context.locale,
            })
          ).replies,
      );
    },
  });

  const choose = defineFlow<HeldMessage>({
    id: flowIds.choose,
    actionPrefix: 'consult',
    titleId: 'consult-choose-flow-title',
    goneId: 'consult-choose-expired',
    timeoutSeconds: 15 * 60,
    // Only the consultations: a message needs no Back or Cancel (a new one replaces it).
    controls: false,
    steps: [
      {
        id: 'to',
        kind: 'choice',
        action: 'to',
        // Another message while this one waits is held instead (the module starts the flow anew).
        passesText: true,
        prompt: (context) => context.t('consult-choose'),
        options: (context) => context.data.choices,
        accept: (value, context) => ({ next: { ...context.data, to: Number(value) } }),
      },
    ],
    async finish(context) {
      const { held, sourceKey, to } = context.data;
      const text = core.cipher.decrypt(held, heldContext(context.principal.memberId));
      if (text === undefined || to === undefined)
        return { text: context.t('consult-choose-expired'), locale: context.locale };
      return relayTo(context.principal, context.locale, to, addressOf(context.conversation), sourceKey, text);
    },
  });

  return { start, decline, choose, understand, findCountry, findCompetence };
}

export type ConsultationFlows = ReturnType<typeof createConsultationFlows>;
