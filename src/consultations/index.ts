// Public surface of the consultation module: the composition root builds it with
// `createConsultations` and wires its chat parts, routes, workers and delivery reports.
import type { DurableTimers } from '../timers/index.ts';
import { systemClock } from '../clock/index.ts';
import type { ConversationEngine } from '../chat/index.ts';
import { deliveredMessageId, type OutcomeHandler } from '../outbox/index.ts';
import { createBodyCipher, loadBodyKey } from './body-cipher.ts';
import { rankLikeAsk } from './consultation-candidates.ts';
import { createConsultationChat } from './consultation-chat.ts';
import { createConsultationHandover } from './consultation-handover.ts';
import { createSteps } from './consultation-steps.ts';
import { createLinkWatch } from './consultation-link-watch.ts';
import { createCore, type ConsultationDeps } from './consultation-core.ts';
import { createDeadlineTimers } from './consultation-deadlines.ts';
import { createConsultationQueries } from './consultation-queries.ts';
import { createConsultationRelay } from './consultation-relay.ts';
import { recordDelivery, talkingIn } from './consultation-repository.ts';
import { createConsultationRules } from './consultation-service.ts';
import { consultationsRoutes } from './consultations-routes.ts';
import type { Queryable } from '../db/index.ts';
import { createPeriodicTask, type PeriodicTask } from '../queue/index.ts';
import type { RedisHandle } from '../redis/index.ts';

export type {
  ConsultationSettings,
  ConsultationPush,
  PushOutbox,
  RankCandidates,
  ConsultationView,
  ConsultationDetail,
} from './consultation-types.ts';
export type { HandoverInput, MovedConsultation } from './consultation-handover.ts';
export { heldConsultationCounts } from './consultation-handover.ts';
export { deadlineJobId, type DeadlineJob } from './consultation-deadlines.ts';
export { createBodyCipher, loadBodyKey, type BodyCipher } from './body-cipher.ts';
export { rankByRegistryOrder, rankLikeAsk } from './consultation-candidates.ts';
export { createConsultationStats, type ConsultationStats } from './consultation-stats.ts';
export type {
  FirstAnswerRow,
  FirstAnswerMonthRow,
  FirstAnswerTable,
  ConsultationScope,
} from './consultation-stats.ts';

export interface ConsultationsOptions extends Omit<ConsultationDeps, 'timers' | 'rankCandidates'> {
  redis: RedisHandle;
  /** The durable-timer service: accept deadlines are its `consultationDeadlines` lane. */
  timers: DurableTimers;
  /** Default: the ask module's ranking. */
  rankCandidates?: ConsultationDeps['rankCandidates'];
  workers: {
    /** How often stored texts past their retention are purged (ms). */
    reconcileIntervalMs: number;
  };
}

export function createConsultations(options: ConsultationsOptions) {
  const { redis, logger } = options;
  const clock = options.clock ?? systemClock;
  const timers = createDeadlineTimers({ db: options.db, timers: options.timers, rules: () => rules });
  const core = createCore({
    ...options,
    clock,
    timers,
    rankCandidates: options.rankCandidates ?? rankLikeAsk(options.workingTime),
  });
  const rules = createConsultationRules(core);
  const relay = createConsultationRelay(core);
  const queries = createConsultationQueries({ db: options.db });
  const handover = createConsultationHandover(core, createSteps(core));
  const watch = createLinkWatch(core);
  let periodic: PeriodicTask | undefined;

  /**
   * The outbox's report on a consultation push (kind `consultation`), inside its transaction:
   * the delivered message's platform id (for threads and for replies that name a consultation),
   * and the same person's next push of the consultation, which may go now.
   */
  const onDeliveryOutcome: OutcomeHandler = async (tx: Queryable, row, outcome) => {
    const consultationId = row.context.consultationId;
    if (typeof consultationId !== 'string') return undefined;
    if (outcome === 'sent') {
      const messageId = await deliveredMessageId(tx, row.id);
      if (messageId !== undefined) {
        await recordDelivery(tx, {
          dedupeKey: row.dedupeKey,
          consultationId,
          memberId: row.memberId,
          platform: row.platform,
          chatId: row.chatId,
          platformMessageId: messageId,
          deliveredAt: clock.now(),
        });
      }
    }
    // Whatever the outcome, the person's next message of this consultation may go now.
    const next =
      row.memberId === null ? undefined : await core.order.nextAfter(tx, consultationId, row.memberId);
    return next === undefined ? undefined : [next];
  };

  return {
    rules,
    relay,
    queries,
    routes: consultationsRoutes({ rules, queries }),
    /** Moves a retiring contact's consultations inside the retirement's transaction. */
    handOverInTransaction: (...args: Parameters<typeof handover.handOverInTransaction>) =>
      handover.handOverInTransaction(...args),
    /** How many consultations each contact holds, inside the caller's transaction (removing a contact checks). */
    heldCounts: (...args: Parameters<typeof handover.heldCounts>) => handover.heldCounts(...args),
    onDeliveryOutcome,
    /**
     * For the members module's link announcement (`MemberLinks.onLinked`): a contact someone was
     * waiting for has linked a messenger, so the asker and the country's coordinators are told.
     */
    onMemberLinked: watch.onMemberLinked,
    /** Re-arms lost or failed deadline timers now, and purges texts past their retention. */
    async reconcileNow(): Promise<{ armed: number; replaced: number; purged: number }> {
      const pass = await timers.reconcileNow();
      return { ...pass, purged: await relay.purgeExpiredBodies() };
    },
    /** Adds `/consult`, `/close`, the `consult:` buttons and free-text relaying to the conversation engine. */
    registerChat(
      engine: Pick<
        ConversationEngine,
        'registerCommand' | 'registerActionHandler' | 'registerTextHandler' | 'flows'
      >,
    ) {
      const chat = createConsultationChat({ core, rules, relay, watch, flows: engine.flows });
      for (const command of chat.commands) engine.registerCommand(command);
      engine.registerActionHandler('consult', chat.handleAction);
      // Asked only while the member talks in an accepted consultation: one indexed lookup otherwise.
      engine.registerTextHandler(chat.interceptText, { activeWhen: talkingIn });
    },
    /**
     * Starts purging texts past their retention (worker and all run modes only). Deadlines fire
     * from the timer service's workers.
     */
    startWorkers() {
      periodic = createPeriodicTask({
        name: 'consultation-retention',
        intervalMs: options.workers.reconcileIntervalMs,
        task: () => relay.purgeExpiredBodies(),
        logger,
        lock:
          redis.client === undefined
            ? undefined
            : { client: redis.client, key: `${redis.prefix}:lock:consultation-retention` },
      });
      periodic.start();
    },
    async stop() {
      await periodic?.stop();
    },
  };
}

export type Consultations = ReturnType<typeof createConsultations>;

/** The cipher for stored texts, from CONSULTATION_BODY_KEY (base64) or a key generated once in the data directory. */
export function consultationCipher(configuredKey: string | undefined, dataDir: string) {
  const loaded = loadBodyKey(
    configuredKey === undefined ? undefined : Buffer.from(configuredKey, 'base64'),
    dataDir,
  );
  return { cipher: createBodyCipher(loaded.key), generated: loaded.generated, path: loaded.path };
}
export type { ConsultationQueries } from './consultation-queries.ts';
