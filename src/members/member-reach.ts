// How another module reaches a member: who a push (a nudge, an escalation, a consultation offer, a
// handover notice, a re-verification prompt, a coordinator's digest) goes to, with the messenger
// accounts they linked. The one query over the members' tables for every module that pushes.
import { and, asc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { identities, members } from './members-schema.ts';
import type { Role } from '../access/index.ts';
import type { Platform } from '../chat/index.ts';
import type { Queryable } from '../db/index.ts';

/** A member's row as stored. */
export type MemberRecord = typeof members.$inferSelect;

export interface ReachableAccount {
  identityId: string;
  platform: string;
  chatId: string;
}

export interface MemberReach {
  memberId: string;
  name: string;
  locale: string | null;
  role: Role;
  /** Null for an admin of no country (the secretariat). */
  country: string | null;
  contactId: string | null;
  /** Linked accounts with a chat to push to, oldest link first. */
  accounts: ReachableAccount[];
  /** The whole row, for modules that keep a member's details (consultations). */
  record: MemberRecord;
}

export interface ReachQuery {
  contactIds?: readonly string[];
  memberIds?: readonly string[];
  /** Coordinators of these countries. */
  coordinatorsOf?: readonly string[];
}

export interface ReachOptions {
  /** Keep only accounts on these platforms (those this deployment pushes to); default every one. */
  platforms?: readonly string[];
}

// Lists travel as one JSON parameter each: a nudge batch names hundreds of contacts.
const anyOf = (values: readonly string[]): SQL =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

/**
 * Enabled members matching any part of the query, each with their linked accounts, oldest member
 * first. Members without an account are included (with none), so a caller can say who it could
 * not reach.
 */
export async function reachableMembers(
  db: Queryable,
  query: ReachQuery,
  options: ReachOptions = {},
): Promise<MemberReach[]> {
  const conditions: SQL[] = [];
  if (query.contactIds !== undefined && query.contactIds.length > 0)
    conditions.push(sql`${members.contactId} in ${anyOf(query.contactIds)}`);
  if (query.memberIds !== undefined && query.memberIds.length > 0)
    conditions.push(sql`${members.id} in ${anyOf(query.memberIds)}`);
  if (query.coordinatorsOf !== undefined && query.coordinatorsOf.length > 0) {
    const coordinators = and(
      eq(members.role, 'coordinator'),
      sql`${members.country} in ${anyOf(query.coordinatorsOf)}`,
    );
    if (coordinators !== undefined) conditions.push(coordinators);
  }
  if (conditions.length === 0) return [];
  const rows = await db
    .select({
      member: members,
      identityId: identities.id,
      platform: identities.platform,
      chatId: identities.chatId,
    })
    .from(members)
    .leftJoin(identities, and(eq(identities.memberId, members.id), isNotNull(identities.chatId)))
    .where(and(isNull(members.disabledAt), or(...conditions)))
    .orderBy(members.createdAt, members.id, identities.linkedAt);
  const byId = new Map<string, MemberReach>();
  for (const row of rows) {
    let member = byId.get(row.member.id);
    if (member === undefined) {
      member = {
        memberId: row.member.id,
        name: row.member.name,
        locale: row.member.locale,
        role: row.member.role,
        country: row.member.country,
        contactId: row.member.contactId,
        accounts: [],
        record: row.member,
      };
      byId.set(member.memberId, member);
    }
    if (
      row.identityId !== null &&
      row.platform !== null &&
      row.chatId !== null &&
      (options.platforms === undefined || options.platforms.includes(row.platform))
    )
      member.accounts.push({ identityId: row.identityId, platform: row.platform, chatId: row.chatId });
  }
  return [...byId.values()];
}

/**
 * Contacts someone can be pushed to: an enabled member behind them with at least one linked
 * account that has a chat. One row per such contact, so the cost follows the members who linked,
 * not the size of the registry.
 */
export async function linkedContactIds(db: Queryable): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ contactId: members.contactId })
    .from(members)
    .innerJoin(identities, and(eq(identities.memberId, members.id), isNotNull(identities.chatId)))
    .where(and(isNull(members.disabledAt), isNotNull(members.contactId)));
  return new Set(rows.flatMap((row) => row.contactId ?? []));
}

/** An enabled member's row. */
export async function activeMember(db: Queryable, id: string): Promise<MemberRecord | undefined> {
  const [row] = await db
    .select()
    .from(members)
    .where(and(eq(members.id, id), isNull(members.disabledAt)));
  return row;
}

/**
 * Enabled members standing behind any of these registry contacts: the registry asks before a
 * contact is removed (composition root passes this in as its `linkedMembers` port).
 */
export async function membersLinkedToContacts(
  db: Queryable,
  contactIds: readonly string[],
): Promise<{ memberId: string; contactId: string }[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .select({ memberId: members.id, contactId: members.contactId })
    .from(members)
    .where(and(inArray(members.contactId, [...contactIds]), isNull(members.disabledAt)));
  return rows.flatMap((row) =>
    row.contactId === null ? [] : [{ memberId: row.memberId, contactId: row.contactId }],
  );
}

/** Members' rows, enabled or not (a closed consultation still names its sides). */
export async function membersByIds(db: Queryable, ids: readonly string[]): Promise<MemberRecord[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(members)
    .where(inArray(members.id, [...ids]));
}

/** Private chats where a member can be reached, oldest link first. */
export async function chatsOf(
  db: Queryable,
  memberId: string,
): Promise<{ platform: Platform; chatId: string }[]> {
  const rows = await db
    .select({ platform: identities.platform, chatId: identities.chatId })
    .from(identities)
    .where(eq(identities.memberId, memberId))
    .orderBy(asc(identities.linkedAt));
  return rows.flatMap((row) => (row.chatId === null ? [] : [{ platform: row.platform, chatId: row.chatId }]));
}

/** The registry contact a member stands behind, as a subquery (one statement where it is used). */
export const contactOfMemberSql = (memberId: string): SQL =>
  sql`(select ${members.contactId} from ${members} where ${members.id} = ${memberId})`;
