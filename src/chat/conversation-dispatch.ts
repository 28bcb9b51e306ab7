// The engine's dispatch of what is not free text: a command to the command table, a button to the
// flow that owns it or the module that registered its prefix, and the polite refusal strangers get.
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { mayRun, type ChatReply, type CommandTable, type ParsedCommand } from './command-table.ts';
import type { ActionHandler, ActionHandlerOptions } from './conversation-engine.ts';
import { refusalFor } from './core-commands.ts';
import type { FlowRunner } from './flow-runner.ts';
import type { MessengerCapabilityLookup } from './messenger-port.ts';
import type { Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/index.ts';

const isList = (reply: ChatReply): reply is readonly OutboundMessage[] => Array.isArray(reply);
export const asList = (reply: ChatReply): OutboundMessage[] =>
  reply === undefined ? [] : isList(reply) ? [...reply] : [reply];

/** The account a message came from, as the audit log and the rate limiter name it. */
export const accountOf = (inbound: InboundMessage) => `${inbound.platform}:${inbound.platformUserId}`;

export const sayWith =
  (translator: Translator) =>
  (locale: Locale, id: string, args?: MessageArguments): OutboundMessage => ({
    text: translator.t(locale, id, args),
    locale,
  });

export type Refuse = (inbound: InboundMessage, locale: Locale, reason: string) => OutboundMessage[];

interface DispatchDeps {
  translator: Translator;
  audit: Pick<AuditService, 'enqueue'>;
  messengers: MessengerCapabilityLookup;
}

/** Someone who is not a member gets one sentence on how to link, and the attempt is audited. */
export function createRefusal({ translator, audit, messengers }: DispatchDeps): Refuse {
  return (inbound, locale, reason) => {
    audit.enqueue({
      actor: accountOf(inbound),
      action: 'chat.refused',
      details: { platform: inbound.platform, chatType: inbound.chatType, reason },
    });
    return [refusalFor(translator, locale, messengers.capabilitiesOf(inbound.platform).linkCommand)];
  };
}

/** Runs a parsed command: unknown, forbidden and group-only cases answered, members' runs audited. */
export function createCommandDispatch({
  table,
  translator,
  audit,
  messengers,
  refuse,
}: DispatchDeps & { table: CommandTable; refuse: Refuse }) {
  const say = sayWith(translator);
  return async function runCommand(
    inbound: InboundMessage,
    principal: Principal | undefined,
    locale: Locale,
    parsed: ParsedCommand,
  ): Promise<OutboundMessage[]> {
    const capabilities = messengers.capabilitiesOf(inbound.platform);
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
  };
}

/** Buttons: a flow's own first, then the module that registered the action's prefix. */
export function createActionDispatch({
  translator,
  flows,
  refuse,
  messengers,
}: {
  translator: Translator;
  flows: FlowRunner;
  refuse: Refuse;
  messengers: MessengerCapabilityLookup;
}) {
  const say = sayWith(translator);
  // Action prefixes registered at start by modules: bounded by the program.
  const actions = new Map<string, { handler: ActionHandler; options: ActionHandlerOptions }>();

  function register(prefix: string, handler: ActionHandler, options: ActionHandlerOptions = {}): void {
    const key = prefix.replace(/:$/, '');
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(key))
      throw new Error(`action prefix ${prefix} must be a short lower-case word`);
    if (actions.has(key)) throw new Error(`action prefix ${key} is registered twice`);
    actions.set(key, { handler, options });
  }

  async function run(
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
        prefix: messengers.capabilitiesOf(inbound.platform).commandPrefix,
        t: (id, args) => translator.t(locale, id, args),
      }),
    );
    return reply.length === 0 ? [say(locale, 'chat-unknown-action')] : reply;
  }

  return { register, run };
}
