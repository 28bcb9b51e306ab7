// The Telegram adapter: Telegram updates in, engine answers out. It translates and nothing more;
// every decision (who may ask, what to answer) is the conversation engine's.
import { sequentialize } from '@grammyjs/runner';
import type { FastifyPluginAsync } from 'fastify';
import { Api, Bot } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import {
  answerInline,
  ChatDeliveryError,
  type Button,
  type ChatAdapter,
  type ConversationEngine,
  type InboundMessage,
  type OutboundMessage,
  type RunningMessenger,
} from '../../src/chat/index.ts';
import { supportedLocales, type Locale, type Translator } from '../../src/i18n/i18n.ts';
import type { ReadinessCheck } from '../../src/http/operations-routes.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { RedisHandle } from '../../src/redis/redis-connection.ts';
import { createCallbackDataStore } from './callback-data-store.ts';
import { createPollingLock } from './polling-lock.ts';
import { inboundFromCallback, inboundFromMessage } from './telegram-inbound.ts';
import { createPoller, type Poller } from './telegram-polling.ts';
import { inlineKeyboard, splitForTelegram, telegramPlaceholderLimit } from './telegram-render.ts';
import { renderRichOnce } from './telegram-rich.ts';
import { telegramRetry, type TelegramRetryOptions } from './telegram-retry.ts';
import { telegramMessenger } from './telegram-messenger.ts';
import { telegramWebhookRoutes } from './telegram-webhook-routes.ts';
import { telegramWayIn } from './telegram-ways-in.ts';
import { createUpdateDeduplicator } from './update-deduplicator.ts';

export interface TelegramBotOptions {
  token: string;
  /** Bot API server: Telegram's, a self-hosted one, or an emulator in tests. */
  apiRoot: string;
  /** Webhook mode when set; long polling otherwise. */
  webhook?: { url: string; secret: string } | undefined;
  /** Known username (TELEGRAM_BOT_USERNAME), so invite links work before getMe answers. */
  username?: string | undefined;
  engine: ConversationEngine;
  translator: Translator;
  defaultLocale: Locale;
  redis: Pick<RedisHandle, 'client' | 'prefix'>;
  logger: Logger;
  retry?: TelegramRetryOptions;
  polling?: {
    /** Lease of the single poller. Default 30 s. */
    lockTtlMs?: number;
    /** How often a waiting replica tries to take over. Default 5 s. */
    retryEveryMs?: number;
    /** getUpdates long-poll timeout. Default 30 s. */
    timeoutSeconds?: number;
  };
}

export interface TelegramBot extends RunningMessenger {
  readonly mode: 'polling' | 'webhook';
  /** The one way out: inline answers and pushes (consultation relays, nudges) to a Telegram chat. */
  readonly adapter: ChatAdapter;
  /** The webhook route, for the HTTP app; registers nothing in polling mode. */
  readonly routes: FastifyPluginAsync;
  /** The bot's @username (without @), once known. */
  username(): string | undefined;
  /** Poller: is this replica the one polling right now? */
  isPolling(): boolean;
  /** `ok` once the Bot API answered getMe; `connecting` until then. Never holds the process unready. */
  readonly readiness: ReadinessCheck;
  /**
   * Connects in the background (getMe with its retries, the webhook, polling) and returns at
   * once: an unreachable Bot API must not keep the HTTP API from listening.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const allowedUpdates = ['message', 'callback_query'] as const;
const webhookDefaultPath = '/telegram/webhook';

/** The route path Telegram will call: the webhook URL's path (unless it is just "/"). */
export const webhookPathOf = (url: string): string => {
  const path = new URL(url).pathname;
  return path === '/' || path === '' ? webhookDefaultPath : path;
};

/**
 * A flow waiting for typed text: the reply field opens on the question, with the flow's hint as
 * its placeholder (Telegram allows either this or inline buttons on one message).
 */
const replyPrompt = (message: OutboundMessage) =>
  message.expects === undefined || (message.expects.kind !== 'text' && message.expects.kind !== 'date')
    ? {}
    : {
        reply_markup: {
          force_reply: true as const,
          ...(message.expects.placeholder === undefined
            ? {}
            : { input_field_placeholder: message.expects.placeholder.slice(0, telegramPlaceholderLimit) }),
        },
      };

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const { engine, translator, logger, webhook } = options;
  const redis =
    options.redis.client === undefined
      ? undefined
      : { client: options.redis.client, prefix: options.redis.prefix };
  const botId = options.token.split(':')[0] ?? 'bot';
  const bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
  bot.api.config.use(telegramRetry(logger, options.retry));
  // Outbox pushes (`paced` sends) go through an API client that does not retry a 429: the outbox
  // spaces them at the shared rate and waits out a 429's retry_after itself before taking a new
  // slot. A retry made here would go out unpaced on top of the paced stream: at full rate every
  // such retry crowds a second that is already nearly full and earns the next 429 (a cascade).
  const pacedApi = new Api(options.token, { apiRoot: options.apiRoot });
  pacedApi.config.use(telegramRetry(logger, { ...options.retry, retryRateLimited: false }));
  const callbacks = createCallbackDataStore({ redis });
  const deduplicator = createUpdateDeduplicator({ redis, botId });
  const mode = webhook === undefined ? 'polling' : 'webhook';

