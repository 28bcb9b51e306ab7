import { type Clock, systemClock } from '../clock/index.ts';
import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, isNull, like, ne, or, sql, type SQL } from 'drizzle-orm';
import { outbox, type OutboxState } from './outbox-schema.ts';
import { takeWithdrawalTurn } from './withdrawal-turn.ts';
import type { OutboundMessage, Platform } from '../chat/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueueProducers } from '../queue/index.ts';

export type OutboxRow = typeof outbox.$inferSelect;

/** One message to one messenger account. */
export interface OutboxPush {
  /** What this message is, per recipient account; writing the same key again is a no-op. */
  dedupeKey: string;
  memberId?: string | undefined;
  address: { platform: Platform | (string & {}); chatId: string };
  /**
   * The message. Absent: rendered at delivery by the renderer registered for the kind (smaller
   * rows, and the text reflects the record as it is when sent).
   */
  message?: OutboundMessage | undefined;
  /** Who reacts to the outcome (see `onOutcome`); default "push". */
  kind?: string | undefined;
  /** The record it is about, e.g. `request:<id>`. */
  subject?: string | undefined;
  /** Small facts the outcome handler needs (no message text). */
  context?: Record<string, unknown> | undefined;
  /**
   * Left for the relay to queue (see outbox-relay.ts) instead of dispatched by the writer right
   * after its commit: for bulk pushes that go out at the messenger's rate anyway.
   */
  deferred?: boolean | undefined;
  /**
   * When the outcome of a send is unknown (the worker died between claiming and marking the row, or
   * the call timed out) and the messenger has no idempotent sends, send it again rather than
   * record it `uncertain`: at least once instead of at most once. For pushes whose duplicate is
   * harmless and whose loss is not (a re-verification prompt), never for nudges. The row keeps its
   * id, so a messenger that honours idempotency keys still delivers it once. Default false.
   */
  atLeastOnce?: boolean | undefined;
}

export type DeliveryOutcome = 'sent' | 'failed' | 'uncertain';

/** A push its writer took back (see OutboxService.withdrawInTransaction). */
export interface WithdrawnPush {
  dedupeKey: string;
  context: Record<string, unknown>;
  /** A send of it was handed to the messenger before (and failed, to be retried): it may have been seen. */
  attempted: boolean;
}

/**
 * Told, inside the transaction that records the outcome, how a push of its kind ended. It may
 * write pushes of its own (a notice to the requester) and returns their dedupe keys to dispatch.
 */
export type OutcomeHandler = (
  tx: Queryable,
  row: OutboxRow,
  outcome: DeliveryOutcome,
  detail: { error?: string | undefined },
) => Promise<readonly string[] | undefined>;

export interface OutboxService {
  /** Records pushes inside the caller's transaction: nothing is sent unless it commits. */
  addInTransaction(tx: Queryable, pushes: readonly OutboxPush[]): Promise<void>;
  /**
   * Takes back, inside the caller's transaction, the pushes of `kind` about `subject` that no worker
   * has handed to a messenger yet (state `withdrawn`, body erased, no outcome reported): a reminder
   * queued behind a slow queue must not reach someone who has answered meanwhile. That includes a
   * push a worker has claimed but not yet sent: the worker looks at the row once more right before
   * the messenger call and drops it. A push already handed to the messenger is left to finish.
   * Returns what was withdrawn, each with whether an earlier send of it was tried (a failure sent
   * back to wait for its retry): `attempted` false means nobody was ever shown it from this row.
   */
  withdrawInTransaction(tx: Queryable, pending: { kind: string; subject: string }): Promise<WithdrawnPush[]>;
  /**
   * The same as one SQL statement, for a caller that folds several writes into one round trip (a
   * CTE). `requestIn`: only pushes whose `context.requestId` is in that subquery are written.
   */
  insertStatement(pushes: readonly OutboxPush[], guard?: { requestIn: SQL }): SQL | undefined;
  /**
   * After the commit: enqueue delivery jobs. Best effort: when Redis is down this logs and
   * returns; the reconciler finds the pending rows and enqueues them later.
   */
  dispatch(dedupeKeys: readonly string[]): Promise<void>;
  onOutcome(kind: string, handler: OutcomeHandler): void;
  handlerFor(kind: string): OutcomeHandler | undefined;
  /**
   * Also told of every row's final outcome, whatever its kind, after the kind's handler and in
   * the same transaction (the registry-truth module counts failures per person across modules).
   */
  observeOutcomes(observer: OutcomeHandler): void;
  observers(): readonly OutcomeHandler[];
  /** Renders rows of a kind written without a message; undefined: nothing to send. */
  onRender(kind: string, renderer: MessageRenderer): void;
  rendererFor(kind: string): MessageRenderer | undefined;
}

