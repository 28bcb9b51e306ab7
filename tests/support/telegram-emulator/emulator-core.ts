// The emulated Bot API server's core: method dispatch, the call log, injected failures, flood
// limits, long-poll coordination and the update queue. The HTTP layer and the test controls sit on top.
import type { CallbackQuery, Update, UserFromGetMe } from 'grammy/types';
import { BotApiError, tooManyRequests } from './bot-api-error.ts';
import { EmulatorState, type ChatRecord } from './emulator-state.ts';
import { MethodParameters } from './method-parameters.ts';
import { preciseNow, RateLimiter } from './rate-limiter.ts';
import type { RawParameters } from './request-body.ts';
import { UpdateQueue } from './update-queue.ts';
import { WebhookDeliverer } from './webhook-deliverer.ts';

export interface CallContext {
  /** The documented spelling of the method (Telegram method names are case-insensitive). */
  method: string;
  /** Aborted when the client goes away (ends a long poll). */
  signal: AbortSignal;
  viaWebhookReply: boolean;
}

export type MethodHandler = (parameters: MethodParameters, core: EmulatorCore, call: CallContext) => unknown;
export type MethodTable = Record<string, MethodHandler>;

/** A successful result that also carries Telegram's `description` (setWebhook: "Webhook was set"). */
export class ResultWithDescription {
  readonly result: unknown;
  readonly description: string;
  constructor(result: unknown, description: string) {
    this.result = result;
    this.description = description;
  }
}

/** One Bot API call the bot made, as the emulator saw it. */
export interface ApiCall {
  method: string;
  /** Parameters as sent; JSON-encoded form fields are decoded. */
  params: Record<string, unknown>;
  /** When the call arrived (ms since epoch). */
  at: number;
  /** Undefined while the call is still running (a long poll). */
  ok: boolean | undefined;
  errorCode?: number;
  description?: string;
  /** The call came as the body of a webhook response. */
  viaWebhookReply: boolean;
  /** The caller's label, when it used an apiRoot ending in `/client-<label>`. */
  client?: string;
}

/** A call held before Telegram acts on it: the sender is mid-send until the test releases it. */
export interface HeldCall {
  /** Resolves with the call once it has arrived and is being held. */
  arrived: Promise<ApiCall>;
  /** Lets Telegram act on it (even if the sender has died meanwhile) and answer. */
  release(): void;
}

export type InjectedFailure =
  | { errorCode: 429; retryAfter: number; description?: string }
  | { errorCode: number; description?: string; retryAfter?: number }
  /** The server drops the connection without answering (a network error for the bot). */
  | { dropConnection: true };

export interface CallbackAnswer {
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime: number;
}

export interface CallbackQueryRecord {
  query: CallbackQuery;
  answer: CallbackAnswer | undefined;
  /** When the user pressed (the emulator's clock, ms): answers come within callbackQueryTimeoutMs. */
  pressedAt: number;
  /** An answer came too late and was refused. */
  expired: boolean;
}

export type CallOutcome =
  { kind: 'drop' } | { kind: 'answer'; status: number; body: Record<string, unknown> };

const defaultDescriptions: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

export interface EmulatorCoreOptions {
  token: string;
  botUser: UserFromGetMe;
  firstUpdateId: number;
  recordCalls: boolean;
  webhookRetryDelayMs: number;
  webhookMaxRetryDelayMs: number;
  webhookTimeoutMs: number;
  callbackQueryTimeoutMs: number;
  insecureWebhooks: boolean;
}

