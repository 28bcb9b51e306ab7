import { type Clock, systemClock } from '../clock/index.ts';
import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { apiTokens, identities, members } from './members-schema.ts';
import { hashSecret, newApiToken, newId } from './secrets.ts';
import type { TokenCache } from './token-cache.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal, type Role } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { inTransaction, type Database } from '../db/index.ts';
import type { MemberLinks } from './member-links.ts';

export type Member = typeof members.$inferSelect;
export interface NewMember {
  name: string;
  /** Null only for an admin (the network's secretariat belongs to no country). */
  country: string | null;
  role: Role;
  contactId?: string | null;
  locale?: string | null;
}
export interface MemberChanges {
  name?: string;
  country?: string | null;
  role?: Role;
  contactId?: string | null;
  locale?: string | null;
}
export interface TokenInfo {
  id: string;
  memberId: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface MembersServiceDeps {
  db: Database;
  audit: AuditService;
  /** Checks a country and a contact exist before a member points at them. */
  registryLookup: {
    countryExists(iso2: string): Promise<boolean>;
    contactExists(id: string): Promise<boolean>;
  };
  clock?: Clock;
  /** Resolved tokens, so busy clients skip a database lookup per request. Default: none. */
  tokenCache?: TokenCache;
  /**
   * Told when a member who already has a messenger linked becomes the person behind a contact:
   * for whoever waits on that contact, it is as if the contact had just linked.
   */
  links?: MemberLinks;
}

export type MembersService = ReturnType<typeof createMembersService>;

export function createMembersService({
  db,
  audit,
  registryLookup,
  clock = systemClock,
  tokenCache,
  links,
}: MembersServiceDeps) {
  async function requireMember(id: string): Promise<Member> {
    const [member] = await db.select().from(members).where(eq(members.id, id));
    if (member === undefined || member.disabledAt !== null) throw notFound('member', id);
    return member;
  }

  async function checkReferences(input: {
    country?: string | null;
    contactId?: string | null | undefined;
  }): Promise<void> {
    const problems: { path: string; message: string }[] = [];
    if (
      input.country !== undefined &&
      input.country !== null &&
      !(await registryLookup.countryExists(input.country))
    ) {
      problems.push({ path: '/country', message: `unknown country ${input.country}` });
    }
    if (input.contactId != null && !(await registryLookup.contactExists(input.contactId))) {
      problems.push({ path: '/contactId', message: `unknown contact ${input.contactId}` });
    }
    if (problems.length > 0) throw new AppError('validation_failed', 'invalid member', problems);
  }

  /** Only an admin may belong to no country; coordinators and members act for theirs. */
  function checkCountryFitsRole(country: string | null, role: Role): void {
    if (country === null && role !== 'admin') {
      throw new AppError('validation_failed', 'invalid member', [
        { path: '/country', message: `a ${role} needs a country; only an admin may belong to none` },
      ]);
    }
  }

  function checkMayManage(actor: Principal, country: string | null, role: Role): void {
    if (!canManageCountry(actor, country)) throw forbidden('you may manage members of your own country only');
    if (actor.role !== 'admin' && role === 'admin') throw forbidden('only admins create admins');
  }

  return {
    requireMember,

    async create(actor: Principal | undefined, input: NewMember): Promise<Member> {
      checkCountryFitsRole(input.country, input.role);
      if (actor !== undefined) checkMayManage(actor, input.country, input.role);
      await checkReferences(input);
      const member: Member = {
        id: newId(),
        name: input.name,
        country: input.country,
        role: input.role,
        contactId: input.contactId ?? null,
        locale: input.locale ?? null,
        createdAt: clock.now(),
        disabledAt: null,
      };
      await db.transaction(async (tx) => {
        await tx.insert(members).values(member);
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(actor),
            action: 'member.create',
            subject: `member:${member.id}`,
            details: { country: member.country, role: member.role, contactId: member.contactId },
          },
        ]);
      });
      return member;
    },

    async list(actor: Principal, filter: { country?: string | undefined; limit: number; offset: number }) {
      const country = actor.role === 'admin' ? filter.country : actor.country;
      const where = and(
        isNull(members.disabledAt),
        country === undefined ? undefined : country === null ? sql`false` : eq(members.country, country),
      );
      const [items, [count]] = await Promise.all([
        db
          .select()
          .from(members)
          .where(where)
          .orderBy(asc(members.createdAt), asc(members.id))
          .limit(filter.limit)
          .offset(filter.offset),
        db
          .select({ total: sql<number>`count(*)::int` })
          .from(members)
          .where(where),
      ]);
      return { items, total: count?.total ?? 0 };
    },

    async get(actor: Principal, id: string): Promise<Member> {
      const member = await requireMember(id);
      if (actor.memberId !== id && !canManageCountry(actor, member.country)) throw notFound('member', id);
      return member;
    },

    async update(actor: Principal, id: string, changes: MemberChanges): Promise<Member> {
      const member = await requireMember(id);
      checkMayManage(actor, member.country, member.role);
      const country = changes.country === undefined ? member.country : changes.country;
      checkCountryFitsRole(country, changes.role ?? member.role);
      checkMayManage(actor, country, changes.role ?? member.role);
      await checkReferences(changes);
      const [updated] = await inTransaction(db, async (tx) => {
        const rows = await tx.update(members).set(changes).where(eq(members.id, id)).returning();
        const [row] = rows;
        if (links !== undefined && row?.contactId != null && row.contactId !== member.contactId) {
          const [account] = await tx
            .select({ platform: identities.platform })
            .from(identities)
            .where(and(eq(identities.memberId, id), isNotNull(identities.chatId)))
            .orderBy(asc(identities.linkedAt))
            .limit(1);
          if (account !== undefined)
            await links.announceInTransaction(tx, {
              memberId: id,
              contactId: row.contactId,
              country: row.country,
              platform: account.platform,
            });
        }
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(actor),
            action: 'member.update',
            subject: `member:${id}`,
            details: { fields: Object.keys(changes) },
          },
        ]);
        return rows;
      });
      tokenCache?.clear();
      if (updated === undefined) throw notFound('member', id);
      return updated;
    },

    /** Disables a member: tokens revoked, messenger accounts unlinked; the record stays for the audit trail. */
    async disable(actor: Principal, id: string): Promise<void> {
      const member = await requireMember(id);
      checkMayManage(actor, member.country, member.role);
      if (actor.memberId === id) throw new AppError('conflict', 'you cannot remove yourself');
      const now = clock.now();
      await db.transaction(async (tx) => {
        await tx.update(members).set({ disabledAt: now }).where(eq(members.id, id));
        await tx
          .update(apiTokens)
          .set({ revokedAt: now })
          .where(and(eq(apiTokens.memberId, id), isNull(apiTokens.revokedAt)));
        await tx.delete(identities).where(eq(identities.memberId, id));
        await audit.appendInTransaction(tx, [
          { actor: actorOf(actor), action: 'member.disable', subject: `member:${id}` },
        ]);
      });
      tokenCache?.clear();
    },

    /** Issues an API token; the plain token is returned once and only its hash is kept. */
    async createToken(actor: Principal | undefined, memberId: string, label: string, plainToken?: string) {
      const member = await requireMember(memberId);
      if (actor !== undefined && actor.memberId !== memberId)
        checkMayManage(actor, member.country, member.role);
      const token = plainToken ?? newApiToken();
      const row = { id: newId(), memberId, tokenHash: hashSecret(token), label, createdAt: clock.now() };
      await db.transaction(async (tx) => {
        await tx.insert(apiTokens).values(row);
        await audit.appendInTransaction(tx, [
          {
            actor: actorOf(actor),
            action: 'token.create',
            subject: `token:${row.id}`,
            details: { memberId, label },
          },
        ]);
      });
      return { id: row.id, token, memberId, label, createdAt: row.createdAt };
    },

    async listTokens(actor: Principal, memberId: string): Promise<TokenInfo[]> {
      const member = await requireMember(memberId);
      if (actor.memberId !== memberId && !canManageCountry(actor, member.country))
        throw notFound('member', memberId);
      return db
        .select({
          id: apiTokens.id,
          memberId: apiTokens.memberId,
          label: apiTokens.label,
          createdAt: apiTokens.createdAt,
          lastUsedAt: apiTokens.lastUsedAt,
          revokedAt: apiTokens.revokedAt,
        })
        .from(apiTokens)
        .where(eq(apiTokens.memberId, memberId))
        .orderBy(asc(apiTokens.createdAt));
    },

    async revokeToken(actor: Principal | undefined, tokenId: string): Promise<void> {
      const [token] = await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId));
      if (token === undefined) throw notFound('token', tokenId);
      const owner = await db.select().from(members).where(eq(members.id, token.memberId));
      const ownerRow = owner[0];
      if (actor !== undefined && actor.memberId !== token.memberId) {
        if (ownerRow === undefined || !canManageCountry(actor, ownerRow.country))
          throw notFound('token', tokenId);
        checkMayManage(actor, ownerRow.country, ownerRow.role);
      }
      await db.transaction(async (tx) => {
        await tx.update(apiTokens).set({ revokedAt: clock.now() }).where(eq(apiTokens.id, tokenId));
        await audit.appendInTransaction(tx, [
          { actor: actorOf(actor), action: 'token.revoke', subject: `token:${tokenId}` },
        ]);
      });
      tokenCache?.clear();
    },

    /** Resolves a bearer token to its member, or undefined for an unknown, revoked or disabled one. */
    async authenticateToken(token: string): Promise<Principal | undefined> {
      const tokenHash = hashSecret(token);
      const cached = tokenCache?.get(tokenHash);
      if (cached !== undefined) return cached;
      const [row] = await db
        .select({ token: apiTokens, member: members })
        .from(apiTokens)
        .innerJoin(members, eq(apiTokens.memberId, members.id))
        .where(
          and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), isNull(members.disabledAt)),
        );
      if (row === undefined) return undefined;
      const principal = { ...principalOf(row.member), tokenId: row.token.id };
      tokenCache?.set(tokenHash, principal);
      return principal;
    },

    /** Forgets cached tokens; called when another process announces a member or token change. */
    forgetCachedTokens(): void {
      tokenCache?.clear();
    },

    /**
     * Makes sure an admin can get in. With `bootstrapToken`, that token is installed if no admin
     * token exists yet; without, a token is generated and returned so the caller can print it once.
     */
    async ensureAdminToken(
      bootstrapToken: string | undefined,
    ): Promise<{ created: false } | { created: true; token: string; generated: boolean }> {
      if (bootstrapToken !== undefined) {
        const [existing] = await db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(eq(apiTokens.tokenHash, hashSecret(bootstrapToken)));
        if (existing !== undefined) return { created: false };
      }
      const [adminToken] = await db
        .select({ id: apiTokens.id })
        .from(apiTokens)
        .innerJoin(members, eq(apiTokens.memberId, members.id))
        .where(and(eq(members.role, 'admin'), isNull(apiTokens.revokedAt), isNull(members.disabledAt)))
        .limit(1);
      if (adminToken !== undefined) return { created: false };
      const [existingAdmin] = await db
        .select()
        .from(members)
        .where(and(eq(members.role, 'admin'), isNull(members.disabledAt)))
        .limit(1);
      const admin =
        existingAdmin ??
        (await this.create(
          undefined,
          // The network's secretariat: it belongs to no country, so nothing it does is filed under one.
          { name: 'Network secretariat (bootstrap admin)', country: null, role: 'admin' },
        ));
      const issued = await this.createToken(undefined, admin.id, 'bootstrap', bootstrapToken);
      return { created: true, token: issued.token, generated: bootstrapToken === undefined };
    },
  };
}

export function principalOf(member: Member): Principal {
  return {
    memberId: member.id,
    name: member.name,
    role: member.role,
    country: member.country,
    contactId: member.contactId,
    locale: member.locale,
  };
}
