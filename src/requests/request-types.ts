import type { formalRequests, RequestEventKind, requestEvents, RequestStatus } from './requests-schema.ts';
import type { Locale } from '../i18n/index.ts';
import type { Contact, RegistrySnapshot } from '../registry/index.ts';

export type RequestRow = typeof formalRequests.$inferSelect;
export type RequestEventRow = typeof requestEvents.$inferSelect;
export type { RequestEventKind, RequestStatus };

/** Statuses after which nothing is followed up any more. */
export const closedStatuses: ReadonlySet<RequestStatus> = new Set(['executed', 'refused', 'withdrawn']);
export const isOpen = (status: RequestStatus): boolean => !closedStatuses.has(status);

/**
 * The one-tap answers of a nudge, with their short button codes (button data is at most 64
 * bytes on some messengers: `req:<12-char id>:<code>`). `not_mine` is not a status: it asks for a colleague.
 */
export const answers = {
  ack: 'acknowledged',
  prog: 'in_progress',
  info: 'more_info_needed',
  done: 'executed',
  ref: 'refused',
  nm: 'not_mine',
} as const;
export type AnswerCode = keyof typeof answers;
export type Answer = (typeof answers)[AnswerCode];
export const isAnswerCode = (value: string): value is AnswerCode => Object.hasOwn(answers, value);

/** The ranking ask uses, reduced to what requests need: registry contact ids, best first. */
export type ContactRanking = (input: {
  snapshot: RegistrySnapshot;
  country: string;
  competence: string;
  /** Null for the secretariat's requests: no asking country, so no shared languages. */
  askerCountry: string | null;
  locale: Locale;
  now: Date;
}) => readonly string[];

/** A registry contact and, while they are away, the deputy who stands in for them. */
export interface EffectiveRecipient {
  /** Who gets the nudge now; undefined when nobody can (no contact, retired without deputy). */
  contact: Contact | undefined;
  /** The contact the request is addressed to, when a deputy stands in. */
  standingInFor: Contact | undefined;
  /** Not before this instant (epoch ms): the end of an absence without a deputy. */
  notBefore: number;
}

export interface RequestView {
  id: string;
  type: string;
  status: RequestStatus;
  requesterMemberId: string;
  fromCountry: string | null;
  toCountry: string;
  authorityId: string | null;
  contactId: string | null;
  ourReference: string;
  theirReference: string | null;
  subject: string;
  sentAt: string;
  urgent: boolean;
  nextNudgeAt: string | null;
  lastNudgeAt: string | null;
  unansweredNudges: number;
  escalatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Whole days since the request was sent. */
  ageDays: number;
}

export interface RequestEventView {
  id: number;
  at: string;
  kind: RequestEventKind;
  actor: string;
  details: Record<string, unknown>;
}

export const toView = (row: RequestRow, now: Date): RequestView => ({
  id: row.id,
  type: row.type,
  status: row.status,
  requesterMemberId: row.requesterMemberId,
  fromCountry: row.fromCountry,
  toCountry: row.toCountry,
  authorityId: row.authorityId,
  contactId: row.contactId,
  ourReference: row.ourReference,
  theirReference: row.theirReference,
  subject: row.subject,
  sentAt: row.sentAt.toISOString(),
  urgent: row.urgent,
  nextNudgeAt: row.nextNudgeAt?.toISOString() ?? null,
  lastNudgeAt: row.lastNudgeAt?.toISOString() ?? null,
  unansweredNudges: row.unansweredNudges,
  escalatedAt: row.escalatedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  closedAt: row.closedAt?.toISOString() ?? null,
  ageDays: Math.max(0, Math.floor((now.getTime() - row.sentAt.getTime()) / 86_400_000)),
});

export const toEventView = (row: RequestEventRow): RequestEventView => ({
  id: row.id,
  at: row.at.toISOString(),
  kind: row.kind,
  actor: row.actor,
  details: row.details,
});