export type MessageRenderer = (row: OutboxRow) => Promise<OutboundMessage | undefined>;

/** The row id (and BullMQ job id) of a dedupe key: deterministic, so dispatching needs no lookup. */
export const outboxIdOf = (dedupeKey: string): string =>
  `o${createHash('sha256').update(dedupeKey).digest('base64url').slice(0, 22)}`;

export function createOutboxService({
  queues,
  logger,
  clock = systemClock,
}: {
  /**
   * Where delivery jobs go. Absent (a process without Redis queues: the CLI): every push is
   * written deferred, for a worker's relay to queue, and `dispatch` does nothing.
   */
  queues?: QueueProducers | undefined;
  logger: Logger;
  clock?: Clock;
}): OutboxService {
  // One handler and renderer per push kind, registered at start; the backlog itself is in Postgres.
  const handlers = new Map<string, OutcomeHandler>();
  const observers: OutcomeHandler[] = [];
  const renderers = new Map<string, MessageRenderer>();

  function insertStatement(pushes: readonly OutboxPush[], guard?: { requestIn: SQL }): SQL | undefined {
    if (pushes.length === 0) return undefined;
    const now = clock.now().toISOString();
    // One JSON parameter for the whole batch: far cheaper to build and bind than a wide VALUES list.
    const rows = JSON.stringify(
      pushes.map((push) => ({
        id: outboxIdOf(push.dedupeKey),
        dedupe_key: push.dedupeKey,
        kind: push.kind ?? 'push',
        subject: push.subject ?? null,
        member_id: push.memberId ?? null,
        platform: push.address.platform,
        chat_id: push.address.chatId,
        message: push.message ?? null,
        context: push.context ?? {},
        queued: push.deferred !== true && queues !== undefined,
        at_least_once: push.atLeastOnce === true,
      })),
    );
    return sql`
      insert into outbox (id, dedupe_key, kind, subject, member_id, platform, chat_id, message, context, at_least_once, state, created_at, updated_at, queued_at)
      select r.id, r.dedupe_key, r.kind, r.subject, r.member_id, r.platform, r.chat_id, r.message, r.context, r.at_least_once, 'pending', ${now}::timestamptz, ${now}::timestamptz,
        case when r.queued then ${now}::timestamptz end
      from jsonb_to_recordset(${rows}::jsonb) as r(id text, dedupe_key text, kind text, subject text, member_id text, platform text, chat_id text, message jsonb, context jsonb, queued boolean, at_least_once boolean)
      ${guard === undefined ? sql`` : sql`where r.context->>'requestId' in ${guard.requestIn}`}
      on conflict (dedupe_key) do nothing`;
  }

  return {
    async addInTransaction(tx, pushes) {
      const statement = insertStatement(pushes);
      if (statement !== undefined) await tx.execute(statement);
    },

    async withdrawInTransaction(tx, pending) {
      // The turn first, before this waits on a row a worker is claiming: its last look then waits
      // for this transaction instead of racing it for the row (withdrawal-turn.ts).
      await tx.execute(takeWithdrawalTurn(pending));
      const now = clock.now();
      const rows = await tx
        .update(outbox)
        .set({ state: 'withdrawn', message: null, outcomeRecordedAt: now, updatedAt: now })
        .where(
          and(
            eq(outbox.kind, pending.kind),
            eq(outbox.subject, pending.subject),
            or(
              eq(outbox.state, 'pending'),
              // Claimed, but its worker has not called the messenger yet: it looks once more right
              // before the call (outbox-delivery.ts), after this transaction's end (the turn), finds
              // the row withdrawn and drops it.
              and(eq(outbox.state, 'sending'), isNull(outbox.sendStartedAt)),
            ),
          ),
        )
        .returning({
          dedupeKey: outbox.dedupeKey,
          context: outbox.context,
          sendStartedAt: outbox.sendStartedAt,
          lastError: outbox.lastError,
        });
      return rows.map((row) => ({
        dedupeKey: row.dedupeKey,
        context: row.context,
        // Handed over in this attempt, or in an earlier one that failed (its claim again clears
        // sendStartedAt, its failure left lastError).
        attempted: row.sendStartedAt !== null || row.lastError !== null,
      }));
    },

    insertStatement,

    async dispatch(dedupeKeys) {
      if (dedupeKeys.length === 0 || queues === undefined) return;
      try {
        await queues.add(
          'outbox',
          dedupeKeys.map((key) => {
            const id = outboxIdOf(key);
            return { jobId: id, payload: { outboxId: id } };
          }),
        );
      } catch (error) {
        logger.warn(
          { err: (error as Error).message, count: dedupeKeys.length },
          'outbox dispatch deferred to the reconciler',
        );
      }
    },

    onOutcome(kind, handler) {
      handlers.set(kind, handler);
    },
    handlerFor: (kind) => handlers.get(kind),
    observeOutcomes(observer) {
      observers.push(observer);
    },
    observers: () => observers,
    onRender(kind, renderer) {
      renderers.set(kind, renderer);
    },
    rendererFor: (kind) => renderers.get(kind),
  };
}

