// What users do on the emulated Telegram: write messages and press inline buttons. Each action is
// stored in the chat and, when Telegram would tell the bot, turned into an Update.
import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';
import type { EmulatorCore } from './emulator-core.ts';
import { quotedMessage, type ChatRecord } from './emulator-state.ts';
import { detectEntities } from './formatted-text.ts';
import { changeBotMembership } from './membership-updates.ts';
import { inlineButtons } from './reply-markup.ts';

export interface UserMessageOptions {
  /** The message this one replies to (a message object or its id in the same chat). */
  replyTo?: Message | number;
  /** The forum topic (or reply thread) the message is posted in. */
  messageThreadId?: number;
  /** Entities to use instead of the ones Telegram would detect (bot commands, mentions, URLs...). */
  entities?: MessageEntity[];
}

export interface UserMessageResult {
  /** The message as stored in the chat. */
  message: Message;
  /** The update sent to the bot; undefined when Telegram would not tell the bot (privacy mode in groups). */
  update: Update | undefined;
}

export interface ButtonPressResult {
  callbackQueryId: string;
  update: Update;
}

/**
 * In privacy mode a bot in a group only receives commands, mentions of itself and replies to its own
 * messages (Bot API, "Privacy mode").
 */
function addressesBot(message: Message, core: EmulatorCore): boolean {
  const username = core.botUser.username.toLowerCase();
  const text = message.text ?? '';
  for (const entity of message.entities ?? []) {
    const value = text.slice(entity.offset, entity.offset + entity.length).toLowerCase();
    if (entity.type === 'bot_command') {
      const target = value.split('@')[1];
      if (target === undefined || target === username) return true;
    }
    if (entity.type === 'mention' && value === `@${username}`) return true;
  }
  return message.reply_to_message?.from?.id === core.botUser.id;
}

function botSeesMessage(
  chat: ChatRecord,
  message: Message,
  core: EmulatorCore,
  privacyMode: boolean,
): boolean {
  if (chat.chat.type === 'private') return true;
  if (chat.botMembership === 'left' || chat.botMembership === 'kicked') return false;
  if (!privacyMode || chat.botMembership === 'administrator') return true;
  return addressesBot(message, core);
}

export function sendUserMessage(
  core: EmulatorCore,
  privacyMode: boolean,
  user: User | number,
  chat: Chat | number,
  text: string,
  options: UserMessageOptions = {},
): UserMessageResult {
  const sender = core.state.userRecord(user);
  const record = core.state.chatRecord(chat);
  if (record.owner !== undefined && record.owner !== sender) {
    throw new Error(
      `user ${sender.user.id} cannot write in the private chat of user ${record.owner.user.id}`,
    );
  }
  if (record.owner !== undefined) {
    // Writing to a bot starts it; a user who had blocked it unblocks it first (Telegram says so).
    sender.hasStartedBot = true;
    changeBotMembership(core, record, sender.user, 'member');
  }
  let replyTo: Message | undefined;
  if (options.replyTo !== undefined) {
    const id = typeof options.replyTo === 'number' ? options.replyTo : options.replyTo.message_id;
    const target = core.state.findMessage(record, id);
    if (target === undefined) throw new Error(`no message ${id} in chat ${record.chat.id} to reply to`);
    replyTo = quotedMessage(target.message);
  }
  const entities = options.entities ?? detectEntities(text);
  const threadId = options.messageThreadId ?? replyTo?.message_thread_id;
  const stored = core.state.postMessage(
    record,
    {
      from: structuredClone(sender.user),
      ...(threadId === undefined ? {} : { message_thread_id: threadId }),
      ...(threadId !== undefined && record.chat.is_forum === true ? { is_topic_message: true } : {}),
      ...(replyTo === undefined ? {} : { reply_to_message: replyTo }),
      text,
      ...(entities.length === 0 ? {} : { entities }),
    } as Omit<Message, 'message_id' | 'date' | 'chat'>,
    false,
  );
  const message = structuredClone(stored.message);
  const update = botSeesMessage(record, message, core, privacyMode)
    ? core.pushUpdate({ message } as Omit<Update, 'update_id'>).update
    : undefined;
  core.changed();
  return { message, update };
}

let callbackQuerySequence = 0;

export function pressButton(
  core: EmulatorCore,
  user: User | number,
  message: Message,
  callbackData: string,
): ButtonPressResult {
  const presser = core.state.userRecord(user);
  const record = core.state.chatRecord(message.chat.id);
  const stored = core.state.findMessage(record, message.message_id);
  if (stored === undefined)
    throw new Error(`message ${message.message_id} in chat ${record.chat.id} does not exist (deleted?)`);
  const buttons = inlineButtons(stored.message.reply_markup);
  if (!buttons.some((button) => 'callback_data' in button && button.callback_data === callbackData)) {
    const offered = buttons.map((button) =>
      'callback_data' in button ? `${button.text} -> ${button.callback_data}` : button.text,
    );
    throw new Error(
      `message ${message.message_id} in chat ${record.chat.id} has no button with callback data "${callbackData}"; buttons: ${JSON.stringify(offered)}`,
    );
  }
  callbackQuerySequence += 1;
  const id = `${core.botUser.id}${String(callbackQuerySequence).padStart(8, '0')}`;
  const query = {
    id,
    from: structuredClone(presser.user),
    message: structuredClone(stored.message),
    chat_instance: record.chatInstance,
    data: callbackData,
  };
  core.callbackQueries.set(id, { query, answer: undefined, pressedAt: core.now(), expired: false });
  const { update } = core.pushUpdate({ callback_query: query });
  return { callbackQueryId: id, update };
}

/** Queues any update as given (an explicit update_id is kept, so duplicates can be delivered). */
export function injectUpdate(
  core: EmulatorCore,
  raw: Update | (Partial<Update> & Record<string, unknown>),
): Update {
  const callbackQuery = raw.callback_query;
  if (callbackQuery !== undefined && !core.callbackQueries.has(callbackQuery.id)) {
    core.callbackQueries.set(callbackQuery.id, {
      query: structuredClone(callbackQuery),
      answer: undefined,
      pressedAt: core.now(),
      expired: false,
    });
  }
  return core.pushUpdate(raw).update;
}
