import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { members } from './members-schema.ts';

export type SessionOrigin = 'invite' | 'token';

/**
 * Web console sessions. The cookie carries a random secret; only its SHA-256 is stored, so a
 * database dump cannot be replayed as a login. `id` is public (chat id, audit subject).
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    id: text('id').primaryKey(),
    secretHash: text('secret_hash').notNull().unique(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    /** How the member logged in: a one-time invite code or an API token. */
    origin: text('origin').$type<SessionOrigin>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    /** Absolute end of the session, whatever the activity. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('web_sessions_member_idx').on(table.memberId)],
);
