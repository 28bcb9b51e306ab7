// A Telegram Bot API emulator for tests and benchmarks: a local HTTP server speaking the real
// protocol (an unmodified grammY bot runs against it with `client: { apiRoot }`), plus controls to
// play the users' side and to inspect what the bot did. Parts live in ./telegram-emulator/.
//
//   const telegram = await startTelegramEmulator();
//   const bot = new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
//   const alice = telegram.createUser({ languageCode: 'ru' }); // has not started the bot yet
//   telegram.sendUserMessage(alice, alice.id, '/start CODE');
//   const [reply] = await telegram.waitForMessages(alice.id, 1);
//   telegram.pressButton(alice, reply, 'callback-data');
//
// Strict like Telegram by default: flood limits are enforced (429 with retry_after; see
// `floodLimits`); a user who never wrote to the bot cannot be messaged (403) unless created with
// `hasStartedBot: true`; a callback query answered after 15 s is refused and an unanswered one is
// reported (`unansweredCallbackQueries`, `expectCallbackQueriesAnswered`); inline keyboards are
// limited (64-byte callback_data, 8 buttons a row, 100 in all, labels of 1-64 characters, exactly
// one action a button; the row and label descriptions are the emulator's own); setWebhook takes
// only https:// on ports 443, 80, 88 or 8443 unless started with `insecureWebhooks: true`. A test
// that needs something laxer says so where it needs it.
// Deliberate differences from Telegram: messages can be edited and deleted at any age; no files,
// inline mode or payments.
import { hangDeadlineMs } from './hang-deadline.ts';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type {
  BotCommand,
  BotCommandScope,
  Chat,
  InlineKeyboardButton,
  Message,
  Update,
  User,
  UserFromGetMe,
} from 'grammy/types';
import { botSettingsMethods, visibleCommands } from './telegram-emulator/bot-settings-methods.ts';
import {
  EmulatorCore,
  type ApiCall,
  type CallbackAnswer,
  type HeldCall,
  type InjectedFailure,
} from './telegram-emulator/emulator-core.ts';
import { listen, stopServer } from './telegram-emulator/emulator-server.ts';
import type {
  BotMembership,
  CreateGroupOptions,
  CreateUserOptions,
} from './telegram-emulator/emulator-state.ts';
import { changeBotMembership } from './telegram-emulator/membership-updates.ts';
import { messageMethods } from './telegram-emulator/message-methods.ts';
import {
  preciseNow,
  telegramRateLimits,
  type RateLimits,
  type RateLimitStats,
} from './telegram-emulator/rate-limiter.ts';
import { inlineButtons } from './telegram-emulator/reply-markup.ts';
import { updateMethods } from './telegram-emulator/update-methods.ts';
import {
  injectUpdate,
  pressButton,
  sendUserMessage,
  type ButtonPressResult,
  type UserMessageOptions,
  type UserMessageResult,
} from './telegram-emulator/user-actions.ts';

export type {
  ApiCall,
  BotMembership,
  ButtonPressResult,
  CallbackAnswer,
  CreateGroupOptions,
  CreateUserOptions,
  HeldCall,
  InjectedFailure,
  RateLimits,
  RateLimitStats,
  UserMessageOptions,
  UserMessageResult,
};
export { telegramRateLimits };

/**
 * Flood limits for stories whose subject is a conversation, not Telegram's allowance. Under the
 * real one message a second per chat, every step of a flow waits out a 429 before its reply (a
 * 15-step story takes 15 s of waiting and nothing else). These keep the overall and group limits
 * and lift only the per-chat one; the outbox still paces its pushes at one a second per chat on its
 * own. Stories about sending rates, the outbox's pacing or 429s (telegram-emulator, the
 * verification campaigns, the benchmarks) keep the real limits.
 */
export const conversationFloodLimits: Partial<RateLimits> = { perChatPerSecond: 1000 };

