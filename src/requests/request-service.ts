// Registering, listing, changing and withdrawing formal requests (the requester's side).
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { insertEvents } from './nudge-processor.ts';
import { recipientLocale } from './request-messages.ts';
import { pushesTo, pushKinds } from './request-pushes.ts';
import { canManage, canSee, type RequestsContext } from './requests-context.ts';
import { formalRequests, requestEvents, type RequestStatus } from './requests-schema.ts';
import {
  isOpen,
  toEventView,
  toView,
  type RequestEventView,
  type RequestRow,
  type RequestView,
} from './request-types.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import { actorOf, ownCountryOf, type Principal } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import { reachableMembers } from '../members/index.ts';

export interface NewRequest {
  type: string;
  toCountry: string;
  contactId?: string | undefined;
  ourReference: string;
  theirReference?: string | undefined;
  subject: string;
  sentAt: string;
  urgent?: boolean | undefined;
  /** Admins register on behalf of a country; everyone else registers for their own. */
  fromCountry?: string | undefined;
}

export interface RequestChanges {
  status?: RequestStatus | undefined;
  theirReference?: string | null | undefined;
  contactId?: string | undefined;
  urgent?: boolean | undefined;
  subject?: string | undefined;
}

export interface ListFilter {
  status?: RequestStatus | undefined;
  /** Requests sent from or to this country. */
  country?: string | undefined;
  /** Only requests the caller registered. */
  mine?: boolean | undefined;
  /** Only requests addressed to the caller's registry contact (or to those they are deputy for). */
  addressedToMe?: boolean | undefined;
  limit: number;
  offset: number;
}

export const subjectMaxLength = 200;
export const referenceMaxLength = 100;

const idAlphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
/** What `newRequestId` makes (the alphabet leaves out l, o, 0 and 1, which read alike). */
export const requestIdPattern = '^[a-km-np-z2-9]{12}$';
/** 12 characters (60 bits): short enough for button callback data, readable when quoted. */
export function newRequestId(): string {
  const bytes = randomBytes(12);
  let id = '';
  for (const byte of bytes) id += idAlphabet.charAt(byte % idAlphabet.length);
  return id;
}

