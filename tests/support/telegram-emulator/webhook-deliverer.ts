// Pushes queued updates to the bot's webhook the way Telegram does: POST with a JSON body and the
// secret header, up to max_connections at once, updates of one chat in order, and a failed update
// retried with growing delays until the bot's server answers 2xx. A JSON answer carrying a `method`
// is executed as a Bot API call (Telegram's "reply to the webhook").
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Update } from 'grammy/types';
import type { QueuedUpdate, UpdateQueue } from './update-queue.ts';

export interface WebhookSettings {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
  ipAddress: string | undefined;
  hasCustomCertificate: boolean;
}

export interface WebhookDelivererOptions {
  retryDelayMs: number;
  maxRetryDelayMs: number;
  timeoutMs: number;
  /** Runs a method found in a webhook response body. */
  onWebhookReply: (payload: Record<string, unknown>) => void;
  onChange: () => void;
}

export interface WebhookDeliveryStatus {
  lastErrorDate: number | undefined;
  lastErrorMessage: string | undefined;
  deliveredCount: number;
  failedAttempts: number;
}

/** Updates of one chat (or from one user) go out one at a time, in order. */
function orderingKey(update: Update): string {
  for (const [key, value] of Object.entries(update)) {
    if (key === 'update_id' || typeof value !== 'object' || value === null) continue;
    const payload = value as {
      chat?: { id: number };
      message?: { chat?: { id: number } };
      from?: { id: number };
    };
    const chatId = payload.chat?.id ?? payload.message?.chat?.id;
    if (chatId !== undefined) return `chat:${chatId}`;
    if (payload.from !== undefined) return `user:${payload.from.id}`;
  }
  return `update:${update.update_id}`;
}

interface WebhookResponse {
  status: number;
  statusText: string;
  contentType: string | undefined;
  body: string;
}

function describeFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'Connection refused';
  if (code === 'ETIMEDOUT') return 'Read timeout expired';
  return `Connection failed: ${error instanceof Error ? error.message : String(error)}`;
}

export class WebhookDeliverer {
  private settingsValue: WebhookSettings | undefined;
  private readonly queue: UpdateQueue;
  private readonly options: WebhookDelivererOptions;
  private inFlight = new Set<Promise<void>>();
  private retryTimer: NodeJS.Timeout | undefined;
  private agent: { url: string; agent: HttpAgent } | undefined;
  private closed = false;
  readonly status: WebhookDeliveryStatus = {
    lastErrorDate: undefined,
    lastErrorMessage: undefined,
    deliveredCount: 0,
    failedAttempts: 0,
  };

  constructor(queue: UpdateQueue, options: WebhookDelivererOptions) {
    this.queue = queue;
    this.options = options;
    queue.onPush(() => {
      this.pump();
    });
  }

  get settings(): WebhookSettings | undefined {
    return this.settingsValue;
  }

  configure(settings: WebhookSettings | undefined): void {
    this.settingsValue = settings;
    this.status.lastErrorDate = undefined;
    this.status.lastErrorMessage = undefined;
    for (const entry of this.queue.entries) {
      entry.notBefore = 0;
      entry.attempts = 0;
    }
    this.pump();
  }

  pump(): void {
    const settings = this.settingsValue;
    if (settings === undefined || this.closed || this.inFlight.size >= settings.maxConnections) return;
    const now = Date.now();
    const busy = new Set<string>();
    let inFlightCount = this.inFlight.size;
    let nextRetryAt = Number.POSITIVE_INFINITY;
    for (const entry of this.queue.entries) {
      const key = orderingKey(entry.update);
      if (busy.has(key)) continue;
      busy.add(key);
      if (entry.inFlight) continue;
      if (entry.notBefore > now) {
        nextRetryAt = Math.min(nextRetryAt, entry.notBefore);
        continue;
      }
      if (inFlightCount >= settings.maxConnections) break;
      inFlightCount += 1;
      this.deliver(entry, settings);
    }
    if (nextRetryAt !== Number.POSITIVE_INFINITY) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.pump();
      }, nextRetryAt - now);
    }
  }

  private deliver(entry: QueuedUpdate, settings: WebhookSettings): void {
    entry.inFlight = true;
    const delivery = this.post(entry, settings).finally(() => {
      entry.inFlight = false;
      this.inFlight.delete(delivery);
      this.options.onChange();
      this.pump();
    });
    this.inFlight.add(delivery);
  }

  private async post(entry: QueuedUpdate, settings: WebhookSettings): Promise<void> {
    let failure: string | undefined;
    try {
      const response = await this.postJson(settings, JSON.stringify(entry.update));
      if (response.status >= 200 && response.status < 300) {
        this.queue.remove(entry);
        this.status.deliveredCount += 1;
        this.runWebhookReply(response.contentType, response.body);
        return;
      }
      failure = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
    } catch (error) {
      failure = describeFailure(error);
    }
    entry.attempts += 1;
    entry.notBefore =
      Date.now() +
      Math.min(this.options.maxRetryDelayMs, this.options.retryDelayMs * 2 ** (entry.attempts - 1));
    this.status.failedAttempts += 1;
    this.status.lastErrorDate = Math.floor(Date.now() / 1000);
    this.status.lastErrorMessage = failure;
  }

  // node:http with a keep-alive agent rather than fetch: a benchmark pushes thousands of updates a
  // second through here, and the emulator should not be what limits it.
  private postJson(settings: WebhookSettings, body: string): Promise<WebhookResponse> {
    if (this.agent?.url !== settings.url) {
      this.agent?.agent.destroy();
      const AgentClass = settings.url.startsWith('https:') ? HttpsAgent : HttpAgent;
      this.agent = {
        url: settings.url,
        agent: new AgentClass({ keepAlive: true, maxSockets: settings.maxConnections }),
      };
    }
    const send = settings.url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        settings.url,
        {
          method: 'POST',
          agent: this.agent?.agent,
          timeout: this.options.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(settings.secretToken === undefined
              ? {}
              : { 'x-telegram-bot-api-secret-token': settings.secretToken }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              contentType: response.headers['content-type'],
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  private runWebhookReply(contentType: string | undefined, body: string): void {
    if (body.trim() === '' || !(contentType ?? '').toLowerCase().includes('json')) return;
    try {
      const payload: unknown = JSON.parse(body);
      if (
        typeof payload === 'object' &&
        payload !== null &&
        typeof (payload as { method?: unknown }).method === 'string'
      ) {
        this.options.onWebhookReply(payload as Record<string, unknown>);
      }
    } catch {
      // Telegram ignores a response body it cannot read.
    }
  }

  /** Waits for deliveries under way; no new ones start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await Promise.allSettled([...this.inFlight]);
    this.agent?.agent.destroy();
  }
}
