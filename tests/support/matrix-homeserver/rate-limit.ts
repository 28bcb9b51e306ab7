// Synapse's per-user message rate limit (rc_message): a leaky bucket of `burstCount` actions that
// drains at `perSecond`. A refused action costs nothing and is told how long to wait; a retry
// before that time is refused again, so "one 429, then one success" proves a client waited.
import { MatrixError } from './homeserver-state.ts';

export interface RateLimitSettings {
  perSecond: number;
  burstCount: number;
}

/** Synapse's defaults for rc_message (sending events, setting state, redacting). */
export const synapseMessageRateLimit: RateLimitSettings = { perSecond: 0.2, burstCount: 10 };

export class MessageRateLimiter {
  settings: RateLimitSettings | undefined;
  /** Users the limit does not apply to (Synapse: an admin's per-user override, or an appservice). */
  readonly exempt = new Set<string>();
  private readonly buckets = new Map<string, { actions: number; since: number }>();

  constructor(settings: RateLimitSettings | undefined) {
    this.settings = settings;
  }

  /** Counts one action of `userId`, or throws 429 M_LIMIT_EXCEEDED with the wait (body and Retry-After). */
  take(userId: string, now = Date.now()): void {
    const settings = this.settings;
    if (settings === undefined || this.exempt.has(userId)) return;
    const bucket = this.buckets.get(userId) ?? { actions: 0, since: now };
    const performed = Math.max(0, bucket.actions - ((now - bucket.since) / 1000) * settings.perSecond);
    // The tolerance absorbs float rounding: a retry exactly retry_after_ms later is allowed.
    if (performed + 1 <= settings.burstCount + 1e-9) {
      this.buckets.set(userId, { actions: performed + 1, since: now });
      return;
    }
    const retryAfterMs = Math.ceil(((performed + 1 - settings.burstCount) / settings.perSecond) * 1000);
    throw new MatrixError(
      429,
      'M_LIMIT_EXCEEDED',
      'Too Many Requests',
      { retry_after_ms: retryAfterMs },
      // Synapse sends both; spec v1.10 prefers the header (whole seconds, rounded up).
      { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) },
    );
  }
}
