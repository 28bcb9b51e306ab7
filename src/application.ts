import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { adapterModules, createRunningBots, messengerAdapters } from '../bots/index.ts';
import {
  createEventStreams,
  createWebPushHub,
  looksLikeDemoRegistry,
  webConsoleRoutes,
  webMessenger,
} from '../bots/web/index.ts';
import { askRoutes, createAskService } from './ask/index.ts';
import {
  auditGauges,
  auditReadiness,
  createAuditQueries,
  createAuditService,
  registerAuditMetrics,
} from './audit/index.ts';
import {
  createChatRateLimiter,
  conversationActivityChannel,
  createConversationEngine,
  createConversationMemory,
  createQuietConversations,
  createMessengerDirectory,
  type MessengerAdapterModule,
  type WayIn,
} from './chat/index.ts';
import { systemClock, type Clock } from './clock/index.ts';
import { stewardshipConsole } from './console/index.ts';
import { consultationCipher, createConsultationStats, createConsultations } from './consultations/index.ts';
import { createDeliveryHealth, createOutbox } from './outbox/index.ts';
import { askRanking, createRequestStats, createRequestsModule, loadNudgePolicies } from './requests/index.ts';
import {
  createContactReach,
  createStatsService,
  registerStatsMetrics,
  statsRoutes,
  verificationDays,
} from './stats/index.ts';
import { createRegistryService, findSheets, registryRoutes } from './registry/index.ts';
import { createTimersModule } from './timers/index.ts';
import { createTipsService, loadTips, tipsRoutes } from './tips/index.ts';
import { createRegistryTruthModule, loadVerificationPolicies } from './verification/index.ts';
import {
  createDraftDownloads,
  createDraftsService,
  defaultDownloadTtlSeconds,
  draftDownloadRoutes,
  draftsRoutes,
  registerDraftChat,
} from './drafts/index.ts';
import type { Config } from './config/index.ts';
import { openDatabase, type DatabaseHandle } from './db/index.ts';
import {
  buildApp,
  bearerToken,
  createSessionAuthenticator,
  createMetricsRegistry,
  type ReadinessCheck,
} from './http/index.ts';
import { createTranslator } from './i18n/index.ts';
import type { Logger } from './logging/index.ts';
import {
  createIdentityService,
  inviteRoutes,
  consoleBaseUrl,
  createInviteService,
  createInviteThrottle,
  createMemberDirectory,
  createMembersService,
  createMemberLinks,
  createSessionService,
  membersRoutes,
  createTokenCache,
  membersChangedChannel,
  membersLinkedToContacts,
} from './members/index.ts';
import { createPeriodicTask, createQueueProducers } from './queue/index.ts';
import { openRedis } from './redis/index.ts';
import { createHolidayCalendar, createWorkingTime } from './schedule/index.ts';

