// Statistics of how the network answers: the service, its API routes and Prometheus gauges.
export {
  createStatsService,
  type StatsService,
  type StatsQuery,
  type FreshnessRow,
  type ReachRow,
} from './stats-service.ts';
export { statsRoutes } from './stats-routes.ts';
export { registerStatsMetrics } from './stats-metrics.ts';
export { createContactReach, type ContactReachService, type ContactReach } from './contact-reach.ts';
export { toCsv } from './csv.ts';
export { verificationDays, type FreshnessMonthRow } from './freshness-history.ts';