  // Keyboards already made, by their buttons: a remembered answer gives the same buttons every
  // time. Only those whose actions are their own callback data: a stored one (a long action) is
  // written to Redis with its expiry every time it is sent.
  const keyboards = new WeakMap<readonly Button[], InlineKeyboardMarkup>();
  async function keyboardFor(buttons: readonly Button[]): Promise<InlineKeyboardMarkup> {
    const known = keyboards.get(buttons);
    if (known !== undefined) return known;
    const encoded = new Map<string, string>();
    let stored = false;
    for (const button of buttons) {
      const data = await callbacks.encode(button.action);
      encoded.set(button.action, data);
      if (data !== button.action) stored = true;
    }
    const keyboard = inlineKeyboard(buttons, (action) => encoded.get(action) ?? action);
    if (!stored) keyboards.set(buttons, keyboard);
    return keyboard;
  }

  /** The adapter's one send: inline answers and outbox pushes alike (src/chat/reply-path.ts). */
  async function send(
    chatId: string,
    message: OutboundMessage,
    sendOptions: { paced?: boolean | undefined } = {},
  ): Promise<{ messageId: string }> {
    // Telegram chats are not end-to-end encrypted: content that must be never goes out here.
    if (message.requiresEncryption === true)
      throw new ChatDeliveryError(
        { kind: 'permanent', code: 'telegram_not_end_to_end_encrypted' },
        'Telegram cannot carry end-to-end encrypted content',
      );
    const threadTo =
      message.replyTo !== undefined && /^\d+$/.test(message.replyTo) ? Number(message.replyTo) : undefined;
    // An answer given as data is rendered in Telegram's idiom (bold names, links); other text is escaped.
    const pieces = message.rich === undefined ? splitForTelegram(message.text) : renderRichOnce(message.rich);
    const buttons = message.buttons ?? [];
    const keyboard = buttons.length === 0 ? undefined : await keyboardFor(buttons);
    let messageId = 0;
    for (const [index, piece] of pieces.entries()) {
      const last = index === pieces.length - 1;
      // Only the first piece is left to the pacer: once part of the message is out, a refusal
      // of the rest is waited out here rather than handed back (the outbox would resend it all).
      const api = index === 0 && sendOptions.paced === true ? pacedApi : bot.api;
      const sent = await api.sendMessage(chatId, piece, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(last && keyboard !== undefined ? { reply_markup: keyboard } : last ? replyPrompt(message) : {}),
        ...(index === 0 && threadTo !== undefined
          ? { reply_parameters: { message_id: threadTo, allow_sending_without_reply: true } }
          : {}),
      });
      messageId = sent.message_id;
    }
    return { messageId: String(messageId) };
  }

  const adapter: ChatAdapter = { ...telegramMessenger, send };

  /**
   * Answers now, through the same send as pushes (no queue hop on the webhook's hot path). A
   * failure goes back to grammY classified: the webhook route answers Telegram from it.
   */
  async function answer(inbound: InboundMessage, replies: readonly OutboundMessage[]): Promise<void> {
    const failed = await answerInline(adapter, inbound, replies);
    if (failed !== undefined) throw new ChatDeliveryError(failed.failure, undefined, failed.error);
  }

  // Answers in one chat keep their order; different chats are served in parallel (Telegram also
  // posts webhook updates over several connections at once).
  // sequentialize keeps an entry per chat only while that chat has an update in progress.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));
  if (mode === 'polling') {
    // A poller taking over may be handed updates its predecessor had already handled.
    bot.use(async (ctx, next) => {
      if (await deduplicator.claim(ctx.update.update_id)) await next();
    });
  }

  bot.on('message', async (ctx) => {
    const inbound = inboundFromMessage(ctx.message, ctx.me);
    if (inbound === undefined) return;
    const replies = await engine.handle(inbound);
    // In a group, answer as a reply so it is clear whom the bot answers.
    await answer(
      inbound,
      inbound.chatType === 'group'
        ? replies.map((reply) => ({ ...reply, replyTo: String(ctx.message.message_id) }))
        : replies,
    );
  });

  bot.on('callback_query:data', async (ctx) => {
    // Stops the button's spinner; cosmetic, so its failure must not stop the answer.
    await ctx.answerCallbackQuery().catch((error: unknown) => {
      logger.debug(
        { err: error instanceof Error ? error.message : String(error) },
        'answerCallbackQuery failed',
      );
    });
    // A stored long action that expired becomes an unknown action: the engine says the button is stale.
    const action = (await callbacks.decode(ctx.callbackQuery.data)) ?? 'expired:';
    const inbound = inboundFromCallback(ctx.callbackQuery, action);
    await answer(inbound, await engine.handle(inbound));
  });

  bot.catch((error) => {
    logger.error({ err: error.error, updateId: error.ctx.update.update_id }, 'Telegram update failed');
  });

  let initializing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let connected = false;
  /** getMe, once; concurrent callers share the attempt and a failure lets the next caller retry. */
  function ready(): Promise<void> {
    if (bot.isInited()) return Promise.resolve();
    initializing ??= bot.init().finally(() => {
      initializing = undefined;
    });
    return initializing;
  }

  async function setCommandMenus(): Promise<void> {
    // Menus in each language (Telegram picks by the user's app language) and a default one.
    const menus: { languageCode?: Locale; locale: Locale }[] = [
      ...supportedLocales.map((locale) => ({ languageCode: locale, locale })),
      { locale: options.defaultLocale },
    ];
    for (const menu of menus) {
      try {
        await bot.api.setMyCommands(
          engine.commands.menu(translator, menu.locale),
          menu.languageCode === undefined ? {} : { language_code: menu.languageCode },
        );
      } catch (error) {
        logger.warn(
          {
            err: error instanceof Error ? error.message : String(error),
            language: menu.languageCode ?? 'default',
          },
          'Telegram setMyCommands failed; the bot works without a menu',
        );
      }
    }
  }

  async function setUp(): Promise<void> {
    await ready();
    logger.info({ username: bot.botInfo.username, mode }, 'Telegram bot connected');
    if (webhook !== undefined) {
      await bot.api.setWebhook(webhook.url, {
        secret_token: webhook.secret,
        allowed_updates: [...allowedUpdates],
        drop_pending_updates: false,
      });
      logger.info({ path: webhookPathOf(webhook.url) }, 'Telegram webhook set');
    }
    // Menus are a convenience: set them in the background so they never delay serving.
    void setCommandMenus();
  }

  let poller: Poller | undefined;
  if (mode === 'polling') {
    const lockTtlMs = options.polling?.lockTtlMs ?? 30_000;
    poller = createPoller({
      bot,
      lock:
        redis === undefined
          ? undefined
          : createPollingLock({
              client: redis.client,
              key: `${redis.prefix}:telegram:poller:${botId}`,
              ttlMs: lockTtlMs,
            }),
      logger,
      retryEveryMs: options.polling?.retryEveryMs ?? 5000,
      renewEveryMs: Math.max(100, Math.floor(lockTtlMs / 3)),
      timeoutSeconds: options.polling?.timeoutSeconds ?? 30,
      allowedUpdates,
    });
  }

  const username = () => options.username ?? (bot.isInited() ? bot.botInfo.username : undefined);
  return {
    mode,
    adapter,
    // Workers only push (through `adapter`); updates are taken by API processes.
    connectsIn: 'api',
    wayIn: telegramWayIn(username),
    routes:
      webhook === undefined
        ? async () => undefined
        : telegramWebhookRoutes({
            path: webhookPathOf(webhook.url),
            secret: webhook.secret,
            bot,
            deduplicator,
            ready,
            logger,
          }),
    username,
    isPolling: () => poller?.isPolling() === true,
    readiness: {
      name: 'telegram',
      optional: true,
      check: () => Promise.resolve(connected ? 'ok' : 'connecting'),
    },

    start() {
      // Telegram being unreachable at start must not keep the API down: keep trying in the background.
      const attempt = async (): Promise<void> => {
        try {
          await setUp();
          connected = true;
          poller?.start();
        } catch (error) {
          if (stopped) return;
          logger.error(
            { err: error instanceof Error ? error.message : String(error) },
            'Telegram bot could not start; retrying in 30 s',
          );
          retryTimer = setTimeout(() => void attempt(), 30_000);
          retryTimer.unref();
        }
      };
      void attempt();
      return Promise.resolve();
    },

    async stop() {
      stopped = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      await poller?.stop();
    },
  };
}
