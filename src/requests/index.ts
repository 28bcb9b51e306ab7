// Pending formal requests and their nudges. Public surface: the composition root builds the
// module here; other modules import only from this file.
import { type Clock, systemClock } from '../clock/index.ts';
import { rankContacts } from '../ask/index.ts';
import type { ConversationEngine } from '../chat/index.ts';
import type { OutboxService } from '../outbox/index.ts';
import type { NudgePolicies } from './nudge-policy.ts';
import { createNudgePlanner } from './nudge-planner.ts';
import { createNudgeProcessor, type NudgeJobItem } from './nudge-processor.ts';
import { createNudgeRenderer } from './nudge-renderer.ts';
import { pushKinds } from './request-pushes.ts';
import { createNudgeTimers } from './nudge-timers.ts';
import type { DurableTimers } from '../timers/index.ts';
import { createRequestAnswers } from './request-answers.ts';
import { openEscalations } from './request-escalations.ts';
import { createRequestHandover } from './request-handover.ts';
import { createRequestMessages } from './request-messages.ts';
import { createRequestService } from './request-service.ts';
import { registerRequestsChat } from './requests-chat.ts';
import type { RequestsContext } from './requests-context.ts';
import { requestsRoutes } from './requests-routes.ts';
import type { ContactRanking } from './request-types.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';
import type { Locale, Translator } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';
import type { WorkingTime } from '../schedule/index.ts';

export { loadNudgePolicies, parseNudgePolicies, NudgePolicyError } from './nudge-policy-file.ts';
export type { NudgePolicies, NudgePolicy } from './nudge-policy.ts';
export type { RequestHandoverInput, MovedRequest } from './request-handover.ts';
export { openRequestCounts } from './request-handover.ts';
export type { OpenEscalation } from './request-escalations.ts';
export type { RequestService, NewRequest, RequestChanges } from './request-service.ts';
export type { ContactRanking, RequestView, RequestEventView } from './request-types.ts';
export { requestStatuses, type RequestStatus } from './requests-schema.ts';
export { createRequestStats, pendingAgeBuckets, type RequestStats } from './request-stats.ts';
export type {
  RequestTimesRow,
  MonthlyTimesRow,
  PendingAgeRow,
  NudgeMonthRow,
  StatsScope,
} from './request-stats.ts';

export interface RequestsSettings {
  /** Nudge jobs taken at once per worker process (gathered into batches of up to 500). */
  nudgeConcurrency: number;
}

export interface RequestsModuleDeps {
  db: Database;
  /** The durable-timer service: nudges are its `nudges` lane. */
  timers: DurableTimers;
  audit: AuditService;
  outbox: OutboxService;
  /** `todayIn`: a country's date now (a request's sent date is typed on the requesting country's). */
  registry: { snapshot(): RegistrySnapshot; todayIn(country: string): string };
  policies: NudgePolicies;
  /** The one working-time model (nudges wait for the recipient's working time), from the composition root. */
  workingTime: WorkingTime;
  translator: Translator;
  /** Chooses the receiving contact when the requester names none: the ask module's ranking. */
  ranking: ContactRanking;
  /** Platforms this deployment pushes to (those configured). */
  pushPlatforms: () => readonly string[];
  defaultLocale: Locale;
  logger: Logger;
  settings: RequestsSettings;
  clock?: Clock;
}

export function createRequestsModule(deps: RequestsModuleDeps) {
  const { db, logger, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const planner = createNudgePlanner({ policies: deps.policies, workingTime: deps.workingTime });
  // The processor (built below, from the context holding this) fires what the lane's jobs bring.
  const scheduler = createNudgeTimers({
    db,
    timers: deps.timers,
    fire: (items: readonly NudgeJobItem[]) => processor.fire(items),
    concurrency: settings.nudgeConcurrency,
  });
  const messages = createRequestMessages(deps.translator);
  const context: RequestsContext = {
    db,
    audit: deps.audit,
    registry: deps.registry,
    planner,
    scheduler,
    messages,
    outbox: deps.outbox,
    ranking: deps.ranking,
    pushPlatforms: deps.pushPlatforms,
    defaultLocale: deps.defaultLocale,
    logger,
    clock,
  };
  const service = createRequestService(context);
  const answers = createRequestAnswers(context);
  const handover = createRequestHandover(context);
  deps.outbox.onRender(pushKinds.nudge, createNudgeRenderer(context));
  const processor = createNudgeProcessor({ ...context, outbox: deps.outbox });
  return {
    service,
    answers,
    routes: requestsRoutes({ requests: service }),
    /** Moves a retiring contact's open requests inside the retirement's transaction. */
    handOverInTransaction: (...args: Parameters<typeof handover.handOverInTransaction>) =>
      handover.handOverInTransaction(...args),
    /** How many open requests each contact holds, inside the caller's transaction (removing a contact checks). */
    heldCounts: (...args: Parameters<typeof handover.heldCounts>) => handover.heldCounts(...args),
    /** Open requests to a country escalated to its coordinators and not answered since (digests). */
    openEscalations: (toCountry: string, limit?: number) => openEscalations(db, toCountry, limit),
    /** Adds `/requests`, `/newrequest` and the `req:` buttons to the conversation engine. */
    registerChat(engine: Pick<ConversationEngine, 'registerCommand' | 'registerActionHandler' | 'flows'>) {
      registerRequestsChat(engine, { requests: service, answers, messages, registry: deps.registry, clock });
    },
    /** One reconciler pass now (operations, tests). */
    reconcileNow: () => scheduler.reconcileNow(),
    /** Fires due nudges directly (benchmarks measure the processor this way too). */
    fire: (items: readonly NudgeJobItem[]) => processor.fire(items),
  };
}

export type RequestsModule = ReturnType<typeof createRequestsModule>;

/** The ask module's ranking (in office first, then shared languages...): the contact a request goes to when none is named. */
export const askRanking =
  (workingTime: WorkingTime): ContactRanking =>
  ({ snapshot, country, competence, askerCountry, locale, now }) =>
    rankContacts(
      snapshot,
      {
        country,
        competence,
        now,
        locale,
        askerLanguages:
          askerCountry === null ? [] : (snapshot.countryByIso2.get(askerCountry)?.languages ?? []),
      },
      workingTime,
    ).map((contact) => contact.id);
