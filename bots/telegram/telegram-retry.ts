import { HttpError, type Transformer } from 'grammy';
import type { Logger } from '../../src/logging/logger.ts';

export interface TelegramRetryOptions {
  /** Attempts after the first. Default 5. */
  maxRetries?: number;
  /** First backoff after a 5xx or network error; doubled each time. Default 1000 ms. */
  baseDelayMs?: number;
  /** Longest wait, for backoff and for a 429's retry_after alike. Default 60 s. */
  maxDelayMs?: number;
  /**
   * Retry a 429 after its retry_after. Default true. Off for paced sends (outbox pushes): their
   * pacer waits the retry_after and takes a new slot, where a retry from here would go out unpaced.
   */
  retryRateLimited?: boolean;
}

/** grammY types its signal with the abort-controller polyfill; only these members are used. */
interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

const sleep = (ms: number, signal: AbortSignalLike | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Retries outbound Bot API calls: a 429 after the `retry_after` Telegram asks for, a 5xx or a
 * network failure with exponential backoff (and jitter, so replicas do not retry in step). Unlike
 * @grammyjs/auto-retry it gives up after a bounded number of attempts, so a dead network cannot
 * hold a webhook request forever; the caller then sees the error. `getUpdates` is left to the
 * runner, which has its own retry loop.
 */
export function telegramRetry(logger: Logger, options: TelegramRetryOptions = {}): Transformer {
  const maxRetries = options.maxRetries ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    let backoff = baseDelayMs;
    for (let attempt = 0; ; attempt++) {
      let delay: number | undefined;
      try {
        const result = await prev(method, payload, signal);
        if (result.ok || attempt >= maxRetries) return result;
        const retryAfter = result.parameters?.retry_after;
        if (result.error_code === 429 && typeof retryAfter === 'number') {
          if (retryAfter * 1000 > maxDelayMs || options.retryRateLimited === false) return result;
          delay = retryAfter * 1000;
        } else if (result.error_code >= 500) {
          delay = backoff;
        } else {
          return result;
        }
        logger.warn(
          { method, errorCode: result.error_code, retryInMs: delay, attempt: attempt + 1 },
          'Telegram API call refused; retrying',
        );
      } catch (error) {
        if (!(error instanceof HttpError) || signal?.aborted === true || attempt >= maxRetries) throw error;
        delay = backoff;
        logger.warn(
          { method, err: error.message, retryInMs: delay, attempt: attempt + 1 },
          'Telegram API unreachable; retrying',
        );
      }
      await sleep(Math.min(delay, maxDelayMs), signal);
      backoff = Math.min(backoff * 2, maxDelayMs) * (0.8 + Math.random() * 0.4);
    }
  };
}
