// The bot's own settings and chat information: getMe, commands per scope and language, name and
// descriptions, menu button, getChat.
import type { BotCommand, ChatFullInfo } from 'grammy/types';
import { badRequest } from './bot-api-error.ts';
import type { EmulatorCore, MethodTable } from './emulator-core.ts';
import type { ChatRecord, EmulatorState } from './emulator-state.ts';
import { nestedParameters, type MethodParameters } from './method-parameters.ts';

const plainScopes = new Set(['default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators']);

function readLanguage(parameters: MethodParameters): string {
  const language = parameters.string('language_code') ?? '';
  if (language !== '' && !/^[a-z]{2}$/.test(language)) throw badRequest('invalid language code specified');
  return language;
}

/** The storage key of a (scope, language_code) pair; chats given by @username resolve to their id. */
function commandScopeKey(parameters: MethodParameters, core: EmulatorCore): string {
  const scope = parameters.object('scope');
  let key = 'default';
  if (scope !== undefined) {
    const scopeParameters = nestedParameters(scope, 'scope');
    const type = scopeParameters.requiredString('type', 'scope type is empty');
    if (plainScopes.has(type)) key = type;
    else if (type === 'chat' || type === 'chat_administrators' || type === 'chat_member') {
      const chat = core.state.resolveChat(scopeParameters.requiredChatId());
      if (type !== 'chat' && chat.chat.type === 'private')
        throw badRequest(`can't use ${type} scope in private chats`);
      key = `${type}:${chat.chat.id}`;
      if (type === 'chat_member') key += `:${scopeParameters.requiredInteger('user_id', 'user_id is empty')}`;
    } else {
      throw badRequest('unsupported bot command scope type');
    }
  }
  return `${key}|${readLanguage(parameters)}`;
}

function validateCommands(value: unknown[]): BotCommand[] {
  if (value.length > 100) throw badRequest('too many commands');
  return value.map((item) => {
    const command = nestedParameters(item, 'BotCommand');
    const name = command.string('command') ?? '';
    const description = command.string('description') ?? '';
    if (!/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest('BOT_COMMAND_INVALID');
    if (description.trim() === '' || description.length > 256)
      throw badRequest('command description must be 1-256 characters long');
    return { command: name, description };
  });
}

/**
 * The commands a user sees in a chat, resolved through scopes and languages in the order the Bot API
 * documents ("Determining list of commands").
 */
export function visibleCommands(
  state: EmulatorState,
  userId: number,
  chat: ChatRecord,
  languageCode: string,
  isAdministrator: boolean,
): BotCommand[] {
  const scopes =
    chat.chat.type === 'private'
      ? [`chat:${chat.chat.id}`, 'all_private_chats', 'default']
      : [
          `chat_member:${chat.chat.id}:${userId}`,
          ...(isAdministrator ? [`chat_administrators:${chat.chat.id}`] : []),
          `chat:${chat.chat.id}`,
          ...(isAdministrator ? ['all_chat_administrators'] : []),
          'all_group_chats',
          'default',
        ];
  for (const scope of scopes) {
    for (const language of languageCode === '' ? [''] : [languageCode, '']) {
      const commands = state.commands.get(`${scope}|${language}`);
      if (commands !== undefined) return structuredClone(commands);
    }
  }
  return [];
}

function chatFullInfo(record: ChatRecord): ChatFullInfo {
  return {
    ...structuredClone(record.chat),
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: true,
      limited_gifts: true,
      unique_gifts: true,
      premium_subscription: true,
      gifts_from_channels: true,
    },
  };
}

function botTextMethods(name: string, field: string, maximumLength: number): MethodTable {
  const capitalized = name[0]!.toUpperCase() + name.slice(1);
  return {
    [`setMy${capitalized}`](parameters, core) {
      const text = parameters.string(field) ?? '';
      if (text.length > maximumLength) throw badRequest(`${field} is too long`);
      const key = `${name}|${readLanguage(parameters)}`;
      if (text === '') core.state.botTexts.delete(key);
      else core.state.botTexts.set(key, text);
      return true;
    },
    [`getMy${capitalized}`](parameters, core) {
      const language = readLanguage(parameters);
      const fallback = name === 'name' ? core.botUser.first_name : '';
      return {
        [field]:
          core.state.botTexts.get(`${name}|${language}`) ?? core.state.botTexts.get(`${name}|`) ?? fallback,
      };
    },
  };
}

export const botSettingsMethods: MethodTable = {
  getMe(_parameters, core) {
    return core.botUser;
  },

  setMyCommands(parameters, core) {
    const commands = validateCommands(parameters.array('commands') ?? []);
    const key = commandScopeKey(parameters, core);
    if (commands.length === 0) core.state.commands.delete(key);
    else core.state.commands.set(key, commands);
    core.changed();
    return true;
  },

  getMyCommands(parameters, core) {
    return core.state.commands.get(commandScopeKey(parameters, core)) ?? [];
  },

  deleteMyCommands(parameters, core) {
    core.state.commands.delete(commandScopeKey(parameters, core));
    core.changed();
    return true;
  },

  ...botTextMethods('name', 'name', 64),
  ...botTextMethods('description', 'description', 512),
  ...botTextMethods('shortDescription', 'short_description', 120),

  setChatMenuButton(parameters, core) {
    const chatId = parameters.chatId();
    const key = chatId === undefined ? 'default' : core.state.resolveChat(chatId).chat.id;
    const button = parameters.object('menu_button') ?? { type: 'default' };
    if (!['commands', 'web_app', 'default'].includes(String(button.type)))
      throw badRequest('unsupported menu button type');
    core.state.menuButtons.set(key, button);
    return true;
  },

  getChatMenuButton(parameters, core) {
    const chatId = parameters.chatId();
    const key = chatId === undefined ? 'default' : core.state.resolveChat(chatId).chat.id;
    return core.state.menuButtons.get(key) ?? core.state.menuButtons.get('default') ?? { type: 'commands' };
  },

  getChat(parameters, core) {
    const record = core.state.resolveChat(parameters.requiredChatId());
    if (record.owner !== undefined && !record.owner.hasStartedBot) throw badRequest('chat not found');
    if (record.botMembership === 'kicked') core.state.assertBotCanWrite(record);
    return chatFullInfo(record);
  },
};
