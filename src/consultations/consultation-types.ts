// The consultation module's public types and the ports it needs from the rest of the application.
import type {
  ConsultationStatus,
  consultationMessages,
  consultationParticipants,
  consultationRoutes,
  consultations,
} from './consultations-schema.ts';
import type { OutboundMessage, Platform } from '../chat/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Locale } from '../i18n/index.ts';
import type { RegistrySnapshot } from '../registry/index.ts';

export type ConsultationRow = typeof consultations.$inferSelect;
export type RouteRow = typeof consultationRoutes.$inferSelect;
export type ParticipantRow = typeof consultationParticipants.$inferSelect;
export type MessageRow = typeof consultationMessages.$inferSelect;
export type { ConsultationStatus };

/** Where one side of a conversation is reached: a linked messenger account's private chat. */
export interface ChatAddress {
  platform: Platform;
  chatId: string;
}

/**
 * A push to one member's messenger, written in the same transaction as the change that causes it
 * and delivered later by the outbox; the dedupe key makes a retry or a replay deliver it once.
 */
export interface ConsultationPush {
  dedupeKey: string;
  memberId: string;
  address: ChatAddress;
  message: OutboundMessage;
  /** `consultation`: the outbox tells this module how delivery ended (thread roots, reply mapping). */
  kind: 'consultation';
  subject: string | undefined;
  context: Record<string, unknown>;
}

/** The outbox, as consultations use it. */
export interface PushOutbox {
  /** Records pushes inside the caller's transaction; nothing is sent unless it commits. */
  addInTransaction(tx: Queryable, pushes: readonly ConsultationPush[]): Promise<void>;
  /** After the commit: start delivering (best effort; the outbox's own sweep catches up if this is lost). */
  dispatch(dedupeKeys: readonly string[]): Promise<void>;
}

/** Accept deadlines as timers (BullMQ delayed jobs); Postgres holds the truth. */
export interface DeadlineTimers {
  schedule(consultationId: string, routeSeq: number, at: Date): Promise<void>;
}

/** A registry contact as ranked for a consultation: best first, with absence known. */
export interface RankedCandidate {
  contactId: string;
  /** Out of office today (in the contact's time zone). */
  away: boolean;
  /** Their deputy, when away and one is named. */
  deputyId: string | null;
}

/** The ranking shared with ask: in office first, then languages shared with the asker. */
export type RankCandidates = (
  snapshot: RegistrySnapshot,
  input: {
    country: string;
    competence: string;
    /** Null: the asker belongs to no country (the secretariat). */
    askerCountry: string | null;
    askerLocale: Locale;
    now: Date;
  },
) => readonly RankedCandidate[];

export interface ConsultationSettings {
  /** Working hours (of the recipient) to accept before the consultation moves on. Default 8. */
  acceptWithinWorkingHours: number;
  /** Overrides the above with plain elapsed seconds (drills and tests). */
  acceptWithinSeconds: number | undefined;
  /** Every consultation is sensitive (relayed only between end-to-end encrypted chats). */
  alwaysSensitive: boolean;
  /** Keep message bodies (encrypted) this long; undefined keeps none. */
  bodyRetentionMs: number | undefined;
  /** Language for members who never chose one. */
  defaultLocale: Locale;
}

/** How a member is acting: through a chat (the chat they write from) or the API. */
export interface ActingFrom {
  address?: ChatAddress | undefined;
  /** The language of the conversation acted from (a flow keeps its own): direct answers use it. */
  locale?: Locale | undefined;
}

export interface StartInput {
  country: string;
  competence: string;
  description: string;
  sensitive?: boolean | undefined;
  /** A particular contact instead of the best ranked one (its deputy stands in while it is away). */
  contactId?: string | undefined;
  origin: 'chat' | 'api';
}

export interface ConsultationView {
  id: string;
  ref: string;
  status: ConsultationStatus;
  country: string;
  competence: string;
  sensitive: boolean;
  /** `country` null: the asker belongs to no country (the network's secretariat). */
  asker: { memberId: string; name: string; country: string | null };
  counterpart: { memberId: string; name: string; contactId: string | null } | null;
  currentRoute: { seq: number; kind: string; contactId: string | null; deadlineAt: string | null } | null;
  messages: { fromAsker: number; fromCounterpart: number };
  descriptionLength: number;
  createdAt: string;
  acceptedAt: string | null;
  firstAnswerAt: string | null;
  closedAt: string | null;
}

export interface ConsultationDetail extends ConsultationView {
  routes: {
    seq: number;
    kind: string;
    reason: string;
    contactId: string | null;
    standingInFor: string | null;
    memberIds: string[];
    outcome: string;
    routedAt: string;
    deadlineAt: string | null;
    answeredAt: string | null;
  }[];
  messageLog: {
    seq: number;
    from: 'asker' | 'counterpart';
    platform: string;
    length: number;
    relayed: boolean;
    at: string;
  }[];
}

/** What a rule did, and what the person acting should read in their chat right away. */
export interface RuleResult {
  consultation: ConsultationRow;
  replies: OutboundMessage[];
}

export const refOf = (number: number): string => `C-${number}`;
