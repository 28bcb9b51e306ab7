// Who reaches a claimed push first: its writer taking it back, or the worker's last look before the
// messenger call. The row lock alone cannot order them. A withdrawal that arrives while the worker's
// claim is being written waits for that claim's row lock; once the claim commits, the waiting
// withdrawal has to be woken and take the row again, and on a busy machine the worker's last look,
// sent right after its claim returned, can take the row first, stamp it as handed over and send a
// reminder after the person answered. So both take a turn first, a transaction-scoped advisory
// lock on the push's kind and subject: the withdrawal before it touches the row, the last look in
// the same statement as its stamp. A withdrawal that has started waiting then holds the turn, the
// last look waits until the answer's transaction is over, and its stamp, rechecked against the row
// the answer left (READ COMMITTED re-reads a row updated meanwhile), finds it withdrawn.
import { sql, type SQL } from 'drizzle-orm';

/** The advisory-lock space of withdrawal turns (two-key form; the audit log's lock is one key). */
const withdrawalTurnSpace = 0x6f7462;

/** Whose turn: the pushes of one kind about one subject. */
type TurnOf = { kind: string; subject: string | null };

const turnOf = (push: TurnOf): SQL =>
  sql`pg_advisory_xact_lock(${sql.raw(String(withdrawalTurnSpace))}, hashtext(${`${push.kind}\n${push.subject ?? ''}`}))`;

/** A statement that takes the turn of the pushes of `kind` about `subject` until the transaction ends. */
export const takeWithdrawalTurn = (push: TurnOf): SQL => sql`select ${turnOf(push)}`;

/**
 * A condition that takes the same turn before the statement reads any row: an uncorrelated scalar
 * subquery, which Postgres runs once, first (not `exists`, whose select list it never evaluates).
 */
export const withdrawalTurnFirst = (push: TurnOf): SQL => sql`(select ${turnOf(push)}) is not null`;
