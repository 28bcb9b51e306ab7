// Retiring a contact hands their work over in the same transaction as the retirement: open
// consultations and pending requests move (see the consultation and request modules), records
// naming the retiree as deputy are flagged to the coordinators, and the retiree's messenger links
// stay with their member (nothing here touches them). Everything is audited.
import type { OutboxPush } from '../outbox/index.ts';
import type { ContactChanges, RegistryFile, RegistryService } from '../registry/index.ts';
import type { TruthPushes } from './truth-pushes.ts';
import { AppError, conflict, forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import { reachableMembers } from '../members/index.ts';

/** What another module hands over inside the retirement's transaction. */
export type HandOver<M> = (
  tx: Queryable,
  input: { fromContactId: string; toContactId: string | undefined; actor: string },
) => Promise<{ moved: M[]; afterCommit: () => Promise<void> }>;

export interface HandoverDeps {
  registry: Pick<RegistryService, 'snapshot' | 'updateContact'>;
  consultations: HandOver<{ consultationId: string; ref: string; to: string }>;
  requests: HandOver<{ requestId: string; to: string | null; nextNudgeAt: string | null }>;
  pushes: TruthPushes;
  /**
   * Told inside the retirement's transaction (the verification state). The retiree's pending
   * proposals are voided by the registry write itself, as for any write retiring a contact.
   */
  onRetired?: ((tx: Queryable, contactId: string) => Promise<void>) | undefined;
}

export interface HandoverResult {
  contactId: string;
  successorId: string | null;
  consultations: { consultationId: string; ref: string; to: string }[];
  requests: { requestId: string; to: string | null; nextNudgeAt: string | null }[];
  /** Active contacts that named the retiree as their deputy: flagged to the coordinators. */
  deputyOf: string[];
}

export function createHandoverService(deps: HandoverDeps) {
  const { registry, pushes } = deps;

  function check(
    actor: Principal | undefined,
    contactId: string,
    successorId: string | undefined,
    successorPath: string,
  ) {
    const snapshot = registry.snapshot();
    const contact = snapshot.contactById.get(contactId);
    if (contact === undefined) throw notFound('contact', contactId);
    if (actor !== undefined && !canManageCountry(actor, contact.country))
      throw forbidden(`you may retire contacts of your own country (${actor.country}) only`);
    if (contact.status === 'retired') throw conflict(`contact ${contactId} is already retired`);
    if (successorId === undefined) return;
    const successor = snapshot.contactById.get(successorId);
    const problem =
      successor === undefined
        ? `unknown contact ${successorId}`
        : successorId === contactId
          ? 'a contact cannot succeed themselves'
          : successor.country !== contact.country
            ? `the successor must be a contact of ${contact.country}`
            : successor.status !== 'active'
              ? `contact ${successorId} is not active`
              : undefined;
    if (problem !== undefined)
      throw new AppError('validation_failed', problem, [{ path: successorPath, message: problem }]);
  }

  /** Coordinators hear which records still name the retiree as deputy. */
  async function flagDeputies(
    tx: Queryable,
    next: RegistryFile,
    contactId: string,
    country: string,
  ): Promise<{ deputyOf: string[]; pushes: OutboxPush[] }> {
    const deputyOf = next.contacts
      .filter((contact) => contact.deputy === contactId && contact.status === 'active')
      .map((contact) => contact.id);
    if (deputyOf.length === 0) return { deputyOf, pushes: [] };
    const snapshot = registry.snapshot();
    const name = (id: string, locale: Locale) => {
      const contact = snapshot.contactById.get(id);
      return contact === undefined ? id : (contact.name[locale] ?? contact.name.en ?? id);
    };
    const written: OutboxPush[] = [];
    for (const coordinator of await reachableMembers(tx, { coordinatorsOf: [country] })) {
      written.push(
        ...pushes.toMember(coordinator, `truth:deputy-retired:${contactId}`, (locale) => ({
          text: pushes.t(locale, 'truth-deputy-retired', {
            name: name(contactId, locale),
            records: deputyOf.map((id) => `${name(id, locale)} (${id})`).join(', '),
          }),
        })),
      );
    }
    await pushes.write(tx, written);
    return { deputyOf, pushes: written };
  }

  return {
    /**
     * Retires the contact and hands their work over, all in one transaction (with the caller's
     * `hooks.inTransaction`: marking an "I no longer handle this" proposal approved).
     */
    async retire(
      actor: Principal | undefined,
      contactId: string,
      successorId: string | undefined,
      hooks: {
        inTransaction?: (tx: Queryable) => Promise<void>;
        /** The rest of a coordinator's edit that retires the contact, written with the retirement. */
        changes?: ContactChanges;
        /** Where a problem with the successor is reported (an edit names them in `/deputy`). */
        successorPath?: string;
      } = {},
    ): Promise<HandoverResult> {
      check(actor, contactId, successorId, hooks.successorPath ?? '/successorId');
      const auditActor = actorOf(actor);
      const afterCommit: (() => Promise<void>)[] = [];
      const result: HandoverResult = {
        contactId,
        successorId: successorId ?? null,
        consultations: [],
        requests: [],
        deputyOf: [],
      };
      const country = registry.snapshot().contactById.get(contactId)?.country ?? '';
      await registry.updateContact(
        actor,
        contactId,
        // The successor becomes the retired record's deputy: anything still addressed to the
        // record (a nudge computed from an old snapshot) reaches them.
        {
          ...hooks.changes,
          status: 'retired',
          ...(successorId === undefined ? {} : { deputy: successorId }),
        },
        {
          auditAction: 'contact.retire',
          auditDetails: { successorId: successorId ?? null },
          inTransaction: async (tx, next) => {
            const input = { fromContactId: contactId, toContactId: successorId, actor: auditActor };
            const consultations = await deps.consultations(tx, input);
            const requests = await deps.requests(tx, input);
            const flagged = await flagDeputies(tx, next, contactId, country);
            await deps.onRetired?.(tx, contactId);
            await hooks.inTransaction?.(tx);
            result.consultations = consultations.moved;
            result.requests = requests.moved;
            result.deputyOf = flagged.deputyOf;
            afterCommit.push(consultations.afterCommit, requests.afterCommit, () =>
              pushes.dispatch(flagged.pushes),
            );
          },
        },
      );
      for (const step of afterCommit) await step();
      return result;
    },
  };
}

export type HandoverService = ReturnType<typeof createHandoverService>;
