// The bot's pending updates, consumed either by getUpdates (confirmed by a later offset) or by the
// webhook deliverer (removed once the bot's server answered 2xx) — never both, like on Telegram.
import type { Update } from 'grammy/types';

export interface QueuedUpdate {
  update: Update;
  /** Being POSTed to the webhook right now. */
  inFlight: boolean;
  /** Earliest next webhook attempt after a failed one (ms since epoch). */
  notBefore: number;
  attempts: number;
}

// Telegram's default when allowed_updates is empty or was never given.
const excludedByDefault = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}

export class UpdateQueue {
  readonly entries: QueuedUpdate[] = [];
  private nextUpdateId: number;
  private allowedUpdates: ReadonlySet<string> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(firstUpdateId: number) {
    this.nextUpdateId = firstUpdateId;
  }

  allocateUpdateId(): number {
    const id = this.nextUpdateId;
    this.nextUpdateId += 1;
    return id;
  }

  /** An explicit update id (a redelivery, say) moves the sequence past it. */
  noteUpdateId(id: number): void {
    if (id >= this.nextUpdateId) this.nextUpdateId = id + 1;
  }

  /** `allowed_updates` applies to updates created from now on, as documented. Empty list = the default set. */
  setAllowedUpdates(types: readonly string[]): void {
    this.allowedUpdates = types.length === 0 ? undefined : new Set(types);
  }

  get allowedUpdateTypes(): string[] | undefined {
    return this.allowedUpdates === undefined ? undefined : [...this.allowedUpdates];
  }

  accepts(update: Update): boolean {
    const type = updateType(update);
    return this.allowedUpdates === undefined ? !excludedByDefault.has(type) : this.allowedUpdates.has(type);
  }

  /** Queues an update unless the bot's allowed_updates filter it out; returns whether it was queued. */
  push(update: Update): boolean {
    if (!this.accepts(update)) return false;
    this.entries.push({ update, inFlight: false, notBefore: 0, attempts: 0 });
    for (const listener of this.listeners) listener();
    return true;
  }

  /**
   * getUpdates' offset: updates below it are confirmed and forgotten; a negative offset keeps only
   * the last -offset updates.
   */
  confirm(offset: number): void {
    if (offset < 0) {
      this.entries.splice(0, Math.max(0, this.entries.length + offset));
      return;
    }
    for (let index = this.entries.length - 1; index >= 0; index -= 1) {
      if (this.entries[index]!.update.update_id < offset) this.entries.splice(index, 1);
    }
  }

  take(limit: number): Update[] {
    return this.entries.slice(0, limit).map((entry) => entry.update);
  }

  remove(entry: QueuedUpdate): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  clear(): void {
    this.entries.length = 0;
  }

  get size(): number {
    return this.entries.length;
  }

  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
