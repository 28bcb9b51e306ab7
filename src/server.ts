// The server: reads configuration once, builds every dependency and hands each module what it
// needs. Nothing else reads the environment or creates shared resources. Entered through main.ts.
import { createApplication, messengerLogRedactions } from './application.ts';
import { ConfigError, loadConfig, processEnvironment, redactConfig } from './config/index.ts';
import { createLogger } from './logging/index.ts';
import { EmbeddedDatabaseBusy } from './db/index.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(processEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, messengerLogRedactions());
  logger.info({ config: redactConfig(config) }, 'starting Counterpart');

  let application;
  try {
    application = await createApplication(config, logger);
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusy) {
      logger.error({ holder: error.holder }, error.message);
      process.stderr.write(
        `\n${error.message}.\nOnly one process can use the embedded database: stop the other one, or set DATA_DIR to another directory (or DATABASE_URL to a PostgreSQL server, which any number of processes can share).\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const access = await application.ensureAdminAccess();
  const address = await application.app.listen({ host: config.http.host, port: config.http.port });
  application.database.recordAddress(address);
  logger.info({ address }, 'API listening; web console at /, OpenAPI at /docs');
  if (access.created && access.generated) {
    // Printed once, to the terminal only (never through the logger), so it is not kept in log stores.
    const base = address.replace('0.0.0.0', '127.0.0.1');
    process.stdout.write(
      `\nNo admin token existed, so one was created. It is shown only this once:\n\n  ${access.token}\n\n` +
        `Try it:\n  curl -H 'Authorization: Bearer ${access.token}' '${base}/v1/contacts?country=KG&competence=extradition'\n\n`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A stuck dependency must not keep a stopping process alive forever.
    const deadline = setTimeout(() => process.exit(1), 15_000);
    deadline.unref();
    application
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

await main();
