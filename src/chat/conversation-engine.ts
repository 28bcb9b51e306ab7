// The platform-neutral conversation: who is writing, what they want (a command, a button, a
// question), and what to answer. Every messenger adapter calls `handle`, so behaviour is the
// same on Telegram, Matrix and the web console.
import type { MessengerCapabilityLookup } from './messenger-port.ts';
import type { SQL } from 'drizzle-orm';
import type { QuietConversations } from './quiet-conversations.ts';
import type { Clock } from '../clock/index.ts';
import { chooseLocale, detectTextLocale, toLocale } from './chat-locale.ts';
import type { ChatRateLimiter } from './chat-rate-limiter.ts';
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { normaliseInbound } from './inbound-normalisation.ts';
import {
  CommandTable,
  mayRun,
  parseCommand,
  type ChatCommand,
  type ChatReply,
  type ParsedCommand,
} from './command-table.ts';
import type { ConversationMemory } from './conversation-memory.ts';
import { createCoreActionHandler, createCoreCommands, refusalFor } from './core-commands.ts';
import { createFlowCommands } from './flow-commands.ts';
import { createFlowRunner, withLead, type FlowSealer } from './flow-runner.ts';
import { createFlowStore } from './flow-store.ts';
import type { FlowConversation, FlowDefinition, FlowStart, FlowSubject } from './flow-types.ts';
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
  ask(input: { principal: Principal; text: string; locale?: Locale | undefined }): Promise<{
    /** The answer's language. */
    locale?: Locale | undefined;
    reply: OutboundMessage;
  }>;
  /** Answers an `ask:*` button; undefined when the action is unknown or stale. */
  handleAction(principal: Principal, action: string, locale: Locale): Promise<OutboundMessage | undefined>;
  /** What a text asks, without answering it: does it read like a question for the registry? */
  interpret(text: string): { intent: string; countries: readonly string[]; competence: string | null };
}

export interface ActionContext {
  inbound: InboundMessage;
  principal: Principal;
  locale: Locale;
  /** The whole action string, prefix included (`ask:more:KG:extradition`). */
  action: string;
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
}

export interface ConversationEngine {
  /** Answers one inbound message; an empty array means "stay silent". Never throws. */
  handle(inbound: InboundMessage): Promise<OutboundMessage[]>;
  /** Adds a command to the table (names must not clash; the first English name must be Telegram-valid). */
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

const isList = (reply: ChatReply): reply is readonly OutboundMessage[] => Array.isArray(reply);
const asList = (reply: ChatReply): OutboundMessage[] =>
  reply === undefined ? [] : isList(reply) ? [...reply] : [reply];

export function createConversationEngine(deps: ConversationEngineDeps): ConversationEngine {
  const { identities, ask, translator, audit, rateLimiter, memory, logger, defaultLocale } = deps;
  const table = new CommandTable();
  // Action prefixes and text handlers registered at start by modules: bounded by the program.
  const actions = new Map<string, { handler: ActionHandler; options: ActionHandlerOptions }>();
  const textHandlers: { handler: TextHandler; activeWhen: TextHandlerOptions['activeWhen'] }[] = [];

  const say = (locale: Locale, id: string, args?: MessageArguments): OutboundMessage => ({
    text: translator.t(locale, id, args),
    locale,
  });
  const accountOf = (inbound: InboundMessage) => `${inbound.platform}:${inbound.platformUserId}`;
  const conversationOf = (inbound: InboundMessage) =>
    `${inbound.platform}:${inbound.chatId}:${inbound.platformUserId}`;

  function registerActionHandler(
    prefix: string,
    handler: ActionHandler,
    options: ActionHandlerOptions = {},
  ): void {
    const key = prefix.replace(/:$/, '');
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(key))
      throw new Error(`action prefix ${prefix} must be a short lower-case word`);
    if (actions.has(key)) throw new Error(`action prefix ${key} is registered twice`);
    actions.set(key, { handler, options });
  }

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
  const flows = createFlowRunner({
    store: createFlowStore(deps.db),
    translator,
    sealer: deps.sealer,
    timeoutSeconds: deps.flowTimeoutSeconds,
    readsLikeQuestion,
    answer: (principal, inbound, text) => askDirectly(inbound, principal, text),
    defaultLocale,
    messengers: deps.messengers,
    clock: deps.clock,
  });

  for (const command of createCoreCommands({ table, translator, invites: deps.invites, identities }))
    table.register(command);
  for (const command of createFlowCommands(flows)) table.register(command);
  registerActionHandler('chat', createCoreActionHandler({ translator, identities }));
  registerActionHandler('ask', async ({ principal, action, locale }) =>
    ask.handleAction(principal, action, locale),
  );

