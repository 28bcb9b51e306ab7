import { isUtf8 } from 'node:buffer';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { systemClock } from '../clock/index.ts';
import { latestVerificationDay, validateRegistryFile, type Problem } from '../registry/index.ts';
import { withContext, type OpenCliContext } from './cli-context.ts';
import { AppError } from '../errors/index.ts';

/** Reads a registry file as JSON; a parse failure is reported like a validation problem. */
async function readRegistryFile(file: string): Promise<{ data: unknown } | { problems: Problem[] }> {
  const bytes = await readFile(file);
  // Decoding would quietly turn broken bytes into U+FFFD and import them as text.
  if (!isUtf8(bytes)) return { problems: [{ path: '', message: 'the file is not UTF-8 encoded text' }] };
  const text = bytes.toString('utf8');
  try {
    return { data: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      problems: [
        { path: '', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` },
      ],
    };
  }
}

function printProblems(file: string, problems: readonly Problem[]): void {
  process.stderr.write(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  for (const problem of problems)
    process.stderr.write(`  ${problem.path === '' ? '/' : problem.path}: ${problem.message}\n`);
  process.exitCode = 1;
}

export function registerRegistryCommands(program: Command, open: OpenCliContext): void {
  const registry = program.command('registry').description('the contact registry: import, export, validate');

  registry
    .command('import <file>')
    .description('replace the whole registry with a registry file; on any problem nothing changes')
    .option('--dry-run', 'check and count only (what the import would refuse is refused); nothing changes')
    .action(async (file: string, options: { dryRun?: boolean }) => {
      const read = await readRegistryFile(file);
      if ('problems' in read) {
        printProblems(file, read.problems);
        return;
      }
      await withContext(open, async (context) => {
        try {
          const summary = await context.registry.importRegistry(undefined, read.data, {
            actor: 'cli',
            dryRun: options.dryRun === true,
          });
          process.stdout.write(`${JSON.stringify({ dryRun: options.dryRun === true, ...summary })}\n`);
        } catch (error) {
          if (error instanceof AppError && Array.isArray(error.details)) {
            // A refusal other than the file's own problems (contacts still holding open work,
            // members linked to removed contacts) says why before listing what.
            if (error.code !== 'validation_failed')
              process.stderr.write(
                `${file}: refused (${error.code}): ${error.message}; ${options.dryRun === true ? 'the import would be refused' : 'nothing was changed'}\n`,
              );
            printProblems(file, error.details as Problem[]);
            return;
          }
          throw error;
        }
      });
    });

  registry
    .command('export')
    .description('write the whole registry as a registry file (to stdout unless --out)')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--indent <spaces>', 'indentation of the JSON', '1')
    .action(async (options: { out?: string; indent: string }) => {
      const indent = Number(options.indent);
      if (!Number.isInteger(indent) || indent < 0 || indent > 8) throw new Error('--indent must be 0 to 8');
      await withContext(open, async (context) => {
        const file = await context.registry.exportRegistry(undefined, { actor: 'cli' });
        const json = JSON.stringify(file, null, indent);
        if (options.out === undefined) process.stdout.write(`${json}\n`);
        else {
          await writeFile(options.out, json);
          process.stderr.write(`wrote ${file.contacts.length} contacts to ${options.out}\n`);
        }
      });
    });

  registry
    .command('validate <file>')
    .description(
      'check a registry file without touching the database; lists every problem with its JSON path',
    )
    .action(async (file: string) => {
      const read = await readRegistryFile(file);
      if ('problems' in read) {
        printProblems(file, read.problems);
        return;
      }
      const result = validateRegistryFile(read.data, {
        latestVerificationDay: latestVerificationDay(systemClock.now()),
      });
      if (!result.ok) {
        printProblems(file, result.problems);
        return;
      }
      const { registry: valid } = result;
      process.stdout.write(
        `${file}: valid (${valid.countries.length} countries, ${valid.authorities.length} authorities, ` +
          `${valid.contacts.length} contacts, ${valid.treaties.length} treaties, ` +
          `${valid.requirements?.length ?? 0} requirement sheets)\n`,
      );
    });
}