export interface TelegramEmulatorOptions {
  /** The bot's token (default: a random one shaped like Telegram's). Other tokens get 401. */
  token?: string;
  /** Default 7000000001. */
  botId?: number;
  /** Default "counterpart_test_bot". */
  botUsername?: string;
  /** Default "Counterpart Test Bot". */
  botName?: string;
  /** BotFather's privacy mode: in groups the bot only sees commands, mentions and replies (default true). */
  privacyMode?: boolean;
  /** First update_id handed out (default 100000001). */
  firstUpdateId?: number;
  /** First delay before re-posting an update the webhook refused; doubles each time (default 100 ms). */
  webhookRetryDelayMs?: number;
  /** Upper bound of that delay (default 2000 ms). */
  webhookMaxRetryDelayMs?: number;
  /** How long a webhook POST may take before it counts as failed (default 10000 ms). */
  webhookTimeoutMs?: number;
  /**
   * Telegram's flood limits, on by default (30 messages a second, 1 a second per chat, 20 a minute
   * per group, edits counted; 429 with retry_after). Partial values override single limits; `false`
   * turns them off, for a benchmark measuring our own cost rather than Telegram's allowance.
   */
  floodLimits?: Partial<RateLimits> | false;
  /** How long after a press the bot may answer the callback query (default 15000 ms). */
  callbackQueryTimeoutMs?: number;
  /**
   * Accept webhooks on plain http:// and any port, for a test's local server (Telegram: https only,
   * ports 443, 80, 88, 8443). Default false.
   */
  insecureWebhooks?: boolean;
  /** Keep a log of every call (default true; benchmarks may turn it off to save memory). */
  recordCalls?: boolean;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

export interface WebhookState {
  url: string | undefined;
  secretToken: string | undefined;
  pendingUpdateCount: number;
  deliveredCount: number;
  failedAttempts: number;
  lastErrorMessage: string | undefined;
}

type ChatReference = Chat | number;

function chatIdOf(chat: ChatReference): number {
  return typeof chat === 'number' ? chat : chat.id;
}

export class TelegramEmulator {
  /** Pass as `new Bot(token, { client: { apiRoot } })`. */
  readonly apiRoot: string;
  readonly token: string;
  /** The bot as getMe describes it. */
  readonly bot: UserFromGetMe;
  private readonly core: EmulatorCore;
  private readonly server: Server;
  private readonly privacyMode: boolean;
  private groupAdmin: User | undefined;

  constructor(core: EmulatorCore, server: Server, apiRoot: string, privacyMode: boolean) {
    this.core = core;
    this.server = server;
    this.apiRoot = apiRoot;
    this.token = core.token;
    this.bot = core.botUser;
    this.privacyMode = privacyMode;
  }

  // --- People and chats -------------------------------------------------------------------------

  /** A Telegram user; their private chat with the bot has the same id. */
  createUser(options: CreateUserOptions = {}): User {
    return this.core.state.createUser(options);
  }

  privateChat(user: User | number): Chat.PrivateChat {
    const record = this.core.state.chatRecord(typeof user === 'number' ? user : user.id);
    return structuredClone(record.chat as Chat.PrivateChat);
  }

  createGroup(options: CreateGroupOptions = {}): Chat.GroupChat | Chat.SupergroupChat {
    return this.core.state.createGroup(options);
  }

  /**
   * Makes the bot a member or an administrator of a group, or removes it ("left", "kicked"), as done
   * by `by` (default: a group admin user); the bot gets the my_chat_member update.
   */
  setBotMembership(chat: ChatReference, membership: BotMembership, by?: User): Update | undefined {
    const record = this.core.state.chatRecord(chatIdOf(chat));
    if (record.chat.type === 'private') throw new Error('use blockBot() for private chats');
    this.groupAdmin ??= this.createUser({ firstName: 'Group', lastName: 'Admin' });
    return changeBotMembership(this.core, record, by ?? this.groupAdmin, membership);
  }

  /**
   * The user blocks the bot: a my_chat_member update, then 403 "bot was blocked by the user" on
   * every send until the user writes again.
   */
  blockBot(user: User | number): Update | undefined {
    const record = this.core.state.chatRecord(typeof user === 'number' ? user : user.id);
    return changeBotMembership(this.core, record, this.core.state.userRecord(user).user, 'kicked');
  }

