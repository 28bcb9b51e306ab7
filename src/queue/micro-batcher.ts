/**
 * Gathers items submitted concurrently (one per BullMQ job, with worker concurrency > 1) into
 * batches, so a hundred due nudges cost one Postgres transaction instead of a hundred. A batch
 * runs when it is full or `maxDelayMs` after its first item; each submitter gets its own result
 * (or the batch's error, so each job fails and retries on its own).
 */
export interface MicroBatcher<Item, Result> {
  submit(item: Item): Promise<Result>;
  /** Waits for batches in flight. */
  drain(): Promise<void>;
}

export function createMicroBatcher<Item, Result>(options: {
  run(items: readonly Item[]): Promise<readonly Result[]>;
  /** Default 200. */
  maxSize?: number;
  /** Default 5 ms. */
  maxDelayMs?: number;
}): MicroBatcher<Item, Result> {
  const maxSize = options.maxSize ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5;
  // Each pending item is a caller awaiting its result (one per running BullMQ job), so pending
  // never holds more than the worker's concurrency; a full batch is flushed at once.
  let pending: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const running = options
      .run(batch.map((entry) => entry.item))
      .then(
        (results) => {
          batch.forEach((entry, index) => {
            entry.resolve(results[index] as Result);
          });
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  return {
    submit(item) {
      return new Promise<Result>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= maxSize) flush();
        else timer ??= setTimeout(flush, maxDelayMs);
      });
    },
    async drain() {
      flush();
      await Promise.all([...inFlight]);
    },
  };
}
