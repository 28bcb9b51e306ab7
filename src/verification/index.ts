// Keeping the registry true (issue #14): retirement with handover, proposals, re-verification.
// Public surface: the composition root builds the module here; other modules import only this file.
import type { ConversationEngine } from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import { createOutboxService, type OutboxService } from '../outbox/index.ts';
import type { Contact, Departure, RegistryService } from '../registry/index.ts';
import type { Logger } from '../logging/index.ts';
import type { InviteContact } from './coordinator-actions.ts';
import { createCoordinatorDigest, type DigestDeps } from './coordinator-digest.ts';
import { createHandoverService, type HandoverDeps } from './handover-service.ts';
import { createProposalService } from './proposal-service.ts';
import { createProposalVoiding } from './proposal-voiding.ts';
import type { DurableTimers } from '../timers/index.ts';
import type { RegistryTruth } from '../console/index.ts';
import { registerTruthChat } from './truth-chat.ts';
import { createTruthPushes } from './truth-pushes.ts';
import { registerProposalButtons } from './verification-chat.ts';
import type { VerificationPolicies } from './verification-policy.ts';
import { verificationRoutes } from './verification-routes.ts';
import { createVerificationService } from './verification-service.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database, Queryable } from '../db/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';
import type { WorkingTime } from '../schedule/index.ts';

export type { ContactInvite, InviteContact } from './coordinator-actions.ts';
export type { HandoverResult, HandoverService } from './handover-service.ts';
export type { ProposalService, ProposalView, ProposeResult } from './proposal-service.ts';
export type { VerificationService, VerificationStateItem } from './verification-service.ts';
export {
  loadVerificationPolicies,
  parseVerificationPolicies,
  VerificationPolicyError,
  type VerificationPolicies,
} from './verification-policy.ts';

export interface RegistryTruthDeps {
  db: Database;
  registry: RegistryService;
  /** Proposals made and decided, and prompts a coordinator sends now, are audited with them. */
  audit: Pick<AuditService, 'appendInTransaction'>;
  outbox: OutboxService;
  translator: Translator;
  defaultLocale: Locale;
  pushPlatforms: () => readonly string[];
  consultations: HandoverDeps['consultations'];
  requests: HandoverDeps['requests'];
  /** Escalated requests to a country nobody answered yet (the requests module). */
  escalations: DigestDeps['escalations'];
  timers: DurableTimers;
  policies: VerificationPolicies;
  /** The one working-time model (prompts and digests wait for working time), from the composition root. */
  workingTime: WorkingTime;
  clock: Clock;
  logger?: Logger;
  /**
   * The longest button action every messenger of the deployment carries (`sharedMessageLimits`):
   * a coordinator's one-tap buttons that would not fit are left out. Default 64.
   */
  maxButtonActionBytes?: number;
  /**
   * Issues an invite code for the person behind a contact (the members module: their member, or a
   * new one for the contact, then an invite), as a coordinator or admin may through the API.
   * Absent: no Invite button.
   */
  inviteContact?: InviteContact;
}

/** How long after a link the planner looks: a burst of links (an import of members) is one pass. */
const linkPassDelayMs = 1000;

