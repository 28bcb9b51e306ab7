// Changes a contact makes to their own record. Availability (working hours, an absence with its
// deputy) applies at once: it only changes who is asked first. Identity, channels and competences
// become proposals a coordinator of that country approves or rejects, so a stolen messenger
// account cannot redirect a country's requests. The proposer is told the outcome.
import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Clock } from '../clock/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import type { RegistryService } from '../registry/index.ts';
import type { HandoverService } from './handover-service.ts';
import type { TruthPushes } from './truth-pushes.ts';
import { registryProposals, type ProposalStatus } from './verification-schema.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, ownCountryOf, type Principal } from '../access/index.ts';
import type { Button } from '../chat/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database, Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import { reachableMembers } from '../members/index.ts';

/** Fields that apply at once: who is asked first, not who the contact is. */
export const availabilityFields = ['workingHours', 'outOfOffice', 'deputy'] as const;
/** Fields that need a coordinator's approval. */
export const proposalFields = ['name', 'title', 'channels', 'competences', 'languages', 'authority'] as const;

export type ProposalRow = typeof registryProposals.$inferSelect;

export interface ProposalView {
  id: string;
  contactId: string;
  country: string;
  kind: 'change' | 'retire';
  fields: string[];
  changes: Record<string, unknown>;
  status: ProposalStatus;
  proposedBy: string;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

export const toProposalView = (row: ProposalRow): ProposalView => ({
  id: row.id,
  contactId: row.contactId,
  country: row.country,
  kind: row.kind,
  fields: row.fields,
  changes: row.changes,
  status: row.status,
  proposedBy: row.proposedBy,
  createdAt: row.createdAt.toISOString(),
  decidedAt: row.decidedAt?.toISOString() ?? null,
  decidedBy: row.decidedBy,
});

export interface ProposeResult {
  /** The proposal waiting for a coordinator; null when everything applied at once. */
  proposal: ProposalView | null;
  /** Fields applied at once. */
  applied: string[];
}

const idAlphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
/** Short (12 characters) so approve and reject buttons stay within every messenger's `maxButtonActionBytes` (64 at the smallest). */
function newProposalId(): string {
  let id = '';
  for (const byte of randomBytes(12)) id += idAlphabet.charAt(byte % idAlphabet.length);
  return id;
}

export interface ProposalDeps {
  db: Database;
  registry: Pick<RegistryService, 'snapshot' | 'view' | 'validate' | 'updateContact'>;
  handover: Pick<HandoverService, 'retire'>;
  pushes: TruthPushes;
  audit: Pick<AuditService, 'appendInTransaction'>;
  clock: Clock;
  /**
   * An approved change verified the record today: the re-verification round it may be in (a
   * prompt, reminders, a flag to coordinators) ends with it, in the same transaction.
   */
  onConfirmed?: (tx: Queryable, contactId: string) => Promise<void>;
  /**
   * The contact's own proposal answers their prompt: their prompts not yet handed to a messenger
   * are taken back (and not counted as given), in the same transaction. Without it they are only
   * taken back.
   */
  onOwnAnswer?: (tx: Queryable, contactId: string) => Promise<void>;
}

export type ProposalService = ReturnType<typeof createProposalService>;

export function createProposalService(deps: ProposalDeps) {
  const { db, registry, pushes, clock } = deps;

  /** The contact's own person, or a coordinator of its country (or an admin). */
  function mayPropose(principal: Principal, contactId: string): { country: string } {
    const contact = registry.snapshot().contactById.get(contactId);
    if (contact === undefined) throw notFound('contact', contactId);
    if (principal.contactId !== contactId && !canManageCountry(principal, contact.country))
      throw forbidden('you may propose changes to your own registry record only');
    if (contact.status === 'retired') throw conflict(`contact ${contactId} is retired`);
    return { country: contact.country };
  }

  /** The whole registry with the changes, validated as an import would be: problems now, not at approval. */
  function validateChanges(contactId: string, changes: Record<string, unknown>): void {
    const file = registry.view().file;
    const contacts = file.contacts.map((record) =>
      record.id === contactId ? { ...record, ...changes, id: contactId } : record,
    );
    const validation = registry.validate({ ...file, contacts });
    if (validation.ok) return;
    const index = file.contacts.findIndex((record) => record.id === contactId);
    const prefix = `/contacts/${String(index)}`;
    const problems = validation.problems
      .filter((problem) => problem.path === prefix || problem.path.startsWith(`${prefix}/`))
      .map((problem) => ({ path: `/changes${problem.path.slice(prefix.length)}`, message: problem.message }));
    throw new AppError('validation_failed', 'the proposed record is not valid', problems);
  }

  /** A deputy must be an active colleague of the same authority. */
  function checkDeputy(contactId: string, deputy: unknown): void {
    if (deputy === null || deputy === undefined) return;
    const snapshot = registry.snapshot();
    const contact = snapshot.contactById.get(contactId);
    const colleague = typeof deputy === 'string' ? snapshot.contactById.get(deputy) : undefined;
    if (
      colleague === undefined ||
      colleague.id === contactId ||
      colleague.status !== 'active' ||
      colleague.authority !== contact?.authority
    )
      throw new AppError(
        'validation_failed',
        'the deputy must be an active colleague of the same authority',
        [{ path: '/changes/deputy', message: 'not an active colleague of the same authority' }],
      );
  }

  async function coordinatorPushes(tx: Queryable, row: ProposalRow): Promise<OutboxPush[]> {
    const snapshot = registry.snapshot();
    const contact = snapshot.contactById.get(row.contactId);
    const written: OutboxPush[] = [];
    for (const coordinator of await reachableMembers(tx, { coordinatorsOf: [row.country] })) {
      if (coordinator.memberId === row.proposedBy) continue;
      written.push(
        ...pushes.toMember(coordinator, `truth:proposal:${row.id}`, (locale) => ({
          text: pushes.t(locale, row.kind === 'retire' ? 'truth-proposal-retire-new' : 'truth-proposal-new', {
            name:
              contact === undefined
                ? row.contactId
                : (contact.name[locale] ?? contact.name.en ?? row.contactId),
            fields: row.fields.join(', '),
            changes: describeChanges(row.changes),
          }),
          buttons: decisionButtons(pushes.t, locale, row.id),
        })),
      );
    }
    await pushes.write(tx, written);
    return written;
  }

  async function tellProposer(tx: Queryable, row: ProposalRow, outcome: 'approved' | 'rejected') {
    const [proposer] = await reachableMembers(tx, { memberIds: [row.proposedBy] });
    if (proposer === undefined) return [];
    const written = pushes.toMember(proposer, `truth:proposal:${row.id}:${outcome}`, (locale) => ({
      text: pushes.t(locale, `truth-proposal-${outcome}`, { fields: row.fields.join(', ') }),
    }));
    await pushes.write(tx, written);
    return written;
  }

  async function decide(
    principal: Principal,
    proposalId: string,
    outcome: 'approved' | 'rejected',
  ): Promise<ProposalView> {
    const [row] = await db.select().from(registryProposals).where(eq(registryProposals.id, proposalId));
    if (row === undefined) throw notFound('proposal', proposalId);
    if (!canManageCountry(principal, row.country))
      throw forbidden(`only a coordinator of ${row.country} (or an admin) decides this proposal`);
    if (row.proposedBy === principal.memberId)
      throw forbidden('a proposal cannot be approved by its proposer');
    if (row.status === 'voided')
      throw conflict(
        `the proposal was voided: contact ${row.contactId} was retired or removed from the registry, so there is nothing left to decide`,
        { reason: 'contact_left', contactId: row.contactId },
      );
    if (row.status !== 'pending') throw conflict(`the proposal was already ${row.status}`);
    // Every write retiring or removing a contact voids their proposals, but one recorded as the
    // retirement commits (its check read the snapshot before) stays pending: nothing to decide.
    const contactStatus = registry.snapshot().contactById.get(row.contactId)?.status;
    if (contactStatus === undefined || contactStatus === 'retired')
      throw conflict(
        `contact ${row.contactId} ${contactStatus === undefined ? 'was removed from the registry' : 'is retired'}; the proposal cannot be approved or rejected`,
        { reason: 'contact_left', contactId: row.contactId },
      );
    let written: OutboxPush[] = [];
    // Marks the decision only if nobody decided first (two coordinators tapping at once).
    const mark = async (tx: Queryable) => {
      const marked = await tx
        .update(registryProposals)
        .set({ status: outcome, decidedAt: clock.now(), decidedBy: principal.memberId })
        .where(and(eq(registryProposals.id, row.id), eq(registryProposals.status, 'pending')))
        .returning({ id: registryProposals.id });
      if (marked.length === 0) throw conflict('the proposal was decided by someone else meanwhile');
      // An approved change is audited by the registry update it makes (contact.proposal_approved).
      if (outcome === 'rejected' || row.kind === 'retire')
        await deps.audit.appendInTransaction(tx, [
          {
            actor: actorOf(principal),
            action: `contact.proposal_${outcome}`,
            subject: `contact:${row.contactId}`,
            details: { proposalId: row.id, kind: row.kind, fields: row.fields },
          },
        ]);
      written = await tellProposer(tx, row, outcome);
    };
    if (outcome === 'rejected') {
      await db.transaction(mark);
    } else if (row.kind === 'retire') {
      const successor = row.changes.successorId;
      await deps.handover.retire(
        principal,
        row.contactId,
        typeof successor === 'string' ? successor : undefined,
        {
          inTransaction: mark,
        },
      );
    } else {
      await registry.updateContact(principal, row.contactId, row.changes, {
        // Approved means checked by a coordinator: the record is verified today, by them.
        confirms: true,
        auditAction: 'contact.proposal_approved',
        auditDetails: { proposalId: row.id },
        inTransaction: async (tx) => {
          await mark(tx);
          await deps.onConfirmed?.(tx, row.contactId);
        },
      });
    }
    await pushes.dispatch(written);
    const [decided] = await db.select().from(registryProposals).where(eq(registryProposals.id, row.id));
    return toProposalView(decided ?? row);
  }

  return {
    /**
     * `changes` in the registry format. Availability applies at once (audited as the proposer);
     * the rest waits for a coordinator. A coordinator's own proposal waits too: another
     * coordinator (or an admin) approves it.
     */
    async propose(
      principal: Principal,
      contactId: string,
      changes: Record<string, unknown>,
    ): Promise<ProposeResult> {
      const { country } = mayPropose(principal, contactId);
      const keys = Object.keys(changes);
      if (keys.length === 0) throw badRequest('no changes');
      const unknown = keys.filter(
        (key) =>
          !(availabilityFields as readonly string[]).includes(key) &&
          !(proposalFields as readonly string[]).includes(key),
      );
      if (unknown.length > 0)
        throw new AppError(
          'validation_failed',
          `these fields cannot be proposed: ${unknown.join(', ')}`,
          unknown.map((key) => ({ path: `/changes/${key}`, message: 'not a field a contact may change' })),
        );
      validateChanges(contactId, changes);
      checkDeputy(contactId, changes.deputy);
      const now = [...availabilityFields].filter((key) => key in changes);
      const later = [...proposalFields].filter((key) => key in changes);
      if (now.length > 0) {
        await registry.updateContact(
          undefined,
          contactId,
          Object.fromEntries(now.map((key) => [key, changes[key]])),
          { auditActor: actorOf(principal), auditDetails: { source: 'self' } },
        );
      }
      if (later.length === 0) return { proposal: null, applied: now };
      const proposal = await this.record(principal, {
        contactId,
        country,
        kind: 'change',
        changes: Object.fromEntries(later.map((key) => [key, changes[key]])),
        fields: later,
      });
      return { proposal, applied: now };
    },

    /** "I no longer handle this": a retirement (with the successor, if named) waiting for approval. */
    async proposeRetirement(principal: Principal, contactId: string, successorId: string | undefined) {
      const { country } = mayPropose(principal, contactId);
      return this.record(principal, {
        contactId,
        country,
        kind: 'retire',
        changes: successorId === undefined ? {} : { successorId },
        fields: ['status'],
      });
    },

    async record(
      principal: Principal,
      input: Pick<ProposalRow, 'contactId' | 'country' | 'kind' | 'changes' | 'fields'>,
    ): Promise<ProposalView> {
      let written: OutboxPush[] = [];
      const row = await db.transaction(async (tx) => {
        // Their own proposal answers the prompt: no queued reminder follows it (none is planned
        // while it waits for a decision either). First, as the campaign's own steps take the
        // contact's round before the audit log.
        if (principal.contactId === input.contactId) {
          if (deps.onOwnAnswer === undefined) await pushes.withdrawPrompts(tx, input.contactId);
          else await deps.onOwnAnswer(tx, input.contactId);
        }
        const [created] = await tx
          .insert(registryProposals)
          .values({
            id: newProposalId(),
            ...input,
            status: 'pending',
            proposedBy: principal.memberId,
            createdAt: clock.now(),
          })
          .returning();
        if (created === undefined) throw new Error('proposal insert returned nothing');
        // Who asked for what (field names, not values): a stolen account's attempt leaves a trace.
        await deps.audit.appendInTransaction(tx, [
          {
            actor: actorOf(principal),
            action: 'contact.proposal',
            subject: `contact:${created.contactId}`,
            details: { proposalId: created.id, kind: created.kind, fields: created.fields },
          },
        ]);
        written = await coordinatorPushes(tx, created);
        return created;
      });
      await pushes.dispatch(written);
      return toProposalView(row);
    },

    approve: (principal: Principal, id: string) => decide(principal, id, 'approved'),
    reject: (principal: Principal, id: string) => decide(principal, id, 'rejected'),

    /** Coordinators see their country's, admins every one, others their own proposals. */
    async list(
      principal: Principal,
      filter: {
        country?: string | undefined;
        status?: ProposalStatus | undefined;
        contactId?: string | undefined;
      },
    ): Promise<ProposalView[]> {
      const conditions: SQL[] = [];
      if (principal.role === 'admin') {
        if (filter.country !== undefined) conditions.push(eq(registryProposals.country, filter.country));
      } else if (principal.role === 'coordinator') {
        if (filter.country !== undefined && filter.country !== principal.country)
          throw forbidden('coordinators see their own country only');
        conditions.push(eq(registryProposals.country, ownCountryOf(principal)));
      } else {
        conditions.push(eq(registryProposals.proposedBy, principal.memberId));
      }
      if (filter.status !== undefined) conditions.push(eq(registryProposals.status, filter.status));
      if (filter.contactId !== undefined) conditions.push(eq(registryProposals.contactId, filter.contactId));
      const rows = await db
        .select()
        .from(registryProposals)
        .where(and(...conditions))
        .orderBy(desc(registryProposals.createdAt))
        .limit(500);
      return rows.map(toProposalView);
    },

    /** Pending proposals of some contacts (verification states). */
    /**
     * The contacts among these with a proposal waiting. Inside a transaction pass it (`on`): a
     * query on another connection while the transaction holds one deadlocks a full pool.
     */
    async pendingFor(contactIds: readonly string[], on: Queryable = db): Promise<Set<string>> {
      if (contactIds.length === 0) return new Set();
      const rows = await on
        .selectDistinct({ contactId: registryProposals.contactId })
        .from(registryProposals)
        .where(
          and(
            // A whole registry's ids would pass the statement's parameter limit: all pending, then filter.
            contactIds.length > 1000 ? undefined : inArray(registryProposals.contactId, [...contactIds]),
            eq(registryProposals.status, 'pending'),
          ),
        );
      const wanted = new Set(contactIds);
      return new Set(rows.map((row) => row.contactId).filter((id) => wanted.has(id)));
    },
  };
}

/** Approve and Reject as one-tap buttons: `truth:ap:<id>`, `truth:rj:<id>`. */
export function decisionButtons(
  t: (locale: Locale, id: string) => string,
  locale: Locale,
  proposalId: string,
): Button[] {
  return [
    { label: t(locale, 'truth-button-approve'), action: `truth:ap:${proposalId}` },
    { label: t(locale, 'truth-button-reject'), action: `truth:rj:${proposalId}` },
  ];
}

/** The proposed values, one per line, as a coordinator reads them before deciding. */
export function describeChanges(changes: Record<string, unknown>): string {
  return Object.entries(changes)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}
