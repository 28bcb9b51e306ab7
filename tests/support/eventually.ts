// Waiting for things instead of sleeping: a test waits for the event that proves what it needs
// (a message, a row's final state, a drained queue), with a generous deadline that only bounds a
// hang. Negative checks ("never twice") first wait for a later positive event, such as the outbox
// having settled, so that a duplicate would have had every chance to appear.
import { inArray, isNull, lte, or } from 'drizzle-orm';
import type { Application } from '../../src/application.ts';
import type { Clock } from '../../src/clock/index.ts';
import { outbox as outboxTable } from '../../src/outbox/outbox-schema.ts';
import { durableTimers } from '../../src/timers/timers-schema.ts';
import { hangDeadlineMs } from './hang-deadline.ts';

export { hangDeadlineMs };

/** Resolves with `probe()`'s first value other than undefined, probed every 50 ms; rejects after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = hangDeadlineMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Resolves with the promise's value, or rejects after `timeoutMs` saying what hung. */
export async function withinDeadline<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = hangDeadlineMs,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function openOutboxRows(application: Application): Promise<number> {
  const rows = await application.database.db
    .select({ id: outboxTable.id })
    .from(outboxTable)
    .where(or(inArray(outboxTable.state, ['pending', 'sending']), isNull(outboxTable.outcomeRecordedAt)));
  return rows.length;
}

async function queuedDeliveries(application: Application): Promise<number> {
  const counts = await application.queues
    .queue('outbox')
    .getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/**
 * Waits until every outbox row has reached a final state with its consequences recorded and the
 * delivery queue is empty; then runs a reconciler pass (the other source of deliveries) and waits
 * for that to settle too. After this, a duplicate delivery would already have been sent.
 */
export async function outboxSettled(application: Application, timeoutMs = 90_000): Promise<void> {
  const settled = async () =>
    (await openOutboxRows(application)) === 0 && (await queuedDeliveries(application)) === 0
      ? true
      : undefined;
  await eventually(settled, 'every outbox row delivered and the delivery queue empty', timeoutMs);
  await application.outbox.reconcileNow();
  await eventually(settled, 'the outbox to settle again after a reconciler pass', timeoutMs);
}

/**
 * Waits until every durable timer due by the application's `clock` has fired (its row gone or moved
 * to a later time) after a reconciler pass re-armed whatever Redis lost, with no timer job ready
 * or running; then waits for the outbox to settle. After this, a timer firing twice (a job
 * re-armed after a flush, a stale generation) would already have sent its message. Resolves with
 * the keys of the timers still due within `soonMs`, so a test can say nothing more is on its way.
 */
export async function dueTimersFired(
  application: Application,
  clock: Clock,
  soonMs = 3_600_000,
  timeoutMs = 90_000,
): Promise<string[]> {
  await application.timers.reconcileNow();
  const timerQueue = application.queues.queue('timers');
  const dueBy = async (at: Date) =>
    (
      await application.database.db
        .select({ key: durableTimers.key })
        .from(durableTimers)
        .where(lte(durableTimers.dueAt, at))
    ).map((row) => row.key);
  await eventually(
    async () => {
      if ((await dueBy(clock.now())).length > 0) return undefined;
      const counts = await timerQueue.getJobCounts('waiting', 'active', 'prioritized');
      return Object.values(counts).every((count) => count === 0) ? true : undefined;
    },
    'every durable timer due now to have fired',
    timeoutMs,
  );
  await outboxSettled(application, timeoutMs);
  return dueBy(new Date(clock.now().getTime() + soonMs));
}
