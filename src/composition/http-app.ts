import type { FastifyPluginAsync } from 'fastify';
import { auditGauges, auditReadiness } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import {
  bearerToken,
  buildApp,
  createSessionAuthenticator,
  type createMetricsRegistry,
  type ReadinessCheck,
} from '../http/index.ts';
import type { Logger } from '../logging/index.ts';
import type { createSessionService } from '../members/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Storage } from './storage.ts';

/**
 * The HTTP app: bearer tokens or console session cookies, readiness of the storage and of each
 * running messenger, audited reads admitted only while the audit queue has room.
 */
export async function createHttpApp({
  config,
  logger,
  metrics,
  storage,
  shared,
  sessions,
  messengerReadiness,
  routes,
}: {
  config: Config;
  logger: Logger;
  metrics: ReturnType<typeof createMetricsRegistry>;
  storage: Storage;
  shared: Pick<SharedServices, 'audit' | 'members'>;
  sessions: ReturnType<typeof createSessionService>;
  messengerReadiness: readonly ReadinessCheck[];
  routes: readonly FastifyPluginAsync[];
}) {
  const { database, redis } = storage;
  const { audit, members } = shared;
  const readiness: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    auditReadiness(audit),
    { name: 'redis', check: () => redis.ping(), optional: redis.url === undefined },
    ...messengerReadiness,
  ];
  const sessionCookieAuthenticator = createSessionAuthenticator(sessions, config.http);
  return buildApp({
    config,
    logger,
    metrics,
    authenticate: async (request) => {
      const token = bearerToken(request);
      return token === undefined ? sessionCookieAuthenticator(request) : members.authenticateToken(token);
    },
    readiness,
    gauges: auditGauges(audit),
    // Reads must be audited: while the audit queue is full they wait, then get 503.
    admission: () => audit.admit(),
    routes,
  });
}
