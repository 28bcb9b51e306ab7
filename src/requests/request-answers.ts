// The counterpart's side: one-tap answers to a nudge, "not mine" with the pick of a colleague,
// and what the outbox reports about delivered (or undeliverable) nudges.
import { eq } from 'drizzle-orm';
import { readableIn, type Contact, type RegistrySnapshot } from '../registry/index.ts';
import { insertEvents } from './nudge-processor.ts';
import { localized, recipientLocale } from './request-messages.ts';
import { pushesTo, pushKinds } from './request-pushes.ts';
import { canAnswer, type RequestsContext } from './requests-context.ts';
import { formalRequests, requestEvents } from './requests-schema.ts';
import { answers, isOpen, type AnswerCode, type RequestRow, type RequestStatus } from './request-types.ts';
import { actorOf, type Principal } from '../access/index.ts';
import type { Button } from '../chat/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import { hasLiveDelivery, type OutboxPush, type OutcomeHandler } from '../outbox/index.ts';
import { reachableMembers } from '../members/index.ts';

/** What the person who tapped sees next. */
export type AnswerOutcome =
  | { kind: 'recorded'; request: RequestRow; status: RequestStatus }
  | { kind: 'pick_colleague'; request: RequestRow; colleagues: Contact[] }
  | { kind: 'no_colleague'; request: RequestRow }
  | { kind: 'reassigned'; request: RequestRow; to: Contact }
  | { kind: 'not_found' | 'not_yours' }
  | { kind: 'closed'; request: RequestRow };

