// Shared machinery of the consultation rules: transactions that carry their side effects (pushes,
// timers, audit entries) and apply them only once the change is committed.
import { encryptedMessengerArguments, type MessengerDirectory, type OutboundMessage } from '../chat/index.ts';
import { type Clock, systemClock } from '../clock/index.ts';
import type { BodyCipher } from './body-cipher.ts';
import { createNotices, type Notices } from './consultation-notices.ts';
import { createDeliveryOrder } from './delivery-order.ts';
import type {
  ActingFrom,
  ChatAddress,
  ConsultationPush,
  ConsultationRow,
  ConsultationSettings,
  DeadlineTimers,
  PushOutbox,
  RankCandidates,
} from './consultation-types.ts';
import type { AuditEntry, AuditService } from '../audit/index.ts';
import type { Database, Queryable } from '../db/index.ts';
import { isLocale, type Locale, type Translator } from '../i18n/index.ts';
import type { Logger } from '../logging/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';
import type { WorkingTime } from '../schedule/index.ts';
import { chatsOf, type MemberRecord } from '../members/index.ts';

export interface ConsultationDeps {
  db: Database;
  audit: AuditService;
  translator: Translator;
  logger: Logger;
  registry: { snapshot(): RegistrySnapshot };
  rankCandidates: RankCandidates;
  outbox: PushOutbox;
  timers: DeadlineTimers;
  cipher: BodyCipher;
  settings: ConsultationSettings;
  /** Reads a country and a competence out of free words ("экстрадиция Киргизия"): the ask module's interpreter. */
  interpret?: ((text: string) => { countries: readonly string[]; competence: string | null }) | undefined;
  /**
   * What each messenger can do: which chats are end-to-end encrypted, command signs, choices; and
   * which messengers exist, so texts about sensitive content name the encrypted ones.
   */
  messengers: Pick<MessengerDirectory, 'capabilitiesOf' | 'conversationCapabilities' | 'described'>;
  /** The one working-time model (accept deadlines count the recipient's working hours), from the composition root. */
  workingTime: WorkingTime;
  clock?: Clock;
}

/** What a transaction wants done once it has committed. */
export interface Effects {
  pushes: ConsultationPush[];
  timers: { consultationId: string; routeSeq: number; at: Date }[];
  audit: AuditEntry[];
  /** Messages for the person acting, answered directly in their chat instead of pushed. */
  replies: OutboundMessage[];
}

export type Core = ReturnType<typeof createCore>;

