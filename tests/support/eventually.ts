// Waiting for things instead of sleeping: a test waits for the event that proves what it needs
// (a message, a row's final state, a drained queue), with a generous deadline that only bounds a
// hang. Negative checks ("never twice") first wait for a later positive event, such as the outbox
// having settled, so that a duplicate would have had every chance to appear.
import { inArray, isNull, or } from 'drizzle-orm';
import type { Application } from '../../src/application.ts';
import { outboxTable } from '../../src/outbox/index.ts';

/** Resolves with `probe()`'s first value other than undefined, probed every 50 ms; rejects after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
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
export async function withinDeadline<T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
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
export async function outboxSettled(application: Application, timeoutMs = 30_000): Promise<void> {
  const settled = async () =>
    (await openOutboxRows(application)) === 0 && (await queuedDeliveries(application)) === 0
      ? true
      : undefined;
  await eventually(settled, 'every outbox row delivered and the delivery queue empty', timeoutMs);
  await application.outbox.reconcileNow();
  await eventually(settled, 'the outbox to settle again after a reconciler pass', timeoutMs);
}
