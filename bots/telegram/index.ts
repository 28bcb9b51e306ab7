// Public surface of the Telegram adapter, used by the composition root.
export {
  createTelegramBot,
  webhookPathOf,
  type TelegramBot,
  type TelegramBotOptions,
} from './telegram-bot.ts';
export {
  escapeTelegramHtml,
  splitForTelegram,
  inlineKeyboard,
  telegramMessageLimit,
} from './telegram-render.ts';
export { telegramMessenger } from './telegram-messenger.ts';
export { telegramAdapterModule } from './telegram-module.ts';
export { telegramWayIn, telegramWayInFromConfig } from './telegram-ways-in.ts';
