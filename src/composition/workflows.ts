import type { Clock } from '../clock/index.ts';
import type { ConversationEngine, MessengerDirectory } from '../chat/index.ts';
import type { Config } from '../config/index.ts';
import { createConsultations } from '../consultations/index.ts';
import { consoleBaseUrl, membersLinkedToContacts } from '../members/index.ts';
import { createDraftDownloads, defaultDownloadTtlSeconds, registerDraftChat } from '../drafts/index.ts';
import type { Logger } from '../logging/index.ts';
import { askRanking, createRequestsModule } from '../requests/index.ts';
import { createRegistryTruthModule } from '../verification/index.ts';
import type { PushesAndTimers } from './pushes.ts';
import type { SharedServices } from './shared-services.ts';
import type { loadPolicyFiles, Storage } from './storage.ts';

/**
 * What members do through the bot beyond a question: formal requests with their nudges, drafts,
 * consultations, and keeping the registry true (handover, proposals, re-verification). Each
 * registers its commands and flows on the one conversation engine.
 */
export function createWorkflows({
  config,
  logger,
  clock,
  storage,
  shared,
  policies,
  engine,
  messengers,
  pushes,
}: {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: Storage;
  shared: SharedServices;
  policies: Awaited<ReturnType<typeof loadPolicyFiles>>;
  engine: ConversationEngine;
  messengers: MessengerDirectory;
  pushes: Pick<PushesAndTimers, 'timers' | 'outbox'>;
}) {
  const { database, redis } = storage;
  const { audit, registry, translator, workingTime, ask } = shared;
  const { timers, outbox } = pushes;
  const requests = createRequestsModule({
    db: database.db,
    timers: timers.timers,
    audit,
    outbox: outbox.service,
    registry,
    policies: policies.nudgePolicies,
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
    drafts: shared.drafts,
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
    cipher: shared.bodyCipher.cipher,
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
  shared.memberLinks.onLinked(consultations.onMemberLinked);
  outbox.service.onOutcome('consultation', consultations.onDeliveryOutcome);
  // Keeping the registry true: handover on retirement, proposals, re-verification campaigns.
  const registryTruth = createRegistryTruthModule({
    db: database.db,
    registry,
    audit,
    outbox: outbox.service,
    translator,
    defaultLocale: config.defaultLocale,
    pushPlatforms: () => messengers.platforms(),
    consultations: consultations.handOverInTransaction,
    requests: requests.handOverInTransaction,
    escalations: (country) => requests.openEscalations(country),
    timers: timers.timers,
    policies: policies.verificationPolicies,
    workingTime,
    clock,
    logger,
    maxButtonActionBytes: shared.messageLimits.maxButtonActionBytes,
    // A coordinator's "Invite" for a contact: the person behind it (the oldest enabled member for
    // the contact), or a new member for the contact, then an invite; as the members and invites
    // APIs would, with their checks and audit entries (member.create, invite.create).
    inviteContact: async (principal, contact) => {
      const [behind] = await membersLinkedToContacts(database.db, [contact.id]);
      const memberId =
        behind?.memberId ??
        (
          await shared.members.create(principal, {
            name: contact.name.en ?? Object.values(contact.name)[0] ?? contact.id,
            country: contact.country,
            role: 'member',
            contactId: contact.id,
          })
        ).id;
      return shared.invites.create(principal, memberId);
    },
  });
  registryTruth.registerChat(engine);
  // A coordinator's edit retiring a contact hands the work over too (the registry asks through this
  // port, importing neither module); any write retiring or removing contacts ends what the
  // registry-truth module keeps about them (pending proposals voided, the proposers told). The
  // registry refuses on its own any write leaving open work with a departing contact.
  registry.handRetirementTo({
    retire: async (actor, contactId, successorId, changes) => {
      await registryTruth.handover.retire(actor, contactId, successorId, {
        changes,
        successorPath: '/deputy',
      });
    },
    departedInTransaction: (tx, departures, cause) =>
      registryTruth.departedInTransaction(tx, departures, cause),
  });
  return { requests, draftDownloads, consultations, registryTruth };
}

export type Workflows = ReturnType<typeof createWorkflows>;
