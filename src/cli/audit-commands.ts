import type { Command } from 'commander';
import { withContext, type OpenCliContext } from './cli-context.ts';
import { formatAuditHead, parseAuditHead } from '../audit/index.ts';

export function registerAuditCommands(program: Command, open: OpenCliContext): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'check every entry of the chain and that it reaches its last checkpoint; names each altered or deleted entry (exit 1 if any)',
    )
    .option('--expect-head <seq:hash>', 'a head printed earlier (kept elsewhere): the log must still hold it')
    .action(async (options: { expectHead?: string }) => {
      const expectHead = options.expectHead === undefined ? undefined : parseAuditHead(options.expectHead);
      if (options.expectHead !== undefined && expectHead === undefined)
        throw new Error(
          '--expect-head takes SEQ:HASH, e.g. 1042:<64 hex digits> (as `audit verify` prints it)',
        );
      await withContext(open, async ({ audit: service }) => {
        const result = await service.verify({ expectHead });
        const head = result.head === undefined ? 'none (empty log)' : formatAuditHead(result.head);
        if (result.problems.length === 0) {
          process.stdout.write(`audit log intact: ${result.entries} entries verified\nhead: ${head}\n`);
          return;
        }
        for (const problem of result.problems)
          process.stdout.write(`entry ${problem.seq}: ${problem.problem}: ${problem.message}\n`);
        process.stdout.write(
          `audit log BROKEN: ${result.problems.length} problem(s) in ${result.entries} entries\nhead: ${head}\n`,
        );
        process.exitCode = 1;
      });
    });
}

export function registerDatabaseCommands(program: Command, open: OpenCliContext): void {
  program
    .command('db')
    .description('database maintenance')
    .command('migrate')
    .description('apply pending migrations to the configured database')
    .action(async () => {
      // Opening the context migrates.
      await withContext(open, async ({ database }) => {
        process.stdout.write(`migrations applied (${database.engine})\n`);
      });
    });
}