export function createRequestService(context: RequestsContext) {
  const { db, audit, registry, planner, scheduler, ranking, clock } = context;

  /**
   * The requester closed the request (executed, refused, withdrawn): the counterpart, who has
   * been getting the nudges, hears that no more will come. Written inside the transaction.
   */
  async function tellCounterpartClosed(
    tx: Queryable,
    row: RequestRow,
    snapshot: RegistrySnapshot,
  ): Promise<OutboxPush[]> {
    if (row.contactId === null) return [];
    const contact = snapshot.contactById.get(row.contactId);
    const contactIds = [row.contactId, ...(contact?.deputy == null ? [] : [contact.deputy])];
    const reached = await reachableMembers(tx, { contactIds }, { platforms: context.pushPlatforms() });
    const pushes = reached.flatMap((member) => {
      const memberContact =
        member.contactId === null ? undefined : snapshot.contactById.get(member.contactId);
      const locale = recipientLocale(member.locale, memberContact, context.defaultLocale);
      return pushesTo(
        member,
        `req-notice:${row.id}:closed:${String(row.nudgeSeq)}`,
        context.messages.notice(locale, 'requests-notice-closed-by-requester', row, snapshot),
        pushKinds.notice,
        row.id,
      );
    });
    await context.outbox.addInTransaction(tx, pushes);
    return pushes;
  }

  async function find(tx: Queryable, id: string, lock = false): Promise<RequestRow | undefined> {
    const query = tx.select().from(formalRequests).where(eq(formalRequests.id, id));
    const [row] = lock ? await query.for('no key update') : await query;
    return row;
  }

  async function requireVisible(principal: Principal, id: string): Promise<RequestRow> {
    const row = await find(db, id);
    if (row === undefined || !canSee(principal, row, registry.snapshot())) throw notFound('request', id);
    return row;
  }

  function checkContact(
    snapshot: RegistrySnapshot,
    contactId: string,
    toCountry: string,
    path: string,
  ): { path: string; message: string }[] {
    const contact = snapshot.contactById.get(contactId);
    if (contact === undefined) return [{ path, message: `unknown contact ${contactId}` }];
    if (contact.country !== toCountry)
      return [{ path, message: `contact ${contactId} is in ${contact.country}, not ${toCountry}` }];
    if (contact.status !== 'active' && contact.deputy === null)
      return [{ path, message: `contact ${contactId} is ${contact.status} and has no successor` }];
    return [];
  }

  /** Where nudges stand after a status: closed and waiting-for-the-requester stop them. */
  function nextAfterStatus(
    snapshot: RegistrySnapshot,
    row: RequestRow,
    status: RequestStatus,
    now: number,
  ): Date | null {
    if (!isOpen(status) || status === 'more_info_needed') return null;
    if (status === 'sent') return new Date(planner.firstNudgeAt(snapshot, row, now));
    return new Date(planner.repeatNudgeAt(snapshot, row, now));
  }

  /** The next nudge after a change of urgency or contact: the same rhythm, new intervals and calendar. */
  function retimed(snapshot: RegistrySnapshot, row: RequestRow, now: number): number {
    if (row.lastNudgeAt === null) return planner.firstNudgeAt(snapshot, row, now);
    const due = planner.repeatNudgeAt(snapshot, row, row.lastNudgeAt.getTime());
    return due >= now ? due : planner.place(snapshot, row, now);
  }

  return {
    async create(
      principal: Principal,
      input: NewRequest,
      locale: Locale = context.defaultLocale,
    ): Promise<RequestView> {
      const snapshot = registry.snapshot();
      const now = clock.now();
      const fromCountry = input.fromCountry ?? principal.country;
      // The secretariat is no country: a request it registers without naming the requesting
      // country is filed under none (from_country null), never under a country it does not belong to.
      if (fromCountry !== principal.country && principal.role !== 'admin')
        throw forbidden('you register requests for your own country only');
      const problems: { path: string; message: string }[] = [];
      if (!snapshot.competences.some((competence) => competence.id === input.type)) {
        problems.push({
          path: '/type',
          message: `unknown request type ${input.type} (one of ${snapshot.competences.map((c) => c.id).join(', ')})`,
        });
      }
      if (!snapshot.countryByIso2.has(input.toCountry))
        problems.push({ path: '/toCountry', message: `unknown country ${input.toCountry}` });
      if (input.fromCountry !== undefined && !snapshot.countryByIso2.has(input.fromCountry)) {
        problems.push({ path: '/fromCountry', message: `unknown country ${input.fromCountry}` });
      }
      if (input.contactId !== undefined)
        problems.push(...checkContact(snapshot, input.contactId, input.toCountry, '/contactId'));
      const sentAt = new Date(input.sentAt);
      if (Number.isNaN(sentAt.getTime())) problems.push({ path: '/sentAt', message: 'not a date-time' });
      else if (sentAt.getTime() > now.getTime() + 5 * 60_000)
        problems.push({ path: '/sentAt', message: 'a request cannot have been sent in the future' });
      else if (sentAt.getUTCFullYear() < 1990)
        problems.push({ path: '/sentAt', message: 'too far in the past' });
      if (input.ourReference.trim() === '')
        problems.push({ path: '/ourReference', message: 'must not be blank' });
      if (input.subject.trim() === '') problems.push({ path: '/subject', message: 'must not be blank' });
      if (problems.length > 0) throw new AppError('validation_failed', 'invalid request', problems);

      const contactId =
        input.contactId ??
        ranking({
          snapshot,
          country: input.toCountry,
          competence: input.type,
          askerCountry: fromCountry,
          locale,
          now,
        }).find((id) => snapshot.contactById.get(id)?.status === 'active') ??
        null;
      const contact = contactId === null ? undefined : snapshot.contactById.get(contactId);
      const draft = {
        type: input.type,
        fromCountry,
        toCountry: input.toCountry,
        urgent: input.urgent ?? false,
        sentAt,
        contactId,
      };
      const row: RequestRow = {
        id: newRequestId(),
        ...draft,
        requesterMemberId: principal.memberId,
        authorityId: contact?.authority ?? null,
        ourReference: input.ourReference.trim(),
        theirReference: input.theirReference?.trim() ?? null,
        subject: input.subject.trim(),
        status: 'sent',
        unansweredNudges: 0,
        nudgeSeq: 0,
        nextNudgeAt: new Date(planner.firstNudgeAt(snapshot, draft, now.getTime())),
        lastNudgeAt: null,
        escalatedAt: null,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      };
      await db.transaction(async (tx) => {
        await tx.insert(formalRequests).values(row);
        await insertEvents(
          tx,
          [
            {
              requestId: row.id,
              kind: 'registered',
              details: {
                contactId,
                chosenBy: input.contactId === undefined ? 'ranking' : 'requester',
                urgent: row.urgent,
              },
            },
          ],
          now,
          actorOf(principal),
        );
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(principal),
            action: 'request.create',
            subject: `request:${row.id}`,
            details: { type: row.type, fromCountry, toCountry: row.toCountry, contactId },
          },
        ]);
      });
      await scheduler.schedule([{ requestId: row.id, seq: row.nudgeSeq, at: row.nextNudgeAt ?? now }]);
      return toView(row, now);
    },

    async get(principal: Principal, id: string): Promise<RequestView & { events: RequestEventView[] }> {
      const row = await requireVisible(principal, id);
      const events = await db
        .select()
        .from(requestEvents)
        .where(eq(requestEvents.requestId, id))
        .orderBy(asc(requestEvents.id));
      audit.enqueue({ actor: actorOf(principal), action: 'request.read', subject: `request:${id}` });
      return { ...toView(row, clock.now()), events: events.map(toEventView) };
    },

    async list(principal: Principal, filter: ListFilter): Promise<{ items: RequestView[]; total: number }> {
      const conditions: (SQL | undefined)[] = [];
      const country = filter.country;
      if (filter.mine === true) conditions.push(eq(formalRequests.requesterMemberId, principal.memberId));
      if (filter.addressedToMe === true) {
        const addressed =
          principal.contactId === null ? [] : addressedContacts(registry.snapshot(), principal.contactId);
        conditions.push(addressed.length > 0 ? inArray(formalRequests.contactId, addressed) : sql`false`);
      } else if (filter.mine === true) {
        // Only the caller's own: nothing to widen.
      } else if (principal.role === 'coordinator') {
        conditions.push(
          or(
            eq(formalRequests.requesterMemberId, principal.memberId),
            eq(formalRequests.fromCountry, ownCountryOf(principal)),
            eq(formalRequests.toCountry, ownCountryOf(principal)),
          ),
        );
      } else if (principal.role === 'member') {
        const addressed =
          principal.contactId === null ? [] : addressedContacts(registry.snapshot(), principal.contactId);
        conditions.push(
          or(
            eq(formalRequests.requesterMemberId, principal.memberId),
            addressed.length > 0 ? inArray(formalRequests.contactId, addressed) : undefined,
          ),
        );
      }
      if (country !== undefined)
        conditions.push(or(eq(formalRequests.fromCountry, country), eq(formalRequests.toCountry, country)));
      if (filter.status !== undefined) conditions.push(eq(formalRequests.status, filter.status));
      const where = and(...conditions);
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(formalRequests)
          .where(where)
          .orderBy(desc(formalRequests.sentAt), asc(formalRequests.id))
          .limit(filter.limit)
          .offset(filter.offset),
        db
          .select({ total: sql<number>`count(*)::int` })
          .from(formalRequests)
          .where(where),
      ]);
      const now = clock.now();
      return { items: rows.map((row) => toView(row, now)), total: count?.total ?? 0 };
    },

    async update(principal: Principal, id: string, changes: RequestChanges): Promise<RequestView> {
      const snapshot = registry.snapshot();
      const now = clock.now();
      const outcome = await db.transaction(async (tx) => {
        const row = await find(tx, id, true);
        if (row === undefined || !canSee(principal, row, snapshot)) throw notFound('request', id);
        if (!canManage(principal, row))
          throw forbidden(
            'only the requester, a coordinator of the requesting country or an admin may change a request',
          );
        if (changes.contactId !== undefined) {
          const problems = checkContact(snapshot, changes.contactId, row.toCountry, '/contactId');
          if (problems.length > 0) throw new AppError('validation_failed', 'invalid change', problems);
        }
        if (changes.subject?.trim() === '')
          throw new AppError('validation_failed', 'invalid change', [
            { path: '/subject', message: 'must not be blank' },
          ]);
        const updated: RequestRow = {
          ...row,
          ...(changes.status === undefined ? {} : { status: changes.status }),
          ...(changes.theirReference === undefined
            ? {}
            : { theirReference: changes.theirReference?.trim() || null }),
          ...(changes.urgent === undefined ? {} : { urgent: changes.urgent }),
          ...(changes.subject === undefined ? {} : { subject: changes.subject.trim() }),
          ...(changes.contactId === undefined
            ? {}
            : {
                contactId: changes.contactId,
                authorityId: snapshot.contactById.get(changes.contactId)?.authority ?? null,
              }),
          updatedAt: now,
        };
        const statusChanged = changes.status !== undefined && changes.status !== row.status;
        const timingChanged =
          statusChanged ||
          (changes.urgent !== undefined && changes.urgent !== row.urgent) ||
          (changes.contactId !== undefined && changes.contactId !== row.contactId);
        if (timingChanged) {
          updated.nextNudgeAt = statusChanged
            ? nextAfterStatus(snapshot, updated, updated.status, now.getTime())
            : row.nextNudgeAt === null
              ? null
              : new Date(retimed(snapshot, updated, now.getTime()));
          updated.nudgeSeq = row.nudgeSeq + 1;
          if (statusChanged) {
            updated.unansweredNudges = 0;
            updated.escalatedAt = null;
            updated.closedAt = isOpen(updated.status) ? null : now;
          }
        }
        await tx.update(formalRequests).set(updated).where(eq(formalRequests.id, id));
        const pushes =
          statusChanged && isOpen(row.status) && !isOpen(updated.status)
            ? await tellCounterpartClosed(tx, updated, snapshot)
            : [];
        const events = [];
        if (statusChanged)
          events.push({
            requestId: id,
            kind: changes.status === 'withdrawn' ? ('withdrawn' as const) : ('status_changed' as const),
            details: { from: row.status, to: updated.status },
          });
        const fields = Object.keys(changes).filter((key) => key !== 'status');
        if (fields.length > 0)
          events.push({
            requestId: id,
            kind: 'updated' as const,
            details: { fields, contactId: updated.contactId },
          });
        await insertEvents(tx, events, now, actorOf(principal));
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(principal),
            action: 'request.update',
            subject: `request:${id}`,
            details: { fields: Object.keys(changes), status: updated.status },
          },
        ]);
        return { updated, timingChanged, pushes, previousSeq: row.nudgeSeq };
      });
      const { updated, timingChanged, pushes, previousSeq } = outcome;
      await context.outbox.dispatch(pushes.map((push) => push.dedupeKey));
      if (timingChanged) await scheduler.cancel([{ requestId: id, seq: previousSeq }]);
      if (timingChanged && updated.nextNudgeAt !== null)
        await scheduler.schedule([{ requestId: id, seq: updated.nudgeSeq, at: updated.nextNudgeAt }]);
      return toView(updated, now);
    },
  };
}

export type RequestService = ReturnType<typeof createRequestService>;

/** The contact itself, and the contacts it is deputy for (their requests reach it while they are away). */
function addressedContacts(snapshot: RegistrySnapshot, contactId: string): string[] {
  return [
    contactId,
    ...snapshot.contacts.filter((contact) => contact.deputy === contactId).map((contact) => contact.id),
  ];
}
