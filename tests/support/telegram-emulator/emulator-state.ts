// Who exists in the emulated Telegram and what was said: users, chats, and every chat's messages.
import type { BotCommand, Chat, Message, User } from 'grammy/types';
import { badRequest, forbidden } from './bot-api-error.ts';

export type BotMembership = 'member' | 'administrator' | 'left' | 'kicked';

export interface UserRecord {
  user: User;
  /** Telegram only lets a bot write to a user who has started it. */
  hasStartedBot: boolean;
}

export interface StoredMessage {
  message: Message;
  fromBot: boolean;
  deleted: boolean;
}

export interface ChatRecord {
  chat: Chat;
  /** In a private chat, "kicked" means the user blocked the bot. */
  botMembership: BotMembership;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** Order in which messages were posted (ids), to list them. */
  order: number[];
  chatInstance: string;
  owner: UserRecord | undefined;
}

export interface CreateUserOptions {
  id?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** IETF language tag of the user's client, e.g. "ru". */
  languageCode?: string;
  isBot?: boolean;
  isPremium?: boolean;
  /**
   * Whether the user has already pressed Start (or written) in the bot's chat. Default false: as on
   * Telegram the bot gets 403 "bot can't initiate conversation with a user" until the user writes;
   * say true for a user the story assumes has started the bot earlier.
   */
  hasStartedBot?: boolean;
}

export interface CreateGroupOptions {
  title?: string;
  /** Default "group". */
  type?: 'group' | 'supergroup';
  /** Public @username (supergroups only). */
  username?: string;
  /** A supergroup with topics. */
  isForum?: boolean;
  /** The bot's status in the group (default "member"). Admins see every message despite privacy mode. */
  botMembership?: BotMembership;
}

export class EmulatorState {
  readonly users = new Map<number, UserRecord>();
  readonly chats = new Map<number, ChatRecord>();
  readonly commands = new Map<string, BotCommand[]>();
  /** Per-language texts set by setMyName, setMyDescription, setMyShortDescription. */
  readonly botTexts = new Map<string, string>();
  readonly menuButtons = new Map<number | 'default', Record<string, unknown>>();
  private nextUserId = 100_000_001;
  private nextGroupNumber = 1;
  private nextChatInstance = 1;

  private addChat(chat: Chat, owner: UserRecord | undefined, botMembership: BotMembership): ChatRecord {
    const record: ChatRecord = {
      chat,
      botMembership,
      nextMessageId: 1,
      messages: new Map(),
      order: [],
      chatInstance: String(-4_700_000_000_000_000_000n - BigInt(this.nextChatInstance++)),
      owner,
    };
    this.chats.set(chat.id, record);
    return record;
  }

