import type { FastifyPluginAsync } from 'fastify';
import { askRoutes } from '../ask/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Config } from '../config/index.ts';
import { stewardshipConsole } from '../console/index.ts';
import { draftDownloadRoutes, draftsRoutes } from '../drafts/index.ts';
import { inviteRoutes, membersRoutes } from '../members/index.ts';
import { registryRoutes } from '../registry/index.ts';
import { statsRoutes } from '../stats/index.ts';
import { tipsRoutes } from '../tips/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Statistics } from './statistics.ts';
import type { Workflows } from './workflows.ts';

/**
 * The HTTP routes of this process, in registration order. A worker process (RUN_MODE=worker)
 * serves health and metrics only, so it gets none (and builds none).
 */
export function apiRoutes({
  config,
  clock,
  shared,
  tips,
  workflows,
  statistics,
  messengerRoutes,
}: {
  config: Config;
  clock: Clock;
  shared: SharedServices;
  tips: Parameters<typeof tipsRoutes>[0]['tips'];
  workflows: Workflows;
  statistics: Statistics;
  /** The messengers' own routes (webhooks, the web console), built only where routes are served. */
  messengerRoutes: () => FastifyPluginAsync[];
}): FastifyPluginAsync[] {
  if (config.runMode === 'worker') return [];
  const { registry, audit, members, ask, drafts, invites, identities, translator } = shared;
  const { requests, consultations, registryTruth, draftDownloads } = workflows;
  const { stats, auditQueries, directory, reach } = statistics;
  return [
    registryRoutes({ registry, audit }),
    membersRoutes({ members }),
    askRoutes({ ask }),
    tipsRoutes({ tips }),
    draftsRoutes({ drafts }),
    draftDownloadRoutes({ config, translator, downloads: draftDownloads, drafts }),
    inviteRoutes({ invites, identities }),
    ...messengerRoutes(),
    requests.routes,
    consultations.routes,
    registryTruth.routes,
    statsRoutes({ stats }),
    stewardshipConsole({
      config,
      translator,
      registry,
      audit,
      auditQueries,
      directory,
      reach,
      members,
      invites,
      identities,
      stats,
      requests: requests.service,
      consultationQueries: consultations.queries,
      truth: registryTruth.consolePort,
      clock,
    }),
  ];
}
