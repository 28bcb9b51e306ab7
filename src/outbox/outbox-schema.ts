import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { OutboundMessage } from '../chat/index.ts';

/**
 * pending: waiting for its delivery job. sending: claimed by a worker that is calling the
 * messenger. sent: the messenger accepted it. failed: the messenger refused it for good (blocked
 * bot, unknown chat) or retries ran out. uncertain: a worker died between claiming and marking
 * it, so whether the messenger got it is unknown; it is never sent again (at most once). A row
 * written `at_least_once` never becomes uncertain: it is sent again instead. withdrawn: its writer
 * took it back before it was handed to the messenger (what it asked was answered meanwhile): still
 * waiting, or claimed by a worker that had not yet called the messenger (`send_started_at`); never
 * sent by that worker, and no outcome is reported for it.
 */
export const outboxStates = ['pending', 'sending', 'sent', 'failed', 'uncertain', 'withdrawn'] as const;
export type OutboxState = (typeof outboxStates)[number];

/** Every push that is not a direct reply (nudges, escalations, notices, consultation relays). */
export const outbox = pgTable(
  'outbox',
  {
    /** Also the BullMQ job id of its delivery. */
    id: text('id').primaryKey(),
    /** What this message is, per recipient account: writing it twice is a no-op. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    /** nudge, escalation, notice, ... (the module that wrote it reacts to the outcome). */
    kind: text('kind').notNull(),
    /** The record it is about, e.g. `request:<id>`. */
    subject: text('subject'),
    memberId: text('member_id'),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    /** The message; erased once delivery is over, so bodies are not kept longer than needed. */
    message: jsonb('message').$type<OutboundMessage>(),
    /**
     * Sent again when the outcome of a send is unknown (a crash between claim and mark, a timeout),
     * even on a messenger without idempotent sends: for pushes whose duplicate is harmless.
     */
    atLeastOnce: boolean('at_least_once').notNull().default(false),
    /** Facts the writing module needs when told the outcome (request id, nudge number). */
    context: jsonb('context').$type<Record<string, unknown>>().notNull().default({}),
    state: text('state').$type<OutboxState>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Lock token of the delivery attempt that claimed the row. */
    claimToken: text('claim_token'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /**
     * When a send of the row was last handed to its messenger: the delivery's last look, right
     * before the messenger call, found it still claimed (not withdrawn meanwhile). Null: never
     * handed over, so its writer may still withdraw it, even while a worker holds its claim.
     */
    sendStartedAt: timestamp('send_started_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    platformMessageId: text('platform_message_id'),
    /** A short error code, never a message body. */
    lastError: text('last_error'),
    /**
     * When the final state's consequences (the writing module's handler, the audit entry) were
     * recorded. Marking the state is one statement right after the messenger call, to keep the
     * crash window small; the consequences follow in their own transaction, redone if a crash
     * came in between.
     */
    outcomeRecordedAt: timestamp('outcome_recorded_at', { withTimezone: true }),
    /**
     * When a delivery job was asked for. Set at insert for pushes their writer dispatches at once;
     * null for deferred ones (nudges in bulk), which the relay queues as delivery capacity frees.
     */
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('outbox_open_idx')
      .on(table.updatedAt)
      .where(sql`${table.state} in ('pending', 'sending') or ${table.outcomeRecordedAt} is null`),
    // The relay looks for deferred rows five times a second in every worker. Finished rows stay
    // in the table for their retention period (outbox-retention.ts, 30 days by default), so without this it reads all of them each time: 11.4 ms of CPU a pass on the
    // embedded database with 100,000 sent rows, 1.2 ms with it (the index holds only what waits).
    index('outbox_deferred_idx')
      .on(table.createdAt)
      .where(sql`${table.state} = 'pending' and ${table.queuedAt} is null`),
  ],
);
