import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Append-only, hash-chained audit log. Each entry's hash covers the previous entry's hash and its
 * own content, so an edited or deleted row breaks the chain at a point `audit verify` can name.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    // Assigned by the writer under a lock (not a sequence), so a gap means a deleted entry.
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    // ISO 8601 text, not timestamptz, so the hashed value reads back byte for byte.
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    // Not unique-indexed: seq is the key and `audit verify` walks the chain, so an index on the
    // hash would only add to every append (about a sixth of its cost on the embedded database).
    hash: text('hash').notNull(),
  },
  // The console reads one actor's or one record's history, newest first. Only entries about a
  // record are in the subject index: the registry's reads (`registry.read`, `registry.ask`), most
  // of the log, have none, and keeping them out makes each of their appends cheaper (about 7% of
  // the insert on the embedded database). A filter for one subject still uses the index (a subject
  // equal to a value is not null); a prefix filter (`contact:*`) walks the log by number, as it
  // did before.
  (table) => [
    index('audit_log_actor_idx').on(table.actor, table.seq),
    index('audit_log_subject_idx')
      .on(table.subject, table.seq)
      .where(sql`${table.subject} is not null`),
  ],
);

/**
 * The newest head of the log (seq and hash) seen by a writer, kept outside `audit_log` and written
 * by its own statement: deleting the newest entries leaves a log shorter than this checkpoint,
 * which `audit verify` reports. One row, only ever moved forward.
 */
export const auditCheckpoint = pgTable('audit_checkpoint', {
  id: text('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
  at: text('at').notNull(),
});