  // --- What users do --------------------------------------------------------------------------

  /** The user writes `text` in `chat`; entities (bot_command, mention, url, hashtag...) are detected as Telegram does. */
  sendUserMessage(
    user: User | number,
    chat: ChatReference,
    text: string,
    options: UserMessageOptions = {},
  ): UserMessageResult {
    return sendUserMessage(this.core, this.privacyMode, user, chat, text, options);
  }

  /** The user taps the inline button carrying `callbackData` on a message (it must be there now). */
  pressButton(user: User | number, message: Message, callbackData: string): ButtonPressResult {
    return pressButton(this.core, user, message, callbackData);
  }

  /**
   * Queues a raw update; an explicit update_id is kept, so a duplicate can be delivered. As on
   * Telegram, in polling mode an update_id below the bot's current offset counts as confirmed and is
   * never returned: redeliver duplicates in webhook mode (or before the bot confirms the original).
   */
  injectUpdate(raw: Update | (Partial<Update> & Record<string, unknown>)): Update {
    return injectUpdate(this.core, raw);
  }

  // --- What the bot did -------------------------------------------------------------------------

  /** Messages the bot sent to the chat that still exist, oldest first, in their current (edited) state. */
  sentMessages(chat: ChatReference): Message[] {
    return this.core.state.messages(chatIdOf(chat), (stored) => stored.fromBot);
  }

  /** Every message of the chat that still exists, the users' and the bot's. */
  chatHistory(chat: ChatReference): Message[] {
    return this.core.state.messages(chatIdOf(chat), () => true);
  }

  /** A message in its current state, or undefined if it never existed or was deleted. */
  getMessage(chat: ChatReference, messageId: number): Message | undefined {
    const record = this.core.state.chats.get(chatIdOf(chat));
    const stored = record === undefined ? undefined : this.core.state.findMessage(record, messageId);
    return stored === undefined ? undefined : structuredClone(stored.message);
  }

  /** The inline buttons a message shows now, row after row. */
  buttons(message: Message): InlineKeyboardButton[] {
    return inlineButtons(this.getMessage(message.chat.id, message.message_id)?.reply_markup);
  }

  /** Resolves with sentMessages(chat) once the bot has at least `count` messages there. */
  waitForMessages(chat: ChatReference, count: number, timeoutMs = hangDeadlineMs): Promise<Message[]> {
    const chatId = chatIdOf(chat);
    return this.core.waitUntil(
      () => {
        const messages = this.sentMessages(chatId);
        return messages.length >= count ? messages : undefined;
      },
      timeoutMs,
      () =>
        `${count} bot message(s) in chat ${chatId}; got ${JSON.stringify(this.sentMessages(chatId).map((m) => m.text))}`,
    );
  }

  /** The bot's answerCallbackQuery for a button press, if it answered. */
  callbackAnswer(callbackQueryId: string): CallbackAnswer | undefined {
    return structuredClone(this.core.callbackQueries.get(callbackQueryId)?.answer);
  }

  waitForCallbackAnswer(callbackQueryId: string, timeoutMs = hangDeadlineMs): Promise<CallbackAnswer> {
    return this.core.waitUntil(
      () => this.callbackAnswer(callbackQueryId),
      timeoutMs,
      () => `an answer to callback query ${callbackQueryId}`,
    );
  }

  /** From now on setWebhook takes http:// on any port: for a test whose webhook server is local. */
  acceptInsecureWebhooks(): void {
    this.core.insecureWebhooks = true;
  }

  /** Button presses the bot has not answered (yet, or in time: `expired`), oldest first. */
  unansweredCallbackQueries(): {
    id: string;
    data: string | undefined;
    chatId: number | undefined;
    expired: boolean;
  }[] {
    return [...this.core.callbackQueries.values()]
      .filter((record) => record.answer === undefined)
      .map((record) => ({
        id: record.query.id,
        data: record.query.data,
        chatId: record.query.message?.chat.id,
        expired: record.expired || this.core.now() - record.pressedAt > this.core.callbackQueryTimeoutMs,
      }));
  }

