// Commands are declared once (names per language, arguments, role, help text); parsing, help,
// permission checks and messenger command menus all come from these declarations.
import type { MessengerCapabilities } from './messenger-port.ts';
import type { InboundMessage, OutboundMessage } from './chat-types.ts';
import { hasRole, type Principal, type Role } from '../access/index.ts';
import { supportedLocales, type Locale, type MessageArguments, type Translator } from '../i18n/index.ts';

/** What a command or button handler answers: nothing, one message or several. */
export type ChatReply = OutboundMessage | readonly OutboundMessage[] | undefined;

export interface CommandArgument {
  name: string;
  /** i18n id of the placeholder shown in help (e.g. `chat-argument-code` = "CODE"). */
  labelId: string;
  required: boolean;
}

interface CommandContextBase {
  inbound: InboundMessage;
  /** The answer language, already resolved. */
  locale: Locale;
  /** The words after the command name. */
  args: readonly string[];
  /** Everything after the command name, as typed (trimmed). */
  argumentText: string;
  /** The name as typed, without prefix (`помощь`, `help`). */
  invokedAs: string;
  /** The platform's command sign, for texts that quote a command: `/` or `!`. */
  prefix: string;
  /** What the messenger of this chat can do (command sign, how a user links, choices, encryption). */
  capabilities: MessengerCapabilities;
  t(id: string, args?: MessageArguments): string;
}
export interface MemberCommandContext extends CommandContextBase {
  principal: Principal;
}
export interface AnyoneCommandContext extends CommandContextBase {
  /** Undefined when the account is not linked to a member. */
  principal: Principal | undefined;
}

interface CommandDeclaration {
  /** Stable id (`help`, `request-list`). */
  id: string;
  /**
   * Names per language, without prefix. The first English name is canonical: command menus use
   * it, so it must be valid in the strictest menu among adapters (a-z, 0-9, _; at most 32). Other names are aliases.
   */
  names: Readonly<Record<Locale, readonly string[]>>;
  arguments?: readonly CommandArgument[];
  /** i18n id of the one-line description (help and messenger menus). */
  helpId: string;
  /** Also answered in group chats; default false (the bot points to a private chat instead). */
  inGroups?: boolean;
  /** Listed in help and menus; default true. */
  listed?: boolean;
}
export interface MemberCommand extends CommandDeclaration {
  /** The least role that may run it. */
  role: Role;
  run(context: MemberCommandContext): Promise<ChatReply> | ChatReply;
}
export interface AnyoneCommand extends CommandDeclaration {
  /** Runs for unknown accounts too (start, link, help). */
  role: 'anyone';
  run(context: AnyoneCommandContext): Promise<ChatReply> | ChatReply;
}
export type ChatCommand = MemberCommand | AnyoneCommand;

export const mayRun = (command: ChatCommand, principal: Principal | undefined): boolean =>
  command.role === 'anyone' || (principal !== undefined && hasRole(principal.role, command.role));

export interface ParsedCommand {
  name: string;
  /** `/cmd@botname`: the bot the command was meant for (group chats where several bots listen). */
  mention: string | undefined;
  argumentText: string;
  args: string[];
}

/** `/cmd args`, `!cmd args` and `/cmd@botname args` (addressed to one bot in a group); undefined for ordinary text. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const match = /^[/!]([\p{L}\p{N}_-]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/u.exec(text.trim());
  if (match === null) return undefined;
  const argumentText = (match[3] ?? '').trim();
  return {
    name: (match[1] ?? '').toLowerCase(),
    mention: match[2],
    argumentText,
    args: argumentText === '' ? [] : argumentText.split(/\s+/),
  };
}

// The strictest messenger command menu's rule (lowercase letters, digits, _; at most 32), so the
// canonical name can be every messenger's menu entry.
const menuCommandName = /^[a-z0-9_]{1,32}$/;

/** The registered commands, looked up by any of their names. */
export class CommandTable {
  readonly #commands: ChatCommand[] = [];
  readonly #byName = new Map<string, { command: ChatCommand; locale: Locale }>();

  register(command: ChatCommand): void {
    const canonical = command.names.en[0];
    if (canonical === undefined || !menuCommandName.test(canonical)) {
      throw new Error(`command ${command.id}: the first English name must match ${menuCommandName.source}`);
    }
    if (this.#commands.some((existing) => existing.id === command.id))
      throw new Error(`command ${command.id} is registered twice`);
    const additions: [string, Locale][] = [];
    for (const locale of supportedLocales) {
      for (const name of command.names[locale]) {
        const key = name.toLowerCase();
        const owner = this.#byName.get(key);
        if (owner !== undefined)
          throw new Error(`command name ${key} of ${command.id} is taken by ${owner.command.id}`);
        if (!additions.some(([added]) => added === key)) additions.push([key, locale]);
      }
    }
    for (const [key, locale] of additions) this.#byName.set(key, { command, locale });
    this.#commands.push(command);
  }

  /** The command and the language its name belongs to (`помощь` → ru). */
  find(name: string): { command: ChatCommand; locale: Locale } | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  list(): readonly ChatCommand[] {
    return this.#commands;
  }

  /** Help text generated from the table: the commands this caller may run, in their language. */
  help(options: {
    translator: Translator;
    locale: Locale;
    principal: Principal | undefined;
    prefix: string;
  }): string {
    const { translator, locale, principal, prefix } = options;
    const lines = [translator.t(locale, 'chat-help-heading')];
    for (const command of this.#commands) {
      if (command.listed === false || !mayRun(command, principal)) continue;
      const names = [...new Set([...command.names[locale].slice(0, 1), ...command.names.en.slice(0, 1)])];
      const usage = (command.arguments ?? [])
        .map((argument) => {
          const label = translator.t(locale, argument.labelId);
          return argument.required ? label : `[${label}]`;
        })
        .join(' ');
      const shown = names.map((name) => `${prefix}${name}`).join(', ');
      lines.push(`${shown}${usage === '' ? '' : ` ${usage}`} — ${translator.t(locale, command.helpId)}`);
    }
    lines.push(
      '',
      translator.t(locale, principal === undefined ? 'chat-help-unknown-account' : 'chat-help-free-text'),
    );
    return lines.join('\n');
  }

  /**
   * A messenger's command menu in one language (shown by clients that have one): canonical names with
   * translated descriptions, for commands every member may run.
   */
  menu(translator: Translator, locale: Locale): { command: string; description: string }[] {
    return this.#commands
      .filter(
        (command) => command.listed !== false && (command.role === 'anyone' || command.role === 'member'),
      )
      .map((command) => ({
        command: command.names.en[0] ?? command.id,
        description: translator.t(locale, command.helpId).slice(0, 256),
      }));
  }
}
