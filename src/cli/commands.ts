// The operator commands of `npm run cli -- <command>` (entered through main.ts): on the configured
// database (DATABASE_URL, or the embedded one under DATA_DIR). Each command area lives in its own file.
import { Command } from 'commander';
import { unsafeTextReason } from '../text/index.ts';
import { embeddedBusyAdvice } from './embedded-busy.ts';
import { registerAuditCommands, registerDatabaseCommands } from './audit-commands.ts';
import { openCliContext } from './cli-context.ts';
import { registerInviteCommands } from './invite-commands.ts';
import { registerMemberCommands } from './member-commands.ts';
import { registerRegistryCommands } from './registry-commands.ts';
import { AppError } from '../errors/index.ts';
import { ConfigError } from '../config/index.ts';
import { EmbeddedDatabaseBusy } from '../db/index.ts';

const program = new Command('counterpart').description('Counterpart operator commands').showHelpAfterError();

registerDatabaseCommands(program, openCliContext);
registerRegistryCommands(program, openCliContext);
registerMemberCommands(program, openCliContext);
registerInviteCommands(program, openCliContext);
registerAuditCommands(program, openCliContext);

// Arguments are text that may end up in the database, the logs or the audit log like any API
// field: a control character (a pasted escape sequence, a newline in a name) is refused before
// the command runs, with the argument named.
program.hook('preAction', (_program, command) => {
  const values: [string, unknown][] = [
    ...command.args.map((value, index): [string, unknown] => [`argument ${index + 1}`, value]),
    ...Object.entries(command.opts()).map(([name, value]): [string, unknown] => [`option --${name}`, value]),
  ];
  const problems = values.flatMap(([path, value]) => {
    const reason = typeof value === 'string' ? unsafeTextReason(value) : undefined;
    return reason === undefined ? [] : [{ path, message: reason }];
  });
  if (problems.length > 0)
    throw new AppError('validation_failed', 'an argument holds text that is not allowed', problems);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof EmbeddedDatabaseBusy) {
    process.stderr.write(embeddedBusyAdvice(error));
  } else if (error instanceof AppError) {
    process.stderr.write(`error (${error.code}): ${error.message}\n`);
    if (Array.isArray(error.details)) {
      for (const detail of error.details as { path?: string; message?: string }[]) {
        process.stderr.write(`  ${detail.path ?? ''}: ${detail.message ?? JSON.stringify(detail)}\n`);
      }
    }
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}