  /**
   * For a story where the answer is meant to fail (Telegram refused it): checks that the press is
   * unanswered and stops reporting it.
   */
  expectUnanswered(callbackQueryId: string): void {
    const record = this.core.callbackQueries.get(callbackQueryId);
    if (record === undefined) throw new Error(`no callback query ${callbackQueryId}`);
    if (record.answer !== undefined) throw new Error(`callback query ${callbackQueryId} was answered`);
    this.core.callbackQueries.delete(callbackQueryId);
  }

  /**
   * Resolves once every button press so far has been answered; rejects, naming the presses left,
   * when one was answered too late or `timeoutMs` (a bound on a hang) passes first.
   */
  async expectCallbackQueriesAnswered(timeoutMs = hangDeadlineMs): Promise<void> {
    const describe = (): string => JSON.stringify(this.unansweredCallbackQueries());
    const outcome = await this.core.waitUntil(
      () => {
        const open = this.unansweredCallbackQueries();
        if (open.length === 0) return 'answered';
        return open.some((query) => query.expired) ? 'expired' : undefined;
      },
      timeoutMs,
      () => `every callback query to be answered; unanswered: ${describe()}`,
    );
    if (outcome === 'expired')
      throw new Error(`callback queries answered too late or not at all: ${describe()}`);
  }

  /** Calls the bot made (all, or those of one method), oldest first. */
  apiCalls(method?: string): ApiCall[] {
    const name = method === undefined ? undefined : (this.core.methodName(method) ?? method);
    return this.core.calls.filter((call) => name === undefined || call.method === name);
  }

  /** Resolves with the first finished call of `method` matching `predicate` (calls already made count). */
  waitForCall(
    method: string,
    predicate: (call: ApiCall) => boolean = () => true,
    timeoutMs = hangDeadlineMs,
  ): Promise<ApiCall> {
    return this.core.waitUntil(
      () => this.apiCalls(method).find((call) => call.ok !== undefined && predicate(call)),
      timeoutMs,
      () =>
        `a matching ${method} call; calls so far: ${JSON.stringify(this.apiCalls().map((call) => call.method))}`,
    );
  }

  clearApiCalls(): void {
    this.core.calls.length = 0;
  }

  /** Commands stored by setMyCommands for exactly this scope and language (like getMyCommands). */
  commands(options: { scope?: BotCommandScope; languageCode?: string } = {}): BotCommand[] {
    const scope = options.scope ?? { type: 'default' };
    let key: string = scope.type;
    if ('chat_id' in scope) key += `:${this.core.state.resolveChat(scope.chat_id).chat.id}`;
    if ('user_id' in scope) key += `:${scope.user_id}`;
    return structuredClone(this.core.state.commands.get(`${key}|${options.languageCode ?? ''}`) ?? []);
  }

  /** The command menu a user sees in a chat, resolved through scopes and languages as Telegram does. */
  commandsShownTo(
    user: User | number,
    chat: ChatReference,
    options: { languageCode?: string; isAdministrator?: boolean } = {},
  ): BotCommand[] {
    const userRecord = this.core.state.userRecord(user);
    return visibleCommands(
      this.core.state,
      userRecord.user.id,
      this.core.state.chatRecord(chatIdOf(chat)),
      options.languageCode ?? userRecord.user.language_code?.slice(0, 2) ?? '',
      options.isAdministrator ?? false,
    );
  }

  webhook(): WebhookState {
    const settings = this.core.deliverer.settings;
    const status = this.core.deliverer.status;
    return {
      url: settings?.url,
      secretToken: settings?.secretToken,
      pendingUpdateCount: this.core.queue.size,
      deliveredCount: status.deliveredCount,
      failedAttempts: status.failedAttempts,
      lastErrorMessage: status.lastErrorMessage,
    };
  }

  /** Updates queued and not yet confirmed (polling) or acknowledged (webhook). */
  get pendingUpdateCount(): number {
    return this.core.queue.size;
  }

  // --- Failures and limits --------------------------------------------------------------------