/** Rows by id, for tests and the request history. */
export async function outboxRows(db: Queryable, ids: readonly string[]): Promise<OutboxRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(outbox)
    .where(inArray(outbox.id, [...ids]));
}

/** The platform's id of a delivered message (threads and replies refer to it), if it has one. */
export async function deliveredMessageId(db: Queryable, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ messageId: outbox.platformMessageId })
    .from(outbox)
    .where(eq(outbox.id, id));
  return row?.messageId ?? undefined;
}

/**
 * The oldest delivery about `subject` to one member that is not finished yet (pending or being
 * sent): a module that orders its pushes hands the next one over only when it is still pending.
 */
export async function oldestUnfinishedDelivery(
  db: Queryable,
  subject: string,
  memberId: string,
): Promise<{ dedupeKey: string; state: OutboxState } | undefined> {
  const [head] = await db
    .select({ dedupeKey: outbox.dedupeKey, state: outbox.state })
    .from(outbox)
    .where(
      and(
        eq(outbox.subject, subject),
        eq(outbox.memberId, memberId),
        inArray(outbox.state, ['pending', 'sending']),
      ),
    )
    .orderBy(asc(outbox.createdAt), asc(outbox.id))
    .limit(1);
  return head;
}

/**
 * Whether any delivery whose dedupe key starts with `prefix` (one push's rows, one per account) is
 * delivered or may still be: a module then knows another account got its message.
 */
export function hasLiveDelivery(db: Queryable, prefix: string): Promise<boolean> {
  return anyRowOfPush(db, prefix, inArray(outbox.state, ['pending', 'sending', 'sent']));
}

/**
 * Whether any delivery whose dedupe key starts with `prefix` (one push's rows, one per account) was
 * handed to its messenger or is past being taken back: a module then knows the push may have been
 * seen, whatever happened to its other rows (withdrawn before anyone was shown them).
 */
export function anyDeliveryHanded(db: Queryable, prefix: string): Promise<boolean> {
  return anyRowOfPush(
    db,
    prefix,
    or(ne(outbox.state, 'withdrawn'), isNotNull(outbox.sendStartedAt), isNotNull(outbox.lastError)),
  );
}

/** Whether a row of the push whose dedupe keys start with `prefix` meets `condition`. */
async function anyRowOfPush(db: Queryable, prefix: string, condition: SQL | undefined): Promise<boolean> {
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(like(outbox.dedupeKey, `${prefix.replace(/[%_\\]/g, '\\$&')}%`), condition))
    .limit(1);
  return rows.length > 0;
}
