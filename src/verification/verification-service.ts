// Re-verification campaigns and verification states. Each active contact someone can be asked
// through (a member behind it linked a messenger) has one row here (the step due next, when, and a
// sequence number) and one durable timer `verify:<contactId>`. Firing sends the prompt (or a
// reminder) inside the contact's working hours, or flags the record to the coordinators once the
// reminders are spent. A prompt's outbox key carries the sequence number, so a timer that fires
// twice (a crash, a Redis flush and the reconciler) sends it once.
//
// Contacts nobody can be asked through get no timer: a registry of 100,000 records with a few
// hundred people linked must not hold 100,000 timers, nor flag each record to its coordinators on
// the same morning. Their state (overdue, unlinked) is computed from the data where coordinators
// look (GET /v1/verification, /stale, the weekly digest), and their first prompt is planned when
// someone links.
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../clock/index.ts';
import type { OutboxPush, OutcomeHandler } from '../outbox/index.ts';
import { countryTimezone, type Contact, type RegistryService } from '../registry/index.ts';
import type { DurableTimers } from '../timers/index.ts';
import type { ProposalService } from './proposal-service.ts';
import { promptSubject, truthPushKinds, type TruthPushes } from './truth-pushes.ts';
import type { VerificationPolicies } from './verification-policy.ts';
import { answerFlowIds, promptButtons, promptText } from './verification-prompt.ts';
import { openFlowsUntil } from '../chat/index.ts';
import { contactVerifications, type VerificationStep } from './verification-schema.ts';
import { conflict, forbidden, notFound } from '../errors/index.ts';
import { actionButtons } from './coordinator-actions.ts';
import { actorOf, canManageCountry, ownCountryOf, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { inTransaction, type Database, type Queryable } from '../db/index.ts';
import { contactOfMemberSql, linkedContactIds, reachableMembers } from '../members/index.ts';
import { addDays, type WorkingTime } from '../schedule/index.ts';

export type VerificationStateName = 'fresh' | 'prompted' | 'overdue' | 'unreachable' | 'proposal_pending';

export interface VerificationStateItem {
  contactId: string;
  country: string;
  state: VerificationStateName;
  since: string | null;
  verifiedAt: string;
  /** `self` or `coordinator` when known. */
  lastSource: string | null;
  promptedAt: string | null;
  reminders: number;
  nextStep: VerificationStep | null;
  nextAt: string | null;
  /** Has someone behind the contact linked a messenger (can be prompted)? */
  linked: boolean;
  /** The step of the round (moves whenever it is rescheduled); a coordinator's one-tap action names it. */
  seq: number;
}

type Row = typeof contactVerifications.$inferSelect;
interface Rearm {
  key: string;
  at: Date;
  payload: TimerPayload;
}
interface TimerPayload {
  [key: string]: string | number | boolean;
  contactId: string;
  seq: number;
  /** Sent now by a coordinator, even if the record is fresh. */
  forced: boolean;
}

const timerKey = (contactId: string) => `verify:${contactId}`;
/** Whether the contact's timer (its stored payload) is a coordinator's forced prompt for step `seq`. */
const isForcedStep = (payload: unknown, seq: number): boolean =>
  typeof payload === 'object' &&
  payload !== null &&
  (payload as Partial<TimerPayload>).seq === seq &&
  (payload as Partial<TimerPayload>).forced === true;
/** A prompt's or reminder's outbox key (each account's row appends the account). */
const promptKey = (contactId: string, seq: number) => `verify:${contactId}:${String(seq)}`;
const dayMs = 86_400_000;
/**
 * Contacts planned per transaction. Small: on the embedded database (one connection) every
 * request waits for the transaction in hand, so planning goes in short steps with a turn of the
 * event loop between them (`yieldToRequests`).
 */
const planChunk = 50;
/** Above this many ids a query reads the whole table instead of naming them (parameter limits). */
const manyIds = 1000;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface VerificationDeps {
  db: Database;
  registry: Pick<RegistryService, 'snapshot'>;
  timers: DurableTimers;
  pushes: TruthPushes;
  policies: VerificationPolicies;
  workingTime: WorkingTime;
  proposals: Pick<ProposalService, 'pendingFor'>;
  audit: Pick<AuditService, 'appendInTransaction'>;
  /** The longest button action every messenger of the deployment carries (`sharedMessageLimits`). */
  maxButtonActionBytes: number;
  /** An invite can be issued from a coordinator's buttons. */
  invites: boolean;
  clock: Clock;
}

export type VerificationService = ReturnType<typeof createVerificationService>;

export function createVerificationService(deps: VerificationDeps) {
  const { db, registry, timers, pushes, policies, workingTime, clock } = deps;

  /** The contact's time zone: their country's. */
  const timezoneOf = (contact: Pick<Contact, 'country'>): string =>
    countryTimezone(registry.snapshot(), contact.country);

  /**
   * The registry snapshot this process holds may be older than the row: the record was confirmed on
   * a later day than the snapshot says (snapshots reload after each edit, and during a burst of
   * confirmations a process can still hold the one before). Pulling the next prompt earlier from it
   * would find the record overdue and move the prompt to now: a second prompt right after "All
   * correct". (A coordinator's verification dated in the past also reads as this; its next prompt
   * then stays `every` after the day it was recorded.) Both dates are the contact's local ones, as
   * the registry records them.
   */
  const staleFor = (row: Row | undefined, contact: Contact): boolean =>
    row?.lastConfirmedAt != null &&
    workingTime.localDate(row.lastConfirmedAt.getTime(), timezoneOf(contact)) > contact.verifiedAt;

  /** The first working instant at or after `at` for the contact. */
  function placed(contact: Contact, at: number): Date {
    return new Date(
      workingTime.nextWorkingInstant(at, {
        timezone: timezoneOf(contact),
        country: contact.country,
        workingHours: contact.workingHours,
      }),
    );
  }

  /**
   * The instant a calendar day (YYYY-MM-DD: a verification date, the last day of an absence) begins
   * where the contact is. Not UTC midnight: that is the afternoon or evening before west of UTC,
   * inside the working hours of someone in Honolulu or of a New York evening shift.
   */
  const dayStarts = (contact: Contact, date: string): number =>
    workingTime.localMidnight(date, timezoneOf(contact));

  /** When the contact's record falls due: `every` after the day it was last verified began. */
  const dueAt = (contact: Contact): number =>
    dayStarts(contact, contact.verifiedAt) + policies.forCountry(contact.country).everyMs;

  async function lockRow(tx: Queryable, contactId: string): Promise<Row | undefined> {
    const [row] = await tx
      .select()
      .from(contactVerifications)
      .where(eq(contactVerifications.contactId, contactId))
      .for('update');
    return row;
  }

  /** Sets the contact's next step (a new sequence number) and its timer, in the caller's transaction. */
  async function setNext(
    tx: Queryable,
    contact: Contact,
    row: Row | undefined,
    next: { step: VerificationStep | null; at: Date | null },
    changes: Partial<Row> = {},
    forced = false,
    after?: Rearm[],
  ): Promise<void> {
    const seq = (row?.seq ?? 0) + 1;
    const values = {
      country: contact.country,
      nextStep: next.step,
      nextAt: next.at,
      seq,
      updatedAt: clock.now(),
      ...changes,
    };
    await tx
      .insert(contactVerifications)
      .values({ contactId: contact.id, ...values })
      .onConflictDoUpdate({ target: contactVerifications.contactId, set: values });
    if (next.step === null || next.at === null) await timers.cancel(timerKey(contact.id), { db: tx });
    else {
      const payload = { contactId: contact.id, seq, forced };
      await timers.schedule(timerKey(contact.id), next.at, payload, { db: tx });
      after?.push({ key: timerKey(contact.id), at: next.at, payload });
    }
  }

  /**
   * A timer written in a transaction is armed before the commit; due now, its job can fire before
   * the row is visible and do nothing. Scheduling it again after the commit arms a job that finds it
   * (a crash in between leaves the timer row, which the timer reconciler re-arms).
   */
  async function rearm(after: readonly Rearm[]): Promise<void> {
    for (const timer of after) await timers.schedule(timer.key, timer.at, timer.payload);
  }

  /** Sends the prompt (or a reminder) to everyone behind the contact; false when nobody can be reached. */
  async function writePrompt(tx: Queryable, contact: Contact, seq: number, reminder: boolean) {
    const snapshot = registry.snapshot();
    const people = (await reachableMembers(tx, { contactIds: [contact.id] })).filter(
      (member) => member.accounts.length > 0,
    );
    const written: OutboxPush[] = people.flatMap((member) =>
      pushes.toMember(
        member,
        promptKey(contact.id, seq),
        (locale) => ({
          text: promptText(pushes.t, locale, snapshot, contact, reminder),
          buttons: promptButtons(pushes.t, locale, contact.id),
        }),
        {
          kind: 'verification',
          subject: promptSubject(contact.id),
          // Which of the round's messages this is: one taken back before anyone was shown it is
          // not counted as given (`takeBack`).
          context: { contactId: contact.id, seq, reminder },
          // A prompt twice costs the person a glance; a prompt lost to a crash leaves the record
          // unconfirmed and its owner reminded about a question they never saw. So, unlike a
          // nudge, a prompt whose delivery is uncertain is sent again.
          atLeastOnce: true,
        },
      ),
    );
    await pushes.write(tx, written);
    return written;
  }

  /**
   * Tells the country's coordinators, with their one-tap actions (verify, the prompt again or an
   * invite) offered at `seq`, the step the caller sets next.
   */
  async function flagToCoordinators(
    tx: Queryable,
    contact: Contact,
    reason: 'overdue' | 'unlinked',
    seq: number,
  ) {
    const written: OutboxPush[] = [];
    for (const coordinator of await reachableMembers(tx, { coordinatorsOf: [contact.country] })) {
      written.push(
        ...pushes.toMember(coordinator, `verify-flag:${contact.id}:${contact.verifiedAt}`, (locale) => {
          const name = contact.name[locale] ?? contact.name.en ?? contact.id;
          return {
            text: pushes.t(locale, `truth-flag-${reason}`, {
              name,
              id: contact.id,
              verifiedAt: contact.verifiedAt,
            }),
            buttons: actionButtons(
              pushes.t,
              locale,
              { contactId: contact.id, name, linked: reason === 'overdue', unreachable: false, seq },
              { maxActionBytes: deps.maxButtonActionBytes, invites: deps.invites },
            ),
          };
        }),
      );
    }
    await pushes.write(tx, written);
    return written;
  }

  /** Until when someone is answering for the contact (a flow of the prompt's answers is open about it). */
  const answeringUntil = (tx: Queryable, contactId: string) =>
    openFlowsUntil(tx, { flows: Object.values(answerFlowIds), about: { contactId }, now: clock.now() });

  /**
   * Takes back the contact's prompts and reminders not yet handed to a messenger (they answered,
   * or started to), and says which of the round's messages were thereby never given: none of its
   * deliveries (one per account) was handed to a messenger. Such a reminder does not count: it
   * neither brings the flag to the coordinator nearer nor is it spent (README, "Re-verification
   * campaigns"). Rows written before messages said which they were count as given.
   */
  async function takeBack(tx: Queryable, contactId: string): Promise<{ prompt: boolean; reminders: number }> {
    const withdrawn = await pushes.withdrawPrompts(tx, contactId);
    const messages = new Map<number, boolean>();
    for (const push of withdrawn) {
      const { seq, reminder } = push.context;
      if (typeof seq !== 'number' || typeof reminder !== 'boolean') continue;
      // One delivery shown (or tried) is enough for the message to count as given.
      if (push.attempted) messages.set(seq, true);
      else if (!messages.has(seq)) messages.set(seq, false);
    }
    const notGiven = { prompt: false, reminders: 0 };
    for (const [seq, attempted] of messages) {
      if (attempted || (await pushes.promptHanded(tx, promptKey(contactId, seq)))) continue;
      const reminder = withdrawn.some((push) => push.context.seq === seq && push.context.reminder === true);
      if (reminder) notGiven.reminders += 1;
      else notGiven.prompt = true;
    }
    return notGiven;
  }

  /**
   * The round's bookkeeping without the messages taken back before anyone was shown them (see
   * `takeBack`): a first prompt never given leaves the round unprompted (its step the prompt
   * again), a reminder never given is not counted, and the flag it led to is a reminder again.
   * Undefined: nothing changes.
   */
  function withoutNotGiven(
    contact: Contact,
    row: Row,
    notGiven: { prompt: boolean; reminders: number },
  ): { step: VerificationStep; changes: Partial<Row> } | undefined {
    if (row.nextStep === null) return undefined;
    if (notGiven.prompt && row.promptedAt !== null)
      return { step: 'prompt', changes: { promptedAt: null, reminders: 0 } };
    if (notGiven.reminders === 0) return undefined;
    const reminders = Math.max(0, row.reminders - notGiven.reminders);
    const step =
      row.nextStep === 'flag' && reminders < policies.forCountry(contact.country).reminders
        ? 'remind'
        : row.nextStep;
    return { step, changes: { reminders } };
  }

  /** A timer fired: do the step it was set for, unless a newer step replaced it. */
  async function fire(payload: TimerPayload): Promise<void> {
    let written: OutboxPush[] = [];
    const after: Rearm[] = [];
    await db.transaction(async (tx) => {
      const row = await lockRow(tx, payload.contactId);
      if (row === undefined || row.seq !== payload.seq || row.nextStep === null) return;
      const contact = registry.snapshot().contactById.get(payload.contactId);
      if (contact === undefined || contact.status !== 'active') {
        await setNext(tx, contact ?? ({ id: payload.contactId, country: row.country } as Contact), row, {
          step: null,
          at: null,
        });
        return;
      }
      const policy = policies.forCountry(contact.country);
      const now = clock.now().getTime();
      if (row.nextStep !== 'prompt' && (await deps.proposals.pendingFor([contact.id], tx)).has(contact.id)) {
        // They answered with a change their coordinator has not decided yet: no reminder, no flag
        // meanwhile; the same step waits another `remindAfter` (an approval confirms the record).
        await setNext(
          tx,
          contact,
          row,
          { step: row.nextStep, at: placed(contact, now + policy.remindAfterMs) },
          {},
          false,
          after,
        );
        return;
      }
      if (!payload.forced && dueAt(contact) > now) {
        // Verified meanwhile (a coordinator's verify): the round starts again from that date.
        await setNext(
          tx,
          contact,
          row,
          { step: 'prompt', at: placed(contact, dueAt(contact)) },
          { promptedAt: null, reminders: 0, flaggedAt: null },
          false,
          after,
        );
        return;
      }
      const answering = await answeringUntil(tx, contact.id);
      if (answering !== undefined) {
        // Someone behind the contact is in the middle of answering (a flow of the prompt's answers
        // is open about it): a prompt, reminder or flag now would cut across the answer (where
        // choices are numbered, the push's numbers would replace the ones being answered with). The
        // same step waits until that flow would time out and looks again; finishing it (an answer,
        // a proposal, an absence) moves the step on meanwhile.
        await setNext(
          tx,
          contact,
          row,
          { step: row.nextStep, at: placed(contact, answering.getTime()) },
          {},
          payload.forced,
          after,
        );
        return;
      }
      if (row.nextStep === 'flag') {
        written = await flagToCoordinators(tx, contact, 'overdue', row.seq + 1);
        await setNext(tx, contact, row, { step: null, at: null }, { flaggedAt: clock.now() });
        return;
      }
      const reminder = row.nextStep === 'remind';
      written = await writePrompt(tx, contact, row.seq, reminder);
      if (written.length === 0) {
        if (!payload.forced && !reminder) {
          // Nobody to ask any more (they unlinked after the prompt was planned): no timer until
          // someone links; the record is on the coordinators' lists as unlinked meanwhile.
          await setNext(tx, contact, row, { step: null, at: null });
          return;
        }
        // A coordinator asked for this prompt, or a round was under way: tell the coordinators
        // there is nobody to ask; they verify on their behalf or invite the person.
        written = await flagToCoordinators(tx, contact, 'unlinked', row.seq + 1);
        await setNext(tx, contact, row, { step: null, at: null }, { flaggedAt: clock.now() });
        return;
      }
      const reminders = reminder ? row.reminders + 1 : 0;
      await setNext(
        tx,
        contact,
        row,
        {
          step: reminders < policy.reminders ? 'remind' : 'flag',
          at: placed(contact, now + policy.remindAfterMs),
        },
        { promptedAt: row.promptedAt ?? clock.now(), reminders },
        false,
        after,
      );
    });
    await pushes.dispatch(written);
    await rearm(after);
  }

  /**
   * Where the contact's next first prompt goes: in working hours, on or after the day it falls due,
   * and not inside an absence they recorded (`absence`, or the record's out-of-office): then on the
   * first working day after it.
   */
  const firstPromptAt = (contact: Contact, absence = contact.outOfOffice): Date => {
    const at = placed(contact, Math.max(dueAt(contact), clock.now().getTime()));
    if (absence == null) return at;
    // The days are the contact's own: the day the prompt would land on, and the day after the
    // absence, both where they are.
    const day = workingTime.localDate(at.getTime(), timezoneOf(contact));
    if (day < absence.start || absence.end < day) return at;
    return placed(contact, dayStarts(contact, addDays(absence.end, 1)));
  };

  /**
   * Where the next prompt goes after an "I am away" answer: as a first prompt, but never before
   * the absence is over, whether it has begun or starts later (asked now, a person about to leave
   * would be asked again before they have gone).
   */
  const afterAbsence = (contact: Contact, absence: { start: string; end: string }): Date => {
    const at = firstPromptAt(contact, absence);
    if (workingTime.localDate(at.getTime(), timezoneOf(contact)) > absence.end) return at;
    return placed(contact, dayStarts(contact, addDays(absence.end, 1)));
  };

  /** The state of one contact from its row, its record and its pending proposals. */
  function stateOf(
    contact: Contact,
    row: Row | undefined,
    pending: boolean,
    linked: boolean,
  ): VerificationStateItem {
    const due = dueAt(contact);
    // A verification after the prompt or the flag (a coordinator's verify) ends that round.
    const verifiedFrom = dayStarts(contact, contact.verifiedAt);
    const current = (at: Date | null | undefined): at is Date => at != null && at.getTime() >= verifiedFrom;
    // Never planned (nobody linked) or unplanned: the first prompt is where it would be placed,
    // computed here rather than kept in a timer; it goes out once someone behind the contact links.
    const unplanned =
      row === undefined || (row.nextStep === null && row.promptedAt === null && row.flaggedAt === null);
    const base = {
      contactId: contact.id,
      country: contact.country,
      verifiedAt: contact.verifiedAt,
      lastSource: row?.lastSource ?? null,
      promptedAt: row?.promptedAt?.toISOString() ?? null,
      reminders: row?.reminders ?? 0,
      nextStep: unplanned ? ('prompt' as const) : row.nextStep,
      nextAt: unplanned ? firstPromptAt(contact).toISOString() : (row.nextAt?.toISOString() ?? null),
      linked,
      seq: row?.seq ?? 0,
    };
    if (row?.unreachableSince != null)
      return { ...base, state: 'unreachable', since: row.unreachableSince.toISOString() };
    if (pending) return { ...base, state: 'proposal_pending', since: null };
    if (current(row?.flaggedAt)) return { ...base, state: 'overdue', since: row.flaggedAt.toISOString() };
    if (current(row?.promptedAt)) return { ...base, state: 'prompted', since: row.promptedAt.toISOString() };
    if (due <= clock.now().getTime())
      return { ...base, state: 'overdue', since: new Date(due).toISOString() };
    return { ...base, state: 'fresh', since: new Date(verifiedFrom).toISOString() };
  }

  async function states(contacts: readonly Contact[]): Promise<VerificationStateItem[]> {
    if (contacts.length === 0) return [];
    const ids = contacts.map((contact) => contact.id);
    const rows = await db
      .select()
      .from(contactVerifications)
      .where(ids.length > manyIds ? undefined : inArray(contactVerifications.contactId, ids));
    const byId = new Map(rows.map((row) => [row.contactId, row]));
    const pending = await deps.proposals.pendingFor(ids);
    const people = await reachableMembers(db, { contactIds: ids });
    const linked = new Set(
      people.filter((member) => member.accounts.length > 0).flatMap((member) => member.contactId ?? []),
    );
    return contacts.map((contact) =>
      stateOf(contact, byId.get(contact.id), pending.has(contact.id), linked.has(contact.id)),
    );
  }

  /**
   * The contact's row at step `seq`, locked, or a conflict: the round moved on since the button
   * was offered (the action was taken already, by this tap's twin or a colleague). A contact with
   * no row yet gets one first, so two taps at once queue on its lock.
   */
  async function claim(tx: Queryable, contact: Contact, seq: number): Promise<Row> {
    await tx
      .insert(contactVerifications)
      .values({ contactId: contact.id, country: contact.country, updatedAt: clock.now() })
      .onConflictDoNothing();
    const row = await lockRow(tx, contact.id);
    if (row?.seq !== seq) throw conflict('this was done already, or the entry changed since');
    return row;
  }

  function manageable(principal: Principal, contactId: string): Contact {
    const contact = registry.snapshot().contactById.get(contactId);
    if (contact === undefined) throw notFound('contact', contactId);
    if (!canManageCountry(principal, contact.country))
      throw forbidden(`you may manage contacts of your own country (${principal.country}) only`);
    return contact;
  }

  /**
   * First prompts still to come for contacts nobody can be asked through (they unlinked, or were
   * planned before only linked contacts were): their timers go. A prompt due now or past is left
   * to fire (a coordinator's re-verify flags at once when nobody can be asked).
   */
  async function unplanUnreachable(linked: ReadonlySet<string>, only?: ReadonlySet<string>): Promise<void> {
    const waiting = await db
      .select({ contactId: contactVerifications.contactId })
      .from(contactVerifications)
      .where(
        and(
          eq(contactVerifications.nextStep, 'prompt'),
          isNull(contactVerifications.promptedAt),
          gt(contactVerifications.nextAt, clock.now()),
          only !== undefined && only.size <= manyIds
            ? inArray(contactVerifications.contactId, [...only])
            : undefined,
        ),
      );
    const unreachable = waiting
      .map((row) => row.contactId)
      .filter((id) => !linked.has(id) && (only?.has(id) ?? true));
    for (let start = 0; start < unreachable.length; start += planChunk) {
      if (start > 0) await yieldToRequests();
      await inTransaction(db, async (tx) => {
        const locked = await tx
          .select()
          .from(contactVerifications)
          .where(inArray(contactVerifications.contactId, unreachable.slice(start, start + planChunk)))
          .orderBy(contactVerifications.contactId)
          .for('update');
        for (const row of locked) {
          if (row.nextStep !== 'prompt' || row.promptedAt !== null) continue;
          if (row.nextAt === null || row.nextAt.getTime() <= clock.now().getTime()) continue;
          await setNext(tx, { id: row.contactId, country: row.country } as Contact, row, {
            step: null,
            at: null,
          });
        }
      });
    }
  }

  const service = {
    fire,
    rearm,

    /** Today's date where the contact is (an absence's first day, "away for 7 days"). */
    todayOf: (contact: Contact): string => workingTime.localDate(clock.now().getTime(), timezoneOf(contact)),
    /** The date of an instant where the contact is (since when a record is stale, for texts). */
    dayOf: (contact: Contact, at: number): string => workingTime.localDate(at, timezoneOf(contact)),

    /**
     * Gives every active contact someone can be asked through (a member behind it linked a
     * messenger) and without a pending step its first prompt, placed in its working hours on or
     * after the day its record falls due; and takes the not yet sent first prompt away from
     * contacts nobody can be asked through any more. Idempotent, and its cost follows the linked
     * contacts, not the registry: run at start, periodically, when someone links or unlinks, and
     * for the contacts a registry edit touched (`only`).
     */
    async planOnce(only?: ReadonlySet<string>): Promise<number> {
      const linked = await linkedContactIds(db);
      const contacts = registry
        .snapshot()
        .contacts.filter(
          (contact) =>
            contact.status === 'active' && linked.has(contact.id) && (only?.has(contact.id) ?? true),
        );
      // Plan when nothing is pending, or when the record fell due earlier than planned (its
      // verification date or hours were edited). A round in progress (prompted, flagged) is left alone.
      const needsPlan = (candidate: Row | undefined, target: Date, contact: Contact) =>
        candidate === undefined ||
        (candidate.nextStep === null && candidate.flaggedAt === null && candidate.promptedAt === null) ||
        (candidate.nextStep === 'prompt' &&
          candidate.promptedAt === null &&
          candidate.nextAt !== null &&
          candidate.nextAt.getTime() > target.getTime() + 60_000 &&
          !staleFor(candidate, contact));
      let planned = 0;
      // A few contacts per transaction (a morning's 10,000 would otherwise wait on 10,000 commits,
      // and all of them at once would hold the embedded database); each timer's job is armed after
      // its transaction commits.
      for (let start = 0; start < contacts.length; start += planChunk) {
        if (start > 0) await yieldToRequests();
        const chunk = contacts
          .slice(start, start + planChunk)
          .map((contact) => ({ contact, target: firstPromptAt(contact) }));
        const rows = await db
          .select()
          .from(contactVerifications)
          .where(
            inArray(
              contactVerifications.contactId,
              chunk.map(({ contact }) => contact.id),
            ),
          );
        const byId = new Map(rows.map((row) => [row.contactId, row]));
        const due = chunk.filter(({ contact, target }) => needsPlan(byId.get(contact.id), target, contact));
        if (due.length === 0) continue;
        planned += await inTransaction(db, async (tx) => {
          const locked = await tx
            .select()
            .from(contactVerifications)
            .where(
              inArray(
                contactVerifications.contactId,
                due.map(({ contact }) => contact.id),
              ),
            )
            .orderBy(contactVerifications.contactId)
            .for('update');
          const lockedById = new Map(locked.map((row) => [row.contactId, row]));
          let done = 0;
          for (const { contact, target } of due) {
            let row = lockedById.get(contact.id);
            if (row === undefined) {
              // No row to lock: another planning pass (an import's, a link's, the periodic one) may
              // be creating it now, and may already have prompted from it. An upsert from here
              // would overwrite that later step with this pass's first one (the reminder lost).
              // Create the row only if absent, then decide on the row as it stands.
              await tx
                .insert(contactVerifications)
                .values({ contactId: contact.id, country: contact.country, updatedAt: clock.now() })
                .onConflictDoNothing();
              row = await lockRow(tx, contact.id);
            }
            if (!needsPlan(row, target, contact)) continue;
            await setNext(tx, contact, row, { step: 'prompt', at: target });
            done += 1;
          }
          return done;
        });
      }
      await unplanUnreachable(linked, only);
      return planned;
    },

    /** The record was confirmed (by the contact or a coordinator): the next round is `every` from today. */
    async confirmedInTransaction(
      tx: Queryable,
      contact: Contact,
      source: 'self' | 'coordinator',
      after?: Rearm[],
    ) {
      const row = await lockRow(tx, contact.id);
      await pushes.withdrawPrompts(tx, contact.id);
      const today = clock.now();
      const next = placed(contact, today.getTime() + policies.forCountry(contact.country).everyMs);
      await setNext(
        tx,
        contact,
        row,
        { step: 'prompt', at: next },
        { promptedAt: null, reminders: 0, flaggedAt: null, lastSource: source, lastConfirmedAt: today },
        false,
        after,
      );
    },

    /**
     * Someone behind the contact started answering (a flow of the prompt's answers opened): a
     * reminder or flag due sooner than `remindAfter` from now waits until then, so it neither cuts
     * across the answer nor follows it at once, and their prompts not yet handed to a messenger (a
     * reminder written, or even claimed for sending, a moment before the tap) are taken back. A
     * reminder taken back before anyone was shown it does not count as given: an answer left
     * unfinished is followed by that reminder again, not by the flag. (While the flow stays open,
     * nothing goes: `fire`.)
     */
    async answerStarted(contactId: string): Promise<void> {
      const contact = registry.snapshot().contactById.get(contactId);
      if (contact === undefined || contact.status !== 'active') return;
      const after: Rearm[] = [];
      await db.transaction(async (tx) => {
        const row = await lockRow(tx, contact.id);
        const notGiven = await takeBack(tx, contact.id);
        if (row === undefined) return;
        const recount = withoutNotGiven(contact, row, notGiven);
        const step = recount?.step ?? row.nextStep;
        if (step !== 'remind' && step !== 'flag' && recount === undefined) return;
        const at = placed(
          contact,
          clock.now().getTime() + policies.forCountry(contact.country).remindAfterMs,
        );
        const later = row.nextAt !== null && row.nextAt.getTime() >= at.getTime();
        if (later && recount === undefined) return;
        await setNext(
          tx,
          contact,
          row,
          { step, at: later && row.nextAt !== null ? row.nextAt : at },
          recount?.changes ?? {},
          false,
          after,
        );
      });
      await rearm(after);
    },

    /**
     * The contact's own answer that leaves the round open (a proposal waiting for their
     * coordinator), in the caller's transaction: their prompts not yet handed to a messenger are
     * taken back, and one taken back before anyone was shown it does not count as given.
     */
    async answeredInTransaction(tx: Queryable, contactId: string): Promise<void> {
      const contact = registry.snapshot().contactById.get(contactId);
      const row = await lockRow(tx, contactId);
      const notGiven = await takeBack(tx, contactId);
      if (row === undefined || contact === undefined) return;
      const recount = withoutNotGiven(contact, row, notGiven);
      if (recount === undefined || row.nextAt === null) return;
      await setNext(tx, contact, row, { step: recount.step, at: row.nextAt }, recount.changes);
    },

    /**
     * The person answered "I am away" (from the prompt, or with `/away` while a round was under way):
     * an answer, so the prompt gets no reminder and no flag. It says nothing about the record, which
     * is asked about again: at the usual time or, that falling inside the absence or before it
     * (an absence starting later), on their first working day after it. A contact with nothing planned (nobody linked) is left alone.
     */
    async awayAnswered(contactId: string, absence: { start: string; end: string }): Promise<void> {
      const contact = registry.snapshot().contactById.get(contactId);
      if (contact === undefined || contact.status !== 'active') return;
      const after: Rearm[] = [];
      await db.transaction(async (tx) => {
        const row = await lockRow(tx, contact.id);
        if (row === undefined) return;
        if (row.nextStep === null && row.promptedAt === null && row.flaggedAt === null) return;
        await pushes.withdrawPrompts(tx, contact.id);
        await setNext(
          tx,
          contact,
          row,
          { step: 'prompt', at: afterAbsence(contact, absence) },
          { promptedAt: null, reminders: 0, flaggedAt: null },
          false,
          after,
        );
      });
      await rearm(after);
    },

    /** A retired contact is no longer asked. */
    async retiredInTransaction(tx: Queryable, contactId: string, country: string) {
      const row = await lockRow(tx, contactId);
      if (row === undefined) return;
      await pushes.withdrawPrompts(tx, contactId);
      await setNext(tx, { id: contactId, country } as Contact, row, { step: null, at: null });
    },

    /**
     * Sends the prompt now, whatever the schedule (coordinator of the country, admin). With `seq`
     * (a one-tap action), only while the round is still at that step: a second tap is refused.
     */
    async reverify(principal: Principal, contactId: string, options: { seq?: number } = {}): Promise<void> {
      const contact = manageable(principal, contactId);
      const after: Rearm[] = [];
      await db.transaction(async (tx) => {
        const row =
          options.seq === undefined ? await lockRow(tx, contact.id) : await claim(tx, contact, options.seq);
        await deps.audit.appendInTransaction(tx, [
          { actor: actorOf(principal), action: 'contact.reverify', subject: `contact:${contact.id}` },
        ]);
        await setNext(
          tx,
          contact,
          row,
          { step: 'prompt', at: clock.now() },
          { flaggedAt: null, reminders: 0, promptedAt: null },
          true,
          after,
        );
      });
      await rearm(after);
    },

    /**
     * A coordinator's one-tap "verify on their behalf", taken at step `seq` of the round: in the
     * registry's write transaction (the record verified by them today, audited `contact.verify` as
     * the API's), the round ends (`source: coordinator`), once.
     */
    async verifyOnBehalf(
      principal: Principal,
      contactId: string,
      seq: number,
      verify: (inTransaction: (tx: Queryable) => Promise<void>) => Promise<unknown>,
    ): Promise<void> {
      const contact = manageable(principal, contactId);
      const after: Rearm[] = [];
      await verify(async (tx) => {
        await claim(tx, contact, seq);
        await service.confirmedInTransaction(tx, contact, 'coordinator', after);
      });
      await rearm(after);
    },

    /**
     * Takes a one-tap action offered at step `seq` that changes nothing in the round itself (an
     * invite): the step moves on (its timer, if any, re-armed as it was), so the same button, or
     * one of an older list, does nothing a second time. Returns the contact.
     */
    async takeAction(principal: Principal, contactId: string, seq: number): Promise<Contact> {
      const contact = manageable(principal, contactId);
      const after: Rearm[] = [];
      await db.transaction(async (tx) => {
        const row = await claim(tx, contact, seq);
        // "As it was" includes a coordinator's "send the prompt now" still waiting (for an answer in
        // progress to finish): re-armed unforced, it would find the record not due and drop it.
        const current = await timers.payloadOf(timerKey(contact.id), { db: tx });
        const forced = isForcedStep(current, row.seq);
        await setNext(tx, contact, row, { step: row.nextStep, at: row.nextAt }, {}, forced, after);
      });
      await rearm(after);
      return contact;
    },

    async state(principal: Principal, contactId: string): Promise<VerificationStateItem> {
      const contact = manageable(principal, contactId);
      const [item] = await states([contact]);
      if (item === undefined) throw notFound('contact', contactId);
      return item;
    },

    /** Every active contact of a country (a coordinator: their own; an admin: any or all). */
    async list(principal: Principal, country: string | undefined): Promise<VerificationStateItem[]> {
      if (principal.role !== 'admin') {
        if (country !== undefined && country !== principal.country)
          throw forbidden('coordinators see their own country only');
        country = ownCountryOf(principal);
      }
      const contacts = registry
        .snapshot()
        .contacts.filter(
          (contact) => contact.status === 'active' && (country === undefined || contact.country === country),
        );
      return states(contacts);
    },

    /**
     * How any push to a member ended (prompts, nudges, consultation pushes...). Failing for good N
     * times in a row (blocked bot, unlinked chat) marks the contact behind the member unreachable;
     * a delivered push clears it.
     */
    onDeliveryOutcome: (async (tx, row, outcome) => {
      if (outcome === 'uncertain' || row.memberId === null) return [];
      // A prompt names its contact; any other push reaches the contact behind its member.
      const contact =
        row.kind === truthPushKinds.prompt && typeof row.context.contactId === 'string'
          ? sql`${row.context.contactId}`
          : contactOfMemberSql(row.memberId);
      const ofContact = sql`${contactVerifications.contactId} = ${contact}`;
      if (outcome === 'sent') {
        await tx
          .update(contactVerifications)
          .set({ failures: 0, unreachableSince: null, updatedAt: clock.now() })
          .where(and(ofContact, sql`${contactVerifications.failures} > 0`));
        return [];
      }
      await tx
        .update(contactVerifications)
        .set({
          failures: sql`${contactVerifications.failures} + 1`,
          unreachableSince: sql`case when ${contactVerifications.failures} + 1 >= ${policies.unreachableAfterFailures} then coalesce(${contactVerifications.unreachableSince}, ${clock.now().toISOString()}::timestamptz) else ${contactVerifications.unreachableSince} end`,
          updatedAt: clock.now(),
        })
        .where(ofContact);
      return [];
    }) satisfies OutcomeHandler,

    /** Whole days since a date, for texts. */
    daysSince: (at: number) => Math.floor((clock.now().getTime() - at) / dayMs),
  };
  return service;
}
