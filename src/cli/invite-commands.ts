import type { Command } from 'commander';
import { withContext, type OpenCliContext } from './cli-context.ts';
import { qrTerminal, type IssuedInvite } from '../members/index.ts';

/** The invite for a person: every way in, and a QR code of the console link to scan with a phone. */
async function waysIn(issued: IssuedInvite): Promise<string> {
  const lines = [`Invite code ${issued.code} (valid until ${issued.expiresAt.toISOString()}), one use:`];
  for (const [platform, link] of Object.entries(issued.links)) lines.push(`  ${platform}: ${link}`);
  for (const [platform, instruction] of Object.entries(issued.instructions))
    lines.push(`  ${platform}: send "${instruction.command}" to ${instruction.to} in a direct chat`);
  lines.push('', 'Scan to open the web console with the code filled in:', await qrTerminal(issued.links.web));
  return `${lines.join('\n')}\n`;
}

export function registerInviteCommands(program: Command, open: OpenCliContext): void {
  const invite = program
    .command('invite')
    .description('one-time invite codes that link a messenger account or log in to the web console');
  invite
    .command('create')
    .description('issue an invite code for a member (printed once; only a hash is stored)')
    .requiredOption('--member <id>', 'member id')
    .option('--hours <hours>', 'hours until the code expires (default INVITE_TTL_HOURS, 168)')
    .action(async (options: { member: string; hours?: string }) => {
      const hours = options.hours === undefined ? undefined : Number(options.hours);
      if (hours !== undefined && !Number.isInteger(hours)) throw new Error('--hours must be a whole number');
      await withContext(open, async ({ config, invites }) => {
        // The bots do not run here: each configured messenger says its way in from the configuration,
        // asked of the composition root (the one place in src/ that knows the adapters). Imported
        // here, not at the top: it loads every adapter, which only this command needs.
        const { inviteWaysIn } = await import('../application.ts');
        for (const wayIn of await inviteWaysIn(config)) invites.registerWayIn(wayIn);
        const issued = await invites.create(undefined, options.member, { expiresInHours: hours });
        // The JSON line on stdout is for scripts; people read the ways in and the QR code on stderr.
        process.stdout.write(
          `${JSON.stringify({ id: issued.id, memberId: issued.memberId, code: issued.code, expiresAt: issued.expiresAt.toISOString(), links: issued.links, instructions: issued.instructions })}\n`,
        );
        process.stderr.write(await waysIn(issued));
      });
    });
  invite
    .command('list')
    .description("a member's invites and their status (never the codes)")
    .requiredOption('--member <id>', 'member id')
    .action(async (options: { member: string }) => {
      await withContext(open, async ({ invites }) => {
        for (const item of await invites.list(undefined, options.member)) {
          process.stdout.write(
            `${JSON.stringify({ id: item.id, status: item.status, createdAt: item.createdAt.toISOString(), expiresAt: item.expiresAt.toISOString() })}\n`,
          );
        }
      });
    });
  invite
    .command('revoke <inviteId>')
    .description('withdraw a pending invite')
    .requiredOption('--member <id>', 'member id')
    .action(async (inviteId: string, options: { member: string }) => {
      await withContext(open, async ({ invites }) => {
        await invites.revoke(undefined, options.member, inviteId);
        process.stdout.write(`revoked ${inviteId}\n`);
      });
    });
}
