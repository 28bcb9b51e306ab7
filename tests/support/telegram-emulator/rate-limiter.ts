// Telegram's flood limits for sending: about 30 messages a second overall, one a second per chat,
// 20 a minute per group; edits of messages count like sends. Counted over sliding windows of exact length (not fixed buckets), so a
// benchmark measuring the send rate a bot reaches against the limit measures the real thing.

export interface RateLimits {
  /** Messages a second over all chats (Telegram: 30). */
  globalPerSecond: number;
  /** Messages a second in one chat (Telegram: 1). */
  perChatPerSecond: number;
  /** Messages a minute in one group or supergroup (Telegram: 20). */
  perGroupPerMinute: number;
  /** Methods that count as sending a message. */
  countedMethods: readonly string[];
}

export const telegramRateLimits: RateLimits = {
  globalPerSecond: 30,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
  countedMethods: [
    'sendMessage', 'sendPhoto', 'sendDocument', 'sendAudio', 'sendVideo', 'sendAnimation', 'sendVoice',
    'sendVideoNote', 'sendMediaGroup', 'sendLocation', 'sendVenue', 'sendContact', 'sendPoll', 'sendDice',
    'sendSticker', 'copyMessage', 'copyMessages', 'forwardMessage', 'forwardMessages',
    'editMessageText', 'editMessageReplyMarkup', 'editMessageCaption', 'editMessageMedia',
  ],
}; // prettier-ignore

export interface RateLimitStats {
  /** Counted sends that were accepted (enforced or not). */
  acceptedSends: number;
  /** Counted sends refused with 429 by the enforced limits. */
  rejectedSends: number;
  /** The most accepted sends inside any sliding one-second window. */
  peakGlobalPerSecond: number;
  /** Time of the first and last accepted send, in milliseconds (`performance.timeOrigin + performance.now()`). */
  firstSendAt: number | undefined;
  lastSendAt: number | undefined;
  /** (acceptedSends - 1) / seconds between the first and the last accepted send; 0 below two sends. */
  averageSendsPerSecond: number;
}

class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  prune(now: number, windowMs: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - windowMs) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  get count(): number {
    return this.times.length - this.head;
  }

  /** The time of the entry that must leave the window before `limit` entries fit again. */
  blockingEntry(limit: number): number | undefined {
    return this.times[this.head + this.count - limit];
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export class RateLimiter {
  private limits: RateLimits | undefined;
  private counted = new Set(telegramRateLimits.countedMethods);
  private global = new SlidingWindow();
  private perChat = new Map<number, SlidingWindow>();
  private perGroup = new Map<number, SlidingWindow>();
  private counters = { acceptedSends: 0, rejectedSends: 0, peakGlobalPerSecond: 0 };
  private firstSendAt: number | undefined;
  private lastSendAt: number | undefined;

  enforce(limits: RateLimits | undefined): void {
    this.limits = limits;
    this.counted = new Set(limits?.countedMethods ?? telegramRateLimits.countedMethods);
    this.perChat.clear();
    this.perGroup.clear();
  }

  get enforced(): RateLimits | undefined {
    return this.limits;
  }

  get stats(): RateLimitStats {
    const { firstSendAt, lastSendAt } = this;
    const seconds =
      firstSendAt === undefined || lastSendAt === undefined ? 0 : (lastSendAt - firstSendAt) / 1000;
    return {
      ...this.counters,
      firstSendAt,
      lastSendAt,
      averageSendsPerSecond: seconds > 0 ? (this.counters.acceptedSends - 1) / seconds : 0,
    };
  }

  resetStats(): void {
    this.counters = { acceptedSends: 0, rejectedSends: 0, peakGlobalPerSecond: 0 };
    this.firstSendAt = undefined;
    this.lastSendAt = undefined;
    this.global = new SlidingWindow();
  }

  counts(method: string): boolean {
    return this.counted.has(method);
  }

  private window(map: Map<number, SlidingWindow>, chatId: number): SlidingWindow {
    let window = map.get(chatId);
    if (window === undefined) {
      window = new SlidingWindow();
      map.set(chatId, window);
    }
    return window;
  }

  /**
   * Records a send to `chatId` if the limits allow it; otherwise returns the seconds to wait
   * (Telegram's integer `retry_after`, at least 1) and records nothing.
   */
  trySend(chatId: number, isGroup: boolean, now = preciseNow()): number | undefined {
    this.global.prune(now, 1000);
    const limits = this.limits;
    if (limits !== undefined) {
      const chatWindow = this.window(this.perChat, chatId);
      chatWindow.prune(now, 1000);
      const groupWindow = isGroup ? this.window(this.perGroup, chatId) : undefined;
      groupWindow?.prune(now, 60_000);
      let waitMs = 0;
      const consider = (window: SlidingWindow, limit: number, windowMs: number): void => {
        if (window.count < limit) return;
        const blocking = window.blockingEntry(limit) ?? now;
        waitMs = Math.max(waitMs, blocking + windowMs - now);
      };
      consider(this.global, limits.globalPerSecond, 1000);
      consider(chatWindow, limits.perChatPerSecond, 1000);
      if (groupWindow !== undefined) consider(groupWindow, limits.perGroupPerMinute, 60_000);
      if (waitMs > 0) {
        this.counters.rejectedSends += 1;
        return Math.max(1, Math.ceil(waitMs / 1000));
      }
      chatWindow.add(now);
      groupWindow?.add(now);
    }
    this.global.add(now);
    this.counters.acceptedSends += 1;
    this.firstSendAt ??= now;
    this.lastSendAt = now;
    this.counters.peakGlobalPerSecond = Math.max(this.counters.peakGlobalPerSecond, this.global.count);
    return undefined;
  }
}
