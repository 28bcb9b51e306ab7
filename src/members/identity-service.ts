import { and, asc, eq, isNull } from 'drizzle-orm';
import { identities, members } from './members-schema.ts';
import type { Member } from './members-service.ts';
import { notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';

export type Identity = typeof identities.$inferSelect;

/** A messenger account as the bots name it: platform plus the platform's user id. */
export interface MessengerAccount {
  platform: string;
  platformUserId: string;
}

export interface IdentityServiceDeps {
  db: Database;
  audit: AuditService;
  /**
   * How long an account's member is trusted without asking the database. Default 10 s; 0 turns
   * the cache off. Changes empty it at once here, and in other processes through the
   * `members_changed` NOTIFY (call `forgetCached` on it), so an unlink takes effect everywhere.
   */
  cacheTtlMs?: number;
  clock?: () => number;
}

type Resolved = { identity: Identity; member: Member } | undefined;

export type IdentityService = ReturnType<typeof createIdentityService>;

/**
 * Linked messenger accounts: who is writing (account -> member) and where to reach a member
 * (member -> private chats). Linking itself happens by redeeming an invite (invite-service).
 */
export function createIdentityService({
  db,
  audit,
  cacheTtlMs = 10_000,
  clock = Date.now,
}: IdentityServiceDeps) {
  // Every message starts with "who is this?": answered from memory for a busy account. Unknown
  // accounts are remembered too, so a stranger's flood costs no queries; linking clears it.
  const cache = new Map<string, { value: Resolved; until: number }>();
  const maxCached = 10_000;
  const forgetCached = (): void => {
    cache.clear();
  };

  async function requireVisibleMember(actor: Principal, memberId: string): Promise<Member> {
    const [member] = await db
      .select()
      .from(members)
      .where(and(eq(members.id, memberId), isNull(members.disabledAt)));
    if (member === undefined || (actor.memberId !== memberId && !canManageCountry(actor, member.country))) {
      throw notFound('member', memberId);
    }
    return member;
  }

  return {
    forgetCached,

    /** The active member behind a messenger account, or undefined for an unknown account. */
    async resolve(account: MessengerAccount): Promise<Resolved> {
      const key = `${account.platform}\u0000${account.platformUserId}`;
      const cached = cache.get(key);
      if (cached !== undefined && cached.until > clock()) return cached.value;
      const [row] = await db
        .select({ identity: identities, member: members })
        .from(identities)
        .innerJoin(members, eq(identities.memberId, members.id))
        .where(
          and(
            eq(identities.platform, account.platform),
            eq(identities.platformUserId, account.platformUserId),
            isNull(members.disabledAt),
          ),
        );
      if (cacheTtlMs > 0) {
        if (cache.size >= maxCached) cache.delete(cache.keys().next().value ?? key);
        cache.set(key, { value: row, until: clock() + cacheTtlMs });
      }
      return row;
    },

    /** Private chats where a member can be reached, per platform (for pushes). */
    async chatsOf(memberId: string): Promise<{ platform: string; chatId: string }[]> {
      const rows = await db
        .select({ platform: identities.platform, chatId: identities.chatId })
        .from(identities)
        .where(eq(identities.memberId, memberId))
        .orderBy(asc(identities.linkedAt));
      return rows.flatMap((row) =>
        row.chatId === null ? [] : [{ platform: row.platform, chatId: row.chatId }],
      );
    },

    async listForMember(actor: Principal, memberId: string): Promise<Identity[]> {
      await requireVisibleMember(actor, memberId);
      return db
        .select()
        .from(identities)
        .where(eq(identities.memberId, memberId))
        .orderBy(asc(identities.linkedAt));
    },

    /** The account's owner unlinks it from a chat (`/unlink`). Resolves to false when it was not linked. */
    async unlinkAccount(account: MessengerAccount): Promise<boolean> {
      const unlinked = await db.transaction(async (tx) => {
        const removed = await tx
          .delete(identities)
          .where(
            and(
              eq(identities.platform, account.platform),
              eq(identities.platformUserId, account.platformUserId),
            ),
          )
          .returning();
        const identity = removed[0];
        if (identity === undefined) return false;
        await audit.appendInTransaction(tx, [
          {
            actor: `member:${identity.memberId}`,
            action: 'identity.unlink',
            subject: `identity:${identity.id}`,
            details: { platform: identity.platform, memberId: identity.memberId, by: 'account' },
          },
        ]);
        return true;
      });
      // After the commit: a lookup racing the transaction must not cache the old link again.
      forgetCached();
      return unlinked;
    },

    /** A coordinator (or the member) unlinks an account, e.g. a lost phone. */
    async unlink(actor: Principal, memberId: string, identityId: string): Promise<void> {
      await requireVisibleMember(actor, memberId);
      await db.transaction(async (tx) => {
        const removed = await tx
          .delete(identities)
          .where(and(eq(identities.id, identityId), eq(identities.memberId, memberId)))
          .returning();
        const identity = removed[0];
        if (identity === undefined) throw notFound('identity', identityId);
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(actor),
            action: 'identity.unlink',
            subject: `identity:${identity.id}`,
            details: { platform: identity.platform, memberId, by: 'api' },
          },
        ]);
      });
      forgetCached();
    },

    /** Remembers the answer language a member picked, across messengers. */
    async setLocale(memberId: string, locale: string): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.update(members).set({ locale }).where(eq(members.id, memberId));
        await audit.appendInTransaction(tx, [
          {
            actor: `member:${memberId}`,
            action: 'member.locale',
            subject: `member:${memberId}`,
            details: { locale },
          },
        ]);
      });
      forgetCached();
    },
  };
}
