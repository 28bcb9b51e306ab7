import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { members } from '../members/members-schema.ts';

/**
 * Life of a consultation. Waiting for someone to accept: `pending` (first routing), `forwarded`
 * (a contact passed it to a colleague), `rerouted` (nobody accepted in time, or no messenger, so
 * it went to the next contact or the coordinator). Then `accepted` (relaying), and one of the
 * ends: `declined` (with a reason), `closed` (by either side), `expired` (nobody accepted, not
 * even the coordinator).
 */
export type ConsultationStatus =
  | 'pending'
  | 'forwarded'
  | 'rerouted'
  | 'accepted'
  | 'declined'
  | 'closed'
  | 'expired'
  /** Nobody could be reached through a messenger: never counted as an answer that failed to come. */
  | 'undeliverable';
export const awaitingStatuses = [
  'pending',
  'forwarded',
  'rerouted',
] as const satisfies readonly ConsultationStatus[];
export const openStatuses = [
  ...awaitingStatuses,
  'accepted',
] as const satisfies readonly ConsultationStatus[];

/** Who a routing step went to: a registry contact, the deputy of an absent one, or the country's coordinators. */
export type RouteKind = 'contact' | 'deputy' | 'coordinator';
/** Why the step happened. */
export type RouteReason = 'initial' | 'forwarded' | 'timeout' | 'no_messenger' | 'handover';
export type RouteOutcome = 'waiting' | 'accepted' | 'declined' | 'forwarded' | 'timed_out' | 'closed';
export type ParticipantRole = 'asker' | 'counterpart';

/**
 * A consultation holds metadata: who, when, status, counts. The description and message bodies
 * are only ever stored encrypted (AES-256-GCM): the description while it is still needed to route
 * the consultation, bodies only when a retention period is configured, and both are purged when
 * that time is over.
 */
export const consultations = pgTable(
  'consultations',
  {
    id: text('id').primaryKey(),
    /** Short reference people see and buttons carry: `C-<number>`. */
    number: serial('number').notNull().unique(),
    askerMemberId: text('asker_member_id')
      .notNull()
      .references(() => members.id),
    /** The asker's country; null when the asker belongs to none (the network's secretariat). */
    askerCountry: text('asker_country'),
    country: text('country').notNull(),
    competence: text('competence').notNull(),
    sensitive: boolean('sensitive').notNull().default(false),
    status: text('status').$type<ConsultationStatus>().notNull(),
    /** Where it came from: a chat conversation or the API. */
    origin: text('origin').$type<'chat' | 'api'>().notNull(),
    /** The current routing step (see consultation_routes); timers carry it so a stale timer does nothing. */
    routeSeq: integer('route_seq').notNull().default(0),
    /** Accept before this or the consultation moves on; null when nobody is being waited for. */
    acceptDeadlineAt: timestamp('accept_deadline_at', { withTimezone: true }),
    counterpartMemberId: text('counterpart_member_id').references(() => members.id),
    counterpartContactId: text('counterpart_contact_id'),
    /** base64(iv | tag | ciphertext); null once purged. */
    descriptionCiphertext: text('description_ciphertext'),
    descriptionLength: integer('description_length').notNull(),
    descriptionPurgeAt: timestamp('description_purge_at', { withTimezone: true }),
    messagesFromAsker: integer('messages_from_asker').notNull().default(0),
    messagesFromCounterpart: integer('messages_from_counterpart').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    /** The counterpart side's first message, or a decline with its reason: "time to first answer". */
    firstAnswerAt: timestamp('first_answer_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: text('closed_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('consultations_asker_idx').on(table.askerMemberId),
    index('consultations_counterpart_idx').on(table.counterpartMemberId),
    index('consultations_country_idx').on(table.country, table.competence),
    index('consultations_status_deadline_idx').on(table.status, table.acceptDeadlineAt),
    // "Is this member talking in a consultation?" is asked with every free-text message: these stay
    // as small as the number of consultations being talked in right now.
    index('consultations_accepted_asker_idx')
      .on(table.askerMemberId)
      .where(sql`${table.status} = 'accepted'`),
    index('consultations_accepted_counterpart_idx')
      .on(table.counterpartMemberId)
      .where(sql`${table.status} = 'accepted'`),
  ],
);

/** The two sides once talking, and the messenger each side uses for this consultation. */
export const consultationParticipants = pgTable(
  'consultation_participants',
  {
    consultationId: text('consultation_id')
      .notNull()
      .references(() => consultations.id),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    role: text('role').$type<ParticipantRole>().notNull(),
    contactId: text('contact_id'),
    /** The messenger this side uses for the consultation (where they started or accepted it). */
    platform: text('platform'),
    chatId: text('chat_id'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.consultationId, table.memberId] }),
    index('consultation_participants_member_idx').on(table.memberId),
  ],
);

