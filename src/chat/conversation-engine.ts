// The platform-neutral conversation: who is writing, what they want (a command, a button, a
// question), and what to answer. Every messenger adapter calls `handle`, so behaviour is the
// same on every messenger and the web console.
import type { MessengerCapabilityLookup } from './messenger-port.ts';
import type { SQL } from 'drizzle-orm';
import type { QuietConversations } from './quiet-conversations.ts';
import type { Clock } from '../clock/index.ts';
import { chooseLocale, detectTextLocale } from './chat-locale.ts';
import type { ChatRateLimiter } from './chat-rate-limiter.ts';
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { normaliseInbound } from './inbound-normalisation.ts';
import {
  CommandTable,
  parseCommand,
  type ChatCommand,
  type ChatReply,
  type ParsedCommand,
} from './command-table.ts';
import {
  accountOf,
  createActionDispatch,
  createCommandDispatch,
  createRefusal,
  sayWith,
} from './conversation-dispatch.ts';
import { conversationOf, createFreeText, createQuestions } from './conversation-text.ts';
import type { ConversationMemory } from './conversation-memory.ts';
import { createCoreActionHandler, createCoreCommands } from './core-commands.ts';
import { createFlowCommands } from './flow-commands.ts';
import { createFlowRunner, flowSealContext, type FlowSealer } from './flow-runner.ts';
import { createAskCountryFlow } from './ask-country-flow.ts';
import { createFlowStore } from './flow-store.ts';
import type { FlowConversation, FlowDefinition, FlowStart } from './flow-types.ts';
import type { Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';
import { AppError } from '../errors/index.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import { type IdentityService, type InviteService, principalOf } from '../members/index.ts';

/** What the engine needs from the ask module (`createAskService`). */
export interface AskPort {
  /** Audits the lookup itself (who asked what, never the text). */
  ask(input: {
    principal: Principal;
    text: string;
    locale?: Locale | undefined;
    /** The country an admin of no country asks for. */
    askerCountry?: string | undefined;
  }): Promise<{
    /** The answer's language. */
    locale?: Locale | undefined;
    reply: OutboundMessage;
  }>;
  /** Answers an `ask:*` button; undefined when the action is unknown or stale. */
  handleAction(principal: Principal, action: string, locale: Locale): Promise<OutboundMessage | undefined>;
  /** What a text asks, without answering it: does it read like a question for the registry? */
  interpret(text: string): { intent: string; countries: readonly string[]; competence: string | null };
  /** The registry's countries, named in `locale`: what an admin of no country may ask for. */
  countryChoices(locale: Locale): { value: string; label: string }[];
}

export interface ActionContext {
  inbound: InboundMessage;
  principal: Principal;
  locale: Locale;
  /** The whole action string, prefix included (`ask:more:KG:extradition`). */
  action: string;
  /** The messenger's command sign (`/`, `!`), for texts that quote a command. */
  prefix: string;
  t(id: string, args?: MessageArguments): string;
}

/** Answers the buttons whose action starts with a prefix (`req:`, `consult:`); undefined = stale button. */
export type ActionHandler = (context: ActionContext) => Promise<ChatReply> | ChatReply;

/**
 * Free text of a member in a private chat with no flow in progress, offered to a module before it
 * is taken as a question (a message for a consultation being talked in). Undefined: not this
 * module's; an empty list: handled, nothing to answer.
 */
export type TextHandler = (context: {
  inbound: InboundMessage;
  principal: Principal;
  locale: Locale;
  text: string;
}) => Promise<ChatReply | undefined>;

export interface TextHandlerOptions {
  /**
   * When the handler may take the member's text, as an SQL condition on the module's own tables
   * (`exists (...)`). The engine asks every handler's condition together with the member's flow
   * in one statement, and offers the text only to the handlers whose condition holds, so a member
   * with nothing in progress costs one indexed lookup. Without it the handler is always asked.
   */
  activeWhen?: (memberId: string) => SQL;
}

export interface ActionHandlerOptions {
  /** Also answered in group chats; default false (the bot points to a private chat instead). */
  inGroups?: boolean;
}

export interface ConversationEngineDeps {
  db: Database;
  identities: Pick<IdentityService, 'resolve' | 'listForMember' | 'unlinkAccount' | 'setLocale'>;
  invites: Pick<InviteService, 'redeem'>;
  ask: AskPort;
  translator: Translator;
  audit: Pick<AuditService, 'enqueue'>;
  rateLimiter: ChatRateLimiter;
  memory: ConversationMemory;
  logger: Logger;
  /** Answer language when nothing else says. */
  defaultLocale: Locale;
  /** Encrypts typed text a flow holds between messages. */
  sealer: FlowSealer;
  /** How long a flow waits for the next answer (CHAT_FLOW_TIMEOUT_SECONDS). */
  flowTimeoutSeconds: number;
  /** What each messenger can do: the core asks instead of guessing from a platform's name. */
  messengers: MessengerCapabilityLookup;
  /**
   * Conversations found with nothing in progress, answered without the per-message lookup until a
   * flow or a module's state is written. Only with the embedded database (see quiet-conversations).
   */
  quietConversations?: QuietConversations;
  clock?: Clock;
}

/** The conversation flows, as modules use them. */
export interface Flows {
  /** Declares a flow; its steps' button actions must not clash with another flow's. */
  register<D>(definition: FlowDefinition<D>): void;
  /**
   * Starts a flow in a chat (replacing any in progress there) and returns its first question;
   * steps whose answers `data` already holds are skipped.
   */
  start<D>(definition: FlowDefinition<D> | string, at: FlowStart, data: D): Promise<OutboundMessage[]>;
  /** Ends whatever flow is in progress in that chat of that member. */
  end(memberId: string, conversation: FlowConversation): Promise<void>;
  /**
   * What `/back` does in a chat with no flow at all (one module may say; a flow that timed out
   * still answers as a flow). Inside a flow `/back` is always the previous step.
   */
  onBackOutsideFlow(handler: (actor: BackActor) => Promise<ChatReply> | ChatReply): void;
}

/** Who typed `/back` with no flow in progress, and where. */
export interface BackActor {
  principal: Principal;
  inbound: InboundMessage;
  locale: Locale;
  /** The messenger's command sign (`/`, `!`), for texts that quote a command. */
  prefix: string;
  t(id: string, args?: MessageArguments): string;
}

export interface ConversationEngine {
  /** Answers one inbound message; an empty array means "stay silent". Never throws. */
  handle(inbound: InboundMessage): Promise<OutboundMessage[]>;
  /** Adds a command to the table (names must not clash; the first English name must be valid in every command menu). */
  registerCommand(command: ChatCommand): void;
  /** Routes buttons whose action is `<prefix>:...` to `handler`. */
  registerActionHandler(prefix: string, handler: ActionHandler, options?: ActionHandlerOptions): void;
  /** Offers free text to `handler` before the ask module; handlers are asked in registration order. */
  registerTextHandler(handler: TextHandler, options?: TextHandlerOptions): void;
  /** Guided dialogues: `/cancel`, `/back` and timeouts come with every flow. */
  readonly flows: Flows;
  /** Deletes flows that timed out a while ago (a periodic task of the composition root). */
  sweepExpiredFlows(): Promise<number>;
  /** The command table, for help and messenger command menus (`table.menu(translator, 'ru')`). */
  readonly commands: CommandTable;
}

export function createConversationEngine(deps: ConversationEngineDeps): ConversationEngine {
  const { identities, translator, audit, rateLimiter, memory, logger, defaultLocale } = deps;
  const table = new CommandTable();
  const say = sayWith(translator);

  // The secretariat is no country: an admin of none is asked which country a question is for.
  const askCountryFlow = createAskCountryFlow({
    countryChoices: (locale) => deps.ask.countryChoices(locale),
    readCountry: (text) => {
      const typed = text.trim().toUpperCase();
      if (/^[A-Z]{2}$/.test(typed)) return typed;
      const [country] = deps.ask.interpret(text).countries;
      return country;
    },
    answer: async (principal, text, locale, askerCountry) => {
      const answer = await deps.ask.ask({ principal, text, locale, askerCountry });
      return { ...answer.reply, locale: answer.locale ?? answer.reply.locale ?? locale };
    },
  });
  const questions = createQuestions({
    ask: deps.ask,
    memory,
    defaultLocale,
    askForCountry: (at, text) =>
      flows.start(askCountryFlow, at, {
        // The question may name a case: it waits for the answer sealed, like a flow's typed text.
        question: deps.sealer.encrypt(
          text,
          flowSealContext(askCountryFlow.id, at.principal.memberId, at.conversation),
        ),
      }),
  });
  const flows = createFlowRunner({
    store: createFlowStore(deps.db),
    translator,
    sealer: deps.sealer,
    timeoutSeconds: deps.flowTimeoutSeconds,
    readsLikeQuestion: questions.readsLikeQuestion,
    // A question typed inside another flow is answered there and then: asking an admin of no
    // country which country it is for would replace the flow in progress.
    answer: (principal, inbound, text) => questions.askDirectly(inbound, principal, text, false),
    defaultLocale,
    messengers: deps.messengers,
    clock: deps.clock,
  });
  const refuse = createRefusal({ translator, audit, messengers: deps.messengers });
  const runCommand = createCommandDispatch({ table, translator, audit, messengers: deps.messengers, refuse });
  const actions = createActionDispatch({ translator, flows, refuse, messengers: deps.messengers });
  const freeText = createFreeText({
    flows,
    translator,
    refuse,
    askDirectly: questions.askDirectly,
    defaultLocale,
    quiet: deps.quietConversations,
  });

  for (const command of createCoreCommands({ table, translator, invites: deps.invites, identities }))
    table.register(command);
  for (const command of createFlowCommands(flows)) table.register(command);
  flows.register(askCountryFlow);
  actions.register('chat', createCoreActionHandler({ translator, identities }));
  actions.register('ask', async ({ principal, action, locale }) =>
    deps.ask.handleAction(principal, action, locale),
  );

  const conversationLocale = createConversationLocale({ table, memory, defaultLocale });
  const failureReply = createFailureReply({ say, logger, defaultLocale });

  /** Who is writing, whether they may write now, and which path the message takes. */
  async function handle(inbound: InboundMessage): Promise<OutboundMessage[]> {
    const text = inbound.text?.trim() ?? '';
    const action = inbound.buttonAction;
    if (text === '' && action === undefined) return [];
    // In a group the bot speaks only when spoken to.
    if (inbound.chatType === 'group' && inbound.addressed !== true) return [];

    const resolved = await identities.resolve({
      platform: inbound.platform,
      platformUserId: inbound.platformUserId,
    });
    const principal = resolved === undefined ? undefined : principalOf(resolved.member);
    const parsed = action === undefined ? parseCommand(text) : undefined;

    const limit = await rateLimiter.consume(
      principal === undefined ? `account:${accountOf(inbound)}` : `member:${principal.memberId}`,
    );
    if (!limit.allowed) {
      return limit.firstRefusal
        ? [say(await conversationLocale(inbound, principal, parsed, text), 'error-rate-limited')]
        : [];
    }
    if (action !== undefined)
      return actions.run(
        inbound,
        principal,
        await conversationLocale(inbound, principal, parsed, text),
        action,
      );
    if (parsed !== undefined)
      return runCommand(
        inbound,
        principal,
        await conversationLocale(inbound, principal, parsed, text),
        parsed,
      );
    return freeText.answer(inbound, principal, text);
  }

  /** Normalises what the adapter received and answers; a failure becomes a sentence, never silence. */
  async function handleSafely(received: InboundMessage): Promise<OutboundMessage[]> {
    const inbound = normaliseInbound(received);
    if (inbound === undefined) {
      logger.warn(
        { platform: received.platform },
        'dropped a message from an account id that cannot be real',
      );
      return [];
    }
    try {
      return await handle(inbound);
    } catch (error) {
      return failureReply(inbound, error);
    }
  }

  return {
    commands: table,
    registerCommand: (command) => {
      table.register(command);
    },
    registerActionHandler: (prefix, handler, options) => {
      actions.register(prefix, handler, options);
    },
    registerTextHandler: (handler, options) => {
      freeText.register(handler, options);
    },
    flows: {
      register: (definition) => {
        flows.register(definition);
      },
      start: (definition, at, data) => flows.start(definition, at, data),
      end: (memberId, conversation) => flows.end(memberId, conversation),
      onBackOutsideFlow: (handler) => {
        flows.onBackOutsideFlow((actor) =>
          handler({
            ...actor,
            prefix: deps.messengers.capabilitiesOf(actor.inbound.platform).commandPrefix,
            t: (id, args) => translator.t(actor.locale, id, args),
          }),
        );
      },
    },
    sweepExpiredFlows: () => flows.sweepExpired(),
    handle: handleSafely,
  };
}

/**
 * The language of the engine's own messages: the member's saved choice, the client's explicit
 * one, a Russian command name (English names come from menus and say nothing), the text's
 * script, the language of the conversation so far (a button press has no text), the messenger's.
 */
function createConversationLocale({
  table,
  memory,
  defaultLocale,
}: {
  table: CommandTable;
  memory: ConversationMemory;
  defaultLocale: Locale;
}) {
  return async (
    inbound: InboundMessage,
    principal: Principal | undefined,
    parsed: ParsedCommand | undefined,
    text: string,
  ) => {
    const commandLocale = parsed !== undefined && table.find(parsed.name)?.locale === 'ru' ? 'ru' : undefined;
    return chooseLocale(
      [
        principal?.locale,
        inbound.locale,
        commandLocale,
        parsed === undefined ? detectTextLocale(text) : undefined,
        await memory.recallLocale(conversationOf(inbound)),
        inbound.localeHint,
      ],
      defaultLocale,
    );
  };
}

/** A message the engine failed on still gets a sentence, never silence, and a log line. */
function createFailureReply({
  say,
  logger,
  defaultLocale,
}: {
  say: ReturnType<typeof sayWith>;
  logger: Logger;
  defaultLocale: Locale;
}) {
  return (inbound: InboundMessage, error: unknown): OutboundMessage[] => {
    const locale = chooseLocale(
      [inbound.locale, detectTextLocale(inbound.text), inbound.localeHint],
      defaultLocale,
    );
    // The audit log is behind (its queue is full): nothing may happen unrecorded, so the
    // member is told to try again shortly rather than met with silence or a vague failure.
    if (error instanceof AppError && error.code === 'unavailable') {
      logger.warn(
        { platform: inbound.platform, chatType: inbound.chatType, reason: error.message },
        'conversation engine turned a message away: a service it needs is unavailable',
      );
      return [say(locale, 'error-busy')];
    }
    logger.error(
      { err: error, platform: inbound.platform, chatType: inbound.chatType },
      'conversation engine failed on a message',
    );
    return [say(locale, 'error-generic')];
  };
}
