// `npm start`, the Docker image and the benchmarks start the server with the same memory settings,
// so the memory the bench reports is the memory a deployment gets.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeEnvironment, runtimeNodeArguments } from '../src/config/runtime-tuning.ts';

const root = join(import.meta.dirname, '..');
const startScript = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

describe('the server starts with the runtime tuning everywhere', () => {
  it.each(Object.entries(runtimeEnvironment))('%s=%s in npm start and the Dockerfile', (name, value) => {
    expect(startScript).toContain(`${name}=${value} `);
    expect(dockerfile).toMatch(new RegExp(`^\\s*${name}=${value}\\b`, 'm'));
  });

  it(`node ${runtimeNodeArguments.join(' ')} in npm start and the Dockerfile`, () => {
    expect(startScript).toMatch(new RegExp(` node ${runtimeNodeArguments.join(' ')} src/main\\.ts$`));
    const dockerArguments = runtimeNodeArguments.map((argument) => `"${argument}", `).join('');
    expect(dockerfile).toContain(`CMD ["node", ${dockerArguments}"src/main.ts"]`);
  });
});

// The entry points turn Node's compile cache on (src/compile-cache.ts) under the OS temporary
// directory: it is written there, and a directory that cannot be made costs speed, not the start.
describe('the compile cache of the entry points', () => {
  const run = promisify(execFile);
  const cliHelp = (temporaryDirectory: string) =>
    run(process.execPath, [join(root, 'src', 'cli', 'main.ts'), '--help'], {
      env: { PATH: process.env.PATH ?? '', TMPDIR: temporaryDirectory },
    });
  const scratch = mkdtempSync(join(tmpdir(), 'counterpart-compile-cache-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is written under the temporary directory', async () => {
    const { stdout } = await cliHelp(scratch);
    expect(stdout).toContain('Usage: counterpart');
    expect(readdirSync(join(scratch, 'node-compile-cache'), { recursive: true }).length).toBeGreaterThan(100);
  });

  it('that cannot be created (the temporary directory is a file) does not stop a start', async () => {
    const notADirectory = join(scratch, 'a-file');
    writeFileSync(notADirectory, '');
    const { stdout } = await cliHelp(notADirectory);
    expect(stdout).toContain('Usage: counterpart');
  });
});