/** Every routing step: to whom, why, until when, and how it ended. */
export const consultationRoutes = pgTable(
  'consultation_routes',
  {
    consultationId: text('consultation_id')
      .notNull()
      .references(() => consultations.id),
    seq: integer('seq').notNull(),
    kind: text('kind').$type<RouteKind>().notNull(),
    reason: text('reason').$type<RouteReason>().notNull(),
    /** The registry contact routed to (for a coordinator step: the contact that could not be reached). */
    contactId: text('contact_id'),
    /** For a deputy step: the absent contact they stand in for. */
    standingInFor: text('standing_in_for'),
    /** The members who received it (one for a contact, every coordinator for a coordinator step). */
    memberIds: text('member_ids').array().notNull(),
    outcome: text('outcome').$type<RouteOutcome>().notNull(),
    routedAt: timestamp('routed_at', { withTimezone: true }).notNull(),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answeredBy: text('answered_by'),
  },
  (table) => [primaryKey({ columns: [table.consultationId, table.seq] })],
);

/**
 * One row per relayed message: metadata always, the body only under a retention period (encrypted,
 * purged at `bodyPurgeAt`). `sourceKey` names the platform message it came from, so a message the
 * platform delivers twice (a webhook retry, a sync replay after a crash) is recorded and relayed once.
 */
export const consultationMessages = pgTable(
  'consultation_messages',
  {
    id: text('id').primaryKey(),
    consultationId: text('consultation_id')
      .notNull()
      .references(() => consultations.id),
    seq: integer('seq').notNull(),
    senderMemberId: text('sender_member_id')
      .notNull()
      .references(() => members.id),
    senderRole: text('sender_role').$type<ParticipantRole>().notNull(),
    platform: text('platform').notNull(),
    sourceKey: text('source_key').notNull(),
    length: integer('length').notNull(),
    /** False when it was withheld (a sensitive consultation and a side that is not end-to-end encrypted). */
    relayed: boolean('relayed').notNull(),
    bodyCiphertext: text('body_ciphertext'),
    bodyPurgeAt: timestamp('body_purge_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('consultation_messages_seq_idx').on(table.consultationId, table.seq),
    uniqueIndex('consultation_messages_source_idx').on(table.sourceKey),
    index('consultation_messages_purge_idx').on(table.bodyPurgeAt),
  ],
);

/**
 * Platform ids of the consultation messages the outbox delivered: a reply to one of them belongs to
 * its consultation, and later relays to that side are threaded under the first (a reply or a
 * thread, whichever the messenger has: `capabilities.threads`).
 */
export const consultationDeliveries = pgTable(
  'consultation_deliveries',
  {
    dedupeKey: text('dedupe_key').primaryKey(),
    consultationId: text('consultation_id')
      .notNull()
      .references(() => consultations.id),
    memberId: text('member_id'),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    platformMessageId: text('platform_message_id').notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('consultation_deliveries_message_idx').on(table.platform, table.chatId, table.platformMessageId),
  ],
);

/**
 * "Tell me and the coordinator when someone links": an undeliverable consultation's asker waits
 * for a person of that country who handles that competence (or one of the contacts the
 * undeliverable notice named) to link a messenger. One row per consultation (the key), so a
 * double tap or two replicas create one; the first link that matches sets `firedAt` and the
 * notices go out once.
 */
export const consultationLinkWatches = pgTable(
  'consultation_link_watches',
  {
    consultationId: text('consultation_id')
      .primaryKey()
      .references(() => consultations.id),
    askerMemberId: text('asker_member_id')
      .notNull()
      .references(() => members.id),
    country: text('country').notNull(),
    competence: text('competence').notNull(),
    /** Contacts the undeliverable notice named (some handle other competences). */
    contactIds: jsonb('contact_ids').$type<string[]>().notNull(),
    /** Coordinators already told (at subscription): each hears of a watch once. */
    toldMemberIds: jsonb('told_member_ids').$type<string[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** When a matching contact linked and the notices were written; null while waiting. */
    firedAt: timestamp('fired_at', { withTimezone: true }),
    firedByContactId: text('fired_by_contact_id'),
  },
  (table) => [
    index('consultation_link_watches_waiting_idx')
      .on(table.country)
      .where(sql`${table.firedAt} is null`),
  ],
);
