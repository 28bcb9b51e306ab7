// The audit module's public surface.
export {
  createAuditService,
  entryHash,
  failureReason,
  type AuditEntry,
  type AuditHead,
  type AuditProblem,
  type AuditService,
  type AuditServiceOptions,
} from './audit-service.ts';
export { createAuditQueries, type AuditEntryView, type AuditFilter } from './audit-queries.ts';
export { formatAuditHead, parseAuditHead } from './audit-checkpoint.ts';
export { auditGauges, auditReadiness, registerAuditMetrics } from './audit-metrics.ts';
export type { AuditQueries } from './audit-queries.ts';
export { latestEntryOf } from './audit-latest.ts';
