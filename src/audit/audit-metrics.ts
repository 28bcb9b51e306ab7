import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditService } from './audit-service.ts';

/** `counterpart_audit_queue_depth` and `counterpart_audit_write_failures_total`, read at scrape time. */
export function registerAuditMetrics(registry: Registry, audit: AuditService): void {
  new Gauge({
    name: 'counterpart_audit_queue_depth',
    help: 'Audit entries queued in this process, not yet written',
    registers: [registry],
    collect() {
      this.set(audit.stats().queueDepth);
    },
  });
  new Counter({
    name: 'counterpart_audit_write_failures_total',
    help: 'Audit entries Postgres refused, each recorded in the chain as audit.write_failed',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(audit.stats().writeFailuresTotal);
    },
  });
}

/** The same figures for `/readyz`. */
export function auditGauges(audit: AuditService): () => Record<string, number> {
  return () => {
    const stats = audit.stats();
    return { audit_queue_depth: stats.queueDepth, audit_write_failures_total: stats.writeFailuresTotal };
  };
}

/** Unready while reads wait for room in the audit queue, so a load balancer sends them elsewhere. */
export function auditReadiness(audit: AuditService) {
  return {
    name: 'audit',
    check: () => {
      const stats = audit.stats();
      return Promise.resolve(stats.queueDepth < stats.highWaterMark);
    },
  };
}