/**
 * Every service of one process, built from the configuration: the one composition root. The
 * entry point (`main.ts`) listens; tests use `app.inject` or listen on port 0.
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
  // Validated before anything starts: a broken policy file must stop the process, listing every problem.
  const nudgePolicies = await loadNudgePolicies(config.nudgePoliciesFile);
  const tips = createTipsService(await loadTips(config.tipsFile));
  const verificationPolicies = await loadVerificationPolicies(config.verificationPolicyFile);
  const database = await openDatabase({ url: config.database.url, dataDir: config.database.dataDir });
  logger.info({ engine: database.engine }, 'database opened');
  await database.migrate();
  const redis = await openRedis({
    url: config.redis.url,
    prefix: config.redis.prefix,
    dataDir: config.database.dataDir,
    logger,
    deployment: config.database.url ?? resolve(config.database.dataDir),
  });

  const translator = createTranslator(
    Object.values(adapters).flatMap((module) => module.localesFolder ?? []),
  );
  const audit = createAuditService({ db: database.db, logger, clock });
  const registry = createRegistryService({
    db: database.db,
    audit,
    database,
    logger,
    linkedMembers: membersLinkedToContacts,
    clock,
  });
  // Linking a messenger is announced to the modules that wait for someone to become reachable.
  const memberLinks = createMemberLinks({ logger });
  // The one working-time model: answers ("working now"), nudges, accept deadlines, re-verification
  // prompts and digests all read local time and working hours (and public holidays) from it.
  const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
  const members = createMembersService({
    db: database.db,
    links: memberLinks,
    audit,
    registryLookup: registry,
    tokenCache: createTokenCache(),
    clock,
  });
  const ask = createAskService({
    registry,
    translator,
    audit,
    practical: {
      sheet: (country, competence, askerCountry) =>
        findSheets(registry.view(), { country, competence, askerCountry }, clock.now())[0],
      tips: (topic, locale) => tips.list({ topic, locale }),
    },
    workingTime,
    clock,
  });
  const drafts = createDraftsService({ registry, translator, audit });

  // Conversations: invites link messenger accounts to members; every messenger shares one engine.
  const sharedRedis = redis.client === undefined ? undefined : { client: redis.client, prefix: redis.prefix };
  // The messaging hot path (duplicate updates, flood limits, conversation language) has its own
  // connection with auto-pipelining: the commands of concurrent messages share one socket write.
  const chatRedis =
    redis.client === undefined
      ? undefined
      : {
          client: redis.connect({ enableAutoPipelining: true, maxRetriesPerRequest: 1 }),
          prefix: redis.prefix,
        };
  const identities = createIdentityService({ db: database.db, audit });
  // One wrong-attempt counter for invite codes and console logins (codes and tokens add up).
  const inviteThrottle = createInviteThrottle({ db: database.db, redis: sharedRedis, clock });
  const invites = createInviteService({
    db: database.db,
    audit,
    throttle: inviteThrottle,
    identityCache: identities,
    ttlHours: config.chat.inviteTtlHours,
    consoleUrl: consoleBaseUrl(config.http),
    links: memberLinks,
    clock,
  });
  // Texts kept at rest (consultation bodies, typed text a flow holds) share one key.
  const bodyCipher = consultationCipher(config.consultations.bodyKey, config.database.dataDir);
  if (bodyCipher.generated) {
    logger.info(
      { path: bodyCipher.path },
      'consultation texts are encrypted with a key generated in DATA_DIR; set CONSULTATION_BODY_KEY when running several processes',
    );
  }
  // Every messenger this deployment knows, with what it can do (even where its adapter does not
  // run in this process); running adapters are registered below once built.
  const messengers = createMessengerDirectory([
    ...Object.values(adapters).map((module) => module.messenger),
    webMessenger,
  ]);
  // Embedded database only: its notices reach this process before the writing statement returns.
  const quietConversations = database.engine === 'pglite' ? createQuietConversations() : undefined;
  if (quietConversations !== undefined)
    await database.listen(
      conversationActivityChannel,
      () => {
        quietConversations.changed();
      },
      () => {
        quietConversations.changed();
      },
    );
  const engine = createConversationEngine({
    db: database.db,
    ...(quietConversations === undefined ? {} : { quietConversations }),
    identities,
    invites,
    ask,
    translator,
    audit,
    rateLimiter: createChatRateLimiter({
      redis: chatRedis,
      limit: config.chat.rateLimitPerMinute,
      clock: () => clock.now().getTime(),
    }),
    memory: createConversationMemory({ redis: chatRedis }),
    logger,
    defaultLocale: config.defaultLocale,
    sealer: bodyCipher.cipher,
    flowTimeoutSeconds: config.chat.flowTimeoutSeconds,
    messengers,
    clock,
  });
  // The messengers the configuration turns on (bots/index.ts lists them, plus `options.adapters`),
  // each with its way in.
  const bots = createRunningBots(
    {
      config,
      engine,
      identities,
      translator,
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
    if (wayIn !== undefined) invites.registerWayIn(wayIn);
  }
  // The web console: cookie sessions; pushes reach open consoles through Redis pub/sub.
  const sessions = createSessionService({ db: database.db, audit, clock, links: memberLinks });
  const webConsole = { sessions, pushes: createWebPushHub({ redis, logger }), streams: createEventStreams() };
  /** Outbound sides of the messengers, for pushes (outbox delivery). */
  const chatAdapters = [webConsole.pushes.adapter, ...runningBots.map((bot) => bot.adapter)];
  for (const adapter of chatAdapters) messengers.register(adapter);

  // Pushes: outbox rows in Postgres, delivered by BullMQ workers; request nudges on timers.
  const queues = createQueueProducers({ redis, logger });
  const metrics = createMetricsRegistry();
  // Durable timers for every module that must act at a moment (handlers are registered per kind).
  const timers = createTimersModule({
    db: database.db,
    redis,
    queues,
    logger,
    settings: config.queues,
    clock,
    metrics,
  });
  const outbox = createOutbox({
    db: database.db,
    redis,
    queues,
    timers: timers.timers,
    audit,
    adapters: messengers,
    logger,
    settings: config.queues,
    clock,
  });
  const requests = createRequestsModule({
    db: database.db,
    timers: timers.timers,
    audit,
    outbox: outbox.service,
    registry,
    policies: nudgePolicies,
    workingTime,
    translator,
    ranking: askRanking(workingTime),
    pushPlatforms: () => messengers.platforms(),
    defaultLocale: config.defaultLocale,
    logger,
    settings: config.queues,
    clock,
  });
  requests.registerChat(engine);
  // Drafts in chats: the finished draft goes only where the conversation can carry it (asked of
  // its messenger's adapter), otherwise as a one-time link held in this process's memory.
  const draftDownloads = createDraftDownloads({ clock });
  registerDraftChat({
    engine,
    drafts,
    registry,
    interpret: (text) => ask.interpret(text),
    capabilities: (conversation) => messengers.conversationCapabilities(conversation),
    downloads: draftDownloads,
    consoleUrl: consoleBaseUrl(config.http),
    downloadTtlSeconds: defaultDownloadTtlSeconds,
  });
  const consultations = createConsultations({
    db: database.db,
    audit,
    translator,
    logger,
    registry,
    outbox: outbox.service,
    redis,
    timers: timers.timers,
    cipher: bodyCipher.cipher,
    interpret: (text) => ask.interpret(text),
    messengers,
    workingTime,
    settings: {
      acceptWithinWorkingHours: config.consultations.acceptWithinWorkingHours,
      acceptWithinSeconds: config.consultations.acceptWithinSeconds,
      alwaysSensitive: config.consultations.alwaysSensitive,
      bodyRetentionMs: config.consultations.bodyRetentionMs,
      defaultLocale: config.defaultLocale,
    },
    workers: config.queues,
    clock,
  });
  consultations.registerChat(engine);
  memberLinks.onLinked(consultations.onMemberLinked);
  outbox.service.onOutcome('consultation', consultations.onDeliveryOutcome);
  // Keeping the registry true: handover on retirement, proposals, re-verification campaigns.
  const registryTruth = createRegistryTruthModule({
    db: database.db,
    registry,
    outbox: outbox.service,
    translator,
    defaultLocale: config.defaultLocale,
    pushPlatforms: () => messengers.platforms(),
    consultations: consultations.handOverInTransaction,
    requests: requests.handOverInTransaction,
    escalations: (country) => requests.openEscalations(country),
    timers: timers.timers,
    policies: verificationPolicies,
    workingTime,
    clock,
    logger,
  });
  registryTruth.registerChat(engine);

  const services = {
    config,
    clock,
    logger,
    database,
    redis,
    translator,
    audit,
    registry,
    members,
    ask,
    identities,
    invites,
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
    tips,
    drafts,
  };

  await seedDemoRegistry(services);
  await registry.start();
  // Token, member and linked-account changes made by other processes (or the CLI) empty this
  // process's caches.
  const stopFollowingMembers = await database.listen(membersChangedChannel, (table) => {
    members.forgetCachedTokens();
    identities.forgetCached();
    // A linked (or unlinked) messenger account: re-verification plans prompts only for contacts
    // someone can be asked through; the processes that run the planner follow the change.
    if (config.runMode !== 'api' && (table === 'identities' || table === 'members'))
      registryTruth.linksChanged();
  });
  // Flows nobody came back to: a timed-out flow is dropped when its member next writes, and
  // swept a few minutes after its timeout otherwise, so nothing typed into it lingers.
  // Re-verification campaigns: every active contact gets its next prompt planned (new contacts,
  // confirmed records); the prompts themselves are durable timers.
  const verificationPlanner = createPeriodicTask({
    name: 'verification-planner',
    intervalMs: 15 * 60_000,
    task: () => registryTruth.planOnce(),
    logger,
    lock:
      redis.client === undefined
        ? undefined
        : { client: redis.client, key: `${redis.prefix}:lock:verification-planner` },
  });
  const flowSweep = createPeriodicTask({
    name: 'conversation-flow-sweep',
    intervalMs: 5 * 60_000,
    task: () => engine.sweepExpiredFlows(),
    logger,
    lock:
      redis.client === undefined
        ? undefined
        : { client: redis.client, key: `${redis.prefix}:lock:conversation-flow-sweep` },
  });

  const readiness: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    auditReadiness(audit),
    { name: 'redis', check: () => redis.ping(), optional: redis.url === undefined },
    ...runningBots.map((bot) => bot.readiness),
  ];
  // Statistics of how the network answers: API, console and Prometheus gauges.
  const directory = createMemberDirectory({ db: database.db, clock });
  const reach = createContactReach({ directory, deliveries: createDeliveryHealth({ db: database.db }) });
  const auditQueries = createAuditQueries({ db: database.db });
  const stats = createStatsService({
    requests: createRequestStats({ db: database.db, clock }),
    consultations: createConsultationStats({ db: database.db }),
    deliveries: createDeliveryHealth({ db: database.db }),
    registry,
    reach: () => reach.all(),
    verifications: (since) => verificationDays(auditQueries, since),
    clock,
  });
  registerStatsMetrics(metrics, stats);
  registerAuditMetrics(metrics, audit);
  const sessionCookieAuthenticator = createSessionAuthenticator(sessions, config.http);
  const app = await buildApp({
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
    // A worker process (RUN_MODE=worker) serves health and metrics only.
    routes:
      config.runMode === 'worker'
        ? []
        : [
            registryRoutes({ registry, audit }),
            membersRoutes({ members }),
            askRoutes({ ask }),
            tipsRoutes({ tips }),
            draftsRoutes({ drafts }),
            draftDownloadRoutes({ config, translator, downloads: draftDownloads, drafts }),
            inviteRoutes({ invites, identities }),
            ...runningBots.flatMap((bot) => (bot.routes === undefined ? [] : [bot.routes])),
            webConsoleRoutes({
              config,
              translator,
              members,
              invites,
              throttle: inviteThrottle,
              chat: engine,
              ...webConsole,
              isDemo: () => looksLikeDemoRegistry(registry.view().file),
            }),
            requests.routes,
            consultations.routes,
            registryTruth.routes,
            statsRoutes({ stats }),
            stewardshipConsole({
              config,
              translator,
              registry,
              audit,
              auditQueries,
              directory,
              reach,
              members,
              invites,
              identities,
              stats,
              requests: requests.service,
              consultationQueries: consultations.queries,
              truth: registryTruth.consolePort,
              clock,
            }),
          ],
  });
  // Consumers run in worker and all modes; API processes only enqueue.
  if (config.runMode !== 'api') {
    outbox.startWorker();
    timers.startWorker();
    consultations.startWorkers();
    flowSweep.start();
    verificationPlanner.start();
  }
  // Bots take messages only once the HTTP app (and its webhook route) exists. Each connects where
  // it says: updates over HTTP in API processes, a connection that also sends pushes in workers.
  for (const bot of runningBots)
    if (config.runMode === 'all' || (bot.connectsIn === 'workers') === (config.runMode === 'worker'))
      await bot.start();
  if (config.runMode !== 'worker') await webConsole.pushes.start();

  // Stopped in reverse order of start: stop taking work, drain, then close connections.
  const stopSteps: (() => Promise<void>)[] = [
    ...runningBots.map((bot) => () => bot.stop()),
    () => app.close(),
    () => webConsole.pushes.stop(),
    // Workers finish the jobs in hand (graceful on SIGTERM), then producers close.
    // Timer handlers (nudges, deadlines) write pushes: they stop before the outbox does.
    () => timers.stop(),
    () => consultations.stop(),
    () => outbox.stop(),
    () => queues.close(),
    async () => {
      ask.close();
      draftDownloads.clear();
    },
    () => registry.stop(),
    () => flowSweep.stop(),
    () => verificationPlanner.stop(),
    async () => {
      registryTruth.stop();
    },
    () => stopFollowingMembers(),
    () => audit.close(),
    () => redis.close(),
    () => database.close(),
  ];

  return {
    ...services,
    app,
    /** Bootstrap admin access; returns the token when one was generated so main can print it once. */
    // Under a lock: replicas started together must install exactly one first admin.
    ensureAdminAccess: () =>
      database.withLock('bootstrap-admin', () => members.ensureAdminToken(config.bootstrapAdminToken)),
    async stop() {
      for (const step of stopSteps) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error }, 'error while stopping');
        }
      }
    },
  };
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
  registry: ReturnType<typeof createRegistryService>;
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
