// Delivers one outbox row through its messenger: the consumer of the `outbox` queue.
//
// Exactly once, and where it cannot be: a row is claimed in Postgres ('sending', with the
// attempt's lock token) before the messenger is called and marked 'sent' right after. A crash
// before the claim commits leaves it 'pending' and a redelivery sends it, once. A crash between
// the claim and the mark leaves it 'sending', and then nobody can know whether the messenger got
// the message: a messenger without idempotent sends (capabilities.idempotentSends false) gives
// no way to ask. We choose at most once there:
// such a row becomes 'uncertain' and is never sent again, because a nudge sent twice erodes trust
// in every nudge, while a lost one is followed by the next one on schedule. The window is one
// HTTP round trip between two UPDATEs (the last look before the call, and the mark; milliseconds,
// and the messenger's ceiling check between them, which may wait for the sliding second to have room),
// and it is only opened at the end of the rate limiter's wait (the claim is made 20 ms before the slot, on connections of its own). Messengers
// with idempotent sends (capabilities.idempotentSends: transaction ids, the web console's event
// ids) are simply sent again with the same key: exactly once. A row its
// writer marked `atLeastOnce` (a re-verification prompt: a duplicate is harmless, a loss is not) is
// sent again too, with the same key: without idempotent sends the person may then see it twice, never zero times.
import { type Clock, systemClock } from '../clock/index.ts';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import {
  sendThroughPort,
  type MessengerDirectory,
  type OutboundMessage,
  type SendOutcome,
} from '../chat/index.ts';
import { outbox } from './outbox-schema.ts';
import { withdrawalTurnFirst } from './withdrawal-turn.ts';
import type { DeliveryOutcome, OutboxRow, OutboxService } from './outbox-service.ts';
import type { SendRateLimiter } from './send-rate-limiter.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';
import type { Logger } from '../logging/index.ts';
import type { QueuePayloads } from '../queue/index.ts';

export interface OutboxDeliveryDeps {
  db: Database;
  /**
   * Connections of the delivery's own (DatabaseHandle.lane) for the claim and the mark, the two
   * statements around a send: taken at a rate-limit slot, a claim that queued behind other
   * modules' transactions for a pooled connection (timers firing by the thousand) would return
   * after its slot. Default `db`.
   */
  sendDb?: Database;
  outboxService: OutboxService;
  adapters: Pick<MessengerDirectory, 'get'>;
  rateLimiter: SendRateLimiter;
  audit: AuditService;
  logger: Logger;
  /**
   * A claim younger than this may belong to a worker still sending (after a Redis flush
   * re-created its job), so a second attempt waits it out before calling the outcome unknown.
   * A crashed worker's job is only taken over after its lock expired, by which time its claim is
   * at least half a lock old: half the worker lock duration resolves those at once. Default 15 s.
   */
  claimGraceMs?: number;
  /** A send still running after this is treated as of unknown outcome (a hang guard). Default 5 min. */
  sendTimeoutMs?: number;
  /** Longest wait for a rate-limit slot before the job is postponed instead. Default 2 s. */
  maxRateWaitMs?: number;
  clock?: Clock;
}

export type OutboxJob = Job<QueuePayloads['outbox']>;

