import { index, integer, json, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** What a contact's next re-verification step is: the first prompt, a reminder, or the flag to the coordinator. */
export type VerificationStep = 'prompt' | 'remind' | 'flag';

/**
 * The re-verification of one registry contact. `nextAt` is the truth the campaign timers in Redis
 * are rebuilt from (a flush loses nothing); `seq` moves whenever the step is rescheduled, so a
 * timer of an older step is recognised and does nothing.
 */
export const contactVerifications = pgTable(
  'contact_verifications',
  {
    contactId: text('contact_id').primaryKey(),
    country: text('country').notNull(),
    nextStep: text('next_step').$type<VerificationStep>(),
    nextAt: timestamp('next_at', { withTimezone: true }),
    seq: integer('seq').notNull().default(0),
    /** The prompt of the current round went out (null: not prompted since the last confirmation). */
    promptedAt: timestamp('prompted_at', { withTimezone: true }),
    reminders: integer('reminders').notNull().default(0),
    /** Flagged to the coordinator as overdue (no answer after the reminders). */
    flaggedAt: timestamp('flagged_at', { withTimezone: true }),
    /** `self` (the contact confirmed) or `coordinator` (verified on their behalf). */
    lastSource: text('last_source'),
    lastConfirmedAt: timestamp('last_confirmed_at', { withTimezone: true }),
    /** Pushes to the contact that failed for good in a row (blocked bot, unlinked chat). */
    failures: integer('failures').notNull().default(0),
    unreachableSince: timestamp('unreachable_since', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('contact_verifications_country_idx').on(table.country),
    index('contact_verifications_next_idx').on(table.nextAt),
  ],
);

/** `voided`: the contact was retired or removed while the proposal waited (nobody decided it). */
export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'voided';

/**
 * A change to a contact's identity, channels or competences proposed by someone who may not
 * make it directly (the contact themselves): a coordinator of that country approves or rejects
 * it, so a stolen messenger account cannot redirect a country's requests.
 */
export const registryProposals = pgTable(
  'registry_proposals',
  {
    id: text('id').primaryKey(),
    contactId: text('contact_id').notNull(),
    country: text('country').notNull(),
    /** The proposed values, in the registry format. */
    changes: json('changes').$type<Record<string, unknown>>().notNull(),
    fields: text('fields').array().notNull(),
    status: text('status').$type<ProposalStatus>().notNull(),
    proposedBy: text('proposed_by').notNull(),
    /** `retire`: "I no longer handle this" (the successor, if named, is in `changes.successorId`). */
    kind: text('kind').$type<'change' | 'retire'>().notNull().default('change'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
  },
  (table) => [
    index('registry_proposals_contact_idx').on(table.contactId, table.status),
    index('registry_proposals_country_idx').on(table.country, table.status),
  ],
);
