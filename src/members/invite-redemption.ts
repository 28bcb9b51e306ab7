// Redeeming an invite code: linking a messenger account to the member it was issued for, or
// using it up for the web console's first login. Wrong codes are throttled per account.
import { and, eq, gt, isNull, TransactionRollbackError } from 'drizzle-orm';
import { normalizeInviteCode } from './invite-code.ts';
import type { Invite, InviteServiceDeps, RedeemOutcome } from './invite-service.ts';
import type { MessengerAccount } from './identity-service.ts';
import { identities, invites, members } from './members-schema.ts';
import type { Member } from './members-service.ts';
import { hashSecret, newId } from './secrets.ts';
import { systemClock } from '../clock/index.ts';
import { webConsolePlatform } from '../chat/index.ts';
import { inTransaction, type Database } from '../db/index.ts';

type CodeChecks = ReturnType<typeof inviteCodeChecks>;

/** Redeeming a code: linking a messenger account, or the web console's first login. */
export function inviteRedemption(deps: InviteServiceDeps) {
  const codes = inviteCodeChecks(deps);
  return { ...accountLinking(deps, codes), ...consoleFirstLogin(deps, codes) };
}

/** Whether a typed code is a pending invite, with wrong guesses throttled; using one up once. */
function inviteCodeChecks({ db, throttle, clock = systemClock }: InviteServiceDeps) {
  /** The pending invite behind a code (unused, unrevoked, unexpired, member active), if any. */
  async function findRedeemable(
    code: string | undefined,
  ): Promise<{ invite: Invite; member: Member } | undefined> {
    if (code === undefined) return undefined;
    const [row] = await db
      .select({ invite: invites, member: members })
      .from(invites)
      .innerJoin(members, eq(invites.memberId, members.id))
      .where(
        and(
          eq(invites.codeHash, hashSecret(code)),
          isNull(invites.usedAt),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, clock.now()),
          isNull(members.disabledAt),
        ),
      );
    return row;
  }

  /** Checks throttling and the code; counts a failure when it is wrong. */
  async function check(typed: string, throttleAccount: string) {
    if (await throttle.isBlocked(throttleAccount)) return { status: 'throttled' as const };
    const found = await findRedeemable(normalizeInviteCode(typed));
    if (found === undefined) {
      await throttle.recordFailure(throttleAccount);
      return { status: 'refused' as const };
    }
    return { status: 'ok' as const, ...found };
  }

  /** Marks the invite used unless a concurrent redemption got there first. */
  async function markUsed(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    invite: Invite,
  ): Promise<boolean> {
    const used = await tx
      .update(invites)
      .set({ usedAt: clock.now() })
      .where(and(eq(invites.id, invite.id), isNull(invites.usedAt), isNull(invites.revokedAt)))
      .returning({ id: invites.id });
    return used.length === 1;
  }

  return { check, markUsed };
}

/** `/start CODE`, `!link CODE`: the account is linked to the member the code was issued for. */
function accountLinking(
  { db, audit, throttle, identityCache, links, clock = systemClock }: InviteServiceDeps,
  { check, markUsed }: CodeChecks,
) {
  return {
    /**
     * Links a messenger account to the member a code was issued for (`/start CODE`, `!link CODE`).
     * The code is used up only when the link is made.
     */
    async redeem(
      typed: string,
      account: MessengerAccount & { chatId?: string | undefined },
    ): Promise<RedeemOutcome> {
      const throttleAccount = `${account.platform}:${account.platformUserId}`;
      const checked = await check(typed, throttleAccount);
      if (checked.status !== 'ok') {
        if (checked.status === 'refused') {
          audit.enqueue({
            actor: throttleAccount,
            action: 'invite.refused',
            details: { platform: account.platform },
          });
        }
        return checked;
      }
      const { invite, member } = checked;
      const [existing] = await db
        .select()
        .from(identities)
        .where(
          and(
            eq(identities.platform, account.platform),
            eq(identities.platformUserId, account.platformUserId),
          ),
        );
      if (existing !== undefined) {
        return existing.memberId === member.id
          ? { status: 'already-linked', member }
          : { status: 'account-taken' };
      }
      // inTransaction: what a link listener wrote (pushes) is dispatched once the link commits.
      const linked = await inTransaction(db, async (tx) => {
        if (!(await markUsed(tx, invite))) return false;
        const identity = {
          id: newId(),
          platform: account.platform,
          platformUserId: account.platformUserId,
          memberId: member.id,
          chatId: account.chatId ?? null,
          linkedAt: clock.now(),
        };
        const inserted = await tx
          .insert(identities)
          .values(identity)
          .onConflictDoNothing()
          .returning({ id: identities.id });
        // Another message from the same account linked it a moment ago: keep the invite unused.
        if (inserted.length === 0) tx.rollback();
        await audit.appendInTransaction(tx, [
          {
            actor: `member:${member.id}`,
            action: 'invite.redeem',
            subject: `invite:${invite.id}`,
            details: { platform: account.platform },
          },
          {
            actor: `member:${member.id}`,
            action: 'identity.link',
            subject: `identity:${identity.id}`,
            details: {
              platform: account.platform,
              platformUserId: account.platformUserId,
              memberId: member.id,
            },
          },
        ]);
        await links?.announceInTransaction(tx, {
          memberId: member.id,
          contactId: member.contactId,
          country: member.country,
          platform: account.platform,
        });
        return true;
      }).catch((error: unknown) => {
        if (error instanceof TransactionRollbackError) return false;
        throw error;
      });
      if (!linked) return { status: 'refused' };
      identityCache?.forgetCached();
      await throttle.clear(throttleAccount);
      return { status: 'linked', member };
    },
  };
}

/** The web console's first login uses up a code without linking an account. */
function consoleFirstLogin({ db, audit, throttle }: InviteServiceDeps, { check, markUsed }: CodeChecks) {
  return {
    /**
     * Uses up a code without linking an account: the web console's first login, which then opens
     * a session. `throttleAccount` names who is trying (e.g. `web:<address>`).
     */
    async consume(
      typed: string,
      throttleAccount: string,
    ): Promise<{ status: 'ok'; member: Member } | { status: 'refused' } | { status: 'throttled' }> {
      const checked = await check(typed, throttleAccount);
      if (checked.status !== 'ok') {
        if (checked.status === 'refused')
          audit.enqueue({
            actor: throttleAccount,
            action: 'invite.refused',
            details: { platform: webConsolePlatform },
          });
        return checked;
      }
      const { invite, member } = checked;
      const used = await db.transaction(async (tx) => {
        if (!(await markUsed(tx, invite))) return false;
        await audit.appendInTransaction(tx, [
          {
            actor: `member:${member.id}`,
            action: 'invite.redeem',
            subject: `invite:${invite.id}`,
            details: { platform: webConsolePlatform },
          },
        ]);
        return true;
      });
      if (!used) return { status: 'refused' };
      await throttle.clear(throttleAccount);
      return { status: 'ok', member };
    },
  };
}
