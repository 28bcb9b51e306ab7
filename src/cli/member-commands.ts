import type { Command } from 'commander';
import { withContext, type OpenCliContext } from './cli-context.ts';

const roles = ['admin', 'coordinator', 'member'] as const;

export function registerMemberCommands(program: Command, open: OpenCliContext): void {
  const member = program.command('member').description('members of the network');
  member
    .command('create')
    .description('create a member')
    .requiredOption('--name <name>', 'full name')
    .option('--country <iso2>', 'country code, e.g. KZ; an admin may have none (the secretariat)')
    .option('--role <role>', `one of ${roles.join(', ')}`, 'member')
    .option('--contact <contactId>', 'the registry contact this member is')
    .action(async (options: { name: string; country?: string; role: string; contact?: string }) => {
      if (!(roles as readonly string[]).includes(options.role))
        throw new Error(`--role must be one of ${roles.join(', ')}`);
      await withContext(open, async ({ members }) => {
        const created = await members.create(undefined, {
          name: options.name,
          country: options.country?.toUpperCase() ?? null,
          role: options.role as (typeof roles)[number],
          contactId: options.contact ?? null,
        });
        process.stdout.write(
          `${JSON.stringify({ id: created.id, name: created.name, country: created.country, role: created.role })}\n`,
        );
      });
    });

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('issue an API token for a member (printed once)')
    .requiredOption('--member <id>', 'member id')
    .option('--label <label>', 'what the token is for', 'cli')
    .action(async (options: { member: string; label: string }) => {
      await withContext(open, async ({ members }) => {
        const issued = await members.createToken(undefined, options.member, options.label);
        process.stdout.write(`${JSON.stringify({ id: issued.id, token: issued.token })}\n`);
      });
    });
  token
    .command('revoke <tokenId>')
    .description('revoke an API token')
    .action(async (tokenId: string) => {
      await withContext(open, async ({ members }) => {
        await members.revokeToken(undefined, tokenId);
        process.stdout.write(`revoked ${tokenId}\n`);
      });
    });
}
