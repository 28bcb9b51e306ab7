import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

// State a messenger adapter must keep across restarts and share between replicas: where its
// event stream stands, which events it has answered, replies not yet delivered, and the numbered
// choices it offered. Keyed by platform, so the core stays messenger-neutral; payloads the
// adapter considers sensitive (crypto state, reply bodies) arrive here already encrypted.

/** Opaque, adapter-encrypted blobs per bot account (`kind`: e.g. sync position, crypto store, session). */
export const botStateBlobs = pgTable(
  'bot_state_blobs',
  {
    platform: text('platform').notNull(),
    account: text('account').notNull(),
    kind: text('kind').notNull(),
    data: text('data').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.platform, table.account, table.kind] })],
);

/** Inbound events already answered: a replayed or redelivered event is answered once. */
export const botProcessedEvents = pgTable(
  'bot_processed_events',
  {
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.platform, table.eventId] }),
    index('bot_processed_events_time_idx').on(table.processedAt),
  ],
);

/**
 * Replies computed but not yet delivered. Written in the same transaction that marks the inbound
 * event processed, so a crash or an outage loses nothing and answers nothing twice.
 */
export const botReplyOutbox = pgTable(
  'bot_reply_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    account: text('account').notNull(),
    chatId: text('chat_id').notNull(),
    /** The platform's idempotency key for this send (Matrix transaction id). */
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** Adapter-encrypted rendered message. */
    payload: text('payload').notNull(),
    /** Leave the chat once this is delivered (refusals to unknown accounts). */
    leaveAfter: boolean('leave_after').notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    /** Error code of the last failed attempt (never a message body). */
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    messageId: text('message_id'),
  },
  (table) => [
    index('bot_reply_outbox_pending_idx').on(table.platform, table.account, table.sentAt, table.id),
  ],
);

/** The numbered choices last offered in a chat, so "2" (or a reaction) maps back to a button. */
export const botChatChoices = pgTable(
  'bot_chat_choices',
  {
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    /** The idempotency key of the message that offered them (its platform id is known after delivery). */
    offeredBy: text('offered_by').notNull(),
    messageId: text('message_id'),
    actions: jsonb('actions').$type<string[]>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.platform, table.chatId] })],
);