export function createRegistryTruthModule(deps: RegistryTruthDeps) {
  const pushes = createTruthPushes(deps);
  const voiding = createProposalVoiding({ audit: deps.audit, clock: deps.clock, pushes });
  // The handover tells verification of the retirement; proposals approve retirements through it.
  const late: { verification?: ReturnType<typeof createVerificationService> } = {};
  const handover = createHandoverService({
    registry: deps.registry,
    consultations: deps.consultations,
    requests: deps.requests,
    pushes,
    // Their pending proposals are voided by the registry write itself (departedInTransaction below),
    // as for every other write retiring or removing a contact.
    onRetired: async (tx, contactId) => {
      const country = deps.registry.snapshot().contactById.get(contactId)?.country ?? '';
      await late.verification?.retiredInTransaction(tx, contactId, country);
    },
  });
  const proposalService = createProposalService({
    db: deps.db,
    registry: deps.registry,
    handover,
    pushes,
    audit: deps.audit,
    clock: deps.clock,
    onConfirmed: async (tx, contactId) => {
      const contact = deps.registry.snapshot().contactById.get(contactId);
      if (contact !== undefined) await late.verification?.confirmedInTransaction(tx, contact, 'coordinator');
    },
    onOwnAnswer: async (tx, contactId) => {
      if (late.verification === undefined) await pushes.withdrawPrompts(tx, contactId);
      else await late.verification.answeredInTransaction(tx, contactId);
    },
  });
  const { workingTime } = deps;
  const verification = createVerificationService({
    db: deps.db,
    registry: deps.registry,
    timers: deps.timers,
    pushes,
    policies: deps.policies,
    workingTime,
    proposals: proposalService,
    audit: deps.audit,
    maxButtonActionBytes: deps.maxButtonActionBytes ?? 64,
    invites: deps.inviteContact !== undefined,
    clock: deps.clock,
  });
  const digest = createCoordinatorDigest({
    db: deps.db,
    registry: deps.registry,
    timers: deps.timers,
    pushes,
    verification,
    proposals: proposalService,
    escalations: deps.escalations,
    workingTime,
    schedule: deps.policies.digest,
    clock: deps.clock,
    maxButtonActionBytes: deps.maxButtonActionBytes ?? 64,
    invites: deps.inviteContact !== undefined,
  });
  late.verification = verification;
  deps.timers.handle<{ contactId: string; seq: number; forced: boolean }>('verify', (payload) =>
    verification.fire(payload),
  );
  // A registry edit (create, verify, import, a contact's hours or status) re-plans the contacts it
  // touched at once, instead of at the next planner pass.
  const fingerprint = (contact: Contact) =>
    `${contact.status}|${contact.verifiedAt}|${contact.country}|${JSON.stringify(contact.workingHours)}`;
  let planned = new Map(
    deps.registry.snapshot().contacts.map((contact) => [contact.id, fingerprint(contact)]),
  );
  deps.registry.onChange((snapshot) => {
    const next = new Map(snapshot.contacts.map((contact) => [contact.id, fingerprint(contact)]));
    const touched = new Set([...next].filter(([id, print]) => planned.get(id) !== print).map(([id]) => id));
    planned = next;
    if (touched.size === 0) return;
    verification.planOnce(touched).catch((error: unknown) => {
      deps.logger?.warn(
        { err: (error as Error).message.slice(0, 500), contacts: touched.size },
        're-planning after a registry edit failed; the planner retries',
      );
    });
  });
  // Someone linked or unlinked a messenger: their contact's first prompt is planned (or taken
  // away) within a second or two, in one pass for a burst of links, never two passes at once.
  const linkPass = { timer: undefined as NodeJS.Timeout | undefined, running: false, again: false };
  const runLinkPass = async () => {
    linkPass.timer = undefined;
    if (linkPass.running) {
      linkPass.again = true;
      return;
    }
    linkPass.running = true;
    try {
      await verification.planOnce();
    } catch (error) {
      deps.logger?.warn(
        { err: (error as Error).message.slice(0, 500) },
        'planning after a messenger link failed; the planner retries',
      );
    } finally {
      linkPass.running = false;
      if (linkPass.again) {
        linkPass.again = false;
        linksChanged();
      }
    }
  };
  function linksChanged(): void {
    if (linkPass.timer !== undefined) return;
    linkPass.timer = setTimeout(() => void runLinkPass(), linkPassDelayMs);
    linkPass.timer.unref();
  }
  deps.timers.handle<{ memberId: string }>('digest', (payload, timer) => digest.fire(payload, timer.dueAt));
  // Every push to the person behind a contact counts (prompts, nudges, consultation pushes...).
  deps.outbox.observeOutcomes(verification.onDeliveryOutcome);
  /** What the stewardship console's contact page asks of this module. */
  const consolePort: RegistryTruth = {
    state: async (principal, contactId) => {
      const item = await verification.state(principal, contactId);
      return { state: item.state, since: item.since };
    },
    reverify: (principal, contactId) => verification.reverify(principal, contactId),
    pendingProposals: async (principal, contactId) =>
      (await proposalService.list(principal, { contactId, status: 'pending' })).map((proposal) => ({
        id: proposal.id,
        contactId: proposal.contactId,
        fields: proposal.fields,
        changes: proposal.changes,
        proposedBy: proposal.proposedBy,
        createdAt: proposal.createdAt,
      })),
    approve: async (principal, id) => {
      await proposalService.approve(principal, id);
    },
    reject: async (principal, id) => {
      await proposalService.reject(principal, id);
    },
    retire: async (principal, contactId, successorId) => {
      await handover.retire(principal, contactId, successorId);
    },
  };
  return {
    handover,
    proposals: proposalService,
    verification,
    digest,
    consolePort,
    routes: verificationRoutes({ handover, proposals: proposalService, verification }),
    /**
     * The registry's port (`ContactRetirement.departedInTransaction`): a write retired or removed
     * these contacts. Their pending proposals are voided, audited and their proposers told; the
     * notices go after the commit, and not at all if it rolls back.
     */
    async departedInTransaction(
      tx: Queryable,
      departures: readonly Departure[],
      cause: { actor: string; action: string },
    ): Promise<() => Promise<void>> {
      return voiding.departedInTransaction(tx, departures, cause);
    },
    /** Adds the proposal buttons, the prompt's answers, `/away`, `/imback` and `/stale` to the engine. */
    registerChat(engine: Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>) {
      registerProposalButtons(engine, proposalService);
      registerTruthChat(engine, {
        registry: deps.registry,
        proposals: proposalService,
        verification,
        clock: deps.clock,
        maxButtonActionBytes: deps.maxButtonActionBytes ?? 64,
        inviteContact: deps.inviteContact,
      });
    },
    /**
     * Plans first prompts for contacts without one and digests for coordinators without one
     * (worker and all modes: at start and periodically).
     */
    planOnce: async () => {
      const planned = await verification.planOnce();
      await digest.planOnce();
      return planned;
    },
    /**
     * Members or their messenger accounts changed (in any process: the `members_changed` notice):
     * plans the first prompts of contacts that became reachable, and takes away those of contacts
     * that no longer are, shortly (in processes that run the planner).
     */
    linksChanged,
    /** Forgets a link pass not yet started (at shutdown). */
    stop() {
      clearTimeout(linkPass.timer);
      linkPass.timer = undefined;
    },
  };
}

export type RegistryTruthModule = ReturnType<typeof createRegistryTruthModule>;

/**
 * For a process that writes the registry without this module (the CLI: no messengers, no queues):
 * the same voiding of a departing contact's proposals as the server's, for the registry's port.
 * The proposers' notices go to every account they linked, written for a worker's outbox relay.
 */
export function createDepartureVoiding(deps: {
  audit: Pick<AuditService, 'appendInTransaction'>;
  translator: Translator;
  defaultLocale: Locale;
  clock: Clock;
  logger: Logger;
}): Pick<ReturnType<typeof createProposalVoiding>, 'departedInTransaction'> {
  const pushes = createTruthPushes({
    outbox: createOutboxService({ logger: deps.logger, clock: deps.clock }),
    translator: deps.translator,
    defaultLocale: deps.defaultLocale,
  });
  return createProposalVoiding({ audit: deps.audit, clock: deps.clock, pushes });
}
