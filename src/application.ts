import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { createAuditService } from './audit/audit-service.ts';
import type { Config } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { buildApp } from './http/app.ts';
import { bearerToken } from './http/auth.ts';
import { createMetricsRegistry } from './http/metrics.ts';
import type { Logger } from './logging/logger.ts';
import { createMembersService } from './members/members-service.ts';
import { membersRoutes } from './members/members-routes.ts';
import { createRegistryService, registryRoutes } from './registry/index.ts';

export interface RunningApplication {
  app: FastifyInstance;
  /** The address the API listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Builds every service from the configuration, prepares the database and starts listening.
 * Used by `main.ts` (and by tests that need a whole process's worth of wiring).
 */
export async function startApplication(config: Config, logger: Logger): Promise<RunningApplication> {
  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  logger.info(
    { engine: database.engine, dataDir: database.engine === 'pglite' ? config.database.dataDir : undefined },
    'database opened',
  );
  await database.migrate();

  const audit = createAuditService({ db: database.db, logger });
  const registry = createRegistryService({ db: database.db, audit, database, logger });
  const members = createMembersService({ db: database.db, audit, registryLookup: registry });

  await seedDemoRegistry(config, logger, database.engine, registry);
  await ensureAdminAccess(config, logger, members);
  await registry.start();

  const metrics = createMetricsRegistry();
  const app = await buildApp({
    config,
    logger,
    metrics,
    authenticate: async (request) => {
      const token = bearerToken(request);
      return token === undefined ? undefined : members.authenticateToken(token);
    },
    readiness: [{ name: 'database', check: () => database.ping() }],
    routes: [registryRoutes({ registry, audit }), membersRoutes({ members })],
  });

  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address }, 'API listening; OpenAPI at /docs');

  return {
    app,
    url: address,
    async stop() {
      await app.close();
      await registry.stop();
      await audit.close();
      await database.close();
    },
  };
}

/**
 * The embedded database starts with the demo registry so a newcomer sees something real. A
 * configured DATABASE_URL is never seeded implicitly: that would put fictional people into a
 * production registry.
 */
async function seedDemoRegistry(
  config: Config,
  logger: Logger,
  engine: 'postgres' | 'pglite',
  registry: ReturnType<typeof createRegistryService>,
): Promise<void> {
  if (engine !== 'pglite' || !config.demoSeed || !(await registry.isEmpty())) return;
  const data: unknown = JSON.parse(await readFile(config.demoRegistryFile, 'utf8'));
  const summary = await registry.importRegistry(undefined, data);
  const banner = '='.repeat(78);
  logger.warn({ file: config.demoRegistryFile, ...summary }, 'DEMO DATA loaded into the empty embedded database');
  process.stdout.write(
    `\n${banner}\n  DEMO DATA: the embedded database was empty, so the demo registry was loaded.\n` +
      `  Institution names come from public sources; every person is fictional.\n` +
      `  Not for operational use. Set DATABASE_URL for a real deployment.\n${banner}\n\n`,
  );
}

async function ensureAdminAccess(
  config: Config,
  logger: Logger,
  members: ReturnType<typeof createMembersService>,
): Promise<void> {
  const result = await members.ensureAdminToken(config.bootstrapAdminToken);
  if (!result.created) return;
  if (!result.generated) {
    logger.info('admin token from BOOTSTRAP_ADMIN_TOKEN installed');
    return;
  }
  // Printed once, to the terminal only (never through the logger), so it is not kept in log stores.
  const base = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
  process.stdout.write(
    `\nNo admin token existed, so one was created. It is shown only this once:\n\n  ${result.token}\n\n` +
      `Try it:\n  curl -H 'Authorization: Bearer ${result.token}' '${base}/v1/contacts?country=KG&competence=extradition'\n\n`,
  );
}
