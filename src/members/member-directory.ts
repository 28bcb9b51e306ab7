// Read models of members for the stewardship console: who stands behind which registry contact
// and on which messengers, names for audit actors, and each member's last activity.
import { type Clock, systemClock } from '../clock/index.ts';
import { and, desc, eq, gt, inArray, isNull, max, sql } from 'drizzle-orm';
import { apiTokens, identities, invites, members } from './members-schema.ts';
import { webSessions } from './session-schema.ts';
import type { Role } from '../access/index.ts';
import { latestEntryOf } from '../audit/index.ts';
import type { Database } from '../db/index.ts';

export interface ContactLink {
  /** Active members who are this contact. */
  memberIds: string[];
  /** Messengers those members linked (by platform name, web included). */
  platforms: string[];
}

export interface MemberOverview {
  id: string;
  name: string;
  /** Null for an admin of no country (the secretariat). */
  country: string | null;
  role: Role;
  contactId: string | null;
  locale: string | null;
  createdAt: Date;
  identities: { id: string; platform: string; linkedAt: Date }[];
  pendingInvites: { id: string; createdAt: Date; expiresAt: Date }[];
  tokens: { id: string; label: string; createdAt: Date; lastUsedAt: Date | null }[];
  /** The latest of: an audited action, a console session seen, an API token used. */
  lastActivityAt: Date | null;
}

/** postgres.js returns the rows as the result; PGlite wraps them in `rows`. */
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);

export type MemberDirectory = ReturnType<typeof createMemberDirectory>;

export function createMemberDirectory({ db, clock = systemClock }: { db: Database; clock?: Clock }) {
  return {
    /** For each registry contact someone stands behind: who, and where they can be reached. */
    async contactLinks(): Promise<Map<string, ContactLink>> {
      const rows = await db
        .select({ memberId: members.id, contactId: members.contactId, platform: identities.platform })
        .from(members)
        .leftJoin(identities, eq(identities.memberId, members.id))
        .where(and(isNull(members.disabledAt), sql`${members.contactId} is not null`));
      const links = new Map<string, ContactLink>();
      for (const row of rows) {
        if (row.contactId === null) continue;
        let link = links.get(row.contactId);
        if (link === undefined) {
          link = { memberIds: [], platforms: [] };
          links.set(row.contactId, link);
        }
        if (!link.memberIds.includes(row.memberId)) link.memberIds.push(row.memberId);
        if (row.platform !== null && !link.platforms.includes(row.platform))
          link.platforms.push(row.platform);
      }
      return links;
    },

    /** Names of members (disabled ones too: the audit trail still names them). */
    async names(ids: readonly string[]): Promise<Map<string, { name: string; country: string | null }>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: members.id, name: members.name, country: members.country })
        .from(members)
        .where(inArray(members.id, [...new Set(ids)]));
      return new Map(rows.map((row) => [row.id, { name: row.name, country: row.country }]));
    },

    /** Active members (of one country, or all), with their accounts, pending invites and activity. */
    async overview(country: string | undefined): Promise<MemberOverview[]> {
      const people = await db
        .select()
        .from(members)
        .where(
          and(isNull(members.disabledAt), country === undefined ? undefined : eq(members.country, country)),
        )
        .orderBy(members.name, members.id);
      if (people.length === 0) return [];
      const ids = people.map((person) => person.id);
      const now = clock.now();
      const [accounts, pending, tokens, sessions, audited] = await Promise.all([
        db.select().from(identities).where(inArray(identities.memberId, ids)).orderBy(identities.linkedAt),
        db
          .select()
          .from(invites)
          .where(
            and(
              inArray(invites.memberId, ids),
              isNull(invites.usedAt),
              isNull(invites.revokedAt),
              gt(invites.expiresAt, now),
            ),
          )
          .orderBy(desc(invites.createdAt)),
        db
          .select()
          .from(apiTokens)
          .where(and(inArray(apiTokens.memberId, ids), isNull(apiTokens.revokedAt)))
          .orderBy(apiTokens.createdAt),
        db
          .select({ memberId: webSessions.memberId, seen: max(webSessions.lastSeenAt) })
          .from(webSessions)
          .where(inArray(webSessions.memberId, ids))
          .groupBy(webSessions.memberId),
        // The newest audit entry of each member: one index probe each (audit_log_actor_idx).
        db.execute(sql`
          select actors.actor, latest.at
          from (values ${sql.join(
            ids.map((id) => sql`(${`member:${id}`})`),
            sql`, `,
          )}) as actors(actor)
          cross join lateral (${latestEntryOf(sql`actors.actor`)}) latest`),
      ]);
      const latest = new Map<string, Date>();
      const note = (memberId: string, at: Date | null | undefined) => {
        if (at == null || Number.isNaN(at.getTime())) return;
        const known = latest.get(memberId);
        if (known === undefined || at > known) latest.set(memberId, at);
      };
      for (const session of sessions) note(session.memberId, session.seen);
      for (const token of tokens) note(token.memberId, token.lastUsedAt);
      for (const entry of rowsOf<{ actor: string; at: string }>(audited))
        note(entry.actor.slice('member:'.length), new Date(entry.at));
      return people.map((person) => ({
        id: person.id,
        name: person.name,
        country: person.country,
        role: person.role,
        contactId: person.contactId,
        locale: person.locale,
        createdAt: person.createdAt,
        identities: accounts
          .filter((account) => account.memberId === person.id)
          .map((account) => ({ id: account.id, platform: account.platform, linkedAt: account.linkedAt })),
        pendingInvites: pending
          .filter((invite) => invite.memberId === person.id)
          .map((invite) => ({ id: invite.id, createdAt: invite.createdAt, expiresAt: invite.expiresAt })),
        tokens: tokens
          .filter((token) => token.memberId === person.id)
          .map((token) => ({
            id: token.id,
            label: token.label,
            createdAt: token.createdAt,
            lastUsedAt: token.lastUsedAt,
          })),
        lastActivityAt: latest.get(person.id) ?? null,
      }));
    },
  };
}