  createUser(options: CreateUserOptions = {}): User {
    const id = options.id ?? this.nextUserId++;
    if (this.users.has(id)) throw new Error(`a user with id ${id} already exists`);
    const user: User = {
      id,
      is_bot: options.isBot ?? false,
      first_name: options.firstName ?? `User${id}`,
      ...(options.lastName === undefined ? {} : { last_name: options.lastName }),
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.languageCode === undefined ? {} : { language_code: options.languageCode }),
      ...(options.isPremium === true ? { is_premium: true as const } : {}),
    };
    const record: UserRecord = { user, hasStartedBot: options.hasStartedBot ?? false };
    this.users.set(id, record);
    const chat: Chat.PrivateChat = {
      id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name === undefined ? {} : { last_name: user.last_name }),
      ...(user.username === undefined ? {} : { username: user.username }),
    };
    this.addChat(chat, record, 'member');
    return structuredClone(user);
  }

  createGroup(options: CreateGroupOptions = {}): Chat.GroupChat | Chat.SupergroupChat {
    const number = this.nextGroupNumber++;
    const title = options.title ?? `Group ${number}`;
    const type =
      options.type ?? (options.isForum === true || options.username !== undefined ? 'supergroup' : 'group');
    const chat: Chat.GroupChat | Chat.SupergroupChat =
      type === 'group'
        ? { id: -(4_000_000_000 + number), type, title }
        : {
            id: -(1_002_000_000_000 + number),
            type,
            title,
            ...(options.username === undefined ? {} : { username: options.username }),
            ...(options.isForum === true ? { is_forum: true as const } : {}),
          };
    this.addChat(chat, undefined, options.botMembership ?? 'member');
    return structuredClone(chat);
  }

  userRecord(userOrId: User | number): UserRecord {
    const id = typeof userOrId === 'number' ? userOrId : userOrId.id;
    const record = this.users.get(id);
    if (record === undefined) throw new Error(`unknown user ${id}: create it with createUser() first`);
    return record;
  }

  chatRecord(chatOrId: Chat | number): ChatRecord {
    const id = typeof chatOrId === 'number' ? chatOrId : chatOrId.id;
    const record = this.chats.get(id);
    if (record === undefined) throw new Error(`unknown chat ${id}: create a user or a group first`);
    return record;
  }

  /** Resolves a chat_id parameter the way Telegram does (an id, or "@username" of a public chat). */
  resolveChat(chatId: number | string): ChatRecord {
    if (typeof chatId === 'number') {
      const record = this.chats.get(chatId);
      if (record !== undefined) return record;
    } else if (chatId.startsWith('@')) {
      const username = chatId.slice(1).toLowerCase();
      for (const record of this.chats.values()) {
        if (record.chat.type !== 'private' && record.chat.username?.toLowerCase() === username) return record;
      }
    }
    throw badRequest('chat not found');
  }

  /** Telegram's 403 answers when the bot may not write to a chat. */
  assertBotCanWrite(record: ChatRecord): void {
    const owner = record.owner;
    if (owner !== undefined) {
      if (owner.user.is_bot) throw forbidden("bot can't send messages to bots");
      if (record.botMembership === 'kicked') throw forbidden('bot was blocked by the user');
      if (!owner.hasStartedBot) throw forbidden("bot can't initiate conversation with a user");
      return;
    }
    const kind = record.chat.type === 'supergroup' ? 'supergroup chat' : 'group chat';
    if (record.botMembership === 'kicked') throw forbidden(`bot was kicked from the ${kind}`);
    if (record.botMembership === 'left') throw forbidden(`bot is not a member of the ${kind}`);
  }

  /** Posts a message into a chat; the emulator fills message_id, date and chat. */
  postMessage(
    record: ChatRecord,
    fields: Omit<Message, 'message_id' | 'date' | 'chat'>,
    fromBot: boolean,
  ): StoredMessage {
    const message = {
      message_id: record.nextMessageId++,
      ...(fields.from === undefined ? {} : { from: fields.from }),
      date: Math.floor(Date.now() / 1000),
      chat: structuredClone(record.chat),
      ...fields,
    };
    const stored: StoredMessage = { message, fromBot, deleted: false };
    record.messages.set(message.message_id, stored);
    record.order.push(message.message_id);
    return stored;
  }

  findMessage(record: ChatRecord, messageId: number): StoredMessage | undefined {
    const stored = record.messages.get(messageId);
    return stored === undefined || stored.deleted ? undefined : stored;
  }

  messages(chatId: number, filter: (stored: StoredMessage) => boolean): Message[] {
    const record = this.chats.get(chatId);
    if (record === undefined) return [];
    const result: Message[] = [];
    for (const id of record.order) {
      const stored = record.messages.get(id);
      if (stored !== undefined && !stored.deleted && filter(stored))
        result.push(structuredClone(stored.message));
    }
    return result;
  }
}

/** A copy of a message fit to be quoted as reply_to_message (Telegram nests only one level). */
export function quotedMessage(message: Message): Message {
  const { reply_to_message: _nested, ...rest } = structuredClone(message) as Message & {
    reply_to_message?: unknown;
  };
  return rest;
}