function injectedError(failure: Exclude<InjectedFailure, { dropConnection: true }>): BotApiError {
  if (failure.errorCode === 429) {
    const retryAfter = failure.retryAfter ?? 1;
    return new BotApiError(429, failure.description ?? `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });
  }
  const description = failure.description ?? defaultDescriptions[failure.errorCode] ?? 'Error';
  return new BotApiError(
    failure.errorCode,
    description,
    failure.retryAfter === undefined ? undefined : { retry_after: failure.retryAfter },
  );
}

function decodeJsonFields(raw: RawParameters): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
      try {
        decoded[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON after all: keep the string.
      }
    }
    decoded[key] = value;
  }
  return decoded;
}

export class EmulatorCore {
  readonly token: string;
  readonly botUser: UserFromGetMe;
  readonly state = new EmulatorState();
  readonly queue: UpdateQueue;
  readonly deliverer: WebhookDeliverer;
  readonly limiter = new RateLimiter();
  readonly calls: ApiCall[] = [];
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  recordCalls: boolean;
  /** How long after a press answerCallbackQuery is still accepted. */
  readonly callbackQueryTimeoutMs: number;
  /** setWebhook takes http:// on any port (a local test server) instead of Telegram's rule. */
  insecureWebhooks: boolean;
  tooManyRequestsCount = 0;
  /** The emulator's time for flood limits and callback query ages (ms); tests may replace it. */
  now: () => number = preciseNow;
  private readonly handlers = new Map<string, { name: string; handler: MethodHandler }>();
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly holds = new Map<
    string,
    { arrive: (call: ApiCall) => void; released: Promise<void>; passFirst: number }[]
  >();
  private readonly changeListeners = new Set<() => void>();
  /** After an injected 429, the chat (or '*') stays closed until its retry_after has passed. */
  private readonly floodWaits = new Map<string, number>();
  private activePoll: { finish: (error?: BotApiError) => void } | undefined;

  constructor(options: EmulatorCoreOptions, methods: MethodTable) {
    this.token = options.token;
    this.botUser = options.botUser;
    this.recordCalls = options.recordCalls;
    this.callbackQueryTimeoutMs = options.callbackQueryTimeoutMs;
    this.insecureWebhooks = options.insecureWebhooks;
    this.queue = new UpdateQueue(options.firstUpdateId);
    this.deliverer = new WebhookDeliverer(this.queue, {
      retryDelayMs: options.webhookRetryDelayMs,
      maxRetryDelayMs: options.webhookMaxRetryDelayMs,
      timeoutMs: options.webhookTimeoutMs,
      onWebhookReply: (payload) => {
        const { method, ...parameters } = payload;
        void this.execute(String(method), parameters, AbortSignal.timeout(60_000), true);
      },
      onChange: () => {
        this.changed();
      },
    });
    for (const [name, handler] of Object.entries(methods))
      this.handlers.set(name.toLowerCase(), { name, handler });
  }

  changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** Resolves with `check()`'s first defined value, re-checked after every change; rejects after the timeout. */
  waitUntil<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Telegram emulator: timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.changeListeners.delete(listener);
      };
      this.changeListeners.add(listener);
    });
  }

  methodName(method: string): string | undefined {
    return this.handlers.get(method.toLowerCase())?.name;
  }

  failNext(method: string, failure: InjectedFailure, times: number): void {
    const key = method.toLowerCase();
    const queued = this.failures.get(key) ?? [];
    for (let index = 0; index < times; index += 1) queued.push(failure);
    this.failures.set(key, queued);
  }

  holdNext(method: string, passFirst = 0): HeldCall {
    let arrive: (call: ApiCall) => void = () => undefined;
    let release: () => void = () => undefined;
    const arrived = new Promise<ApiCall>((resolve) => {
      arrive = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const key = method.toLowerCase();
    this.holds.set(key, [...(this.holds.get(key) ?? []), { arrive, released, passFirst }]);
    return { arrived, release };
  }

  /** The hold the call of `method` now arriving meets, if any (one still letting calls pass counts this one). */
  private takeHold(method: string): { arrive: (call: ApiCall) => void; released: Promise<void> } | undefined {
    const waiting = this.holds.get(method);
    const first = waiting?.[0];
    if (first === undefined) return undefined;
    if (first.passFirst > 0) {
      first.passFirst -= 1;
      return undefined;
    }
    return waiting?.shift();
  }

  /** Counts a message against the flood limits; throws 429 with retry_after when they are exceeded. */
  consumeSendQuota(chat: ChatRecord, method: string): void {
    if (!this.limiter.counts(method)) return;
    const retryAfter = this.limiter.trySend(chat.chat.id, chat.chat.type !== 'private', this.now());
    if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
  }

  terminateActivePoll(error?: BotApiError): void {
    this.activePoll?.finish(error);
  }

  /** Holds a getUpdates call until an update arrives, the timeout passes, the client leaves or another poll takes over. */
  waitForUpdates(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const poll = {
        finish: (error?: BotApiError): void => {
          unsubscribe();
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          if (this.activePoll === poll) this.activePoll = undefined;
          if (error === undefined) resolve();
          else reject(error);
        },
      };
      const onAbort = (): void => {
        poll.finish();
      };
      const unsubscribe = this.queue.onPush(() => {
        poll.finish();
      });
      const timer = setTimeout(onAbort, timeoutMs);
      signal.addEventListener('abort', onAbort);
      this.activePoll = poll;
    });
  }

  /** Queues an update for the bot (numbering it unless it carries an update_id); returns it. */
  pushUpdate(partial: Omit<Update, 'update_id'> & { update_id?: number }): {
    update: Update;
    queued: boolean;
  } {
    const update = structuredClone(partial) as Update;
    if (typeof partial.update_id === 'number') this.queue.noteUpdateId(partial.update_id);
    else update.update_id = this.queue.allocateUpdateId();
    const queued = this.queue.push(update);
    this.changed();
    return { update: structuredClone(update), queued };
  }

  /** Runs one Bot API call end to end: logging, injected failures, the handler, the answer. */
  async execute(
    method: string,
    raw: RawParameters,
    signal: AbortSignal,
    viaWebhookReply: boolean,
    client?: string,
  ): Promise<CallOutcome> {
    const entry = this.handlers.get(method.toLowerCase());
    if (entry === undefined)
      return { kind: 'answer', status: 404, body: new BotApiError(404, 'Not Found').toJSON() };
    const call: ApiCall = {
      method: entry.name,
      params: decodeJsonFields(raw),
      at: Date.now(),
      ok: undefined,
      viaWebhookReply,
      ...(client === undefined ? {} : { client }),
    };
    if (this.recordCalls) this.calls.push(call);
    const hold = viaWebhookReply ? undefined : this.takeHold(entry.name.toLowerCase());
    if (hold !== undefined) {
      hold.arrive(call);
      await hold.released;
    }
    let outcome: CallOutcome;
    const floodKey =
      typeof raw.chat_id === 'string' || typeof raw.chat_id === 'number' ? String(raw.chat_id) : '*';
    const waitUntil = viaWebhookReply ? undefined : this.floodWaits.get(floodKey);
    // A caller that comes back before the retry_after it was given is refused again, as Telegram does.
    const early =
      waitUntil !== undefined && waitUntil > this.now()
        ? ({ errorCode: 429, retryAfter: Math.ceil((waitUntil - this.now()) / 1000) } as const)
        : undefined;
    const failure =
      early ?? (viaWebhookReply ? undefined : this.failures.get(entry.name.toLowerCase())?.shift());
    if (
      early === undefined &&
      failure !== undefined &&
      !('dropConnection' in failure) &&
      failure.errorCode === 429
    )
      this.floodWaits.set(floodKey, this.now() + (failure.retryAfter ?? 1) * 1000);
    if (failure !== undefined && 'dropConnection' in failure) {
      call.ok = false;
      outcome = { kind: 'drop' };
    } else {
      let error: BotApiError | undefined;
      let result: unknown;
      if (failure !== undefined) {
        error = injectedError(failure);
      } else {
        try {
          result = await entry.handler(new MethodParameters(raw), this, {
            method: entry.name,
            signal,
            viaWebhookReply,
          });
        } catch (caught) {
          if (!(caught instanceof BotApiError)) throw caught;
          error = caught;
        }
      }
      if (error === undefined) {
        call.ok = true;
        const body =
          result instanceof ResultWithDescription
            ? { ok: true, result: result.result, description: result.description }
            : { ok: true, result };
        // Serialize now: later edits must not change an answer already given.
        outcome = {
          kind: 'answer',
          status: 200,
          body: JSON.parse(JSON.stringify(body)) as Record<string, unknown>,
        };
      } else {
        if (error.errorCode === 429) this.tooManyRequestsCount += 1;
        call.ok = false;
        call.errorCode = error.errorCode;
        call.description = error.description;
        outcome = { kind: 'answer', status: error.errorCode, body: error.toJSON() };
      }
    }
    this.changed();
    return outcome;
  }

  async close(): Promise<void> {
    this.terminateActivePoll();
    await this.deliverer.close();
  }
}
