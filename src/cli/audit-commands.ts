import type { Command } from 'commander';
import { withContext, type OpenCliContext } from './cli-context.ts';

export function registerAuditCommands(program: Command, open: OpenCliContext): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description('check every entry of the chain; names each altered or deleted entry (exit 1 if any)')
    .action(async () => {
      await withContext(open, async ({ audit: service }) => {
        const result = await service.verify();
        if (result.problems.length === 0) {
          process.stdout.write(`audit log intact: ${result.entries} entries verified\n`);
          return;
        }
        for (const problem of result.problems)
          process.stdout.write(`entry ${problem.seq}: ${problem.problem}: ${problem.message}\n`);
        process.stdout.write(
          `audit log BROKEN: ${result.problems.length} problem(s) in ${result.entries} entries\n`,
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
