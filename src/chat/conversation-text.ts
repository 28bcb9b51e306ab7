// The engine's free-text path: a flow in progress in the chat reads the text first, then the
// modules with something in progress for the member (a consultation being talked in), and
// otherwise it is a question for the registry, answered in the language it calls for.
import { chooseLocale, detectTextLocale, toLocale } from './chat-locale.ts';
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { asList, sayWith, type Refuse } from './conversation-dispatch.ts';
import type { AskPort, TextHandler, TextHandlerOptions } from './conversation-engine.ts';
import type { ConversationMemory } from './conversation-memory.ts';
import { withLead, type FlowRunner } from './flow-runner.ts';
import type { FlowStart, FlowSubject } from './flow-types.ts';
import type { QuietConversations } from './quiet-conversations.ts';
import type { Principal } from '../access/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';

/** The conversation as conversation memory keys it (one member in one chat). */
export const conversationOf = (inbound: InboundMessage) =>
  `${inbound.platform}:${inbound.chatId}:${inbound.platformUserId}`;

/** Questions for the ask module: recognising one, and answering one. */
export function createQuestions({
  ask,
  memory,
  defaultLocale,
  askForCountry,
}: {
  ask: AskPort;
  memory: ConversationMemory;
  defaultLocale: Locale;
  /** Starts "which country are you asking for?" for an admin of no country, holding the question. */
  askForCountry: (at: FlowStart, text: string) => Promise<OutboundMessage[]>;
}) {
  /**
   * Reads like a question for the registry: the ask module found something to look up in a
   * country. Text about the flow's own country and competence is taken as part of the case.
   */
  const readsLikeQuestion = (text: string, about?: FlowSubject): boolean => {
    const interpretation = ask.interpret(text);
    if (interpretation.intent !== 'find_contact' || interpretation.countries.length === 0) return false;
    if (about?.country === undefined) return true;
    const sameCountry = interpretation.countries.every((country) => country === about.country);
    const sameCompetence =
      interpretation.competence == null ||
      about.competence === undefined ||
      interpretation.competence === about.competence;
    return !(sameCountry && sameCompetence);
  };

  /**
   * The ask module's answer, in the language the question calls for. An admin of no country is
   * first asked which country the question is for (`mayAskCountry`), when it is a question for
   * the registry at all.
   */
  async function askDirectly(
    inbound: InboundMessage,
    principal: Principal,
    text: string,
    mayAskCountry = true,
  ): Promise<OutboundMessage[]> {
    // A saved or explicit choice wins; then the ask module detects the question's language; a
    // question without words ("KG?") falls back to the messenger's language.
    const chosen =
      toLocale(principal.locale) ??
      inbound.locale ??
      (detectTextLocale(text) === undefined ? toLocale(inbound.localeHint) : undefined);
    if (mayAskCountry && principal.country === null && ask.interpret(text).intent === 'find_contact') {
      const locale = chosen ?? detectTextLocale(text) ?? defaultLocale;
      await memory.rememberLocale(conversationOf(inbound), locale);
      return askForCountry(
        { principal, conversation: { platform: inbound.platform, chatId: inbound.chatId }, locale },
        text,
      );
    }
    const answer = await ask.ask({ principal, text, locale: chosen });
    const answerLocale =
      answer.locale ?? answer.reply.locale ?? chosen ?? detectTextLocale(text) ?? defaultLocale;
    await memory.rememberLocale(conversationOf(inbound), answerLocale);
    return [{ ...answer.reply, locale: answerLocale }];
  }

  return { readsLikeQuestion, askDirectly };
}

/** Free text: the flow in progress, then the modules' text handlers, then a question. */
export function createFreeText({
  flows,
  translator,
  refuse,
  askDirectly,
  defaultLocale,
  quiet,
}: {
  flows: FlowRunner;
  translator: Translator;
  refuse: Refuse;
  askDirectly: ReturnType<typeof createQuestions>['askDirectly'];
  defaultLocale: Locale;
  quiet: QuietConversations | undefined;
}) {
  const say = sayWith(translator);
  // Text handlers registered at start by modules: bounded by the program.
  const textHandlers: { handler: TextHandler; activeWhen: TextHandlerOptions['activeWhen'] }[] = [];

  const nothingInProgress = { row: undefined, checks: [] } as const;
  /** The chat's flow and the modules' checks; a conversation known to be quiet needs neither. */
  async function lookUpConversation(memberId: string, inbound: InboundMessage) {
    const key = `${memberId}\n${inbound.platform}\n${inbound.chatId}`;
    if (quiet?.isQuiet(key) === true) return nothingInProgress;
    const ticket = quiet?.ticket();
    const found = await flows.lookup(
      memberId,
      inbound,
      textHandlers.flatMap(({ activeWhen }) => (activeWhen === undefined ? [] : [activeWhen(memberId)])),
    );
    if (ticket !== undefined && found.row === undefined && !found.checks.includes(true))
      quiet?.remember(key, ticket);
    return found;
  }

  async function answer(
    inbound: InboundMessage,
    principal: Principal | undefined,
    text: string,
  ): Promise<OutboundMessage[]> {
    if (principal === undefined)
      return refuse(
        inbound,
        chooseLocale([inbound.locale, detectTextLocale(text), inbound.localeHint], defaultLocale),
        'question',
      );
    // Contact details never go to a group: everyone there would read them.
    if (inbound.chatType === 'group') {
      return [
        say(
          chooseLocale(
            [principal.locale, inbound.locale, detectTextLocale(text), inbound.localeHint],
            defaultLocale,
          ),
          'chat-group-private-only',
        ),
      ];
    }
    // A flow in progress in this chat reads the text first; then the modules with something in
    // progress for the member (one statement finds out both); then it is a question.
    const found = await lookUpConversation(principal.memberId, inbound);
    let lead: string | undefined;
    if (found.row !== undefined) {
      if (flows.isExpired(found.row)) lead = await flows.expire(found.row);
      else {
        const read = await flows.onText(found.row, text, { principal, inbound });
        if (read.kind === 'answered') return read.messages;
      }
    }
    const withNotice = (messages: OutboundMessage[]) =>
      lead === undefined ? messages : withLead(lead, messages, messages[0]?.locale ?? defaultLocale);
    if (textHandlers.length > 0) {
      // Text carries its own language; no need to look up the conversation's.
      const locale = chooseLocale(
        [principal.locale, inbound.locale, detectTextLocale(text), inbound.localeHint],
        defaultLocale,
      );
      let check = 0;
      for (const { handler, activeWhen } of textHandlers) {
        if (activeWhen !== undefined && found.checks[check++] !== true) continue;
        const taken = await handler({ inbound, principal, locale, text });
        if (taken !== undefined) return withNotice(asList(taken));
      }
    }
    return withNotice(await askDirectly(inbound, principal, text));
  }

  return {
    answer,
    register(handler: TextHandler, options: TextHandlerOptions = {}): void {
      textHandlers.push({ handler, activeWhen: options.activeWhen });
    },
  };
}
