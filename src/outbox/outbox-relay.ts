// The relay: queues delivery jobs for deferred outbox rows (bulk nudges) as delivery capacity
// frees up. A busy morning can write a hundred thousand nudges in a minute while a messenger takes
// thirty messages a second (capabilities.sendRate); queueing them all at once would only fill Redis with jobs waiting an
// hour, and cost the nudge workers the Redis time. Postgres keeps the backlog; the relay keeps the
// delivery queue topped up. The classic transactional-outbox relay, with back pressure.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueueProducers } from '../queue/index.ts';

export interface OutboxRelayOptions {
  db: Database;
  queues: QueueProducers;
  logger: Logger;
  /** Delivery jobs waiting in the queue that the relay keeps topped up to. Default 2000. */
  targetBacklog?: number;
  /** Most rows queued per pass. Default 1000. */
  perPass?: number;
}

export function createOutboxRelay({
  db,
  queues,
  logger,
  targetBacklog = 2000,
  perPass = 1000,
}: OutboxRelayOptions) {
  return {
    /** One pass: resolves to the number of rows queued. */
    async relayOnce(): Promise<number> {
      const queue = queues.queue('outbox');
      const backlog = (await queue.getWaitingCount()) + (await queue.getDelayedCount());
      const room = Math.min(perPass, targetBacklog - backlog);
      if (room <= 0) return 0;
      const claimed: unknown = await db.execute(claimDeferredRows(room));
      const ids = rowsOf(claimed).map((row) => row.id);
      if (ids.length === 0) return 0;
      try {
        await queues.add(
          'outbox',
          ids.map((id) => ({ jobId: id, payload: { outboxId: id } })),
        );
      } catch (error) {
        // Marked queued without a job: the reconciler re-creates missing delivery jobs.
        logger.warn(
          { err: (error as Error).message, rows: ids.length },
          'relay could not queue deliveries; the reconciler will',
        );
      }
      return ids.length;
    },
  };
}

/**
 * Marks up to `room` deferred rows queued, oldest first, and returns their ids. Claimed with SKIP
 * LOCKED, so several workers' relays share the rows without waiting; read through
 * outbox_deferred_idx, so its cost does not grow with the finished rows the table keeps.
 */
export function claimDeferredRows(room: number): SQL {
  return sql`
    update outbox set queued_at = now()
    where id in (
      select id from outbox
      where state = 'pending' and queued_at is null
      order by created_at
      limit ${room}
      for update skip locked)
    returning id`;
}

/** postgres.js answers execute() with the rows; PGlite with `{ rows }`. */
function rowsOf(result: unknown): { id: string }[] {
  if (Array.isArray(result)) return result as { id: string }[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as { id: string }[]) : [];
}