  /** The next `times` calls of `method` fail as given, without taking effect. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    this.core.failNext(method, failure, times);
  }

  /**
   * Holds the next call of `method` after it arrives, before Telegram acts on it, until the test
   * releases it: a way to be sure a sender is mid-send (to kill it there, say). Once released the
   * call takes effect and is answered, even if the sender is gone, as on Telegram. With
   * `passFirst`, that many calls of `method` pass first and the one after them is held: set before
   * the senders start, "the sixth sendMessage" is certain to come, however fast they send.
   */
  holdNext(method: string, passFirst = 0): HeldCall {
    return this.core.holdNext(method, passFirst);
  }

  /** The apiRoot a caller labelled `label` should use, so its calls carry `client: label`. */
  apiRootFor(label: string): string {
    return `${this.apiRoot}/client-${label}`;
  }

  /**
   * Enforces Telegram's flood limits on sending methods (defaults: 30/s overall, 1/s per chat,
   * 20/min per group) over sliding windows, answering 429 with retry_after when exceeded. On from
   * the start unless the emulator was started with `floodLimits: false`; call again to change them.
   */
  enforceRateLimits(limits: Partial<RateLimits> = {}): void {
    this.core.limiter.enforce({ ...telegramRateLimits, ...limits });
  }

  disableRateLimits(): void {
    this.core.limiter.enforce(undefined);
  }

  /** Counted sends accepted and refused, the peak rate over any 1-second window, first and last send times. */
  rateLimitStats(): RateLimitStats {
    return { ...this.core.limiter.stats };
  }

  resetRateLimitStats(): void {
    this.core.limiter.resetStats();
  }

  /**
   * Replaces the clock of flood limits and callback query ages (milliseconds), so a test can put
   * 35 sends in the same instant or let a minute pass without waiting; undefined restores real time.
   */
  setClock(clock: (() => number) | undefined): void {
    this.core.now = clock ?? preciseNow;
  }

  /**
   * Stops the emulator's clock at `at` (ms) and returns a way to move it: for a test whose sends
   * to one chat must be a second apart (as on Telegram) without waiting that second.
   */
  pinClock(at = 1_000_000_000): { advance: (ms: number) => void } {
    let now = at;
    this.setClock(() => now);
    return {
      advance: (ms) => {
        now += ms;
      },
    };
  }

  /** Every 429 answered so far, injected or from enforced limits. */
  get tooManyRequestsCount(): number {
    return this.core.tooManyRequestsCount;
  }

  // --- Lifecycle ------------------------------------------------------------------------------

  async close(): Promise<void> {
    await this.core.close();
    await stopServer(this.server);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts an emulator on a free local port. Stop the bot before `close()`. */
export async function startTelegramEmulator(
  options: TelegramEmulatorOptions = {},
): Promise<TelegramEmulator> {
  const botId = options.botId ?? 7_000_000_001;
  const token = options.token ?? `${botId}:AA${randomBytes(24).toString('base64url').slice(0, 33)}`;
  const botUser: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: options.botName ?? 'Counterpart Test Bot',
    username: options.botUsername ?? 'counterpart_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: options.privacyMode === false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const core = new EmulatorCore(
    {
      token,
      botUser,
      firstUpdateId: options.firstUpdateId ?? 100_000_001,
      recordCalls: options.recordCalls ?? true,
      webhookRetryDelayMs: options.webhookRetryDelayMs ?? 100,
      webhookMaxRetryDelayMs: options.webhookMaxRetryDelayMs ?? 2000,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
      callbackQueryTimeoutMs: options.callbackQueryTimeoutMs ?? 15_000,
      insecureWebhooks: options.insecureWebhooks ?? false,
    },
    { ...botSettingsMethods, ...updateMethods, ...messageMethods },
  );
  if (options.floodLimits !== false) core.limiter.enforce({ ...telegramRateLimits, ...options.floodLimits });
  const { server, apiRoot } = await listen(core, options.host ?? '127.0.0.1', options.port ?? 0);
  return new TelegramEmulator(core, server, apiRoot, options.privacyMode ?? true);
}