  function refuse(inbound: InboundMessage, locale: Locale, reason: string): OutboundMessage[] {
    audit.enqueue({
      actor: accountOf(inbound),
      action: 'chat.refused',
      details: { platform: inbound.platform, chatType: inbound.chatType, reason },
    });
    return [refusalFor(translator, locale, deps.messengers.capabilitiesOf(inbound.platform).linkCommand)];
  }

  async function runCommand(
    inbound: InboundMessage,
    principal: Principal | undefined,
    locale: Locale,
    parsed: ParsedCommand,
  ): Promise<OutboundMessage[]> {
    const capabilities = deps.messengers.capabilitiesOf(inbound.platform);
    const prefix = capabilities.commandPrefix;
    const found = table.find(parsed.name);
    if (found === undefined) {
      if (principal === undefined) return refuse(inbound, locale, 'unknown-command');
      return [say(locale, 'chat-unknown-command', { command: `${prefix}${parsed.name}`, prefix })];
    }
    const { command } = found;
    if (!mayRun(command, principal)) {
      if (principal === undefined) return refuse(inbound, locale, `command:${command.id}`);
      return [
        say(locale, 'chat-command-forbidden', { role: translator.t(locale, `chat-role-${command.role}`) }),
      ];
    }
    if (inbound.chatType === 'group' && command.inGroups !== true)
      return [say(locale, 'chat-group-command-private-only')];
    const base = {
      inbound,
      locale,
      args: parsed.args,
      argumentText: parsed.argumentText,
      invokedAs: parsed.name,
      prefix,
      capabilities,
      t: (id: string, args?: MessageArguments) => translator.t(locale, id, args),
    };
    if (command.role === 'anyone') return asList(await command.run({ ...base, principal }));
    // mayRun guarantees a member here.
    if (principal === undefined) return [];
    audit.enqueue({
      actor: `member:${principal.memberId}`,
      action: 'chat.command',
      details: { platform: inbound.platform, command: command.id },
    });
    return asList(await command.run({ ...base, principal }));
  }

  async function runAction(
    inbound: InboundMessage,
    principal: Principal | undefined,
    locale: Locale,
    action: string,
  ): Promise<OutboundMessage[]> {
    if (principal === undefined) return refuse(inbound, locale, 'button');
    if (flows.ownsAction(action)) {
      if (inbound.chatType === 'group') return [say(locale, 'chat-group-private-only')];
      return flows.onAction(action, { principal, inbound, locale });
    }
    const prefix = action.split(':', 1)[0] ?? '';
    const registered = actions.get(prefix);
    if (registered === undefined) return [say(locale, 'chat-unknown-action')];
    if (inbound.chatType === 'group' && registered.options.inGroups !== true)
      return [say(locale, 'chat-group-private-only')];
    const reply = asList(
      await registered.handler({
        inbound,
        principal,
        locale,
        action,
        t: (id, args) => translator.t(locale, id, args),
      }),
    );
    return reply.length === 0 ? [say(locale, 'chat-unknown-action')] : reply;
  }

  const { quietConversations: quiet } = deps;
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

  async function answerQuestion(
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

  /** The ask module's answer, in the language the question calls for. */
  async function askDirectly(
    inbound: InboundMessage,
    principal: Principal,
    text: string,
  ): Promise<OutboundMessage[]> {
    // A saved or explicit choice wins; then the ask module detects the question's language; a
    // question without words ("KG?") falls back to the messenger's language.
    const chosen =
      toLocale(principal.locale) ??
      inbound.locale ??
      (detectTextLocale(text) === undefined ? toLocale(inbound.localeHint) : undefined);
    const answer = await ask.ask({ principal, text, locale: chosen });
    const answerLocale =
      answer.locale ?? answer.reply.locale ?? chosen ?? detectTextLocale(text) ?? defaultLocale;
    await memory.rememberLocale(conversationOf(inbound), answerLocale);
    return [{ ...answer.reply, locale: answerLocale }];
  }

  /**
   * The language of the engine's own messages: the member's saved choice, the client's explicit
   * one, a Russian command name (English names come from menus and say nothing), the text's
   * script, the language of the conversation so far (a button press has no text), the messenger's.
   */
  async function conversationLocale(
    inbound: InboundMessage,
    principal: Principal | undefined,
    parsed: ParsedCommand | undefined,
    text: string,
  ) {
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
  }

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
      return runAction(
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
    return answerQuestion(inbound, principal, text);
  }

  return {
    commands: table,
    registerCommand: (command) => {
      table.register(command);
    },
    registerActionHandler,
    registerTextHandler: (handler, options = {}) => {
      textHandlers.push({ handler, activeWhen: options.activeWhen });
    },
    flows: {
      register: (definition) => {
        flows.register(definition);
      },
      start: (definition, at, data) => flows.start(definition, at, data),
      end: (memberId, conversation) => flows.end(memberId, conversation),
    },
    sweepExpiredFlows: () => flows.sweepExpired(),
    async handle(received) {
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
      }
    },
  };
}
