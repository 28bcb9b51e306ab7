// What Matrix can do and what its failures mean, declared for the core (src/chat's messenger port).
import {
  classifyTransportFailure,
  failureFromStatus,
  type DeliveryFailure,
  type Messenger,
} from '../../src/chat/index.ts';

/**
 * The homeserver answered with an error (matrix-js-sdk MatrixError: httpStatus, data.retry_after_ms
 * and the Retry-After header, which spec v1.10 prefers; Synapse sends both). The longer wait wins.
 */
export function classifyMatrixFailure(error: unknown): DeliveryFailure {
  if (isObject(error) && typeof error.httpStatus === 'number') {
    const data = isObject(error.data) ? error.data : {};
    const waits = [
      typeof data.retry_after_ms === 'number' ? data.retry_after_ms : undefined,
      retryAfterHeaderMs(error.httpHeaders),
    ].filter((ms): ms is number => ms !== undefined && Number.isFinite(ms) && ms >= 0);
    return failureFromStatus(error.httpStatus, waits.length === 0 ? undefined : Math.max(...waits), 'matrix');
  }
  return classifyTransportFailure(error);
}

/** Retry-After as whole seconds or an HTTP date, in milliseconds from now. */
function retryAfterHeaderMs(headers: unknown): number | undefined {
  if (!(headers instanceof Headers)) return undefined;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export const matrixMessenger: Messenger = {
  platform: 'matrix',
  capabilities: {
    // The bot creates encrypted rooms and refuses to send sensitive content into any other.
    endToEndEncrypted: true,
    threads: true,
    // Element shows no bot buttons: choices are numbered lines answered by typing the number.
    choices: 'numbered',
    // Element takes `/` for its own commands.
    commandPrefix: '!',
    linkCommand: '!link',
    maxMessageLength: 30_000,
    // A bot cannot set hints in Element's composer.
    maxInputHintLength: 0,
    // Numbered choices: the actions stay in the bot's own table, the room sees only numbers.
    maxButtonActionBytes: 255,
    formatting: 'html',
    // Transaction ids: the homeserver keeps one event per (device, txn id).
    idempotentSends: true,
    // Homeservers rate-limit per sending user; a bot account is usually exempted but not always.
    sendRate: { perSecond: 10, perChatPerSecond: 2 },
  },
  classifyFailure: classifyMatrixFailure,
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
