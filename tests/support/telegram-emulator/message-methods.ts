// Bot API methods that write into chats: sendMessage, editMessageText, editMessageReplyMarkup,
// deleteMessage(s), sendChatAction, answerCallbackQuery.
import type { InlineKeyboardMarkup, Message, MessageEntity } from 'grammy/types';
import { badRequest } from './bot-api-error.ts';
import type { MethodTable } from './emulator-core.ts';
import { quotedMessage, type ChatRecord, type StoredMessage } from './emulator-state.ts';
import { formatMessageText } from './formatted-text.ts';
import { nestedParameters, type MethodParameters } from './method-parameters.ts';
import { validateReplyMarkup, type ValidatedReplyMarkup } from './reply-markup.ts';
import type { EmulatorCore } from './emulator-core.ts';

const chatActions = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]); // prettier-ignore

const notModified =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function readReplyMarkup(parameters: MethodParameters): ValidatedReplyMarkup | undefined {
  const markup = parameters.object('reply_markup');
  return markup === undefined ? undefined : validateReplyMarkup(markup);
}

function readInlineMarkup(parameters: MethodParameters): InlineKeyboardMarkup | undefined {
  const markup = readReplyMarkup(parameters);
  if (markup === undefined) return undefined;
  if (markup.kind !== 'inline') throw badRequest('inline keyboard expected');
  return markup.markup;
}

/** reply_parameters, or the older reply_to_message_id + allow_sending_without_reply. */
function readReplyTarget(
  parameters: MethodParameters,
  core: EmulatorCore,
  chat: ChatRecord,
): Message | undefined {
  const replyParameters = parameters.object('reply_parameters');
  const reply =
    replyParameters === undefined ? parameters : nestedParameters(replyParameters, 'reply_parameters');
  const messageId =
    replyParameters === undefined
      ? parameters.integer('reply_to_message_id')
      : reply.requiredInteger('message_id', 'message_id is empty');
  if (messageId === undefined) return undefined;
  const replyChatId = replyParameters === undefined ? undefined : reply.chatId('chat_id');
  const replyChat = replyChatId === undefined ? chat : core.state.resolveChat(replyChatId);
  const target = core.state.findMessage(replyChat, messageId);
  if (target !== undefined) return quotedMessage(target.message);
  if (reply.boolean('allow_sending_without_reply') === true) return undefined;
  throw badRequest('message to be replied not found');
}

function resolveMessage(
  parameters: MethodParameters,
  core: EmulatorCore,
  missing: string,
): { chat: ChatRecord; stored: StoredMessage } {
  if (parameters.has('inline_message_id')) throw badRequest('MESSAGE_ID_INVALID');
  const chat = core.state.resolveChat(parameters.requiredChatId());
  const messageId = parameters.requiredInteger('message_id', 'message identifier is not specified');
  const stored = core.state.findMessage(chat, messageId);
  if (stored === undefined) throw badRequest(missing);
  return { chat, stored };
}

function setOrDelete<K extends keyof Message>(message: Message, key: K, value: Message[K] | undefined): void {
  if (value === undefined) Reflect.deleteProperty(message, key);
  else message[key] = value;
}

