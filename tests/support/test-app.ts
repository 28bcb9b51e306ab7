// A whole application (same composition root as production) on a fresh test database.
import { createApplication, messengerLogRedactions, type Application } from '../../src/application.ts';
import type { MessengerAdapterModule } from '../../src/chat/index.ts';
import { type Clock, systemClock } from '../../src/clock/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface TestApp {
  application: Application;
  database: TestDatabase;
  /** An admin API token. */
  adminToken: string;
  /** The application's clock: what a test seeds rows against, so they sit where the app's "now" is. */
  clock: Clock;
  close(): Promise<void>;
}

/**
 * Starts the application on its own database and Redis prefix. `env` adds or overrides
 * configuration variables. `loadDemo` imports the demo registry (default true). `clock` pins the
 * application's date (see test-clock.ts); default the system clock.
 */
export async function startTestApp(
  label: string,
  options: {
    env?: Record<string, string>;
    loadDemo?: boolean;
    /** Receives every log line (JSON), e.g. to prove something never reaches the logs. */
    logDestination?: { write(line: string): void };
    clock?: Clock;
    /** Messenger adapters beyond bots/index.ts (see createApplication's `adapters`). */
    adapters?: Readonly<Record<string, MessengerAdapterModule>>;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(label);
  const adminToken = `test-admin-token-${label}-0123456789`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `cptest-${label}-${process.pid}`,
    BOOTSTRAP_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
  });
  const application = await createApplication(
    config,
    createLogger(config.logLevel, options.logDestination, messengerLogRedactions(options.adapters)),
    {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.adapters === undefined ? {} : { adapters: options.adapters }),
    },
  );
  await application.ensureAdminAccess();
  if (options.loadDemo !== false) {
    const { readFile } = await import('node:fs/promises');
    await application.registry.importRegistry(
      undefined,
      JSON.parse(await readFile(config.demoRegistryFile, 'utf8')),
    );
  }
  return {
    application,
    database,
    adminToken,
    clock: options.clock ?? systemClock,
    async close() {
      await application.stop();
      await database.drop();
    },
  };
}
