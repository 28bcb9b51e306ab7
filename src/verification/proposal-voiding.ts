// A contact retired or removed by any registry write (the handover, a coordinator's edit, an
// import through the API or the command line, a deletion): the proposals waiting for them can no
// longer be decided. One function voids them, audits each and tells each proposer, whichever
// process made the write, so the server and the CLI cannot drift apart.
import { and, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../clock/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import type { Departure } from '../registry/index.ts';
import type { TruthPushes } from './truth-pushes.ts';
import { registryProposals } from './verification-schema.ts';
import type { AuditService } from '../audit/index.ts';
import type { Queryable } from '../db/index.ts';
import { reachableMembers } from '../members/index.ts';

export interface ProposalVoidingDeps {
  audit: Pick<AuditService, 'appendInTransaction'>;
  clock: Clock;
  pushes: Pick<TruthPushes, 'toMember' | 't' | 'write' | 'dispatch'>;
}

export type ProposalVoiding = ReturnType<typeof createProposalVoiding>;

export function createProposalVoiding(deps: ProposalVoidingDeps) {
  const { pushes, clock } = deps;

  /**
   * Inside the transaction of a registry write that retired or removed these contacts: their
   * pending proposals are void, each audited (`contact.proposal_voided`, by the write's actor,
   * naming the write), each proposer told once in their language. Returns the pushes written, to
   * dispatch after the commit.
   */
  async function voidInTransaction(
    tx: Queryable,
    departures: readonly Departure[],
    cause: { actor: string; action: string },
  ): Promise<OutboxPush[]> {
    const byContact = new Map(departures.map((departure) => [departure.contactId, departure]));
    const ids = [...byContact.keys()];
    const voided: (typeof registryProposals.$inferSelect)[] = [];
    // In slices: a whole registry's ids would pass the statement's parameter limit.
    for (let start = 0; start < ids.length; start += 1000) {
      voided.push(
        ...(await tx
          .update(registryProposals)
          .set({ status: 'voided', decidedAt: clock.now(), decidedBy: 'system' })
          .where(
            and(
              inArray(registryProposals.contactId, ids.slice(start, start + 1000)),
              eq(registryProposals.status, 'pending'),
            ),
          )
          .returning()),
      );
    }
    if (voided.length === 0) return [];
    voided.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    await deps.audit.appendInTransaction(
      tx,
      voided.map((row) => ({
        actor: cause.actor,
        action: 'contact.proposal_voided',
        subject: `contact:${row.contactId}`,
        details: {
          proposalId: row.id,
          kind: row.kind,
          fields: row.fields,
          reason: byContact.get(row.contactId)?.removed === true ? 'contact_removed' : 'contact_retired',
          by: cause.action,
        },
      })),
    );
    const proposers = new Map(
      (await reachableMembers(tx, { memberIds: [...new Set(voided.map((row) => row.proposedBy))] })).map(
        (member) => [member.memberId, member],
      ),
    );
    const written: OutboxPush[] = [];
    for (const row of voided) {
      const proposer = proposers.get(row.proposedBy);
      const departure = byContact.get(row.contactId);
      if (proposer === undefined || departure === undefined) continue;
      const { record } = departure;
      const message = departure.removed
        ? 'truth-proposal-voided-removed'
        : row.kind === 'retire'
          ? 'truth-proposal-voided-retire'
          : 'truth-proposal-voided-retired';
      written.push(
        ...pushes.toMember(proposer, `truth:proposal:${row.id}:voided`, (locale) => ({
          text: pushes.t(locale, message, {
            fields: row.fields.join(', '),
            name: record.name[locale] ?? record.name.en ?? row.contactId,
          }),
        })),
      );
    }
    await pushes.write(tx, written);
    return written;
  }

  return {
    voidInTransaction,
    /**
     * The registry's port (`ContactRetirement.departedInTransaction`): the proposals are voided in
     * the write's transaction; the notices go after the commit, and not at all if it rolls back.
     */
    async departedInTransaction(
      tx: Queryable,
      departures: readonly Departure[],
      cause: { actor: string; action: string },
    ): Promise<() => Promise<void>> {
      const written = await voidInTransaction(tx, departures, cause);
      return () => pushes.dispatch(written);
    },
  };
}