function sameMarkup(a: InlineKeyboardMarkup | undefined, b: InlineKeyboardMarkup | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function nonEmpty(entities: MessageEntity[]): MessageEntity[] | undefined {
  return entities.length === 0 ? undefined : entities;
}

export const messageMethods: MethodTable = {
  sendMessage(parameters, core, call) {
    const chat = core.state.resolveChat(parameters.requiredChatId());
    core.state.assertBotCanWrite(chat);
    const formatted = formatMessageText({
      text: parameters.requiredString('text', 'message text is empty'),
      parseMode: parameters.string('parse_mode'),
      entities: parameters.array('entities'),
    });
    const markup = readReplyMarkup(parameters);
    const replyTo = readReplyTarget(parameters, core, chat);
    const threadId = parameters.integer('message_thread_id') ?? replyTo?.message_thread_id;
    const linkPreview = parameters.object('link_preview_options');
    core.consumeSendQuota(chat, call.method);
    const stored = core.state.postMessage(
      chat,
      {
        from: core.botUser,
        ...(threadId === undefined || chat.chat.type === 'group' ? {} : { message_thread_id: threadId }),
        ...(threadId !== undefined && chat.chat.is_forum === true ? { is_topic_message: true } : {}),
        ...(replyTo === undefined ? {} : { reply_to_message: replyTo }),
        text: formatted.text,
        ...(formatted.entities.length === 0 ? {} : { entities: formatted.entities }),
        ...(linkPreview === undefined ? {} : { link_preview_options: linkPreview }),
        ...(parameters.boolean('protect_content') === true ? { has_protected_content: true } : {}),
        ...(markup?.kind === 'inline' ? { reply_markup: markup.markup } : {}),
      } as unknown as Omit<Message, 'message_id' | 'date' | 'chat'>,
      true,
    );
    core.changed();
    return stored.message;
  },

  editMessageText(parameters, core, call) {
    const { chat, stored } = resolveMessage(parameters, core, 'message to edit not found');
    core.state.assertBotCanWrite(chat);
    if (!stored.fromBot) throw badRequest("message can't be edited");
    const formatted = formatMessageText({
      text: parameters.requiredString('text', 'text is empty'),
      parseMode: parameters.string('parse_mode'),
      entities: parameters.array('entities'),
    });
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    const markup = readInlineMarkup(parameters);
    const message = stored.message;
    const unchanged =
      message.text === formatted.text &&
      JSON.stringify(message.entities ?? []) === JSON.stringify(formatted.entities) &&
      sameMarkup(message.reply_markup, markup);
    if (unchanged) throw badRequest(notModified);
    core.consumeSendQuota(chat, call.method);
    message.text = formatted.text;
    setOrDelete(message, 'entities', nonEmpty(formatted.entities));
    setOrDelete(message, 'reply_markup', markup);
    message.edit_date = Math.floor(Date.now() / 1000);
    core.changed();
    return message;
  },

  editMessageReplyMarkup(parameters, core, call) {
    const { chat, stored } = resolveMessage(parameters, core, 'message to edit not found');
    core.state.assertBotCanWrite(chat);
    if (!stored.fromBot) throw badRequest("message can't be edited");
    const markup = readInlineMarkup(parameters);
    if (sameMarkup(stored.message.reply_markup, markup)) throw badRequest(notModified);
    core.consumeSendQuota(chat, call.method);
    setOrDelete(stored.message, 'reply_markup', markup);
    stored.message.edit_date = Math.floor(Date.now() / 1000);
    core.changed();
    return stored.message;
  },

  deleteMessage(parameters, core) {
    const { chat, stored } = resolveMessage(parameters, core, 'message to delete not found');
    if (!stored.fromBot && chat.chat.type !== 'private' && chat.botMembership !== 'administrator') {
      throw badRequest("message can't be deleted");
    }
    stored.deleted = true;
    core.changed();
    return true;
  },

  deleteMessages(parameters, core) {
    const chat = core.state.resolveChat(parameters.requiredChatId());
    const ids = parameters.array('message_ids');
    if (ids === undefined || ids.length === 0 || ids.length > 100)
      throw badRequest('message_ids must contain 1-100 identifiers');
    // Messages that cannot be found or deleted are skipped, as documented.
    for (const id of ids) {
      const stored = typeof id === 'number' ? core.state.findMessage(chat, id) : undefined;
      if (stored === undefined) continue;
      if (stored.fromBot || chat.chat.type === 'private' || chat.botMembership === 'administrator')
        stored.deleted = true;
    }
    core.changed();
    return true;
  },

  sendChatAction(parameters, core) {
    const chat = core.state.resolveChat(parameters.requiredChatId());
    core.state.assertBotCanWrite(chat);
    const action = parameters.requiredString('action', 'action is empty');
    if (!chatActions.has(action)) throw badRequest('wrong parameter action in request');
    return true;
  },

  answerCallbackQuery(parameters, core) {
    const id = parameters.requiredString(
      'callback_query_id',
      'query is too old and response timeout expired or query ID is invalid',
    );
    const query = core.callbackQueries.get(id);
    if (query === undefined || query.answer !== undefined || query.expired) {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    if (core.now() - query.pressedAt > core.callbackQueryTimeoutMs) {
      query.expired = true;
      core.changed();
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    const text = parameters.string('text');
    if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
    query.answer = {
      ...(text === undefined ? {} : { text }),
      showAlert: parameters.boolean('show_alert') ?? false,
      ...(parameters.has('url') ? { url: parameters.requiredString('url') } : {}),
      cacheTime: parameters.integer('cache_time') ?? 0,
    };
    core.changed();
    return true;
  },
};
