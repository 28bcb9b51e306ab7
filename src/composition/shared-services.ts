import { createAskService } from '../ask/index.ts';
import type { Clock } from '../clock/index.ts';
import type { SharedMessageLimits } from '../chat/index.ts';
import type { Config } from '../config/index.ts';
import { consultationCipher } from '../consultations/index.ts';
import { createDraftsService } from '../drafts/index.ts';
import { createTranslator } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import { createMemberLinks } from '../members/index.ts';
import { findSheets } from '../registry/index.ts';
import { createHolidayCalendar, createWorkingTime } from '../schedule/index.ts';
import type { createTipsService } from '../tips/index.ts';
import { createRegistryAndMembers } from '../registry-and-members.ts';
import type { Storage } from './storage.ts';

/**
 * The services every use case shares: texts, the registry and its members, the one working-time
 * model, answers to questions, drafts and the key for texts kept at rest.
 */
export function createSharedServices({
  config,
  logger,
  clock,
  storage,
  tips,
  localesFolders,
  messageLimits,
}: {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  tips: ReturnType<typeof createTipsService>;
  /** The messenger adapters' own texts, loaded beside the core's. */
  localesFolders: readonly string[];
  /** What one message holds on every messenger this deployment knows (answers are shared). */
  messageLimits: SharedMessageLimits;
}) {
  const translator = createTranslator(localesFolders);
  // Linking a messenger is announced to the modules that wait for someone to become reachable.
  const memberLinks = createMemberLinks({ logger });
  // The one working-time model: answers ("working now"), nudges, accept deadlines, re-verification
  // prompts and digests all read local time and working hours (and public holidays) from it, and
  // the registry the date a record is verified on (the contact's local date).
  const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
  const { audit, registry, members, identities, inviteThrottle, invites } = createRegistryAndMembers({
    database: storage.database,
    logger,
    config,
    clock,
    workingTime,
    server: { links: memberLinks, redis: storage.sharedRedis },
  });
  const ask = createAskService({
    registry,
    translator,
    audit,
    practical: {
      sheet: (country, competence, askerCountry) =>
        findSheets(registry.view(), { country, competence, askerCountry }, registry.todayIn)[0],
      tips: (topic, locale) => tips.list({ topic, locale }),
    },
    workingTime,
    clock,
    limits: messageLimits,
  });
  const drafts = createDraftsService({ registry, translator, audit });
  // Texts kept at rest (consultation bodies, typed text a flow holds) share one key.
  const bodyCipher = consultationCipher(config.consultations.bodyKey, config.database.dataDir);
  if (bodyCipher.generated) {
    logger.info(
      { path: bodyCipher.path },
      'consultation texts are encrypted with a key generated in DATA_DIR; set CONSULTATION_BODY_KEY when running several processes',
    );
  }
  return {
    translator,
    memberLinks,
    audit,
    registry,
    members,
    identities,
    inviteThrottle,
    invites,
    workingTime,
    ask,
    drafts,
    bodyCipher,
    /** What one message may hold on every messenger of the deployment. */
    messageLimits,
  };
}

export type SharedServices = ReturnType<typeof createSharedServices>;
