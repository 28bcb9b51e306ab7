import type { OutboundMessage } from '../chat/index.ts';
import type { OutboxPush } from '../outbox/index.ts';
import type { MemberReach } from '../members/index.ts';

/** Outbox kinds written by this module; the outcome handlers key on them. */
export const pushKinds = {
  nudge: 'request-nudge',
  escalation: 'request-escalation',
  notice: 'request-notice',
} as const;

/**
 * One push per linked account of the member. `key` names the message (e.g.
 * `nudge:<request>:<seq>`); the account is appended, so every account gets it once.
 */
/** What a nudge row carries to be rendered when it is sent. */
export interface NudgeContext {
  seq: number;
  /** Who receives it: the contact, or the deputy standing in. */
  contactId: string | null;
  standingInFor: string | null;
  locale: string;
  requesterName: string;
}

export function pushesTo(
  member: MemberReach,
  key: string,
  message: OutboundMessage | undefined,
  kind: string,
  requestId: string,
  context: Record<string, unknown> = {},
): OutboxPush[] {
  return member.accounts.map((address) => ({
    dedupeKey: `${key}:${address.identityId}`,
    memberId: member.memberId,
    address: { platform: address.platform, chatId: address.chatId },
    message,
    kind,
    subject: `request:${requestId}`,
    context: { requestId, ...context },
  }));
}
