// What Telegram can do and what its failures mean, declared for the core (src/chat's messenger port).
import {
  classifyTransportFailure,
  failureFromStatus,
  type DeliveryFailure,
  type Messenger,
} from '../../src/chat/index.ts';
import { callbackDataLimit, telegramMessageLimit, telegramPlaceholderLimit } from './telegram-render.ts';

/** The Bot API answered with an error (grammY GrammyError: error_code, parameters.retry_after in seconds). */
export function classifyTelegramFailure(error: unknown): DeliveryFailure {
  if (isObject(error) && typeof error.error_code === 'number') {
    const parameters = isObject(error.parameters) ? error.parameters : {};
    return failureFromStatus(
      error.error_code,
      typeof parameters.retry_after === 'number' ? parameters.retry_after * 1000 : undefined,
      'telegram',
    );
  }
  return classifyTransportFailure(error);
}

export const telegramMessenger: Messenger = {
  platform: 'telegram',
  capabilities: {
    // Bot chats are client-server encrypted only: sensitive consultations never go here.
    endToEndEncrypted: false,
    threads: true,
    choices: 'buttons',
    commandPrefix: '/',
    // Invite deep links (t.me/bot?start=CODE) arrive as `/start CODE`.
    linkCommand: '/start',
    maxMessageLength: telegramMessageLimit,
    // A flow's hint becomes the reply field's placeholder.
    maxInputHintLength: telegramPlaceholderLimit,
    // Callback data; a longer action is kept in Redis under a short token (callback-data-store.ts).
    maxButtonActionBytes: callbackDataLimit,
    formatting: 'html',
    // The Bot API has no idempotency key: a send with an unknown outcome is not repeated.
    idempotentSends: false,
    // At most 30 messages a second overall and one a second per chat (Bot API FAQ), counted in
    // sliding windows where Telegram receives the calls. Sends are spaced at 28 a second (93% of
    // the allowance); the ceiling is checked against the sends really started, because a process
    // that stalls after its slot (a busy event loop) sends late and bunches with later slots.
    sendRate: { perSecond: 28, perChatPerSecond: 1, ceiling: { perSecond: 30, perChatPerSecond: 1 } },
  },
  classifyFailure: classifyTelegramFailure,
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
