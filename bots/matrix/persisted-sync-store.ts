// Where the bot's /sync stands, kept across restarts: a restart neither replays old messages
// (it resumes from the saved `since` token) nor misses new ones (the homeserver sends everything
// after that token). The SDK's MemoryStore keeps rooms in memory; a SyncAccumulator condenses
// every sync response into one "saved sync" (rooms, state, recent timeline, next_batch), as the
// SDK's IndexedDB store does in browsers, and `persist` writes it when the SDK says the state is
// consistent (after each processed sync).
import { type ISyncResponse, MemoryStore, SyncAccumulator } from 'matrix-js-sdk';
import type { ISavedSync } from 'matrix-js-sdk/lib/store/index.js';

/** The accumulated sync as plain JSON, as stored. */
export type SavedSync = ISavedSync;

export class PersistedSyncStore extends MemoryStore {
  private readonly accumulator = new SyncAccumulator({ maxTimelineEntries: 50 });
  private readonly persist: (saved: SavedSync) => Promise<void>;
  private readonly onSaveError: (error: unknown) => void;
  private dirty = false;
  private closed = false;

  constructor(options: {
    initial: SavedSync | undefined;
    persist: (saved: SavedSync) => Promise<void>;
    onSaveError: (error: unknown) => void;
  }) {
    super();
    this.persist = options.persist;
    this.onSaveError = options.onSaveError;
    const initial = options.initial;
    if (initial !== undefined) {
      this.accumulator.accumulate(
        {
          next_batch: initial.nextBatch,
          rooms: initial.roomsData,
          account_data: { events: initial.accountData },
        },
        true,
      );
    }
  }

  /** Whether a sync position was restored (false on the very first start of an account). */
  hasSavedPosition(): boolean {
    return this.accumulator.getNextBatchToken() !== '';
  }

  override setSyncData(syncData: ISyncResponse): Promise<void> {
    this.accumulator.accumulate(syncData);
    this.dirty = true;
    return Promise.resolve();
  }

  override getSavedSync(): Promise<ISavedSync | null> {
    const data = this.accumulator.getJSON();
    if (data.nextBatch === '') return Promise.resolve(null);
    // The SDK decorates what it processes; hand it a copy so the accumulator stays clean.
    return Promise.resolve(structuredClone(data));
  }

  override getSavedSyncToken(): Promise<string | null> {
    const token = this.accumulator.getNextBatchToken();
    return Promise.resolve(token === '' ? null : token);
  }

  override wantsSave(): boolean {
    return this.dirty;
  }

  override async save(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    try {
      await this.persist(this.accumulator.getJSON(true));
    } catch (error) {
      // Saved again after the next sync; until then a restart resumes from the previous position.
      // Not rethrown: the SDK's sync loop does not expect save() to fail and would stop.
      this.dirty = true;
      this.onSaveError(error);
    }
  }

  /** After the final save on shutdown: a sync still finishing must not write an older state. */
  close(): void {
    this.closed = true;
  }

  /** The current accumulated sync, for a final save on shutdown. */
  snapshot(): SavedSync | undefined {
    const data = this.accumulator.getJSON(true);
    return data.nextBatch === '' ? undefined : data;
  }
}
