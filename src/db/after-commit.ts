// Work that must wait for a transaction's commit: telling Redis about a row (a timer's job, a
// delivery) before the row is visible lets a fast worker look for it, find nothing, and give up.
import type { Database, Queryable } from './database.ts';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Task = () => Promise<void>;

const pending = new WeakMap<object, Task[]>();

/**
 * Runs `work` in a transaction; tasks registered with `afterCommit(tx, …)` run once it has
 * committed (in order, each awaited), and not at all if it rolls back. A task that throws is
 * reported to `onTaskError` (default: ignored), never to the caller: the commit stands.
 */
export async function inTransaction<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  onTaskError: (error: unknown) => void = () => undefined,
): Promise<T> {
  const tasks: Task[] = [];
  const result = await db.transaction(async (tx) => {
    pending.set(tx, tasks);
    return work(tx);
  });
  for (const task of tasks) {
    try {
      await task();
    } catch (error) {
      onTaskError(error);
    }
  }
  return result;
}

/**
 * Defers `task` until `executor`'s commit when it is a transaction opened by `inTransaction`;
 * resolves to false otherwise (the caller decides what to do now instead).
 */
export function afterCommit(executor: Queryable, task: Task): boolean {
  const tasks = pending.get(executor);
  if (tasks === undefined) return false;
  tasks.push(task);
  return true;
}
