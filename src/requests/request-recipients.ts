// Members behind registry contacts, requesters and coordinators, with the messenger accounts
// they linked: who a nudge, escalation or notice reaches.
import { and, eq, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../access/index.ts';
import type { Queryable } from '../db/index.ts';
import { identities, members } from '../members/index.ts';

export interface ReachableMember {
  memberId: string;
  name: string;
  locale: string | null;
  role: Role;
  country: string;
  contactId: string | null;
  /** Linked accounts on a platform this deployment pushes to. */
  addresses: { identityId: string; platform: string; chatId: string }[];
}

export interface MemberQuery {
  /**
   * Everyone a nudge of these requests may reach: members behind their contacts and those
   * contacts' deputies, their requesters, and the coordinators of their requested countries.
   */
  forRequests?: readonly string[];
  contactIds?: readonly string[];
  memberIds?: readonly string[];
  /** Coordinators of these countries. */
  coordinatorsOf?: readonly string[];
}

/** One query for a whole batch of nudges. */
export async function loadReachableMembers(
  db: Queryable,
  query: MemberQuery,
  pushPlatforms: readonly string[],
): Promise<ReachableMember[]> {
  const conditions: SQL[] = [];
  // Lists travel as one JSON parameter each: a batch names hundreds of contacts.
  const anyOf = (values: readonly string[]) =>
    sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
  if (query.forRequests !== undefined && query.forRequests.length > 0) {
    const requests = sql`(select id, contact_id, requester_member_id, to_country from formal_requests where id in ${anyOf(query.forRequests)})`;
    conditions.push(
      sql`${members.contactId} in (select contact_id from ${requests} as r)`,
      sql`${members.contactId} in (select c.deputy from contacts c join ${requests} as r on r.contact_id = c.id)`,
      sql`${members.id} in (select requester_member_id from ${requests} as r)`,
      sql`(${members.role} = 'coordinator' and ${members.country} in (select to_country from ${requests} as r))`,
    );
  }
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
    .orderBy(members.createdAt, identities.linkedAt);
  const byId = new Map<string, ReachableMember>();
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
        addresses: [],
      };
      byId.set(member.memberId, member);
    }
    if (
      row.identityId !== null &&
      row.platform !== null &&
      row.chatId !== null &&
      pushPlatforms.includes(row.platform)
    ) {
      member.addresses.push({ identityId: row.identityId, platform: row.platform, chatId: row.chatId });
    }
  }
  return [...byId.values()];
}
