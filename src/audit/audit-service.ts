import { type Clock, systemClock } from '../clock/index.ts';
import { createHash } from 'node:crypto';
import { asc, desc, sql } from 'drizzle-orm';
import type { Database, Queryable } from '../db/database.ts';
import type { Logger } from '../logging/logger.ts';
import { auditLog } from './audit-schema.ts';
import { canonicalJson } from './canonical-json.ts';

export interface AuditEntry {
  /** Who: `member:<id>`, `token:<id>`, `system`, `cli`. */
  actor: string;
  /** What, as a dotted verb: `contact.update`, `registry.import`, `registry.read`. */
  action: string;
  /** The record acted on, e.g. `contact:kg-001`. */
  subject?: string | undefined;
  /** Structured facts. Never message bodies or secrets. */
  details?: Record<string, unknown>;
}

export interface AuditProblem {
  seq: number;
  problem: 'hash_mismatch' | 'broken_link' | 'missing_entry';
  message: string;
}

const genesisHash = '0'.repeat(64);
// One lock id for the whole log: appends are serialized so each sees the true previous hash.
const auditLockId = 0x617564;

export function entryHash(
  prevHash: string,
  entry: { seq: number; at: string; actor: string; action: string; subject: string | null; details: unknown },
): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(
      canonicalJson({
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        details: entry.details,
      }),
    )
    .digest('hex');
}

export interface AuditService {
  /** Appends entries inside the caller's transaction, so the audit row commits with the change. */
  appendInTransaction(tx: Queryable, entries: readonly AuditEntry[]): Promise<void>;
  /** Appends entries in their own transaction. */
  append(...entries: AuditEntry[]): Promise<void>;
  /**
   * Queues an entry for a batched append (reads on hot paths). Flushed within `flushIntervalMs`
   * and on `close()`.
   */
  enqueue(entry: AuditEntry): void;
  flush(): Promise<void>;
  verify(): Promise<{ entries: number; problems: AuditProblem[] }>;
  close(): Promise<void>;
}

export interface AuditServiceOptions {
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Default 200 ms. */
  flushIntervalMs?: number;
}

export function createAuditService({
  db,
  logger,
  clock = systemClock,
  flushIntervalMs = 200,
}: AuditServiceOptions): AuditService {
  let pending: AuditEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function appendInTransaction(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.execute(sql`select pg_advisory_xact_lock(${auditLockId})`);
    const [last] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? genesisHash;
    const at = clock.now().toISOString();
    const rows = entries.map((entry) => {
      seq += 1;
      const row = {
        seq,
        at,
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject ?? null,
        details: entry.details ?? {},
      };
      const hash = entryHash(prevHash, row);
      const withHash = { ...row, prevHash, hash };
      prevHash = hash;
      return withHash;
    });
    // One JSON parameter for the whole batch: drizzle's multi-row insert spends more CPU building
    // the statement than the reads being audited cost (measured on the contacts route).
    const batch = rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      details: row.details,
      prev_hash: row.prevHash,
      hash: row.hash,
    }));
    await tx.execute(sql`
      insert into ${auditLog} (seq, at, actor, action, subject, details, prev_hash, hash)
      select seq, at, actor, action, subject, details, prev_hash, hash
      from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb)
        as entry(seq bigint, at text, actor text, action text, subject text, details jsonb, prev_hash text, hash text)`);
  }

  async function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    const batch = pending;
    pending = [];
    if (batch.length === 0) return flushing;
    flushing = flushing.then(async () => {
      try {
        await db.transaction((tx) => appendInTransaction(tx, batch));
      } catch (error) {
        // Put the entries back: an audit entry must not vanish because the database blinked.
        pending = [...batch, ...pending];
        logger.error({ err: error, entries: batch.length }, 'audit flush failed; will retry');
        schedule();
      }
    });
    return flushing;
  }

  function schedule(): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushIntervalMs);
  }

  return {
    appendInTransaction,
    async append(...entries) {
      await db.transaction((tx) => appendInTransaction(tx, entries));
    },
    enqueue(entry) {
      pending.push(entry);
      if (pending.length >= 500) void flush();
      else schedule();
    },
    flush,
    async verify() {
      const problems: AuditProblem[] = [];
      let expectedSeq = 1;
      let prevHash = genesisHash;
      let entries = 0;
      const pageSize = 5000;
      let after = 0;
      for (;;) {
        const page = await db
          .select()
          .from(auditLog)
          .where(sql`${auditLog.seq} > ${after}`)
          .orderBy(asc(auditLog.seq))
          .limit(pageSize);
        for (const row of page) {
          entries += 1;
          if (row.seq !== expectedSeq) {
            problems.push({
              seq: expectedSeq,
              problem: 'missing_entry',
              message: `entries ${expectedSeq}..${row.seq - 1} are missing (deleted)`,
            });
          }
          if (row.prevHash !== prevHash) {
            problems.push({
              seq: row.seq,
              problem: 'broken_link',
              message: `entry ${row.seq} does not follow the entry before it`,
            });
          }
          const recomputed = entryHash(row.prevHash, row);
          if (recomputed !== row.hash) {
            problems.push({
              seq: row.seq,
              problem: 'hash_mismatch',
              message: `entry ${row.seq} was altered after it was written`,
            });
          }
          prevHash = row.hash;
          expectedSeq = row.seq + 1;
          after = row.seq;
        }
        if (page.length < pageSize) break;
      }
      return { entries, problems };
    },
    async close() {
      await flush();
      await flushing;
    },
  };
}
