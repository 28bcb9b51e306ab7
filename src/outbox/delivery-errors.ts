// What a failed send means for delivery. The messenger adapters (bots/*) throw their SDK's
// errors; we read the common shapes here so the core needs no SDK.

/**
 * retry: the messenger did not take the message (429, 5xx, connection refused); send again.
 * permanent: it never will (blocked bot, unknown chat, message rejected); give up and tell someone.
 * unknown_outcome: the request may have reached the messenger (timeout, connection reset after
 * writing); sending again could deliver twice.
 */
export type DeliveryFailure =
  | { kind: 'retry'; code: string; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; code: string }
  | { kind: 'unknown_outcome'; code: string };

/** Adapters may throw this to say exactly what happened. */
export class ChatDeliveryError extends Error {
  readonly failure: DeliveryFailure;
  constructor(failure: DeliveryFailure, message?: string) {
    super(message ?? `delivery failed: ${failure.kind} (${failure.code})`);
    this.name = 'ChatDeliveryError';
    this.failure = failure;
  }
}

// Failures that happen before a request is written: nothing can have been delivered.
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// Failures after the request may have been written: the messenger may have acted on it.
const ambiguousCodes = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function classifyDeliveryError(error: unknown): DeliveryFailure {
  if (error instanceof ChatDeliveryError) return error.failure;
  if (!isObject(error)) return { kind: 'retry', code: 'unknown' };

  // Telegram Bot API answered with an error (grammY GrammyError: error_code, parameters.retry_after).
  const telegramCode = error.error_code;
  if (typeof telegramCode === 'number') {
    const parameters = isObject(error.parameters) ? error.parameters : {};
    return fromStatus(
      telegramCode,
      typeof parameters.retry_after === 'number' ? parameters.retry_after * 1000 : undefined,
      'telegram',
    );
  }
  // Matrix homeserver answered with an error (matrix-js-sdk MatrixError: httpStatus, data.retry_after_ms).
  const matrixStatus = error.httpStatus;
  if (typeof matrixStatus === 'number') {
    const data = isObject(error.data) ? error.data : {};
    return fromStatus(
      matrixStatus,
      typeof data.retry_after_ms === 'number' ? data.retry_after_ms : undefined,
      'matrix',
    );
  }

  const network = networkCode(error);
  if (network !== undefined && notSentCodes.has(network)) return { kind: 'retry', code: network };
  if (network !== undefined && ambiguousCodes.has(network)) return { kind: 'unknown_outcome', code: network };
  if (error.name === 'AbortError' || error.name === 'TimeoutError' || error.name === 'SendTimeoutError') {
    return { kind: 'unknown_outcome', code: 'timeout' };
  }
  // Anything else (an adapter not connected yet, a bug before any request) sent nothing.
  return { kind: 'retry', code: typeof error.name === 'string' ? error.name : 'error' };
}

function fromStatus(status: number, retryAfterMs: number | undefined, platform: string): DeliveryFailure {
  const code = `${platform}_${status}`;
  if (status === 429) return { kind: 'retry', code, retryAfterMs: retryAfterMs ?? 1000 };
  if (status >= 500 || status === 408) return { kind: 'retry', code };
  return { kind: 'permanent', code };
}

/** The errno-style code of a network failure, looking through wrappers (grammY HttpError.error, fetch's cause). */
function networkCode(error: Record<string, unknown>, depth = 0): string | undefined {
  if (typeof error.code === 'string') return error.code;
  if (depth > 4) return undefined;
  for (const inner of [error.cause, error.error]) {
    if (isObject(inner)) {
      const code = networkCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