export function createRequestAnswers(context: RequestsContext) {
  const { db, audit, registry, planner, scheduler, messages, outbox: outboxService, clock } = context;

  /** Tells the requester, in their language, through the outbox (inside the transaction). */
  async function noticeToRequester(
    tx: Queryable,
    row: RequestRow,
    snapshot: RegistrySnapshot,
    key: string,
    id: string,
    args: (locale: Locale) => Record<string, string | number> = () => ({}),
  ): Promise<OutboxPush[]> {
    const [requester] = await reachableMembers(
      tx,
      { memberIds: [row.requesterMemberId] },
      { platforms: context.pushPlatforms() },
    );
    if (requester === undefined) return [];
    const locale = recipientLocale(requester.locale, undefined, context.defaultLocale);
    const pushes = pushesTo(
      requester,
      `req-notice:${row.id}:${key}`,
      messages.notice(locale, id, row, snapshot, args(locale)),
      pushKinds.notice,
      row.id,
    );
    await outboxService.addInTransaction(tx, pushes);
    return pushes;
  }

  /** Colleagues of the same authority who could take the request over. */
  function colleaguesOf(snapshot: RegistrySnapshot, row: RequestRow): Contact[] {
    const current = row.contactId === null ? undefined : snapshot.contactById.get(row.contactId);
    const authority = current?.authority ?? row.authorityId;
    return snapshot.contacts.filter(
      (contact) =>
        contact.authority === authority && contact.status === 'active' && contact.id !== row.contactId,
    );
  }

  /** What a step on an open request decided, and the pushes it wrote (dispatched after the commit). */
  interface Stepped {
    outcome: AnswerOutcome;
    pushes?: OutboxPush[];
  }

  /**
   * Runs `step` on the request, locked, when it exists, is the principal's to answer and is still
   * open; after the commit, dispatches the pushes it wrote and moves the request's nudge timer.
   */
  async function onOpenRequest(
    principal: Principal,
    requestId: string,
    step: (tx: Queryable, row: RequestRow, snapshot: RegistrySnapshot, now: Date) => Promise<Stepped>,
  ): Promise<AnswerOutcome> {
    const snapshot = registry.snapshot();
    const now = clock.now();
    const { outcome, pushes = [] } = await db.transaction(async (tx): Promise<Stepped> => {
      const [row] = await tx
        .select()
        .from(formalRequests)
        .where(eq(formalRequests.id, requestId))
        .for('no key update');
      if (row === undefined) return { outcome: { kind: 'not_found' } };
      if (!canAnswer(principal, row, snapshot)) return { outcome: { kind: 'not_yours' } };
      if (!isOpen(row.status)) return { outcome: { kind: 'closed', request: row } };
      return step(tx, row, snapshot, now);
    });
    await afterCommit(outcome, pushes);
    return outcome;
  }

  function answer(principal: Principal, requestId: string, code: AnswerCode): Promise<AnswerOutcome> {
    return onOpenRequest(principal, requestId, async (tx, row, snapshot, now): Promise<Stepped> => {
      const answeringContact = principal.contactId ?? null;
      if (code === 'nm') {
        const colleagues = colleaguesOf(snapshot, row);
        if (colleagues.length > 0) return { outcome: { kind: 'pick_colleague', request: row, colleagues } };
        const eventId = await insertEventsReturning(
          tx,
          row.id,
          'answer',
          { answer: 'not_mine', contactId: answeringContact, colleagues: 0 },
          principal,
          now,
        );
        const pushes = await noticeToRequester(
          tx,
          row,
          snapshot,
          `not-mine:${eventId}`,
          'requests-notice-not-mine-nobody',
          (locale) => ({
            contactName: answererName(locale, snapshot, principal),
          }),
        );
        return { outcome: { kind: 'no_colleague', request: row }, pushes };
      }
      const status = answers[code] as RequestStatus;
      const updated: RequestRow = {
        ...row,
        status,
        unansweredNudges: 0,
        escalatedAt: null,
        nudgeSeq: row.nudgeSeq + 1,
        updatedAt: now,
        closedAt: isOpen(status) ? null : now,
        // Waiting for the requester's information, or closed: no more nudges until that changes.
        nextNudgeAt:
          !isOpen(status) || status === 'more_info_needed'
            ? null
            : new Date(planner.repeatNudgeAt(snapshot, row, now.getTime())),
      };
      await tx.update(formalRequests).set(updated).where(eq(formalRequests.id, row.id));
      const eventId = await insertEventsReturning(
        tx,
        row.id,
        'answer',
        { answer: status, from: row.status, contactId: answeringContact },
        principal,
        now,
      );
      await audit.appendInTransaction(tx, [
        {
          actor: actorOf(principal),
          action: 'request.answer',
          subject: `request:${row.id}`,
          details: { status },
        },
      ]);
      const pushes = await noticeToRequester(
        tx,
        updated,
        snapshot,
        `answer:${eventId}`,
        'requests-notice-answer',
        (locale) => ({
          contactName: answererName(locale, snapshot, principal),
        }),
      );
      return { outcome: { kind: 'recorded', request: updated, status }, pushes };
    });
  }

  function reassign(principal: Principal, requestId: string, toContactId: string): Promise<AnswerOutcome> {
    return onOpenRequest(principal, requestId, async (tx, row, snapshot, now): Promise<Stepped> => {
      const to = colleaguesOf(snapshot, row).find((contact) => contact.id === toContactId);
      if (to === undefined) return { outcome: { kind: 'not_found' } };
      const moved: RequestRow = {
        ...row,
        contactId: to.id,
        authorityId: to.authority,
        unansweredNudges: 0,
        escalatedAt: null,
        nudgeSeq: row.nudgeSeq + 1,
        updatedAt: now,
      };
      // The new contact hears about it at their next working moment, not a month later.
      moved.nextNudgeAt = new Date(planner.place(snapshot, moved, now.getTime()));
      await tx.update(formalRequests).set(moved).where(eq(formalRequests.id, row.id));
      const eventId = await insertEventsReturning(
        tx,
        row.id,
        'reassigned',
        { from: row.contactId, to: to.id, answer: 'not_mine' },
        principal,
        now,
      );
      await audit.appendInTransaction(tx, [
        {
          actor: actorOf(principal),
          action: 'request.reassign',
          subject: `request:${row.id}`,
          details: { from: row.contactId, to: to.id },
        },
      ]);
      const fromContact = row.contactId === null ? undefined : snapshot.contactById.get(row.contactId);
      const pushes = await noticeToRequester(
        tx,
        moved,
        snapshot,
        `reassigned:${eventId}`,
        'requests-notice-reassigned',
        (locale) => ({
          contactName:
            fromContact === undefined
              ? answererName(locale, snapshot, principal)
              : messages.contactName(locale, fromContact),
          newContactName: messages.contactName(locale, to),
        }),
      );
      return { outcome: { kind: 'reassigned', request: moved, to }, pushes };
    });
  }

  async function afterCommit(outcome: AnswerOutcome, pushes: readonly OutboxPush[]): Promise<void> {
    await outboxService.dispatch(pushes.map((push) => push.dedupeKey));
    if (outcome.kind === 'recorded' || outcome.kind === 'reassigned')
      await scheduler.cancel([{ requestId: outcome.request.id, seq: outcome.request.nudgeSeq - 1 }]);
    if (
      (outcome.kind === 'recorded' || outcome.kind === 'reassigned') &&
      outcome.request.nextNudgeAt !== null
    ) {
      await scheduler.schedule([
        { requestId: outcome.request.id, seq: outcome.request.nudgeSeq, at: outcome.request.nextNudgeAt },
      ]);
    }
  }

  /** Buttons to pick a colleague: `req:<id>:to:<contactId>`. */
  function colleagueButtons(locale: Locale, requestId: string, colleagues: readonly Contact[]): Button[] {
    return colleagues.slice(0, 8).map((contact) => {
      // Name and title in one language: the title's translation if it has one, else English for both.
      const title = readableIn(contact.title, locale);
      const nameLocale = title.language === 'en' ? 'en' : locale;
      return {
        label: `${localized(contact.name, nameLocale)} — ${title.text}`.slice(0, 60),
        action: `req:${requestId}:to:${contact.id}`,
      };
    });
  }

  /** What the outbox reports about nudges: delivered, refused by the messenger, or unknown after a crash. */
  const onNudgeOutcome: OutcomeHandler = async (tx, row, outcome, detail) => {
    const requestId = typeof row.context.requestId === 'string' ? row.context.requestId : undefined;
    if (requestId === undefined) return [];
    const seq = row.context.seq;
    const now = clock.now();
    if (outcome === 'sent') {
      const { contactId = null, standingInFor = null } = row.context as {
        contactId?: string | null;
        standingInFor?: string | null;
      };
      await insertEvents(
        tx,
        [
          {
            requestId,
            kind: 'nudge_delivered',
            details: { seq, contactId, standingInFor, platform: row.platform, memberId: row.memberId },
          },
        ],
        now,
      );
      return [];
    }
    if (outcome === 'uncertain') {
      await insertEvents(
        tx,
        [
          {
            requestId,
            kind: 'nudge_delivery_uncertain',
            details: { seq, platform: row.platform, memberId: row.memberId },
          },
        ],
        now,
      );
      return [];
    }
    await insertEvents(
      tx,
      [
        {
          requestId,
          kind: 'nudge_undeliverable',
          details: { seq, reason: 'failed', error: detail.error ?? null, platform: row.platform },
        },
      ],
      now,
    );
    // Tell the requester only if no other account of this nudge got it or may still get it.
    const prefix = row.dedupeKey.slice(0, row.dedupeKey.lastIndexOf(':') + 1);
    if (await hasLiveDelivery(tx, prefix)) return [];
    const [request] = await tx.select().from(formalRequests).where(eq(formalRequests.id, requestId));
    if (request === undefined) return [];
    const snapshot = registry.snapshot();
    const [requester] = await reachableMembers(
      tx,
      { memberIds: [request.requesterMemberId] },
      { platforms: context.pushPlatforms() },
    );
    if (requester === undefined) return [];
    const locale = recipientLocale(requester.locale, undefined, context.defaultLocale);
    const reason = messages.notice(locale, 'requests-reason-failed', request, snapshot).text;
    const pushes = pushesTo(
      requester,
      `req-notice:${requestId}:failed:${String(seq)}`,
      messages.notice(locale, 'requests-notice-undeliverable', request, snapshot, { reason }),
      pushKinds.notice,
      requestId,
    );
    await outboxService.addInTransaction(tx, pushes);
    return pushes.map((push) => push.dedupeKey);
  };

  outboxService.onOutcome(pushKinds.nudge, onNudgeOutcome);

  return { answer, reassign, colleagueButtons, colleaguesOf };
}

export type RequestAnswers = ReturnType<typeof createRequestAnswers>;

/** The registry name of whoever answered, or their member name (a coordinator answering for them). */
function answererName(locale: Locale, snapshot: RegistrySnapshot, principal: Principal): string {
  const contact = principal.contactId === null ? undefined : snapshot.contactById.get(principal.contactId);
  return contact === undefined ? principal.name : localized(contact.name, locale) || principal.name;
}

async function insertEventsReturning(
  tx: Queryable,
  requestId: string,
  kind: 'answer' | 'reassigned',
  details: Record<string, unknown>,
  principal: Principal,
  at: Date,
): Promise<number> {
  const [event] = await tx
    .insert(requestEvents)
    .values({ requestId, kind, details, actor: actorOf(principal), at })
    .returning({ id: requestEvents.id });
  return event?.id ?? 0;
}
