import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { members } from '../members/members-schema.ts';

/** A step already answered, kept so `/back` can return to it with the answers as they were then. */
export interface FlowHistoryEntry {
  step: string;
  data: Record<string, unknown>;
}

/**
 * The conversation flow in progress in one chat of one member (at most one): which flow, which
 * step, the answers so far and the language it started in. Any replica reads it on the member's
 * next message. Rows go when the flow ends, is cancelled or times out (expired rows are swept).
 */
export const conversationFlows = pgTable(
  'conversation_flows',
  {
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    flow: text('flow').notNull(),
    step: text('step').notNull(),
    locale: text('locale').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    history: jsonb('history').$type<FlowHistoryEntry[]>().notNull(),
    /** Typed text held (encrypted) while the member says whether it answers the step or is a question. */
    pending: text('pending'),
    /** Bumped by every change: two messages handled at once cannot both move the flow. */
    version: integer('version').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.memberId, table.platform, table.chatId] }),
    index('conversation_flows_expires_idx').on(table.expiresAt),
  ],
);