export function createCore(deps: ConsultationDeps) {
  const { db, audit, outbox, timers, logger, settings, cipher } = deps;
  const clock = deps.clock ?? systemClock;
  const capabilitiesOf = (platform: string) => deps.messengers.capabilitiesOf(platform);
  // Where a consultation goes (routing): what the messenger guarantees for every chat of the bot,
  // since the chat may not exist yet (a direct room is made at the first push). The adapter still
  // refuses, per chat, to send content marked requiresEncryption into a chat that is not.
  const isEncrypted = (chat: ChatAddress): boolean => capabilitiesOf(chat.platform).endToEndEncrypted;
  /**
   * Where someone writes from (an existing chat): asked of that conversation on the port, so an
   * unencrypted room on a messenger that can encrypt does not count as encrypted.
   */
  const conversationEncrypted = async (chat: ChatAddress): Promise<boolean> =>
    capabilitiesOf(chat.platform).endToEndEncrypted &&
    (await deps.messengers.conversationCapabilities(chat)).endToEndEncrypted;
  const notices: Notices = createNotices({
    translator: deps.translator,
    capabilitiesOf,
    snapshot: () => deps.registry.snapshot(),
  });
  const order = createDeliveryOrder({ db, outbox });
  /** Where sensitive content may go, for the texts that say so (see consultations.ftl). */
  const encryptedMessengers = (locale: Locale) =>
    encryptedMessengerArguments(deps.translator, locale, deps.messengers.described(), 'consult');

  /**
   * Runs `work` in a transaction. Pushes and audit entries are written inside it, so a crash
   * either keeps the change with its pushes or loses both; delivery (in order per person) and
   * timers start after the commit, and the outbox sweep and the deadline reconciler pick up
   * whatever a crash interrupts.
   */
  async function transact<T>(work: (tx: Queryable, effects: Effects) => Promise<T>): Promise<T> {
    let effects: Effects | undefined;
    const result = await db.transaction(async (tx) => {
      const done = await within(tx, work);
      effects = done.effects;
      return done.value;
    });
    if (effects !== undefined) await afterCommit(effects);
    return result;
  }

  /**
   * The same inside a caller's transaction (a registry change that hands work over): pushes and
   * audit entries are written in it; the caller runs `afterCommit` once it has committed.
   */
  async function within<T>(
    tx: Queryable,
    work: (tx: Queryable, effects: Effects) => Promise<T>,
  ): Promise<{ value: T; effects: Effects }> {
    const effects: Effects = { pushes: [], timers: [], audit: [], replies: [] };
    const value = await work(tx, effects);
    if (effects.pushes.length > 0) await outbox.addInTransaction(tx, effects.pushes);
    if (effects.audit.length > 0) await audit.appendInTransaction(tx, effects.audit);
    return { value, effects };
  }

  async function afterCommit(effects: Effects): Promise<void> {
    if (effects.pushes.length > 0) {
      await order.dispatchInOrder(effects.pushes).catch((error: unknown) => {
        logger.warn(
          { err: error },
          'consultation pushes recorded but not dispatched yet; the outbox sweep will deliver them',
        );
      });
    }
    for (const timer of effects.timers) {
      await timers.schedule(timer.consultationId, timer.routeSeq, timer.at).catch((error: unknown) => {
        logger.warn(
          { err: error, consultationId: timer.consultationId },
          'accept deadline timer not scheduled; the reconciler will',
        );
      });
    }
  }

  const localeOf = (member: Pick<MemberRecord, 'locale'>): Locale =>
    isLocale(member.locale) ? member.locale : settings.defaultLocale;

  /**
   * Where to reach a member for this consultation: the chat they use for it when known, else
   * their first linked messenger. Sensitive content goes only to an end-to-end encrypted chat, so
   * with `needsEncryption` such a chat wins; `encrypted` says whether the chosen one is.
   */
  async function addressFor(
    tx: Queryable,
    memberId: string,
    options: { preferred?: ChatAddress | undefined; needsEncryption: boolean },
  ): Promise<{ address: ChatAddress; encrypted: boolean } | undefined> {
    const chats = await chatsOf(tx, memberId);
    const preferred = options.preferred;
    const known =
      preferred === undefined
        ? undefined
        : chats.find((chat) => chat.platform === preferred.platform && chat.chatId === preferred.chatId);
    if (options.needsEncryption) {
      const secure = known !== undefined && isEncrypted(known) ? known : chats.find(isEncrypted);
      if (secure !== undefined) return { address: secure, encrypted: true };
    }
    const chosen = known ?? chats[0];
    return chosen === undefined ? undefined : { address: chosen, encrypted: isEncrypted(chosen) };
  }

  function push(
    effects: Effects,
    dedupeKey: string,
    memberId: string,
    address: ChatAddress,
    message: OutboundMessage,
    consultationId?: string,
  ): void {
    const about = consultationId ?? /^consult:([^:]+):/.exec(dedupeKey)?.[1];
    effects.pushes.push({
      dedupeKey,
      memberId,
      address,
      message,
      kind: 'consultation',
      subject: about === undefined ? undefined : `consultation:${about}`,
      context: about === undefined ? { memberId } : { consultationId: about, memberId },
    });
  }

  /**
   * A message for the person acting: answered in the chat they act from when there is one (they
   * see it at once, in the right chat), pushed otherwise (an action through the API).
   */
  function tellActor(
    effects: Effects,
    from: ActingFrom | undefined,
    dedupeKey: string,
    memberId: string,
    address: ChatAddress,
    message: OutboundMessage,
  ): void {
    if (from?.address !== undefined) effects.replies.push(message);
    else push(effects, dedupeKey, memberId, address, message);
  }

  const descriptionContext = (consultationId: string): string => `consultation:${consultationId}:description`;
  const messageContext = (consultationId: string, seq: number): string =>
    `consultation:${consultationId}:message:${seq}`;

  function description(consultation: ConsultationRow): string | undefined {
    const stored = consultation.descriptionCiphertext;
    return stored === null ? undefined : cipher.decrypt(stored, descriptionContext(consultation.id));
  }

  /** When a stored body must go: never kept without a retention period (null = purge now). */
  const purgeAt = (from: Date): Date | null =>
    settings.bodyRetentionMs === undefined ? null : new Date(from.getTime() + settings.bodyRetentionMs);

  return {
    deps,
    clock,
    capabilitiesOf,
    conversationEncrypted,
    order,
    notices,
    settings,
    cipher,
    transact,
    within,
    afterCommit,
    localeOf,
    addressFor,
    push,
    tellActor,
    description,
    descriptionContext,
    messageContext,
    purgeAt,
    workingTime: deps.workingTime,
    snapshot: () => deps.registry.snapshot(),
    encryptedMessengers,
    // Any consultation text may say where sensitive content goes ($messenger, $command): the
    // encrypted messengers' names come with every one, so no caller can forget them.
    t: (locale: Locale, id: string, args?: Record<string, string | number>) =>
      deps.translator.t(locale, id, { ...encryptedMessengers(locale), ...args }),
  };
}
