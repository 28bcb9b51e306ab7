import { type Clock, systemClock } from '../clock/index.ts';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { invites, members } from './members-schema.ts';
import type { Member } from './members-service.ts';
import { newInviteCode } from './invite-code.ts';
import { webInviteLink } from './invite-links.ts';
import { inviteRedemption } from './invite-redemption.ts';
import type { MemberLinks } from './member-links.ts';
import type { InviteThrottle } from './invite-throttle.ts';
import { hashSecret, newId } from './secrets.ts';
import { AppError, forbidden, notFound } from '../errors/index.ts';
import { actorOf, canManageCountry, type Principal, type Role } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { Database } from '../db/index.ts';

export type Invite = typeof invites.$inferSelect;

/** Where a new code can be used in one tap, per platform (a deep link to the bot, where the messenger has one). */
export type InviteLinkBuilder = (code: string) => string | undefined;

/** What to send, and to whom, where a platform has no one-tap link for a code (e.g. `!link CODE` to the bot). */
export interface InviteInstruction {
  to: string;
  command: string;
}
export type InviteInstructionBuilder = (code: string) => InviteInstruction | undefined;

export interface InviteServiceDeps {
  db: Database;
  audit: AuditService;
  throttle: InviteThrottle;
  /** Told when an account is linked, so a cached "unknown account" is forgotten at once. */
  identityCache?: { forgetCached(): void };
  /** Default validity of a new invite. */
  ttlHours: number;
  /** The web console's base URL (PUBLIC_URL): every invite links to its login with the code filled in. */
  consoleUrl: string;
  /** Told inside the link's transaction when an account is linked. */
  links?: MemberLinks;
  clock?: Clock;
}

export interface IssuedInvite {
  id: string;
  memberId: string;
  /** The plain code, returned once; only its hash is stored. */
  code: string;
  expiresAt: Date;
  /** `web` always (the console's login with the code filled in), then each platform's one-tap link. */
  links: { web: string } & Record<string, string>;
  instructions: Record<string, InviteInstruction>;
}

export type InviteStatus = 'pending' | 'used' | 'expired' | 'revoked';

/**
 * The outcome of redeeming a code. A used, expired, revoked or wrong code is one and the same
 * `refused`, so a guesser learns nothing about which codes exist.
 */
export type RedeemOutcome =
  | { status: 'linked'; member: Member }
  | { status: 'already-linked'; member: Member }
  /** The account is already linked to someone else; it must be unlinked first. */
  | { status: 'account-taken' }
  | { status: 'refused' }
  | { status: 'throttled' };

export type InviteService = ReturnType<typeof createInviteService>;

export const maxInviteHours = 24 * 90;

export function createInviteService(deps: InviteServiceDeps) {
  const waysIn = inviteWaysIn(deps.consoleUrl);
  return {
    ...waysIn,
    ...inviteIssuing(deps, waysIn),
    ...inviteRedemption(deps),
  };
}

/** Each messenger's way in for a code, registered at start by the adapters. */
function inviteWaysIn(consoleUrl: string) {
  // One builder per messenger, registered at start.
  const linkBuilders = new Map<string, InviteLinkBuilder>();
  const instructionBuilders = new Map<string, InviteInstructionBuilder>();
  return {
    /**
     * A messenger's way in for a code: its one-tap link (asked at each invite: a bot may learn its
     * address only once connected) and/or the command to type to the bot.
     */
    registerWayIn(wayIn: {
      platform: string;
      link?: InviteLinkBuilder;
      instruction?: InviteInstructionBuilder;
    }): void {
      if (wayIn.link !== undefined) linkBuilders.set(wayIn.platform, wayIn.link.bind(wayIn));
      if (wayIn.instruction !== undefined)
        instructionBuilders.set(wayIn.platform, wayIn.instruction.bind(wayIn));
    },

    /** What to type to which bot, per messenger without a one-tap link. */
    instructionsFor(code: string): Record<string, InviteInstruction> {
      const instructions: Record<string, InviteInstruction> = {};
      for (const [platform, build] of instructionBuilders) {
        const instruction = build(code);
        if (instruction !== undefined) instructions[platform] = instruction;
      }
      return instructions;
    },

    /** The console's login with the code filled in, then each messenger's one-tap link. */
    linksFor(code: string): { web: string } & Record<string, string> {
      const links: { web: string } & Record<string, string> = { web: webInviteLink(consoleUrl, code) };
      for (const [platform, build] of linkBuilders) {
        const link = build(code);
        if (link !== undefined) links[platform] = link;
      }
      return links;
    },
  };
}

