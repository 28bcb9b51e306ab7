import type { AuditService } from '../audit/index.ts';
import { systemClock } from '../clock/index.ts';
import { loadConfig, processEnvironment, type Config } from '../config/index.ts';
import { openDatabase, type DatabaseHandle } from '../db/index.ts';
import { createLogger, type Logger } from '../logging/index.ts';
import type { IdentityService, InviteService, MembersService } from '../members/index.ts';
import type { createRegistryService } from '../registry/index.ts';
import { createRegistryAndMembers } from '../registry-and-members.ts';

/** What CLI commands work with: the same services as the server, on the configured database. */
export interface CliContext {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  audit: AuditService;
  registry: ReturnType<typeof createRegistryService>;
  members: MembersService;
  invites: InviteService;
  identities: IdentityService;
  close(): Promise<void>;
}

export type OpenCliContext = () => Promise<CliContext>;

/** Opens the configured database (migrated) and builds the services. Logs go to stderr, quietly. */
export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig(processEnvironment());
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    maxConnections: 2,
    role: `npm run cli -- ${process.argv.slice(2, 4).join(' ')}`,
  });
  await database.migrate();
  const { audit, registry, members, invites, identities } = createRegistryAndMembers({
    database,
    logger,
    config,
  });
  // An import retiring or removing contacts ends their pending proposals as the server's writes
  // do, with the same function (voided, audited, the proposers told through a worker's outbox
  // relay). Loaded only for a write that has departures: most commands never need that graph.
  registry.handRetirementTo({
    departedInTransaction: async (tx, departures, cause) => {
      const [{ createDepartureVoiding }, { createTranslator }] = await Promise.all([
        import('../verification/index.ts'),
        import('../i18n/index.ts'),
      ]);
      const voiding = createDepartureVoiding({
        audit,
        translator: createTranslator(),
        defaultLocale: config.defaultLocale,
        clock: systemClock,
        logger,
      });
      return voiding.departedInTransaction(tx, departures, cause);
    },
  });
  return {
    config,
    logger,
    database,
    audit,
    registry,
    members,
    invites,
    identities,
    async close() {
      await audit.close();
      await database.close();
    },
  };
}

/** Runs a command body with a context, closing it afterwards whatever happens. */
export async function withContext<T>(
  open: OpenCliContext,
  body: (context: CliContext) => Promise<T>,
): Promise<T> {
  const context = await open();
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}
