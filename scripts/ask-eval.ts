// Scores the question interpreter in process, without a server, on a JSONL question set (default:
// the shared development set). Same line format and pass rule as ../shared/eval/score-ask.mjs.
// Usage: npx node scripts/ask-eval.ts [questions.jsonl] [--verbose]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAskIndex } from '../src/ask/ask-index.ts';
import { demoSnapshot } from '../tests/support/registry-snapshot.ts';

interface Case {
  text: string;
  intent: 'find_contact' | 'other';
  countries: string[];
  competence: string | null;
}

const args = process.argv.slice(2);
const file =
  args.find((argument) => !argument.startsWith('--')) ??
  resolve(import.meta.dirname, '../../shared/eval/queries.dev.jsonl');
const verbose = args.includes('--verbose');
const { interpreter } = buildAskIndex(demoSnapshot());
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

let passed = 0;
const cases = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);
for (const expected of cases) {
  const got = interpreter.interpret(expected.text);
  const ok =
    got.intent === expected.intent &&
    (expected.intent !== 'find_contact' ||
      (sameSet(got.countries, expected.countries) && got.competence === expected.competence));
  if (ok) passed++;
  if (!ok || verbose) {
    const line = `${ok ? 'ok  ' : 'MISS'} ${JSON.stringify(expected.text)} expected ${JSON.stringify([expected.intent, expected.countries, expected.competence])} got ${JSON.stringify([got.intent, got.countries, got.competence, got.language])}`;
    process.stdout.write(`${line}\n`);
  }
}
process.stdout.write(
  `accuracy: ${((100 * passed) / cases.length).toFixed(1)}% (${passed}/${cases.length})\n`,
);
process.exitCode = passed === cases.length ? 0 : 1;
