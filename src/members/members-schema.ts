import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Role } from '../access/index.ts';

export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /**
     * The member's country; null only for an admin who belongs to none (the network's secretariat),
     * who then names the country they act for each time.
     */
    country: text('country'),
    role: text('role').$type<Role>().notNull(),
    /** The registry contact this member is, so pushes for that contact reach the member's messengers. */
    contactId: text('contact_id'),
    /** Preferred answer language, remembered across messengers. */
    locale: text('locale'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (table) => [
    index('members_country_idx').on(table.country),
    index('members_contact_idx').on(table.contactId),
    check('members_country_or_admin', sql`${table.country} is not null or ${table.role} = 'admin'`),
  ],
);

/** API tokens; only a SHA-256 of the token is stored. */
export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  memberId: text('member_id')
    .notNull()
    .references(() => members.id),
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

/** One-time invite codes to link a messenger account or log in to the web console; stored hashed. */
export const invites = pgTable(
  'invites',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    codeHash: text('code_hash').notNull().unique(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** Withdrawn by a coordinator before use (a code sent to the wrong person). */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('invites_member_idx').on(table.memberId)],
);

/**
 * Wrong invite codes per messenger account, counted in a window, so guessing is throttled even
 * without Redis (with Redis the counter lives there).
 */
export const inviteFailures = pgTable('invite_failures', {
  /** `platform:platformUserId`, or `web:<address>` for console logins. */
  account: text('account').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
});

/** A messenger account (a messenger user, a web session owner) linked to a member. */
export const identities = pgTable(
  'identities',
  {
    id: text('id').primaryKey(),
    platform: text('platform').notNull(),
    platformUserId: text('platform_user_id').notNull(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    /** Where to push messages to this account (private chat id, DM room id). */
    chatId: text('chat_id'),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('identities_platform_user_idx').on(table.platform, table.platformUserId),
    index('identities_member_idx').on(table.memberId),
  ],
);
