// Keeping the registry true (issue #14): retirement with handover, proposals, re-verification.
// Public surface: the composition root builds the module here; other modules import only this file.
import type { Locale, Translator } from '../i18n/i18n.ts';
import type { OutboxService } from '../outbox/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { createHandoverService, type HandoverDeps } from './handover-service.ts';
import { createTruthPushes } from './truth-pushes.ts';
import { verificationRoutes } from './verification-routes.ts';

export type { HandoverResult, HandoverService } from './handover-service.ts';

export interface RegistryTruthDeps {
  registry: RegistryService;
  outbox: OutboxService;
  translator: Translator;
  defaultLocale: Locale;
  pushPlatforms: () => readonly string[];
  consultations: HandoverDeps['consultations'];
  requests: HandoverDeps['requests'];
}

export function createRegistryTruthModule(deps: RegistryTruthDeps) {
  const pushes = createTruthPushes(deps);
  const handover = createHandoverService({
    registry: deps.registry,
    consultations: deps.consultations,
    requests: deps.requests,
    pushes,
  });
  return {
    handover,
    routes: verificationRoutes({ handover }),
  };
}

export type RegistryTruthModule = ReturnType<typeof createRegistryTruthModule>;
