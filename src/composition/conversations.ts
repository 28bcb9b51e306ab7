import {
  conversationActivityChannel,
  createChatRateLimiter,
  createConversationEngine,
  createConversationMemory,
  createMessengerDirectory,
  createQuietConversations,
  type Messenger,
} from '../chat/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import type { SharedServices } from './shared-services.ts';
import type { Storage } from './storage.ts';

/**
 * Conversations: every messenger shares one engine (invites link messenger accounts to members).
 * The running adapters are built by the composition root around the engine and registered in the
 * directory once built.
 */
export async function createConversations({
  config,
  logger,
  clock,
  storage,
  shared,
  messengers: knownMessengers,
}: {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  shared: SharedServices;
  /** Every messenger this deployment knows, even where its adapter does not run in this process. */
  messengers: readonly Messenger[];
}) {
  const { database, chatRedis } = storage;
  // Every messenger this deployment knows, with what it can do (even where its adapter does not
  // run in this process); running adapters are registered once built.
  const messengers = createMessengerDirectory(knownMessengers);
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
    identities: shared.identities,
    invites: shared.invites,
    ask: shared.ask,
    translator: shared.translator,
    audit: shared.audit,
    rateLimiter: createChatRateLimiter({
      redis: chatRedis,
      limit: config.chat.rateLimitPerMinute,
      clock: () => clock.now().getTime(),
    }),
    memory: createConversationMemory({ redis: chatRedis }),
    logger,
    defaultLocale: config.defaultLocale,
    sealer: shared.bodyCipher.cipher,
    flowTimeoutSeconds: config.chat.flowTimeoutSeconds,
    messengers,
    clock,
  });
  return { messengers, engine };
}
