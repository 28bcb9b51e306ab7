// `npm start`, the Docker image and the benchmarks start the server with the same memory settings,
// so the memory the bench reports is the memory a deployment gets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
