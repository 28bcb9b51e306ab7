// What an adapter folder hands the composition root: its messenger (capabilities, failures), how
// to build its running adapter from the configuration, and its "way in" for an invite code. The
// adapter registry (bots/index.ts) lists one of these per messenger; src/application.ts builds,
// starts and stops them without knowing which they are, and the CLI asks the same registry
// (through the composition root) for the ways in.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { ReadinessCheck } from '../http/index.ts';
import type { Translator } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import type { IdentityService } from '../members/index.ts';
import type { RedisHandle } from '../redis/index.ts';
import type { ChatAdapter } from './chat-types.ts';
import type { ConversationEngine } from './conversation-engine.ts';
import type { Messenger } from './messenger-port.ts';

/** How a new member uses an invite code on one messenger. */
export interface WayIn {
  readonly platform: string;
  /** A one-tap link (a deep link, a direct chat with the bot), when there is one right now. */
  link?(code: string): string | undefined;
  /** What to type, and to whom, where the messenger links by a typed command. */
  instruction?(code: string): { to: string; command: string } | undefined;
}

/** A messenger's adapter built and wired for this process. */
export interface RunningMessenger {
  /** The one way out (inline answers and pushes). */
  readonly adapter: ChatAdapter;
  readonly readiness: ReadinessCheck;
  /** HTTP routes its platform calls (a webhook), for API processes. */
  readonly routes?: FastifyPluginAsync | undefined;
  /**
   * Which processes start (connect) it. 'api': its updates reach API processes (a webhook, a
   * poll) and pushes need no connection, so workers only send through `adapter`. 'workers': one
   * connection both receives and sends (a sync loop holding the end-to-end keys), so it connects
   * where the outbox's consumers send pushes: worker processes (and `all`), never `api` ones.
   * `all` starts every adapter.
   */
  readonly connectsIn: 'api' | 'workers';
  readonly wayIn: WayIn;
  /** Connects in the background; never holds the process from serving. */
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

/** What an adapter may use to build itself: the configuration and the core's shared services. */
export interface AdapterContext {
  config: Config;
  engine: ConversationEngine;
  identities: Pick<IdentityService, 'resolve'>;
  translator: Translator;
  db: Database;
  redis: RedisHandle;
  /** The messaging hot path's own pipelined connection (undefined without Redis). */
  chatRedis: Pick<RedisHandle, 'client' | 'prefix'>;
  logger: Logger;
}

export interface MessengerAdapterModule<Running extends RunningMessenger = RunningMessenger> {
  readonly messenger: Messenger;
  /**
   * A folder of the adapter's own texts, `<folder>/<locale>/*.ftl` (its chat chrome), loaded into
   * the one translator beside the core's (src/i18n/locales).
   */
  readonly localesFolder?: string | undefined;
  /** Log paths holding its secrets (a webhook's secret header), blanked by the logger like the core's. */
  readonly redactedLogPaths?: readonly string[] | undefined;
  /** The running adapter when the configuration turns it on; undefined (saying why in the log) when not. */
  create(context: AdapterContext): Running | undefined;
  /** Its way in from the configuration alone, for a process that does not run it (the CLI). */
  wayInFromConfig(config: Config): Promise<WayIn | undefined>;
}
