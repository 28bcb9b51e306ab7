import { readFile } from 'node:fs/promises';
import { adapterModules, createRunningBots, messengerAdapters } from '../bots/index.ts';
import {
  createEventStreams,
  createWebPushHub,
  looksLikeDemoRegistry,
  webConsoleRoutes,
  webLocalesFolder,
  webMessenger,
} from '../bots/web/index.ts';
import {
  sharedMessageLimits,
  type ConversationEngine,
  type MessengerAdapterModule,
  type MessengerDirectory,
  type WayIn,
} from './chat/index.ts';
import { systemClock, type Clock } from './clock/index.ts';
import {
  apiRoutes,
  createConversations,
  createHttpApp,
  createPeriodicTasks,
  createPushesAndTimers,
  createSharedServices,
  createStatistics,
  createStopSequence,
  createWorkflows,
  followMemberChanges,
  loadPolicyFiles,
  openStorage,
  startProcessRoles,
  type SharedServices,
  type Storage,
} from './composition/index.ts';
import type { Config } from './config/index.ts';
import type { DatabaseHandle } from './db/index.ts';
import type { Logger } from './logging/index.ts';
import { createSessionService } from './members/index.ts';

/**
 * Every service of one process, built from the configuration: the one composition root. The
 * entry point (`main.ts`) listens; tests use `app.inject` or listen on port 0. Each use case is
 * wired in src/composition; this file adds what needs the messengers' adapters (bots/).
 */
export async function createApplication(
  config: Config,
  logger: Logger,
  options: {
    /** The one clock every module reads (default: the system's). Tests pin the date with it. */
    clock?: Clock;
    /**
     * Messenger adapters beyond the registry in bots/index.ts, by platform name: a deployment's own
     * messenger, or a test's. They are built, started, stopped and pushed through like the others.
     */
    adapters?: Readonly<Record<string, MessengerAdapterModule>>;
  } = {},
) {
  const clock = options.clock ?? systemClock;
  const adapters = adapterModules(options.adapters);
  const policies = await loadPolicyFiles(config);
  const storage = await openStorage(config, logger);
  const { database, redis } = storage;
  const context = { config, logger, clock, storage };
  const knownMessengers = [...Object.values(adapters).map((module) => module.messenger), webMessenger];
  const shared = createSharedServices({
    ...context,
    tips: policies.tips,
    localesFolders: [
      ...Object.values(adapters).flatMap((module) => module.localesFolder ?? []),
      webLocalesFolder,
    ],
    messageLimits: sharedMessageLimits(knownMessengers),
  });
  const { messengers, engine } = await createConversations({
    ...context,
    shared,
    messengers: knownMessengers,
  });
  const { bots, runningBots, webConsole, chatAdapters, messengerRoutes } = await buildMessengerAdapters({
    ...context,
    adapters,
    shared,
    engine,
    messengers,
  });
  const pushes = createPushesAndTimers({ ...context, shared, messengers });
  const { queues, metrics, timers, outbox } = pushes;
  const workflows = createWorkflows({ ...context, shared, policies, engine, messengers, pushes });
  const { requests, consultations, registryTruth } = workflows;

  const services = {
    config,
    clock,
    logger,
    database,
    redis,
    translator: shared.translator,
    audit: shared.audit,
    registry: shared.registry,
    members: shared.members,
    ask: shared.ask,
    identities: shared.identities,
    invites: shared.invites,
    engine,
    chatAdapters,
    messengers,
    bots,
    webConsole,
    queues,
    timers,
    outbox,
    requests,
    consultations,
    registryTruth,
    tips: policies.tips,
    drafts: shared.drafts,
  };

  await seedDemoRegistry(services);
  await shared.registry.start();
  const stopFollowingMembers = await followMemberChanges({ ...context, shared, registryTruth });
  const periodic = createPeriodicTasks({ ...context, engine, registryTruth });
  const statistics = createStatistics({ ...context, shared, metrics });
  const app = await createHttpApp({
    ...context,
    metrics,
    shared,
    sessions: webConsole.sessions,
    messengerReadiness: runningBots.map((bot) => bot.readiness),
    routes: apiRoutes({
      ...context,
      shared,
      tips: policies.tips,
      workflows,
      statistics,
      messengerRoutes,
    }),
  });
  await startProcessRoles({
    runMode: config.runMode,
    pushes,
    workflows,
    periodic,
    runningBots,
    webPushes: webConsole.pushes,
  });
  const stop = createStopSequence({
    logger,
    runningBots,
    app,
    webPushes: webConsole.pushes,
    pushes,
    workflows,
    shared,
    periodic,
    stopFollowingMembers,
    redis,
    database,
  });

  return {
    ...services,
    app,
    /** Bootstrap admin access; returns the token when one was generated so main can print it once. */
    // Under a lock: replicas started together must install exactly one first admin.
    ensureAdminAccess: () =>
      database.withLock('bootstrap-admin', () => shared.members.ensureAdminToken(config.bootstrapAdminToken)),
    stop,
  };
}

