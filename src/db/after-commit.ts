// Work that must wait for a transaction's end. After the commit: telling Redis about a row (a
// timer's job, a delivery) before the row is visible lets a fast worker look for it, find nothing,
// and give up. Just before the commit: the audit log's append, whose lock (one for the whole chain)
// must be the last lock a transaction takes; taken earlier, it is held while the transaction waits
// for row locks that another one holds while waiting for the chain: a deadlock.
import type { Database, Queryable } from './database.ts';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Task = () => Promise<void>;

const pending = new WeakMap<object, Task[]>();
const finishing = new WeakMap<object, Task[]>();

/**
 * Runs `work` in a transaction. Tasks registered with `beforeCommit(tx, …)` run inside it once
 * `work` has returned (in order, each awaited; one that throws rolls the transaction back). Tasks
 * registered with `afterCommit(tx, …)` run once it has committed (in order, each awaited), and not
 * at all if it rolls back; one that throws is reported to `onTaskError` (default: ignored), never
 * to the caller: the commit stands.
 */
export async function inTransaction<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
  onTaskError: (error: unknown) => void = () => undefined,
): Promise<T> {
  const tasks: Task[] = [];
  const result = await db.transaction(async (tx) => {
    const last: Task[] = [];
    pending.set(tx, tasks);
    finishing.set(tx, last);
    const value = await work(tx);
    // A task may register another: it runs too, after it.
    for (let index = 0; index < last.length; index += 1) await last[index]?.();
    finishing.delete(tx);
    return value;
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

/**
 * Defers `task` to the end of `executor`'s transaction, after its work and just before the commit,
 * when it is a transaction opened by `inTransaction`; false otherwise (the caller does it now).
 * Meant for the audit log's append (see above): nothing else should need to come that late.
 */
export function beforeCommit(executor: Queryable, task: Task): boolean {
  const tasks = finishing.get(executor);
  if (tasks === undefined) return false;
  tasks.push(task);
  return true;
}
