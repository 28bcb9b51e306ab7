import { createAuditQueries, registerAuditMetrics } from '../audit/index.ts';
import type { Clock } from '../clock/index.ts';
import { createConsultationStats } from '../consultations/index.ts';
import type { createMetricsRegistry } from '../http/index.ts';
import { createMemberDirectory } from '../members/index.ts';
import { createDeliveryHealth } from '../outbox/index.ts';
import { createRequestStats } from '../requests/index.ts';
import {
  createContactReach,
  createStatsService,
  registerStatsMetrics,
  verificationDays,
} from '../stats/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Storage } from './storage.ts';

/** Statistics of how the network answers: for the API, the console and Prometheus gauges. */
export function createStatistics({
  clock,
  storage,
  shared,
  metrics,
}: {
  clock: Clock;
  storage: Storage;
  shared: Pick<SharedServices, 'audit' | 'registry'>;
  metrics: ReturnType<typeof createMetricsRegistry>;
}) {
  const { db } = storage.database;
  const directory = createMemberDirectory({ db, clock });
  const reach = createContactReach({ directory, deliveries: createDeliveryHealth({ db }) });
  const auditQueries = createAuditQueries({ db });
  const stats = createStatsService({
    requests: createRequestStats({ db, clock }),
    consultations: createConsultationStats({ db }),
    deliveries: createDeliveryHealth({ db }),
    registry: shared.registry,
    reach: () => reach.all(),
    verifications: (since) => verificationDays(auditQueries, since),
    clock,
  });
  registerStatsMetrics(metrics, stats);
  registerAuditMetrics(metrics, shared.audit);
  return { directory, reach, auditQueries, stats };
}

export type Statistics = ReturnType<typeof createStatistics>;
