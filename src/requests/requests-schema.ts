import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const requestStatuses = [
  'sent',
  'acknowledged',
  'in_progress',
  'more_info_needed',
  'executed',
  'refused',
  'withdrawn',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** A formal request (MLA, extradition, ...) a member sent, followed up by nudges. */
export const formalRequests = pgTable(
  'formal_requests',
  {
    /** Short (12 characters) so it fits in one-tap answer buttons (within every messenger's `maxButtonActionBytes`, 64 at the smallest). */
    id: text('id').primaryKey(),
    /** A registry competence id: mla, extradition, asset_recovery, ... */
    type: text('type').notNull(),
    requesterMemberId: text('requester_member_id').notNull(),
    fromCountry: text('from_country'),
    toCountry: text('to_country').notNull(),
    authorityId: text('authority_id'),
    /** The receiving contact point; null when the registry had none for that country and type. */
    contactId: text('contact_id'),
    ourReference: text('our_reference').notNull(),
    theirReference: text('their_reference'),
    /** Short and non-sensitive by rule: it is shown in nudges on messengers. */
    subject: text('subject').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    urgent: boolean('urgent').notNull().default(false),
    status: text('status').$type<RequestStatus>().notNull(),
    /** Nudges since the last answer; reaching the policy's threshold escalates. */
    unansweredNudges: integer('unanswered_nudges').notNull().default(0),
    /** Incremented whenever the next nudge is (re)scheduled: timer jobs are `nudge:<id>:<seq>`, so an outdated timer is recognised. */
    nudgeSeq: integer('nudge_seq').notNull().default(0),
    /** When the next nudge is due: the truth the timers in Redis are rebuilt from. Null: no nudge pending. */
    nextNudgeAt: timestamp('next_nudge_at', { withTimezone: true }),
    lastNudgeAt: timestamp('last_nudge_at', { withTimezone: true }),
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  // No index on next_nudge_at, on purpose: firing a nudge rewrites it, and with no indexed column
  // changing Postgres updates the row in place (a HOT update, no index writes), which is most of
  // the database's work on a busy morning. The reconciler scans the table every few minutes instead.
  (table) => [
    index('formal_requests_requester_idx').on(table.requesterMemberId),
    index('formal_requests_from_country_idx').on(table.fromCountry),
    index('formal_requests_to_country_idx').on(table.toCountry),
    index('formal_requests_contact_idx').on(table.contactId),
  ],
);

export const requestEventKinds = [
  'registered',
  'nudge',
  'nudge_delivered',
  'nudge_undeliverable',
  'nudge_delivery_uncertain',
  'nudge_postponed',
  'answer',
  'reassigned',
  'escalated',
  'status_changed',
  'updated',
  'withdrawn',
] as const;
export type RequestEventKind = (typeof requestEventKinds)[number];

/** The history of a request: registration, nudges delivered, answers, escalations. */
export const requestEvents = pgTable(
  'request_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => formalRequests.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind').$type<RequestEventKind>().notNull(),
    /** `member:<id>`, `contact:<id>` or `system`. */
    actor: text('actor').notNull(),
    /** Structured facts (statuses, contact ids, platform); never message text. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [index('request_events_request_idx').on(table.requestId, table.id)],
);
