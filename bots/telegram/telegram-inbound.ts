// Telegram message or button press -> InboundMessage. Translation only: no decisions beyond
// "was the bot spoken to" in a group, which only Telegram's entities can tell.
import type { CallbackQuery, Chat, Message, UserFromGetMe } from 'grammy/types';
import type { ChatType, InboundMessage } from '../../src/chat/index.ts';

const chatTypeOf = (chat: Chat): ChatType | undefined =>
  chat.type === 'private'
    ? 'private'
    : chat.type === 'group' || chat.type === 'supergroup'
      ? 'group'
      : undefined;

/** A text message, or undefined for what the bot ignores (channels, other bots, service messages). */
export function inboundFromMessage(message: Message, me: UserFromGetMe): InboundMessage | undefined {
  const chatType = chatTypeOf(message.chat);
  const from = message.from;
  if (chatType === undefined || from === undefined || from.is_bot || message.text === undefined)
    return undefined;
  const { text, addressed } =
    chatType === 'group' ? addressing(message, message.text, me) : { text: message.text, addressed: true };
  return {
    platform: 'telegram',
    platformUserId: String(from.id),
    chatId: String(message.chat.id),
    chatType,
    text,
    localeHint: from.language_code,
    addressed,
    displayName: from.first_name,
    messageId: String(message.message_id),
    replyToMessageId:
      message.reply_to_message === undefined ? undefined : String(message.reply_to_message.message_id),
  };
}

/** A pressed inline button; `action` is the decoded callback data. */
export function inboundFromCallback(query: CallbackQuery, action: string): InboundMessage {
  const chat = query.message?.chat;
  const chatType = chat === undefined ? 'private' : (chatTypeOf(chat) ?? 'private');
  return {
    platform: 'telegram',
    platformUserId: String(query.from.id),
    // A button under an inline-mode message has no chat: answer the presser privately.
    chatId: String(chat?.id ?? query.from.id),
    chatType,
    buttonAction: action,
    localeHint: query.from.language_code,
    // Only our own messages carry our buttons, so a press is always meant for us.
    addressed: true,
    displayName: query.from.first_name,
  };
}

/**
 * In a group, the bot is addressed by `@botname`, by `/command` (or `/command@botname`, but not
 * `/command@otherbot`), or by a reply to one of its messages. Our own mention is removed from the
 * text so "@bot who handles MLA in KZ" reads as the question.
 */
function addressing(message: Message, text: string, me: UserFromGetMe): { text: string; addressed: boolean } {
  const username = me.username.toLowerCase();
  let addressed = message.reply_to_message?.from?.id === me.id;
  const cuts: { offset: number; length: number }[] = [];
  for (const entity of message.entities ?? []) {
    const value = text.slice(entity.offset, entity.offset + entity.length);
    if (entity.type === 'bot_command' && entity.offset === 0) {
      const target = value.split('@')[1]?.toLowerCase();
      if (target === undefined || target === username) addressed = true;
      else return { text, addressed: false };
    } else if (entity.type === 'mention' && value.slice(1).toLowerCase() === username) {
      addressed = true;
      cuts.push(entity);
    } else if (entity.type === 'text_mention' && entity.user.id === me.id) {
      addressed = true;
    }
  }
  let cleaned = text;
  for (const cut of cuts.sort((a, b) => b.offset - a.offset)) {
    cleaned = cleaned.slice(0, cut.offset) + cleaned.slice(cut.offset + cut.length);
  }
  return { text: cleaned.replace(/^[\s,:]+/, '').trim(), addressed };
}
