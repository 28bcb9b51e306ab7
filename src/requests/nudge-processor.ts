// Fires due nudges: the firing of the timer service's `nudges` lane (nudge-timers.ts), which
// gathers jobs into batches (one Postgres statement for many due nudges) because a busy morning
// can bring thousands at once.
//
// Idempotent by construction: a timer job names the request and the nudge number (`seq`) it was
// scheduled for; Postgres says which nudge is due. A job whose number is no longer the request's
// (answered, rescheduled, already fired) does nothing, so a duplicate or replayed timer never
// nudges twice. The outbox rows carry dedupe keys derived from the same number.
import { type Clock, systemClock } from '../clock/index.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { NudgePlanner } from './nudge-planner.ts';
import type { RequestMessages } from './request-messages.ts';
import { recipientLocale } from './request-messages.ts';
import { pushesTo, pushKinds, type NudgeContext } from './request-pushes.ts';
import type { FireOutcome } from '../timers/index.ts';
import type { NudgeScheduler } from './nudge-timers.ts';
import { isOpen, type RequestRow } from './request-types.ts';
import { formalRequests, type RequestEventKind } from './requests-schema.ts';
import type { Database, Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import { reachableMembers, type MemberReach } from '../members/index.ts';
import type { OutboxPush, OutboxService } from '../outbox/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

export interface NudgeJobItem {
  requestId: string;
  seq: number;
}

export type FireResult = FireOutcome;

export interface NudgeProcessorDeps {
  db: Database;
  registry: { snapshot(): RegistrySnapshot };
  planner: NudgePlanner;
  messages: RequestMessages;
  outbox: OutboxService;
  scheduler: NudgeScheduler;
  /** Platforms this deployment pushes to (those with an adapter). */
  pushPlatforms: () => readonly string[];
  defaultLocale: Locale;
  logger: Logger;
  clock?: Clock;
}

// A nudge placed less than this after now is sent now rather than postponed.
const placementToleranceMs = 60_000;
// A timer that fires this much before its nudge is due waits (clock differences between hosts).
const earlyToleranceMs = 2000;

interface EventInput {
  requestId: string;
  kind: RequestEventKind;
  details: Record<string, unknown>;
}

interface RequestUpdate {
  id: string;
  /** The guard: applied only while the request is still at this nudge number and status. */
  expectedSeq: number;
  expectedStatus: string;
  seq: number;
  unanswered: number;
  next: Date;
  last: Date | null;
  escalated: Date | null;
}

export function createNudgeProcessor(deps: NudgeProcessorDeps) {
  const { db, registry, planner, messages, outbox, scheduler, logger } = deps;
  const clock = deps.clock ?? systemClock;

  async function fire(items: readonly NudgeJobItem[]): Promise<FireResult[]> {
    const nowDate = clock.now();
    const now = nowDate.getTime();
    const snapshot = registry.snapshot();
    const results = new Map<string, FireResult>();
    const keyOf = (item: NudgeJobItem) => `${item.requestId}:${item.seq}`;
    const dispatchKeys: string[] = [];
    const updates: RequestUpdate[] = [];

    // Optimistic: read without locks, decide, then one guarded write statement that applies only
    // to requests still at the nudge number and status that were read. An answer or a second
    // timer that got there first makes the guard fail for that request, which then does nothing.
    {
      const ids = [...new Set(items.map((item) => item.requestId))].sort();
      const rows = await db
        .select()
        .from(formalRequests)
        .where(
          sql`${formalRequests.id} in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
        );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const due: RequestRow[] = [];
      for (const item of items) {
        const row = byId.get(item.requestId);
        if (
          row === undefined ||
          row.nudgeSeq !== item.seq ||
          row.nextNudgeAt === null ||
          !isOpen(row.status)
        ) {
          results.set(keyOf(item), { kind: 'stale' });
        } else if (row.nextNudgeAt.getTime() > now + earlyToleranceMs) {
          results.set(keyOf(item), { kind: 'early', at: row.nextNudgeAt.getTime() });
        } else if (!due.includes(row)) {
          due.push(row);
          results.set(keyOf(item), { kind: 'fired' });
        } else {
          results.set(keyOf(item), { kind: 'stale' });
        }
      }
      if (due.length === 0) return items.map((item) => results.get(keyOf(item)) ?? { kind: 'stale' });

      const events: EventInput[] = [];
      const pushes: OutboxPush[] = [];
      const firing: {
        row: RequestRow;
        recipient: ReturnType<NudgePlanner['recipientAt']>;
        escalate: boolean;
      }[] = [];
      for (const row of due) {
        // The registry may have changed since the timer was set (hours, leave, a new deputy).
        const placed = planner.place(snapshot, row, now);
        if (placed > now + placementToleranceMs) {
          updates.push({
            id: row.id,
            expectedSeq: row.nudgeSeq,
            expectedStatus: row.status,
            seq: row.nudgeSeq + 1,
            unanswered: row.unansweredNudges,
            next: new Date(placed),
            last: row.lastNudgeAt,
            escalated: row.escalatedAt,
          });
          events.push({
            requestId: row.id,
            kind: 'nudge_postponed',
            details: { until: new Date(placed).toISOString(), reason: 'outside_working_time' },
          });
          results.set(`${row.id}:${row.nudgeSeq}`, { kind: 'postponed' });
          continue;
        }
        const threshold = planner.escalateAfter(row);
        const escalate = threshold > 0 && row.unansweredNudges >= threshold && row.escalatedAt === null;
        firing.push({ row, recipient: planner.recipientAt(snapshot, row.contactId, now), escalate });
      }

      // Everyone these nudges may reach, in one query for the batch: the contacts nudged (or their
      // deputies standing in), the requesters, and the coordinators an escalation goes to.
      const reachable = await reachableMembers(
        db,
        {
          contactIds: firing.flatMap(({ recipient }) =>
            recipient.contact === undefined ? [] : [recipient.contact.id],
          ),
          memberIds: firing.map(({ row }) => row.requesterMemberId),
          coordinatorsOf: firing.map(({ row }) => row.toCountry),
        },
        { platforms: deps.pushPlatforms() },
      );
      const byContact = new Map<string, MemberReach[]>();
      const byMember = new Map<string, MemberReach>();
      const coordinatorsByCountry = new Map<string, MemberReach[]>();
      for (const member of reachable) {
        byMember.set(member.memberId, member);
        if (member.contactId !== null)
          byContact.set(member.contactId, [...(byContact.get(member.contactId) ?? []), member]);
        // Escalations go to a country's coordinators; an admin of no country is nobody's.
        if (member.role === 'coordinator' && member.country !== null)
          coordinatorsByCountry.set(member.country, [
            ...(coordinatorsByCountry.get(member.country) ?? []),
            member,
          ]);
      }

      for (const { row, recipient, escalate } of firing) {
        const seq = row.nudgeSeq;
        const requester = byMember.get(row.requesterMemberId);
        const contact = recipient.contact;
        const timezone = snapshot.countryByIso2.get(contact?.country ?? row.toCountry)?.timezone ?? 'UTC';
        const targets = contact === undefined ? [] : (byContact.get(contact.id) ?? []);
        const reachableTargets = targets.filter((member) => member.accounts.length > 0);
        for (const member of reachableTargets) {
          // Rendered when sent (nudge-renderer.ts), from these facts and the request as it stands.
          const context: NudgeContext = {
            seq,
            contactId: contact?.id ?? null,
            standingInFor: recipient.standingInFor?.id ?? null,
            locale: recipientLocale(member.locale, contact, deps.defaultLocale),
            requesterName: requester?.name ?? '—',
          };
          // Deferred: the outbox relay queues nudge deliveries at the pace they can go out.
          pushes.push(
            ...pushesTo(member, `nudge:${row.id}:${seq}`, undefined, pushKinds.nudge, row.id, {
              ...context,
            }).map((push) => ({ ...push, deferred: true })),
          );
        }
        // The history records what became of the nudge: delivered (per account, when the outbox
        // reports it) or undeliverable (now, or when the messenger refuses it).
        if (reachableTargets.length === 0) {
          const reason =
            contact === undefined ? 'no_contact' : targets.length === 0 ? 'no_member' : 'no_messenger';
          events.push({
            requestId: row.id,
            kind: 'nudge_undeliverable',
            details: { seq, reason, contactId: contact?.id ?? null },
          });
          if (requester !== undefined) {
            const locale = recipientLocale(requester.locale, undefined, deps.defaultLocale);
            const reasonText = messages.notice(locale, `requests-reason-${reason}`, row, snapshot).text;
            const message = messages.notice(locale, 'requests-notice-undeliverable', row, snapshot, {
              reason: reasonText,
            });
            pushes.push(
              ...pushesTo(
                requester,
                `req-notice:${row.id}:undeliverable:${seq}`,
                message,
                pushKinds.notice,
                row.id,
              ),
            );
          }
        }
        if (escalate) {
          const coordinators = (coordinatorsByCountry.get(row.toCountry) ?? []).filter(
            (member) => member.accounts.length > 0,
          );
          for (const coordinator of coordinators) {
            const locale = recipientLocale(coordinator.locale, undefined, deps.defaultLocale);
            const message = messages.escalation({
              locale,
              request: row,
              snapshot,
              count: row.unansweredNudges,
              timezone,
            });
            pushes.push(
              ...pushesTo(coordinator, `escalation:${row.id}:${seq}`, message, pushKinds.escalation, row.id, {
                seq,
              }),
            );
          }
          events.push({
            requestId: row.id,
            kind: 'escalated',
            details: {
              seq,
              unanswered: row.unansweredNudges,
              coordinators: coordinators.map((member) => member.memberId),
            },
          });
          if (requester !== undefined) {
            const locale = recipientLocale(requester.locale, undefined, deps.defaultLocale);
            const id =
              coordinators.length > 0 ? 'requests-notice-escalated' : 'requests-notice-escalation-nobody';
            const message = messages.notice(locale, id, row, snapshot, { count: row.unansweredNudges });
            pushes.push(
              ...pushesTo(
                requester,
                `req-notice:${row.id}:escalated:${seq}`,
                message,
                pushKinds.notice,
                row.id,
              ),
            );
          }
        }
        updates.push({
          id: row.id,
          expectedSeq: seq,
          expectedStatus: row.status,
          seq: seq + 1,
          unanswered: row.unansweredNudges + 1,
          next: new Date(planner.repeatNudgeAt(snapshot, row, now)),
          last: nowDate,
          escalated: escalate ? nowDate : row.escalatedAt,
        });
      }

      // Every write in one statement, atomic on its own: the requests whose guard holds are
      // updated, and only their events and outbox rows are written. Not waiting for the WAL flush
      // is safe: a commit lost to a database crash is lost whole, the timer job is gone, so the
      // reconciler finds the nudge still due and fires it again; and any later synchronous commit
      // (a delivery claim) flushes this one first.
      const applied = sql`(select id from applied)`;
      const writes = [
        eventsStatement(events, nowDate, 'system', applied),
        outbox.insertStatement(pushes, { requestIn: applied }),
      ].filter((statement): statement is SQL => statement !== undefined);
      const steps = sql.join(
        [
          sql`applied as (${updatesStatement(updates, nowDate)})`,
          ...writes.map((statement, index) => sql`${sql.raw(`w${index}`)} as (${statement})`),
        ],
        sql`, `,
      );
      const appliedIds = new Set(
        rowsOf(
          await db.execute(
            sql`with ${steps} select id, set_config('synchronous_commit', 'off', true) from applied`,
          ),
        ).map((row) => row.id),
      );
      const fired = updates.filter((update) => appliedIds.has(update.id));
      for (const update of updates) {
        if (!appliedIds.has(update.id)) results.set(`${update.id}:${update.expectedSeq}`, { kind: 'stale' });
      }
      const firedIds = new Set(fired.map((update) => update.id));
      dispatchKeys.push(
        ...pushes
          .filter((push) => push.deferred !== true && firedIds.has(String(push.context?.requestId)))
          .map((push) => push.dedupeKey),
      );
      // After the commit: notices now, nudge deliveries by the relay, and the next timers. If
      // Redis fails here, the rows are in Postgres and the relay or the reconciler catches up.
      await outbox.dispatch(dispatchKeys);
      await scheduler.schedule(
        fired.map((update) => ({ requestId: update.id, seq: update.seq, at: update.next })),
      );
      if (fired.length > 0) logger.debug({ fired: fired.length }, 'nudges fired');
      return items.map((item) => results.get(keyOf(item)) ?? { kind: 'stale' });
    }
  }

  return { fire };
}

export type NudgeProcessor = ReturnType<typeof createNudgeProcessor>;

// Batches travel as one JSON parameter (jsonb_to_recordset) rather than thousands of bound
// parameters: building and binding a 250-row VALUES list costs more than the database's work.

export async function insertEvents(
  tx: Queryable,
  events: readonly EventInput[],
  at: Date,
  actor = 'system',
): Promise<void> {
  const statement = eventsStatement(events, at, actor);
  if (statement !== undefined) await tx.execute(statement);
}

function eventsStatement(
  events: readonly EventInput[],
  at: Date,
  actor = 'system',
  onlyFor?: SQL,
): SQL | undefined {
  if (events.length === 0) return undefined;
  const rows = JSON.stringify(
    events.map((event) => ({ request_id: event.requestId, kind: event.kind, details: event.details })),
  );
  return sql`
    insert into request_events (request_id, at, kind, actor, details)
    select r.request_id, ${at.toISOString()}::timestamptz, r.kind, ${actor}, r.details
    from jsonb_to_recordset(${rows}::jsonb) as r(request_id text, kind text, details jsonb)
    ${onlyFor === undefined ? sql`` : sql`where r.request_id in ${onlyFor}`}`;
}

/** postgres.js answers execute() with the rows; PGlite with `{ rows }`. */
function rowsOf(result: unknown): { id: string }[] {
  if (Array.isArray(result)) return result as { id: string }[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as { id: string }[]) : [];
}

/** One UPDATE for a whole batch, applied to the requests still as they were read; returns their ids. */
function updatesStatement(updates: readonly RequestUpdate[], now: Date): SQL {
  const rows = JSON.stringify(
    updates.map((update) => ({
      id: update.id,
      expected_seq: update.expectedSeq,
      expected_status: update.expectedStatus,
      seq: update.seq,
      unanswered: update.unanswered,
      next: update.next.toISOString(),
      last: update.last?.toISOString() ?? null,
      escalated: update.escalated?.toISOString() ?? null,
    })),
  );
  return sql`
    update formal_requests as r set
      nudge_seq = v.seq, unanswered_nudges = v.unanswered, next_nudge_at = v.next,
      last_nudge_at = v.last, escalated_at = v.escalated, updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${rows}::jsonb) as v(id text, expected_seq int, expected_status text, seq int, unanswered int, next timestamptz, last timestamptz, escalated timestamptz)
    where r.id = v.id and r.nudge_seq = v.expected_seq and r.status = v.expected_status
    returning r.id`;
}
