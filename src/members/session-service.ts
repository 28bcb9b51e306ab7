import { type Clock, systemClock } from '../clock/index.ts';
import { randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { identities, members } from './members-schema.ts';
import { principalOf } from './members-service.ts';
import { hashSecret, newId } from './secrets.ts';
import { webSessions, type SessionOrigin } from './session-schema.ts';
import type { Principal } from '../access/index.ts';
import { webConsolePlatform } from '../chat/index.ts';
import type { AuditService } from '../audit/index.ts';
import { inTransaction, type Database } from '../db/index.ts';
import type { MemberLinks } from './member-links.ts';

export interface SessionServiceDeps {
  db: Database;
  audit: AuditService;
  clock?: Clock;
  /** Told inside the transaction when a first login links the member's web account. */
  links?: MemberLinks;
  /** A session ends this long after login, however active. Default 7 days. */
  absoluteLifetimeMs?: number;
  /** A session ends after this long without a request. Default 12 hours. */
  idleTimeoutMs?: number;
}

export interface IssuedSession {
  /** Public id: the console's chat id and the audit subject. */
  id: string;
  /** The cookie value; returned once, only its hash is kept. */
  secret: string;
  memberId: string;
  expiresAt: Date;
}

export interface ActiveSession {
  id: string;
  memberId: string;
  origin: SessionOrigin;
  expiresAt: Date;
  principal: Principal;
}

export type SessionService = ReturnType<typeof createSessionService>;

const hour = 60 * 60 * 1000;
/** The member's linked web account (the web console's platform, user id = member id). */
const webIdentityOf = and(
  eq(identities.platform, webConsolePlatform),
  eq(identities.platformUserId, webSessions.memberId),
);
// Writing last_seen_at on every request would turn each page load into several writes.
const lastSeenResolutionMs = 60 * 1000;

export function createSessionService({
  db,
  audit,
  clock = systemClock,
  links,
  absoluteLifetimeMs = 7 * 24 * hour,
  idleTimeoutMs = 12 * hour,
}: SessionServiceDeps) {
  const isLive = (row: { expiresAt: Date; lastSeenAt: Date; revokedAt: Date | null }, now: Date): boolean =>
    row.revokedAt === null && row.expiresAt > now && now.getTime() - row.lastSeenAt.getTime() < idleTimeoutMs;

  return {
    /**
     * Starts a session for a member who has just proven who they are, and links their web
     * identity (the web console's platform, user id = member id) if it is not linked yet.
     */
    async create(memberId: string, origin: SessionOrigin): Promise<IssuedSession> {
      const now = clock.now();
      const secret = `cps_${randomBytes(32).toString('base64url')}`;
      const row = {
        id: newId(),
        secretHash: hashSecret(secret),
        memberId,
        origin,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + absoluteLifetimeMs),
      };
      await inTransaction(db, async (tx) => {
        // Housekeeping where it costs nothing: this member's dead sessions go as a new one starts.
        await tx
          .delete(webSessions)
          .where(
            and(
              eq(webSessions.memberId, memberId),
              or(
                lt(webSessions.expiresAt, now),
                lt(webSessions.lastSeenAt, new Date(now.getTime() - idleTimeoutMs)),
              ),
            ),
          );
        await tx.insert(webSessions).values(row);
        // The conversation engine knows people by linked accounts; on the web the account is the
        // member itself, reachable (for pushes) in every open console: chat id = member id.
        const linked = await tx
          .insert(identities)
          .values({
            id: newId(),
            platform: webConsolePlatform,
            platformUserId: memberId,
            memberId,
            chatId: memberId,
            linkedAt: now,
          })
          .onConflictDoNothing()
          .returning({ id: identities.id });
        await audit.appendInTransaction(tx, [
          {
            actor: `member:${memberId}`,
            action: 'session.create',
            subject: `session:${row.id}`,
            details: { origin },
          },
          ...linked.map((identity) => ({
            actor: `member:${memberId}`,
            action: 'identity.link',
            subject: `identity:${identity.id}`,
            details: { platform: webConsolePlatform, platformUserId: memberId, memberId },
          })),
        ]);
        if (linked.length > 0 && links !== undefined) {
          const [member] = await tx
            .select({ contactId: members.contactId, country: members.country })
            .from(members)
            .where(eq(members.id, memberId));
          if (member !== undefined)
            await links.announceInTransaction(tx, { memberId, ...member, platform: webConsolePlatform });
        }
      });
      return { id: row.id, secret, memberId, expiresAt: row.expiresAt };
    },

    /**
     * The live session behind a cookie secret, or undefined when it is unknown, expired, idle too
     * long, revoked, its member was disabled, or their web account was unlinked (`/unlink` in the
     * console, or a coordinator after a lost laptop): each of those ends every session at once.
     */
    async authenticate(secret: string): Promise<ActiveSession | undefined> {
      const [row] = await db
        .select({ session: webSessions, member: members })
        .from(webSessions)
        .innerJoin(members, eq(webSessions.memberId, members.id))
        .innerJoin(identities, webIdentityOf)
        .where(and(eq(webSessions.secretHash, hashSecret(secret)), isNull(members.disabledAt)));
      const now = clock.now();
      if (row === undefined || !isLive(row.session, now)) return undefined;
      if (now.getTime() - row.session.lastSeenAt.getTime() > lastSeenResolutionMs) {
        await db.update(webSessions).set({ lastSeenAt: now }).where(eq(webSessions.id, row.session.id));
      }
      return {
        id: row.session.id,
        memberId: row.member.id,
        origin: row.session.origin,
        expiresAt: row.session.expiresAt,
        principal: principalOf(row.member),
      };
    },

    /** A live session by its public id (for "who am I" views), or undefined. */
    async describe(id: string): Promise<{ id: string; memberId: string; expiresAt: Date } | undefined> {
      const [row] = await db.select().from(webSessions).where(eq(webSessions.id, id));
      if (row === undefined || !isLive(row, clock.now())) return undefined;
      return { id: row.id, memberId: row.memberId, expiresAt: row.expiresAt };
    },

    /** Is this session (by public id) still usable? Long-lived streams re-check with it. */
    async isActive(id: string): Promise<boolean> {
      const [row] = await db
        .select({ session: webSessions })
        .from(webSessions)
        .innerJoin(members, eq(webSessions.memberId, members.id))
        .innerJoin(identities, webIdentityOf)
        .where(and(eq(webSessions.id, id), isNull(members.disabledAt)));
      return row !== undefined && isLive(row.session, clock.now());
    },

    /** Logs a session out. Unknown or already revoked sessions are fine: logout is idempotent. */
    async revoke(id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const revoked = await tx
          .update(webSessions)
          .set({ revokedAt: clock.now() })
          .where(and(eq(webSessions.id, id), isNull(webSessions.revokedAt)))
          .returning({ memberId: webSessions.memberId });
        const [first] = revoked;
        if (first === undefined) return;
        await audit.appendInTransaction(tx, [
          { actor: `member:${first.memberId}`, action: 'session.revoke', subject: `session:${id}` },
        ]);
      });
    },

    /** Ends every session of a member (disabled, or asked to log out everywhere). */
    async revokeAllForMember(memberId: string): Promise<number> {
      const revoked = await db
        .update(webSessions)
        .set({ revokedAt: clock.now() })
        .where(and(eq(webSessions.memberId, memberId), isNull(webSessions.revokedAt)))
        .returning({ id: webSessions.id });
      return revoked.length;
    },

    /** Deletes sessions that can no longer be used; they carry nothing the audit log lacks. */
    async purgeExpired(): Promise<number> {
      const now = clock.now();
      const deleted = await db
        .delete(webSessions)
        .where(
          or(
            lt(webSessions.expiresAt, now),
            lt(webSessions.lastSeenAt, new Date(now.getTime() - idleTimeoutMs)),
          ),
        )
        .returning({ id: webSessions.id });
      return deleted.length;
    },
  };
}
