// Walks the whole chain in order: every entry must follow the one before it and hash to what it says.
import { asc, sql } from 'drizzle-orm';
import { auditLog } from './audit-schema.ts';
import type { Database } from '../db/index.ts';

export interface AuditProblem {
  seq: number;
  problem: 'hash_mismatch' | 'broken_link' | 'missing_entry' | 'truncated' | 'head_mismatch';
  message: string;
}

type EntryHash = (
  prevHash: string,
  entry: { seq: number; at: string; actor: string; action: string; subject: string | null; details: unknown },
) => string;

export async function verifyChain(
  db: Database,
  entryHash: EntryHash,
  genesisHash: string,
): Promise<{ entries: number; head: { seq: number; hash: string } | undefined; problems: AuditProblem[] }> {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let entries = 0;
  let head: { seq: number; hash: string } | undefined;
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
      if (entryHash(row.prevHash, row) !== row.hash) {
        problems.push({
          seq: row.seq,
          problem: 'hash_mismatch',
          message: `entry ${row.seq} was altered after it was written`,
        });
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      after = row.seq;
      head = { seq: row.seq, hash: row.hash };
    }
    if (page.length < pageSize) break;
  }
  return { entries, head, problems };
}
