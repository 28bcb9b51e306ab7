// Pushes of the registry-truth module (handover notices, prompts, proposal outcomes, digests):
// one per linked account of each member, in the member's language, through the outbox.
import { anyDeliveryHanded, type OutboxPush, type OutboxService } from '../outbox/index.ts';
import type { Button, RichContent } from '../chat/index.ts';
import type { Queryable } from '../db/index.ts';
import { isLocale, type Locale, type Translator } from '../i18n/index.ts';
import type { MemberReach } from '../members/index.ts';

/** Outbox kinds this module writes; `verification` prompts report their outcome back (unreachable). */
export const truthPushKinds = { notice: 'truth-notice', prompt: 'verification' } as const;

/** What a contact's prompts are about (the outbox's subject). */
export const promptSubject = (contactId: string): string => `contact:${contactId}`;

export interface TruthPushesDeps {
  outbox: OutboxService;
  translator: Translator;
  defaultLocale: Locale;
  /**
   * Platforms this deployment pushes to. Absent (the CLI, which runs no messenger): every account
   * the member linked, each linked through one of the deployment's messengers.
   */
  pushPlatforms?: (() => readonly string[]) | undefined;
}

export type TruthPushes = ReturnType<typeof createTruthPushes>;

export function createTruthPushes(deps: TruthPushesDeps) {
  const localeOf = (member: Pick<MemberReach, 'locale'>): Locale =>
    isLocale(member.locale) ? member.locale : deps.defaultLocale;

  /**
   * One push per usable account of the member. `key` names the message; the account is appended,
   * so each account gets it once however often this is written.
   */
  function toMember(
    member: MemberReach,
    key: string,
    render: (locale: Locale) => {
      text: string;
      buttons?: Button[] | undefined;
      rich?: RichContent | undefined;
    },
    options: {
      kind?: string;
      subject?: string;
      context?: Record<string, unknown>;
      /** Sent again when a crash leaves its outcome unknown (see OutboxPush.atLeastOnce). */
      atLeastOnce?: boolean;
    } = {},
  ): OutboxPush[] {
    const locale = localeOf(member);
    const platforms = deps.pushPlatforms?.();
    const { text, buttons, rich } = render(locale);
    return member.accounts
      .filter((account) => platforms === undefined || platforms.includes(account.platform))
      .map((account) => ({
        dedupeKey: `${key}:${account.identityId}`,
        memberId: member.memberId,
        address: { platform: account.platform, chatId: account.chatId },
        message: {
          text,
          locale,
          ...(buttons === undefined || buttons.length === 0 ? {} : { buttons }),
          ...(rich === undefined ? {} : { rich }),
        },
        kind: options.kind ?? truthPushKinds.notice,
        subject: options.subject,
        context: { memberId: member.memberId, ...options.context },
        ...(options.atLeastOnce === true ? { atLeastOnce: true } : {}),
      }));
  }

  return {
    localeOf,
    toMember,
    t: (locale: Locale, id: string, args?: Record<string, string | number>) =>
      deps.translator.t(locale, id, args),
    /** Written in the caller's transaction; nothing goes unless it commits. */
    write: (tx: Queryable, pushes: readonly OutboxPush[]) => deps.outbox.addInTransaction(tx, pushes),
    /**
     * The contact answered (or left): their prompts and reminders not yet handed to a messenger
     * are taken back in the caller's transaction, so a reminder delayed in a busy queue (or claimed
     * by a worker a moment before) does not follow their answer. Returns what was taken back.
     */
    withdrawPrompts: (tx: Queryable, contactId: string) =>
      deps.outbox.withdrawInTransaction(tx, {
        kind: truthPushKinds.prompt,
        subject: promptSubject(contactId),
      }),
    /** Was any delivery of the prompt written under `key` (one per account) handed to a messenger? */
    promptHanded: (tx: Queryable, key: string) => anyDeliveryHanded(tx, `${key}:`),
    /** After the commit (best effort: the outbox's reconciler delivers what this misses). */
    dispatch: (pushes: readonly OutboxPush[]) => deps.outbox.dispatch(pushes.map((push) => push.dedupeKey)),
  };
}