export function createOutboxDelivery(deps: OutboxDeliveryDeps) {
  const { db, outboxService, adapters, rateLimiter, audit, logger } = deps;
  const sendDb = deps.sendDb ?? db;
  const claimGraceMs = deps.claimGraceMs ?? 15_000;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 300_000;
  const maxRateWaitMs = deps.maxRateWaitMs ?? 2000;
  const clock = deps.clock ?? systemClock;

  /**
   * Marks a final state: one UPDATE, in its own implicit transaction, straight after the
   * messenger call, because the time between the call and this commit is the window in which a
   * crash leaves the outcome unknown. Its consequences are recorded next (`recordOutcome`).
   */
  async function mark(
    row: OutboxRow,
    outcome: DeliveryOutcome,
    guard: { token: string | null; from: readonly OutboxRow['state'][] },
    detail: { error?: string; platformMessageId?: string } = {},
  ): Promise<OutboxRow | undefined> {
    const now = clock.now();
    const [marked] = await sendDb
      .update(outbox)
      .set({
        state: outcome,
        updatedAt: now,
        // Bodies are kept only while they may still be sent.
        message: null,
        outcomeRecordedAt: null,
        ...(outcome === 'sent' ? { sentAt: now, platformMessageId: detail.platformMessageId ?? null } : {}),
        ...(detail.error === undefined ? {} : { lastError: detail.error }),
      })
      .where(
        and(
          eq(outbox.id, row.id),
          inArray(outbox.state, [...guard.from]),
          guard.token === null ? sql`true` : eq(outbox.claimToken, guard.token),
        ),
      )
      .returning();
    return marked;
  }

  /**
   * The consequences of a final state, once: the writing module's handler (a request event, a
   * notice to the requester) and the audit entry, in one transaction that also stamps
   * `outcome_recorded_at`. Safe to call again after a crash.
   */
  async function recordOutcome(row: OutboxRow): Promise<void> {
    const outcome = row.state;
    if (outcome !== 'sent' && outcome !== 'failed' && outcome !== 'uncertain') return;
    const toDispatch = await db.transaction(async (tx) => {
      const claimed = await tx
        .update(outbox)
        .set({ outcomeRecordedAt: clock.now() })
        .where(and(eq(outbox.id, row.id), eq(outbox.state, outcome), isNull(outbox.outcomeRecordedAt)))
        .returning({ id: outbox.id });
      if (claimed.length === 0) return undefined;
      // The handler touches the module's own rows first; the audit log's lock is taken last, as
      // every other writer does, so the two locks are always taken in the same order.
      const handler = outboxService.handlerFor(row.kind);
      const detail = { error: row.lastError ?? undefined };
      const dispatch = [...((await handler?.(tx, row, outcome, detail)) ?? [])];
      for (const observer of outboxService.observers())
        dispatch.push(...((await observer(tx, row, outcome, detail)) ?? []));
      await audit.appendInTransaction(tx, [
        {
          actor: 'system',
          action: `delivery.${outcome}`,
          subject: `outbox:${row.id}`,
          details: {
            kind: row.kind,
            platform: row.platform,
            memberId: row.memberId,
            about: row.subject,
            error: row.lastError,
          },
        },
      ]);
      return dispatch;
    });
    if (toDispatch !== undefined) await outboxService.dispatch(toDispatch);
  }

  async function finish(
    row: OutboxRow,
    outcome: DeliveryOutcome,
    guard: { token: string | null; from: readonly OutboxRow['state'][] },
    detail: { error?: string; platformMessageId?: string } = {},
  ): Promise<boolean> {
    const marked = await mark(row, outcome, guard, detail);
    if (marked === undefined) return false;
    await recordOutcome(marked);
    return true;
  }

  /**
   * A message that asks to hang under an earlier push (`replyToPush`) gets that push's platform
   * message id once it is sent to the same chat; while it is still pending the job waits (up to
   * `threadWaitMs` after its delivery job was made, in real time), and a root that failed or went elsewhere leaves
   * the message unthreaded rather than held.
   */
  async function resolveThread(
    row: OutboxRow,
    message: OutboundMessage,
    since: number,
  ): Promise<OutboundMessage | 'wait'> {
    const { replyToPush, ...rest } = message;
    if (replyToPush === undefined || rest.replyTo !== undefined) return rest;
    const [root] = await db
      .select({
        state: outbox.state,
        platform: outbox.platform,
        chatId: outbox.chatId,
        platformMessageId: outbox.platformMessageId,
      })
      .from(outbox)
      .where(eq(outbox.dedupeKey, replyToPush));
    if (root === undefined) return rest;
    if (root.state === 'pending' || root.state === 'sending') {
      return Date.now() - since < threadWaitMs ? 'wait' : rest;
    }
    const sameChat = root.platform === row.platform && root.chatId === row.chatId;
    return root.state === 'sent' && sameChat && root.platformMessageId !== null
      ? { ...rest, replyTo: root.platformMessageId }
      : rest;
  }

  /**
   * Waits for the chat's next send slot (see the rate limiter), up to `claimLeadMs` before it, so
   * that the claim's round trip is made by the slot's time: granted with the slot's time, or
   * refused with how long until the next one when that is more than `maxRateWaitMs` away. A
   * messenger whose ceiling is checked at the send (`rateLimiter.admit`) keeps its one slot
   * however late this process comes back: the check right before the call holds a late send that
   * would bunch with later ones. Without that check, a wait that ended past its slot (this process
   * stalled) takes another, because the messenger counts arrivals in sliding windows; the stalled
   * slot's moment is lost either way.
   */
  async function takeSlot(
    row: OutboxRow,
  ): Promise<{ granted: true; at: number } | { granted: false; waitMs: number }> {
    for (let attempt = 0; ; attempt++) {
      const reservation = await rateLimiter.reserve(row.platform, row.chatId, maxRateWaitMs);
      if (!reservation.granted) return { granted: false, waitMs: reservation.waitMs };
      const at = Date.now() + reservation.waitMs;
      await sleepUntil(at - claimLeadMs);
      if (rateLimiter.checksAtSend(row.platform)) return { granted: true, at };
      if (Date.now() - at <= lateSlotToleranceMs || attempt >= 5) return { granted: true, at };
    }
  }

  /** Since when each messenger has been unable to send from this process (see notHereRetryMs). */
  const notReadySince = new Map<string, number>();
  /**
   * How soon a push this process cannot send now is offered again: half a second at first (a
   * client starting, another replica taking it), then slower the longer the messenger stays
   * unable (an outage), up to 5 s, so waiting pushes do not poll the database at 2 a second each.
   */
  function notHereRetryMs(platform: string): number {
    const since = notReadySince.get(platform) ?? Date.now();
    notReadySince.set(platform, since);
    return Math.min(notHereRetryMaxMs, Math.max(notHereRetryMinMs, (Date.now() - since) / 4));
  }

  /** Comes back to the job later (without spending one of its attempts). */
  async function postpone(
    job: OutboxJob,
    token: string | undefined,
    waitMs: number,
    reason = 'rate limited',
  ): Promise<never> {
    // Without a token (a job run outside a worker) it cannot be moved: fail it with the reason.
    if (token === undefined) throw new Error(reason);
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  }

  async function process(job: OutboxJob, token: string | undefined): Promise<void> {
    const [row] = await db.select().from(outbox).where(eq(outbox.id, job.data.outboxId));
    if (row === undefined) return;
    if (row.state !== 'pending' && row.state !== 'sending') {
      // Final, but a crash may have come between the mark and its consequences.
      if (row.outcomeRecordedAt === null) await recordOutcome(row);
      return;
    }
    const adapter = adapters.get(row.platform);

    if (row.state === 'sending') {
      // A previous attempt claimed it and never marked it: it crashed, or is still sending.
      const age = clock.now().getTime() - (row.claimedAt?.getTime() ?? 0);
      if (age < claimGraceMs && token !== undefined) {
        await job.moveToDelayed(Date.now() + claimGraceMs - age + 100, token);
        throw new DelayedError();
      }
      if (!resendable(row, adapter)) {
        logger.warn(
          { outboxId: row.id, kind: row.kind, platform: row.platform },
          'delivery outcome unknown after a crash; not sending again',
        );
        await finish(
          row,
          'uncertain',
          { token: row.claimToken, from: ['sending'] },
          { error: 'crashed_while_sending' },
        );
        return;
      }
      logger.warn(
        { outboxId: row.id, kind: row.kind, platform: row.platform },
        'delivery outcome unknown after a crash; sending again',
      );
    }
    if (adapter === undefined) {
      await finish(row, 'failed', { token: null, from: ['pending', 'sending'] }, { error: 'no_adapter' });
      throw new UnrecoverableError(`no ${row.platform} adapter in this process`);
    }
    if (adapter.sendsHere?.() === false) {
      // This process cannot send on this messenger now (another process holds its connection, or
      // its own is still starting): put the job back for the queue to offer again, here or to
      // another consumer; nothing is claimed, no attempt or rate slot is spent.
      return postpone(job, token, notHereRetryMs(row.platform), `${row.platform} cannot send from here now`);
    }
    notReadySince.delete(row.platform);
    // Stored, or rendered now by the module that wrote the row (nudges are rendered at sending,
    // in the recipient's language, with the request as it stands).
    let message = row.message ?? (await outboxService.rendererFor(row.kind)?.(row));
    if (message === undefined) {
      await finish(
        row,
        'failed',
        { token: null, from: ['pending', 'sending'] },
        { error: 'nothing_to_send' },
      );
      throw new UnrecoverableError(`outbox row ${row.id} has no message and no renderer for ${row.kind}`);
    }

    const threaded = await resolveThread(row, message, job.timestamp);
    if (threaded === 'wait') {
      if (token === undefined) throw new Error('thread root not sent yet');
      await job.moveToDelayed(Date.now() + threadWaitStepMs, token);
      throw new DelayedError();
    }
    message = threaded;

    // The claim comes at the end of the wait, right before the send: the claim-to-mark window, where
    // a crash leaves the outcome unknown, is then one claim, one send and one mark long. A row sent
    // again after a crash takes its slot like any other.
    const slot = await takeSlot(row);
    if (!slot.granted) return postpone(job, token, slot.waitMs);
    const claimToken = token ?? `direct-${job.id ?? row.id}-${Date.now()}`;
    // Every later write of this delivery touches the row only while it is still this claim, in
    // `sending`: a row its writer withdrew meanwhile stays withdrawn.
    const stillOurClaim = and(
      eq(outbox.id, row.id),
      eq(outbox.state, 'sending'),
      eq(outbox.claimToken, claimToken),
    );
    const claimed = await sendDb
      .update(outbox)
      .set({
        state: 'sending',
        claimToken,
        claimedAt: clock.now(),
        // Not handed to the messenger yet, whatever an earlier attempt did (a send refused and sent
        // back to wait for its retry): until the last look stamps it, its writer may take it back.
        // That an earlier attempt was made stays known by its lastError.
        sendStartedAt: null,
        attempts: sql`${outbox.attempts} + 1`,
        updatedAt: clock.now(),
        // Kept once sent: this delivery may have reached its recipient twice.
        ...(row.state === 'sending' ? { lastError: resentAfterCrash } : {}),
      })
      .where(
        and(
          eq(outbox.id, row.id),
          // Taking over a claim: only while it is still unmarked. Its worker may have been slow
          // rather than dead and marked the row meanwhile (sent, or given up as uncertain).
          row.state === 'pending'
            ? eq(outbox.state, 'pending')
            : and(eq(outbox.state, 'sending'), eq(outbox.claimToken, row.claimToken ?? '')),
        ),
      )
      .returning({ id: outbox.id });
    if (claimed.length === 0) return;
    /** Gives the claim back unsent, to come again after `waitMs` (never handed to the messenger). */
    const giveBack = async (waitMs: number) => {
      await sendDb
        .update(outbox)
        .set({ state: 'pending', claimToken: null, sendStartedAt: null, updatedAt: clock.now() })
        .where(stillOurClaim);
      return postpone(job, token, waitMs);
    };
    // Claimed a moment before the slot (on the delivery's own connections): sent at the slot.
    await sleepUntil(slot.at);
    // Still, a stalled process can return from the claim past the slot: sent then, the message would
    // bunch with the sends of later slots. Take the next free slot, holding the claim (the crash
    // window grows by that wait, in this case only); the next free slot too far away, give the
    // claim back and come again. (With a ceiling checked at the send, that check holds it instead.)
    if (!rateLimiter.checksAtSend(row.platform) && Date.now() - slot.at > lateSlotToleranceMs) {
      const again = await takeSlot(row);
      if (!again.granted) return giveBack(again.waitMs);
      await sleepUntil(again.at);
    }

    // The last look before the messenger call: its writer may have taken the row back while it was
    // claimed (a reminder whose person answered meanwhile: OutboxService.withdrawInTransaction).
    // Stamped in the same statement, so a withdrawal after this leaves the row alone: from here
    // until the messenger accepts the message (the adapter's own preparation included, such as
    // opening a direct chat or sharing encryption keys), a push can no longer be taken back. The
    // statement takes the withdrawal turn before it reads the row: a withdrawal already waiting for
    // this claim goes first (withdrawal-turn.ts).
    const handed = await sendDb
      .update(outbox)
      .set({ sendStartedAt: clock.now() })
      .where(and(stillOurClaim, withdrawalTurnFirst(row)))
      .returning({ id: outbox.id });
    if (handed.length === 0) {
      logger.info({ outboxId: row.id, kind: row.kind }, 'push taken back by its writer before sending');
      return;
    }
    // The messenger's ceiling, checked against the sends really started, at the last moment before
    // the call: a send that comes late (this process stalled anywhere since its slot) waits for the
    // sliding window to have room instead of bunching with the sends of later slots. The wait is
    // under a second as a rule; one longer than `maxRateWaitMs` gives the claim back.
    let admission = await rateLimiter.admit(row.platform, row.chatId);
    while (!admission.admitted) {
      if (admission.waitMs > maxRateWaitMs) return giveBack(admission.waitMs);
      await sleep(admission.waitMs);
      admission = await rateLimiter.admit(row.platform, row.chatId);
    }

    // The one way out (src/chat/reply-path.ts), as for inline answers. The outbox id is the
    // idempotency key: a messenger that honours keys delivers a retry once. Paced: a refusal (429)
    // comes back here and waits for the messenger's retry_after and a new slot, instead of being
    // retried inside the adapter outside the shared rate limiter.
    const outcome = await withTimeout(
      sendThroughPort(adapter, row.chatId, message, row.id, { paced: true }),
      sendTimeoutMs,
    ).catch((error: unknown): SendOutcome => ({
      sent: false,
      failure: adapter.classifyFailure(error),
      error,
    }));
    // Logged as answered now (the latest the message can have arrived), alongside the mark rather
    // than before it: the mark closes the window in which a crash leaves the outcome unknown.
    void admission.finished().catch((error: unknown) => {
      logger.warn({ err: (error as Error).message, platform: row.platform }, 'send log not updated');
    });
    if (!outcome.sent) {
      const { failure, error } = outcome;
      logger.warn(
        { outboxId: row.id, platform: row.platform, failure: failure.kind, code: failure.code },
        'send failed',
      );
      if (failure.kind === 'unknown_outcome' && !resendable(row, adapter)) {
        await finish(row, 'uncertain', { token: claimToken, from: ['sending'] }, { error: failure.code });
        return;
      }
      const attempts = job.opts.attempts ?? 1;
      const lastAttempt = job.attemptsMade + 1 >= attempts || row.attempts + 1 >= attempts * 3;
      if (failure.kind === 'permanent' || lastAttempt) {
        await finish(row, 'failed', { token: claimToken, from: ['sending'] }, { error: failure.code });
        throw new UnrecoverableError(`delivery failed: ${failure.code}`);
      }
      // Not delivered (or, sent at least once, perhaps delivered: marked so, as after a crash):
      // release the claim so the retry can take it again. A row already marked as perhaps
      // delivered keeps that mark through later plain failures (a resend refused because the
      // messenger's connection was not up yet): the recipient may still see it twice.
      const lastError =
        failure.kind === 'unknown_outcome'
          ? resentAfterCrash
          : sql<string>`case when ${outbox.lastError} = ${resentAfterCrash} then ${outbox.lastError} else ${failure.code} end`;
      await db
        .update(outbox)
        .set({ state: 'pending', claimToken: null, lastError, updatedAt: clock.now() })
        .where(stillOurClaim);
      if (failure.kind === 'retry' && failure.retryAfterMs !== undefined && token !== undefined) {
        // The messenger said when: wait that long, without spending one of the job's attempts.
        await job.moveToDelayed(Date.now() + failure.retryAfterMs, token);
        throw new DelayedError();
      }
      throw error instanceof Error ? error : new Error(failure.code);
    }
    const { messageId } = outcome;

    // Delivered. Marking must not be lost to a database blip: retry it here, where we know.
    let marked: OutboxRow | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        marked = await mark(
          row,
          'sent',
          { token: claimToken, from: ['sending', 'uncertain'] },
          { platformMessageId: messageId },
        );
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        logger.warn(
          { err: (error as Error).message, outboxId: row.id },
          'marking a sent message failed; retrying',
        );
        await sleep(200 * 2 ** attempt);
      }
    }
    if (marked !== undefined) await recordOutcome(marked);
  }

  return { process };
}

