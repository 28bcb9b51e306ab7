// Public surface of the consultation module: the composition root builds it with
// `createConsultations` and wires its chat parts, routes, deadline worker and delivery reports.
import type { ConversationEngine } from '../chat/index.ts';
import type { Queryable } from '../db/database.ts';
import { createBodyCipher, loadBodyKey } from './body-cipher.ts';
import { rankLikeAsk } from './consultation-candidates.ts';
import { createConsultationChat } from './consultation-chat.ts';
import { createCore, type ConsultationDeps } from './consultation-core.ts';
import { createConsultationReconciler, createDeadlineTimers, processDeadlineJob, type DeadlineQueue } from './consultation-deadlines.ts';
import { createConsultationQueries } from './consultation-queries.ts';
import { createConsultationRelay } from './consultation-relay.ts';
import { recordDelivery } from './consultation-repository.ts';
import { createConsultationRules } from './consultation-service.ts';
import { consultationsRoutes } from './consultations-routes.ts';

export type { ConsultationSettings, ConsultationPush, PushOutbox, RankCandidates, ConsultationView, ConsultationDetail } from './consultation-types.ts';
export { deadlineJobId, type DeadlineJob, type DeadlineQueue } from './consultation-deadlines.ts';
export { createBodyCipher, loadBodyKey, type BodyCipher } from './body-cipher.ts';
export { rankByRegistryOrder, rankLikeAsk } from './consultation-candidates.ts';
export { addWorkingTime, type WorkSchedule } from './working-time.ts';

export interface ConsultationsOptions extends Omit<ConsultationDeps, 'timers' | 'rankCandidates'> {
  deadlineQueue: DeadlineQueue;
  /** Default: the ask module's ranking. */
  rankCandidates?: ConsultationDeps['rankCandidates'];
  /** How often the reconciler catches up on deadlines and purges bodies (default five minutes). */
  reconcileIntervalMs?: number;
}

export function createConsultations(options: ConsultationsOptions) {
  const clock = options.clock ?? (() => new Date());
  const timers = createDeadlineTimers(options.deadlineQueue, clock);
  const core = createCore({ ...options, clock, timers, rankCandidates: options.rankCandidates ?? rankLikeAsk });
  const rules = createConsultationRules(core);
  const relay = createConsultationRelay(core);
  const queries = createConsultationQueries({ db: options.db });
  const chat = createConsultationChat({ core, rules, relay });
  const reconciler = createConsultationReconciler({
    core,
    rules,
    relay,
    timers,
    logger: options.logger,
    ...(options.reconcileIntervalMs === undefined ? {} : { intervalMs: options.reconcileIntervalMs }),
  });

  return {
    rules,
    relay,
    queries,
    reconciler,
    routes: consultationsRoutes({ rules, queries }),
    /** The BullMQ processor of the `consultationDeadlines` queue. */
    processDeadline: processDeadlineJob(rules),
    /** Adds `/consult`, `/close`, the `consult:` buttons and free-text relaying to the conversation engine. */
    registerChat(engine: Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'registerTextHandler'>) {
      for (const command of chat.commands) engine.registerCommand(command);
      engine.registerActionHandler('consult', chat.handleAction);
      engine.registerTextHandler(chat.interceptText);
    },
    /**
     * The outbox's report on a consultation push (kind `consultation`), inside its transaction:
     * remembers the delivered message's platform id for threads and replies.
     */
    async recordDelivery(
      tx: Queryable,
      delivery: { dedupeKey: string; platform: string; chatId: string; context: Record<string, unknown>; platformMessageId: string | null },
    ): Promise<void> {
      const consultationId = delivery.context.consultationId;
      if (typeof consultationId !== 'string' || delivery.platformMessageId === null) return;
      const memberId = delivery.context.memberId;
      await recordDelivery(tx, {
        dedupeKey: delivery.dedupeKey,
        consultationId,
        memberId: typeof memberId === 'string' ? memberId : null,
        platform: delivery.platform,
        chatId: delivery.chatId,
        platformMessageId: delivery.platformMessageId,
        deliveredAt: clock(),
      });
    },
  };
}

export type Consultations = ReturnType<typeof createConsultations>;

/** The cipher for stored texts, from CONSULTATION_BODY_KEY or a key generated in the data directory. */
export function consultationCipher(configuredKey: Buffer | undefined, dataDir: string) {
  const loaded = loadBodyKey(configuredKey, dataDir);
  return { cipher: createBodyCipher(loaded.key), generated: loaded.generated, path: loaded.path };
}
