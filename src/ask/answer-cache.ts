import type { RegistrySnapshot } from '../registry/index.ts';
// Remembers composed answers (ranked contacts and the reply) for the rest of the minute.
//
// An answer depends on the interpretation, the answer language, the asking country, what the
// viewer may see, the registry snapshot and the time of day at minute precision (local times,
// working hours, absences). Many differently worded questions share one interpretation, so
// ranking and composing (more than half of an answer's CPU) is done once per minute for each.
// Interpreting the text is never cached: every question is read.
//
// Bounded: entries are dropped when the minute, or the snapshot, changes, and the map never holds
// more than `maxEntries` (the oldest go first), so a flood of distinct interpretations cannot grow it.

export interface AnswerCache<T> {
  /** The cached value for `key` in this snapshot and minute, or `compute()` remembered. */
  get(snapshot: RegistrySnapshot, now: Date, key: string, compute: () => T): T;
  readonly size: number;
}

export function createAnswerCache<T>({ maxEntries = 2_000 }: { maxEntries?: number } = {}): AnswerCache<T> {
  const entries = new Map<string, T>();
  let snapshotOfEntries: RegistrySnapshot | undefined;
  let minuteOfEntries = -1;

  return {
    get(snapshot, now, key, compute) {
      const minute = Math.floor(now.getTime() / 60_000);
      if (snapshot !== snapshotOfEntries || minute !== minuteOfEntries) {
        entries.clear();
        snapshotOfEntries = snapshot;
        minuteOfEntries = minute;
      }
      const cached = entries.get(key);
      if (cached !== undefined) return cached;
      const value = compute();
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key, value);
      return value;
    },
    get size() {
      return entries.size;
    },
  };
}
