// Members with the messenger accounts they linked: who a push of another module (a handover
// notice, a re-verification prompt, a coordinator's digest) reaches.
import { and, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { identities, members } from './members-schema.ts';
import type { Role } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';

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
  country: string;
  contactId: string | null;
  /** Linked accounts with a chat to push to, oldest link first. */
  accounts: ReachableAccount[];
}

export interface ReachQuery {
  contactIds?: readonly string[];
  memberIds?: readonly string[];
  /** Coordinators of these countries. */
  coordinatorsOf?: readonly string[];
}

/** Enabled members matching any part of the query, each with their linked accounts. */
export async function reachableMembers(db: Queryable, query: ReachQuery): Promise<MemberReach[]> {
  const conditions: SQL[] = [];
  if (query.contactIds !== undefined && query.contactIds.length > 0)
    conditions.push(inArray(members.contactId, [...query.contactIds]));
  if (query.memberIds !== undefined && query.memberIds.length > 0)
    conditions.push(inArray(members.id, [...query.memberIds]));
  if (query.coordinatorsOf !== undefined && query.coordinatorsOf.length > 0) {
    const coordinators = and(
      eq(members.role, 'coordinator'),
      inArray(members.country, [...query.coordinatorsOf]),
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
    .orderBy(members.createdAt, identities.linkedAt);
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
      };
      byId.set(member.memberId, member);
    }
    if (row.identityId !== null && row.platform !== null && row.chatId !== null)
      member.accounts.push({ identityId: row.identityId, platform: row.platform, chatId: row.chatId });
  }
  return [...byId.values()];
}

/** The registry contact a member stands behind, as a subquery (one statement where it is used). */
export const contactOfMemberSql = (memberId: string): SQL =>
  sql`(select ${members.contactId} from ${members} where ${members.id} = ${memberId})`;
