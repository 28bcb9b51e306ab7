// my_chat_member updates: Telegram tells the bot when a user blocks or unblocks it and when it is
// added to, promoted in or removed from a group.
import type { ChatMember, Update, User } from 'grammy/types';
import type { EmulatorCore } from './emulator-core.ts';
import type { BotMembership, ChatRecord } from './emulator-state.ts';

function chatMember(user: User, status: BotMembership): ChatMember {
  switch (status) {
    case 'member':
      return { status, user };
    case 'left':
      return { status, user };
    case 'kicked':
      return { status, user, until_date: 0 };
    case 'administrator':
      return {
        status, user, can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true,
        can_manage_video_chats: true, can_restrict_members: true, can_promote_members: false, can_change_info: true,
        can_invite_users: true, can_post_stories: false, can_edit_stories: false, can_delete_stories: false,
        can_pin_messages: true, can_manage_topics: true, can_send_welcome_messages: false,
      }; // prettier-ignore
  }
}

/** Changes the bot's status in a chat and queues the my_chat_member update Telegram would send. */
export function changeBotMembership(
  core: EmulatorCore,
  chat: ChatRecord,
  actor: User,
  membership: BotMembership,
): Update | undefined {
  const previous = chat.botMembership;
  if (previous === membership) return undefined;
  chat.botMembership = membership;
  return core.pushUpdate({
    my_chat_member: {
      chat: structuredClone(chat.chat),
      from: structuredClone(actor),
      date: Math.floor(Date.now() / 1000),
      old_chat_member: chatMember(core.botUser, previous),
      new_chat_member: chatMember(core.botUser, membership),
    },
  }).update;
}