export type OutboxDelivery = ReturnType<typeof createOutboxDelivery>;

/** Bounds of how soon a push this process cannot send now is offered again (notHereRetryMs). */
const notHereRetryMinMs = 500;
const notHereRetryMaxMs = 5000;

/** `last_error` of a row sent again after a crash left its first send's outcome unknown. */
export const resentAfterCrash = 'resent_after_unknown_outcome';

/**
 * May a send whose outcome is unknown be made again? Yes where the messenger drops the duplicate
 * (same idempotency key), or where the writer said a duplicate is better than a loss.
 */
const resendable = (row: OutboxRow, adapter: { capabilities: { idempotentSends: boolean } } | undefined) =>
  adapter?.capabilities.idempotentSends === true || row.atLeastOnce;

/** How long a message may wait for the push it threads under, and how often it looks again. */
const threadWaitMs = 30_000;
const threadWaitStepMs = 250;

/**
 * How late after its slot a send may still start on a messenger without a ceiling checked at the
 * send (see takeSlot); later, it takes another slot. A messenger with one (`sendRate.ceiling`)
 * keeps its slot: the check right before the call holds a send that would bunch.
 */
const lateSlotToleranceMs = 50;

/** How long before its slot a send's claim is made, so the claim's round trip ends by the slot. */
const claimLeadMs = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the instant `at` (epoch milliseconds), or not at all once it has passed. Real time,
 * not the injected clock: rate-limit slots are counted in Redis's real time (TIME), and a test
 * clock may be set or advanced while a delivery waits for its slot.
 */
export async function sleepUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms);
}

class SendTimeoutError extends Error {
  constructor(ms: number) {
    super(`send did not finish within ${ms} ms`);
    this.name = 'SendTimeoutError';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new SendTimeoutError(ms));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
