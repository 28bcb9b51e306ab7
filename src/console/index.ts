// The stewardship console (coordinators and the network secretariat, in the browser). Public
// surface: the composition root builds it with `stewardshipConsole`.
import type { FastifyPluginAsync } from 'fastify';
import { consolePlugin } from './console-plugin.ts';
import { analyticsPages, type AnalyticsPagesDeps } from './analytics-handlers.ts';
import { membersPages, type MembersPagesDeps } from './members-handlers.ts';
import { oversightPages, type OversightPagesDeps } from './oversight-handlers.ts';
import { registryAdminPages, type RegistryAdminPagesDeps } from './registry-admin-handlers.ts';
import { requestPages } from './request-handlers.ts';
import { registryPages, type RegistryPagesDeps } from './registry-handlers.ts';
import type { SessionCookieOptions } from '../http/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';

export type { RegistryTruth, ProposalView, VerificationStateView } from './registry-truth-port.ts';
export { consoleScriptBytes } from './console-plugin.ts';

export interface StewardshipDeps
  extends
    RegistryPagesDeps,
    RegistryAdminPagesDeps,
    MembersPagesDeps,
    AnalyticsPagesDeps,
    OversightPagesDeps {
  config: { http: SessionCookieOptions; defaultLocale: Locale };
  translator: Translator;
}

export function stewardshipConsole(deps: StewardshipDeps): FastifyPluginAsync {
  return consolePlugin({
    config: deps.config,
    translator: deps.translator,
    pages: [
      registryPages(deps),
      registryAdminPages(deps),
      membersPages(deps),
      requestPages(deps),
      analyticsPages(deps),
      oversightPages(deps),
    ],
  });
}
export { escapeHtml } from './html.ts';
