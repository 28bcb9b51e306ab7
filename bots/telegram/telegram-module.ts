// The Telegram adapter as the composition root sees it (src/chat/messenger-module.ts): on when
// TELEGRAM_BOT_TOKEN is set, webhook mode when TELEGRAM_WEBHOOK_URL is.
import { join } from 'node:path';
import type { MessengerAdapterModule } from '../../src/chat/index.ts';
import { createTelegramBot, type TelegramBot } from './telegram-bot.ts';
import { telegramMessenger } from './telegram-messenger.ts';
import { telegramWayInFromConfig } from './telegram-ways-in.ts';

export const telegramAdapterModule: MessengerAdapterModule<TelegramBot> = {
  messenger: telegramMessenger,
  // Its name as people read it, in en and ru.
  localesFolder: join(import.meta.dirname, 'locales'),
  // Telegram presents the webhook secret in this header on every update.
  redactedLogPaths: ['req.headers["x-telegram-bot-api-secret-token"]'],
  create({ config, engine, translator, chatRedis, logger }) {
    const { botToken, apiRoot, webhookUrl, webhookSecret, botUsername } = config.telegram;
    if (botToken === undefined) {
      logger.info(
        'Telegram bot is off: TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and set it to turn the bot on)',
      );
      return undefined;
    }
    return createTelegramBot({
      engine,
      translator,
      redis: chatRedis,
      logger,
      token: botToken,
      apiRoot,
      webhook:
        webhookUrl === undefined || webhookSecret === undefined
          ? undefined
          : { url: webhookUrl, secret: webhookSecret },
      username: botUsername,
      defaultLocale: config.defaultLocale,
    });
  },
  wayInFromConfig: telegramWayInFromConfig,
};
