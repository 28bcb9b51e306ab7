// Keeping the registry true (issue #14): retirement with handover, proposals, re-verification.
// Public surface: the composition root builds the module here; other modules import only this file.
import type { ConversationEngine } from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Database } from '../db/database.ts';
import type { Locale, Translator } from '../i18n/i18n.ts';
import type { OutboxService } from '../outbox/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { createHandoverService, type HandoverDeps } from './handover-service.ts';
import { createProposalService, type ProposalService } from './proposal-service.ts';
import { createTruthPushes } from './truth-pushes.ts';
import { registerProposalButtons } from './verification-chat.ts';
import { verificationRoutes } from './verification-routes.ts';

export type { HandoverResult, HandoverService } from './handover-service.ts';
export type { ProposalService, ProposalView, ProposeResult } from './proposal-service.ts';

export interface RegistryTruthDeps {
  db: Database;
  registry: RegistryService;
  outbox: OutboxService;
  translator: Translator;
  defaultLocale: Locale;
  pushPlatforms: () => readonly string[];
  consultations: HandoverDeps['consultations'];
  requests: HandoverDeps['requests'];
  clock: Clock;
}

export function createRegistryTruthModule(deps: RegistryTruthDeps) {
  const pushes = createTruthPushes(deps);
  // The handover voids the retiree's pending proposals; proposals approve retirements through it.
  const late: { proposals?: ProposalService } = {};
  const handover = createHandoverService({
    registry: deps.registry,
    consultations: deps.consultations,
    requests: deps.requests,
    pushes,
    onRetired: async (tx, contactId) => late.proposals?.voidPendingInTransaction(tx, contactId),
  });
  const proposalService = createProposalService({
    db: deps.db,
    registry: deps.registry,
    handover,
    pushes,
    clock: deps.clock,
  });
  late.proposals = proposalService;
  return {
    handover,
    proposals: proposalService,
    routes: verificationRoutes({ handover, proposals: proposalService }),
    /** Adds the proposal buttons (and the absence and re-verification conversations) to the engine. */
    registerChat(engine: Pick<ConversationEngine, 'registerActionHandler'>) {
      registerProposalButtons(engine, proposalService);
    },
  };
}

export type RegistryTruthModule = ReturnType<typeof createRegistryTruthModule>;
