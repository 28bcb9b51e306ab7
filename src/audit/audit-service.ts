import { type Clock, systemClock } from '../clock/index.ts';
import { hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { desc, sql } from 'drizzle-orm';
import { plainText, storableEntry, type StorableEntry } from './audit-canonical.ts';
import { createAuditCheckpoints, type AuditHead } from './audit-checkpoint.ts';
import { auditLog } from './audit-schema.ts';
import { verifyChain, type AuditProblem } from './audit-verify.ts';
import { sortKeys } from './canonical-json.ts';
import { AppError } from '../errors/index.ts';
import { beforeCommit, type Database, type Queryable } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';

export type { AuditHead } from './audit-checkpoint.ts';
export type { AuditProblem } from './audit-verify.ts';

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

export const genesisHash = '0'.repeat(64);
// One lock id for the whole log: appends are serialized so each sees the true previous hash.
const auditLockId = 0x617564;

export function entryHash(
  prevHash: string,
  entry: { seq: number; at: string; actor: string; action: string; subject: string | null; details: unknown },
): string {
  return hashOf(prevHash, canonicalEntryJson(entry, JSON.stringify(sortKeys(entry.details))));
}

// One-shot over the same bytes as update(prevHash), update('\n'), update(json): cheaper per entry.
const hashOf = (prevHash: string, json: string): string => hash('sha256', `${prevHash}\n${json}`, 'hex');

/**
 * canonicalJson of the entry: its own keys written in sorted order around `detailsJson` (the
 * details' canonical JSON), byte for byte JSON.stringify({action, actor, at, details, seq,
 * subject}) with the details' keys sorted. Every read is hashed, so the details are serialized
 * once, for the hash and for the stored row alike.
 */
function canonicalEntryJson(
  entry: { seq: number; at: string; actor: string; action: string; subject: string | null },
  detailsJson: string,
): string {
  return `{"action":${JSON.stringify(entry.action)},"actor":${JSON.stringify(entry.actor)},"at":${JSON.stringify(entry.at)},"details":${detailsJson},"seq":${JSON.stringify(entry.seq)},"subject":${JSON.stringify(entry.subject)}}`;
}

export interface AuditService {
  /**
   * Appends entries inside the caller's transaction, so the audit rows commit with the change. In
   * a transaction opened with the db module's `inTransaction` they are appended at its end, just
   * before the commit, after everything else it locks; elsewhere at once (the caller appends last).
   */
  appendInTransaction(tx: Queryable, entries: readonly AuditEntry[]): Promise<void>;
  /** Appends entries in their own transaction. */
  append(...entries: AuditEntry[]): Promise<void>;
  /**
   * Queues an entry for a batched append (reads on hot paths), flushed within `flushIntervalMs`
   * and on `close()`. Throws `unavailable` (503) when the queue is full: a read that cannot be
   * audited must not be answered.
   */
  enqueue(entry: AuditEntry): void;
  /**
   * Resolves when the queue has room for more reads; waits up to `admissionWaitMs` while it is
   * past its high-water mark, then throws `unavailable`. Callers run it before serving a request.
   */
  admit(): Promise<void>;
  flush(): Promise<void>;
  verify(options?: { expectHead?: AuditHead | undefined }): Promise<{
    entries: number;
    head: AuditHead | undefined;
    checkpoint: AuditHead | undefined;
    problems: AuditProblem[];
  }>;
  /** Records the head of the log in the checkpoint table and in the log (also done periodically). */
  checkpoint(): Promise<AuditHead | undefined>;
  /** Queue depth and entries that could not be written (kept as `audit.write_failed`). */
  stats(): { queueDepth: number; writeFailuresTotal: number; highWaterMark: number };
  close(): Promise<void>;
}

export interface AuditServiceOptions {
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Default 200 ms. */
  flushIntervalMs?: number;
  /**
   * Queued entries at which reads stop being admitted (they wait, then get 503). Default 5,000.
   * Entries are bounded in size (see audit-canonical), so this bounds the queue's memory.
   */
  highWaterMark?: number;
  /** Queued entries at which `enqueue` itself refuses. Default twice the high-water mark. */
  maxQueued?: number;
  /** How long `admit` waits for room. Default 2,000 ms. */
  admissionWaitMs?: number;
  /** How often the head is checkpointed while this process appends. Default 10,000 ms. */
  checkpointIntervalMs?: number;
}

/**
 * Entries per append transaction: one failed batch costs at most this many re-tries when split.
 * The embedded database runs in this thread and never gives the event loop back during a
 * statement, so a batch is also the longest a flush holds every request up: about 14 ms for 500
 * entries, 6 ms for 200 (each transaction costs about 2 ms besides its entries).
 */
const batchSize = 200;

/** Lets the requests that arrived while a batch was written run before the next batch. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createAuditService({
  db,
  logger,
  clock = systemClock,
  flushIntervalMs = 200,
  highWaterMark = 5000,
  maxQueued = highWaterMark * 2,
  admissionWaitMs = 2000,
  checkpointIntervalMs = 10_000,
}: AuditServiceOptions): AuditService {
  let pending: StorableEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let writeFailuresTotal = 0;
  // Entries of open transactions that append just before their commit, by transaction.
  const deferred = new WeakMap<object, StorableEntry[]>();
  const checkpoints = createAuditCheckpoints({ db, logger, clock, intervalMs: checkpointIntervalMs });

  async function appendStorable(tx: Queryable, entries: readonly StorableEntry[]): Promise<void> {
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
    // One JSON parameter for the whole batch: drizzle's multi-row insert spends more CPU building
    // the statement than the reads being audited cost (measured on the contacts route).
    // The stored rows are written as JSON text around each entry's canonical details (the bytes
    // hashed), so the details are serialized once.
    const atJson = JSON.stringify(at);
    const rows = entries.map((entry) => {
      seq += 1;
      const detailsJson = JSON.stringify(sortKeys(entry.details));
      const hash = hashOf(prevHash, canonicalEntryJson({ seq, at, ...entry }, detailsJson));
      const row = `{"seq":${JSON.stringify(seq)},"at":${atJson},"actor":${JSON.stringify(entry.actor)},"action":${JSON.stringify(entry.action)},"subject":${JSON.stringify(entry.subject)},"details":${detailsJson},"prev_hash":${JSON.stringify(prevHash)},"hash":${JSON.stringify(hash)}}`;
      prevHash = hash;
      return row;
    });
    await tx.execute(sql`
      insert into ${auditLog} (seq, at, actor, action, subject, details, prev_hash, hash)
      select seq, at, actor, action, subject, details, prev_hash, hash
      from jsonb_to_recordset(${`[${rows.join(',')}]`}::jsonb)
        as entry(seq bigint, at text, actor text, action text, subject text, details jsonb, prev_hash text, hash text)`);
    checkpoints.advanced();
  }

  const writeBatch = (entries: readonly StorableEntry[]) =>
    db.transaction((tx) => appendStorable(tx, entries));

  async function databaseAnswers(): Promise<boolean> {
    try {
      await db.execute(sql`select 1`);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Writes what can be written. A batch that fails while the database answers holds an entry
   * Postgres refuses: it is split until that entry stands alone, and then an `audit.write_failed`
   * entry takes its place in the chain, so the gap is visible and the rest are written. Returns
   * the entries left unwritten because the database itself is away (to be retried).
   */
  async function writeWhatCan(entries: readonly StorableEntry[]): Promise<readonly StorableEntry[]> {
    try {
      await writeBatch(entries);
      return [];
    } catch (error) {
      if (!(await databaseAnswers())) return entries;
      if (entries.length > 1) {
        const middle = Math.ceil(entries.length / 2);
        const left = await writeWhatCan(entries.slice(0, middle));
        if (left.length > 0) return [...left, ...entries.slice(middle)];
        return writeWhatCan(entries.slice(middle));
      }
      const [refused] = entries as [StorableEntry];
      const reason = failureReason(error);
      try {
        await writeBatch([
          {
            actor: 'system',
            action: 'audit.write_failed',
            subject: null,
            details: {
              actor: plainText(refused.actor),
              action: plainText(refused.action),
              subject: plainText(refused.subject),
              reason,
            },
          },
        ]);
      } catch {
        return entries;
      }
      writeFailuresTotal += 1;
      logger.error(
        { action: plainText(refused.action), reason },
        'an audit entry could not be written; recorded as audit.write_failed',
      );
      return [];
    }
  }

  async function flushOnce(): Promise<void> {
    let first = true;
    while (pending.length > 0) {
      if (!first) await yieldToEventLoop();
      first = false;
      const batch = pending.slice(0, batchSize);
      const unwritten = await writeWhatCan(batch);
      // Entries queued meanwhile stay behind the ones put back, in order.
      pending = [...unwritten, ...pending.slice(batch.length)];
      if (unwritten.length > 0) {
        // The database is away: an audit entry must not vanish because it blinked. Retried later;
        // meanwhile the bounded queue turns new reads away with 503.
        logger.error({ entries: pending.length }, 'audit flush failed: database unavailable; will retry');
        retryLater();
        return;
      }
    }
    await checkpoints.maybeWrite();
  }

  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    flushing = flushing.then(flushOnce).catch((error: unknown) => {
      logger.error({ reason: failureReason(error) }, 'audit flush failed; will retry');
      retryLater();
    });
    return flushing;
  }

  function schedule(delayMs = flushIntervalMs): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
  }

  /** While the database is away: retried, but never the only thing keeping a process alive. */
  function retryLater(): void {
    schedule(Math.max(flushIntervalMs, 1000));
    timer?.unref();
  }

  const unavailable = () =>
    new AppError('unavailable', 'the audit log is behind, so this request cannot be recorded; retry shortly');

  return {
    async appendInTransaction(tx, entries) {
      const storable = entries.map(storableEntry);
      const buffered = deferred.get(tx);
      if (buffered !== undefined) {
        buffered.push(...storable);
        return;
      }
      // In a transaction opened with the db module's inTransaction, the entries wait for its end:
      // the chain's lock is then its last lock (see after-commit.ts), and the chain's order is the
      // order of the commits. Elsewhere they are appended now, so the caller appends last.
      const buffer = [...storable];
      if (beforeCommit(tx, () => appendStorable(tx, buffer))) deferred.set(tx, buffer);
      else await appendStorable(tx, storable);
    },
    async append(...entries) {
      await writeBatch(entries.map(storableEntry));
      await checkpoints.maybeWrite();
    },
    enqueue(entry) {
      if (pending.length >= maxQueued) throw unavailable();
      pending.push(storableEntry(entry));
      if (pending.length % batchSize === 0) void flush();
      else schedule();
    },
    async admit() {
      if (pending.length < highWaterMark) return;
      const deadline = Date.now() + admissionWaitMs;
      while (pending.length >= highWaterMark) {
        const left = deadline - Date.now();
        if (left <= 0) throw unavailable();
        await sleep(Math.min(50, left));
      }
    },
    flush,
    async verify(options = {}) {
      const result = await verifyChain(db, entryHash, genesisHash);
      const checkpoint = await checkpoints.read();
      const problems = [...result.problems];
      const heads = [
        ...(checkpoint === undefined ? [] : [{ head: checkpoint, source: 'the last checkpoint' }]),
        ...(options.expectHead === undefined
          ? []
          : [{ head: options.expectHead, source: 'the expected head' }]),
      ];
      for (const { head, source } of heads) {
        const problem = await checkpoints.compare(head, result.head, source);
        if (problem !== undefined) problems.push(problem);
      }
      return { entries: result.entries, head: result.head, checkpoint, problems };
    },
    checkpoint: () => checkpoints.write(),
    stats: () => ({ queueDepth: pending.length, writeFailuresTotal, highWaterMark }),
    async close() {
      await flush();
      await flushing;
      await checkpoints.maybeWrite(true);
    },
  };
}

/**
 * Why Postgres refused: the innermost error's code and message. Never the failed query, whose
 * parameters carry the entries themselves.
 */
export function failureReason(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const code = (inner as { code?: unknown }).code;
  const message = inner instanceof Error ? (inner.message.split('\n')[0] ?? '') : String(inner);
  return plainText(`${typeof code === 'string' ? `${code} ` : ''}${message}`) ?? 'unknown';
}