/** Coordinators and admins issue, list and revoke the codes of the members they manage. */
function inviteIssuing(
  { db, audit, ttlHours, clock = systemClock }: InviteServiceDeps,
  waysIn: ReturnType<typeof inviteWaysIn>,
) {
  async function requireManageable(actor: Principal | undefined, memberId: string): Promise<Member> {
    const [member] = await db
      .select()
      .from(members)
      .where(and(eq(members.id, memberId), isNull(members.disabledAt)));
    if (member === undefined) throw notFound('member', memberId);
    if (actor === undefined) return member;
    if (!canManageCountry(actor, member.country)) {
      // Members of other countries are invisible to a coordinator, as in the members API.
      if (actor.role === 'coordinator') throw notFound('member', memberId);
      throw forbidden('only admins and coordinators of the member’s country create invites');
    }
    if (actor.role !== 'admin' && member.role === ('admin' satisfies Role))
      throw forbidden('only admins invite admins');
    return member;
  }

  const statusOf = (invite: Invite): InviteStatus =>
    invite.usedAt !== null
      ? 'used'
      : invite.revokedAt !== null
        ? 'revoked'
        : invite.expiresAt <= clock.now()
          ? 'expired'
          : 'pending';

  return {
    /** Issues a one-time code for a member (`actor` undefined: the CLI operator). */
    async create(
      actor: Principal | undefined,
      memberId: string,
      options: { expiresInHours?: number | undefined } = {},
    ): Promise<IssuedInvite> {
      const hours = options.expiresInHours ?? ttlHours;
      if (!Number.isInteger(hours) || hours < 1 || hours > maxInviteHours) {
        throw new AppError('validation_failed', `expiresInHours must be from 1 to ${maxInviteHours}`, [
          { path: '/expiresInHours', message: `must be an integer from 1 to ${maxInviteHours}` },
        ]);
      }
      const member = await requireManageable(actor, memberId);
      const code = newInviteCode();
      const now = clock.now();
      const row = {
        id: newId(),
        memberId: member.id,
        codeHash: hashSecret(code),
        createdBy: actorOf(actor),
        createdAt: now,
        expiresAt: new Date(now.getTime() + hours * 3_600_000),
      };
      await db.transaction(async (tx) => {
        await tx.insert(invites).values(row);
        await audit.appendInTransaction(tx, [
          {
            actor: actor === undefined ? 'cli' : actorOf(actor),
            action: 'invite.create',
            subject: `invite:${row.id}`,
            details: { memberId: member.id, expiresAt: row.expiresAt.toISOString() },
          },
        ]);
      });
      return {
        id: row.id,
        memberId: member.id,
        code,
        expiresAt: row.expiresAt,
        links: waysIn.linksFor(code),
        instructions: waysIn.instructionsFor(code),
      };
    },

    async list(actor: Principal | undefined, memberId: string) {
      await requireManageable(actor, memberId);
      const rows = await db
        .select()
        .from(invites)
        .where(eq(invites.memberId, memberId))
        .orderBy(desc(invites.createdAt));
      return rows.map((invite) => ({ ...invite, status: statusOf(invite) }));
    },

    async revoke(actor: Principal | undefined, memberId: string, inviteId: string): Promise<void> {
      await requireManageable(actor, memberId);
      await db.transaction(async (tx) => {
        const revoked = await tx
          .update(invites)
          .set({ revokedAt: clock.now() })
          .where(
            and(
              eq(invites.id, inviteId),
              eq(invites.memberId, memberId),
              isNull(invites.usedAt),
              isNull(invites.revokedAt),
            ),
          )
          .returning({ id: invites.id });
        if (revoked.length === 0) throw notFound('pending invite', inviteId);
        await audit.appendInTransaction(tx, [
          {
            actor: actor === undefined ? 'cli' : actorOf(actor),
            action: 'invite.revoke',
            subject: `invite:${inviteId}`,
            details: { memberId },
          },
        ]);
      });
    },
  };
}
