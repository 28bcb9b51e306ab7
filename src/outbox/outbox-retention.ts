// Retention: finished pushes are deleted once they are old, so the outbox (the hottest table to
// write) does not grow for ever. Bodies are already erased when delivery ends; what goes here is
// the row itself. Every outcome stays in the audit log (`delivery.sent`, `delivery.failed`, ...).
//
// What is kept past its period, because something still reads it:
// - a row whose outcome is not recorded yet (its consequences are still to be written);
// - every finished row about a record (`subject`) that still has a delivery under way: a failed
//   nudge asks whether another account of the same nudge got it (hasLiveDelivery), and a message
//   threads under an earlier push of its conversation (replyToPush);
// - each member's newest sent or failed push: the stewardship console tells whether someone can
//   be reached by whether their last push failed (delivery health);
// - failed and uncertain rows for a period of their own, longer by default: the delivery
//   statistics count them over the past year.
import { type Clock, systemClock } from '../clock/index.ts';
import { sql } from 'drizzle-orm';
import { outbox } from './outbox-schema.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';

export interface OutboxRetentionSettings {
  /** Sent rows are deleted this long after they were sent (ms). */
  sentRetentionMs: number;
  /** Failed and uncertain rows are deleted this long after they ended (ms). */
  failedRetentionMs: number;
}

export function createOutboxRetention({
  db,
  settings,
  logger,
  clock = systemClock,
  batchSize = 10_000,
}: {
  db: Database;
  settings: OutboxRetentionSettings;
  logger: Logger;
  clock?: Clock;
  /** Rows deleted per statement (each its own short transaction). Default 10,000. */
  batchSize?: number;
}) {
  /** One batch: deletes up to `batchSize` rows past their retention; resolves to how many. */
  async function deleteBatch(): Promise<number> {
    const now = clock.now().getTime();
    const sentBefore = new Date(now - settings.sentRetentionMs).toISOString();
    const failedBefore = new Date(now - settings.failedRetentionMs).toISOString();
    // The newest finished push per member is found by one aggregate (the table has no index on the
    // member, on purpose), joined to the candidates: a correlated lookup per row would scan the
    // table once per row. Rows of a subject with a delivery under way are found through
    // outbox_open_idx (same predicate). `= any(array(...))`: the doomed rows are then deleted
    // through the primary key, not found again by a second pass over the table.
    const deleted = await db
      .delete(outbox)
      .where(
        sql`${outbox.id} = any(array(
          with newest as (
            select member_id, max(updated_at) as at from outbox
            where member_id is not null and state in ('sent', 'failed')
            group by member_id
          )
          select o.id from outbox o
          left join newest on newest.member_id = o.member_id
          where o.outcome_recorded_at is not null
            and (
              (o.state = 'sent' and o.updated_at < ${sentBefore}::timestamptz)
              or (o.state in ('failed', 'uncertain') and o.updated_at < ${failedBefore}::timestamptz)
            )
            and (o.state = 'uncertain' or o.updated_at is distinct from newest.at)
            and not exists (
              select 1 from outbox unfinished
              where unfinished.subject = o.subject
                and (unfinished.state in ('pending', 'sending') or unfinished.outcome_recorded_at is null)
            )
          limit ${batchSize}
        ))`,
      )
      .returning({ id: outbox.id });
    return deleted.length;
  }

  return {
    /** Deletes every row past its retention, batch by batch; resolves to how many. */
    async purgeOnce(): Promise<number> {
      let total = 0;
      for (;;) {
        const deleted = await deleteBatch();
        total += deleted;
        if (deleted < batchSize) break;
      }
      if (total > 0) logger.info({ deleted: total }, 'outbox rows past their retention deleted');
      return total;
    },
  };
}

export type OutboxRetention = ReturnType<typeof createOutboxRetention>;