/**
 * The messengers the configuration turns on (bots/index.ts lists them, plus extra adapters), each
 * with its way in, and the web console (cookie sessions; pushes reach open consoles through Redis
 * pub/sub). Every running adapter's outbound side is registered in the messenger directory for
 * pushes. Built here because only this file may know the adapters.
 */
async function buildMessengerAdapters({
  config,
  logger,
  clock,
  storage,
  adapters,
  shared,
  engine,
  messengers,
}: {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  adapters: Readonly<Record<string, MessengerAdapterModule>>;
  shared: SharedServices;
  engine: ConversationEngine;
  messengers: MessengerDirectory;
}) {
  const { database, redis, chatRedis } = storage;
  const bots = createRunningBots(
    {
      config,
      engine,
      identities: shared.identities,
      translator: shared.translator,
      db: database.db,
      redis,
      chatRedis: { client: chatRedis?.client, prefix: redis.prefix },
      logger,
    },
    adapters,
  );
  // Only the adapters the configuration turned on are present.
  const runningBots = Object.values(bots).filter((bot) => bot !== undefined);
  // A messenger whose bot runs elsewhere can still be a way in (a configured deep link's username).
  for (const [name, module] of Object.entries(adapters)) {
    const wayIn = bots[name]?.wayIn ?? (await module.wayInFromConfig(config));
    if (wayIn !== undefined) shared.invites.registerWayIn(wayIn);
  }
  const sessions = createSessionService({
    db: database.db,
    audit: shared.audit,
    clock,
    links: shared.memberLinks,
  });
  const webConsole = { sessions, pushes: createWebPushHub({ redis, logger }), streams: createEventStreams() };
  /** Outbound sides of the messengers, for pushes (outbox delivery). */
  const chatAdapters = [webConsole.pushes.adapter, ...runningBots.map((bot) => bot.adapter)];
  for (const adapter of chatAdapters) messengers.register(adapter);
  // Their HTTP routes (webhooks, the web console), built only where routes are served.
  const messengerRoutes = () => [
    ...runningBots.flatMap((bot) => (bot.routes === undefined ? [] : [bot.routes])),
    webConsoleRoutes({
      config,
      translator: shared.translator,
      members: shared.members,
      invites: shared.invites,
      throttle: shared.inviteThrottle,
      chat: engine,
      ...webConsole,
      isDemo: () => looksLikeDemoRegistry(shared.registry.view().file),
    }),
  ];
  return { bots, runningBots, webConsole, chatAdapters, messengerRoutes };
}

export type Application = Awaited<ReturnType<typeof createApplication>>;

/**
 * Log paths the messengers' adapters hold secrets in (a webhook's secret header), for the logger,
 * which exists before the application: asked of the adapter registry here, like the ways in.
 */
export function messengerLogRedactions(
  extra?: Readonly<Record<string, MessengerAdapterModule>>,
): readonly string[] {
  return Object.values(adapterModules(extra)).flatMap((module) => module.redactedLogPaths ?? []);
}

/**
 * Every configured messenger's way in for an invite, for a process that does not run the bots (the
 * CLI): asked of the adapter registry here, the one place in src/ that knows it.
 */
export async function inviteWaysIn(config: Config): Promise<WayIn[]> {
  const ways = await Promise.all(
    Object.values(messengerAdapters).map((module) => module.wayInFromConfig(config)),
  );
  return ways.filter((way) => way !== undefined);
}

/**
 * The embedded database starts with the demo registry so a newcomer sees something real. A
 * configured DATABASE_URL is never seeded implicitly: that would put fictional people into a
 * production registry.
 */
async function seedDemoRegistry(services: {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  registry: SharedServices['registry'];
}): Promise<void> {
  const { config, logger, database, registry } = services;
  if (database.engine !== 'pglite' || !config.demoSeed || !(await registry.isEmpty())) return;
  const data: unknown = JSON.parse(await readFile(config.demoRegistryFile, 'utf8'));
  const summary = await registry.importRegistry(undefined, data);
  const banner = '='.repeat(78);
  logger.warn(
    { file: config.demoRegistryFile, ...summary },
    'DEMO DATA loaded into the empty embedded database',
  );
  process.stdout.write(
    `\n${banner}\n  DEMO DATA: the embedded database was empty, so the demo registry was loaded.\n` +
      `  Institution names come from public sources; every person is fictional.\n` +
      `  Not for operational use. Set DATABASE_URL for a real deployment.\n${banner}\n\n`,
  );
}
