// The head of the log (seq and hash) kept apart from the log: in its own table, written by its own
// statement after the entries commit, and in a periodic log line that leaves the machine with the
// logs. Deleting the newest entries then leaves a log shorter than a head someone kept.
import { desc, eq, sql } from 'drizzle-orm';
import type { Clock } from '../clock/index.ts';
import { auditCheckpoint, auditLog } from './audit-schema.ts';
import type { AuditProblem } from './audit-verify.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';

export interface AuditHead {
  seq: number;
  hash: string;
}

const headId = 'head';

/** `SEQ:HASH`, as `audit verify` prints it and `--expect-head` takes it. */
export function parseAuditHead(text: string): AuditHead | undefined {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (match === null) return undefined;
  return { seq: Number(match[1]), hash: match[2] ?? '' };
}

export const formatAuditHead = (head: AuditHead): string => `${head.seq}:${head.hash}`;

export function createAuditCheckpoints({
  db,
  logger,
  clock,
  intervalMs,
}: {
  db: Database;
  logger: Logger;
  clock: Clock;
  intervalMs: number;
}) {
  let appendedSinceCheckpoint = false;
  let lastWrittenAt = 0;

  async function write(): Promise<AuditHead | undefined> {
    const [head] = await db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    appendedSinceCheckpoint = false;
    lastWrittenAt = Date.now();
    if (head === undefined) return undefined;
    // Only ever forward: replicas checkpoint concurrently, and an older head must not win.
    await db
      .insert(auditCheckpoint)
      .values({ id: headId, seq: head.seq, hash: head.hash, at: clock.now().toISOString() })
      .onConflictDoUpdate({
        target: auditCheckpoint.id,
        set: { seq: head.seq, hash: head.hash, at: clock.now().toISOString() },
        setWhere: sql`${auditCheckpoint.seq} < ${head.seq}`,
      });
    logger.info({ auditHead: formatAuditHead(head) }, 'audit head checkpoint');
    return head;
  }

  return {
    /** Called after entries commit. */
    advanced() {
      appendedSinceCheckpoint = true;
    },
    /**
     * Writes a checkpoint when this process appended since the last one and that one is older than
     * the interval (`now`: whatever its age, as at shutdown).
     */
    async maybeWrite(now = false): Promise<void> {
      if (!appendedSinceCheckpoint || (!now && Date.now() - lastWrittenAt < intervalMs)) return;
      try {
        await write();
      } catch (error) {
        logger.error({ err: error }, 'audit checkpoint failed; will retry with the next entries');
      }
    },
    write,
    async read(): Promise<AuditHead | undefined> {
      const [row] = await db
        .select({ seq: auditCheckpoint.seq, hash: auditCheckpoint.hash })
        .from(auditCheckpoint)
        .where(eq(auditCheckpoint.id, headId));
      return row;
    },
    /** A problem when the log does not reach `expected`, or holds another entry at its place. */
    async compare(
      expected: AuditHead,
      head: AuditHead | undefined,
      source: string,
    ): Promise<AuditProblem | undefined> {
      if (head === undefined || head.seq < expected.seq) {
        return {
          seq: expected.seq,
          problem: 'truncated',
          message: `the log ends at entry ${head?.seq ?? 0} but ${source} is entry ${expected.seq}: newer entries were deleted`,
        };
      }
      const [row] = await db
        .select({ hash: auditLog.hash })
        .from(auditLog)
        .where(eq(auditLog.seq, expected.seq));
      if (row?.hash === expected.hash) return undefined;
      return {
        seq: expected.seq,
        problem: 'head_mismatch',
        message: `entry ${expected.seq} is not the one ${source} names: the log was rewritten from there`,
      };
    },
  };
}
