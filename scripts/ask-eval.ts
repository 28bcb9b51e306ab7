// Scores the question interpreter in process, without a server, on JSONL question sets (default:
// the shared development set). Same line format and pass rule as ../shared/eval/score-ask.mjs,
// plus `asks` ("contacts" when a line does not say) for questions for the registry.
// Usage: npx node scripts/ask-eval.ts [questions.jsonl ...] [--verbose]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAskIndex } from '../src/ask/ask-index.ts';
import { demoSnapshot } from '../tests/support/registry-snapshot.ts';

interface Case {
  text: string;
  intent: 'find_contact' | 'other';
  countries: string[];
  competence: string | null;
  asks?: 'contacts' | 'requirements' | 'tips';
}

const args = process.argv.slice(2);
const files = args.filter((argument) => !argument.startsWith('--'));
if (files.length === 0) files.push(resolve(import.meta.dirname, '../../shared/eval/queries.dev.jsonl'));
const verbose = args.includes('--verbose');
const { interpreter } = buildAskIndex(demoSnapshot());
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

let allPassed = true;
for (const file of files) {
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
        (sameSet(got.countries, expected.countries) &&
          got.competence === expected.competence &&
          got.asks === (expected.asks ?? 'contacts')));
    if (ok) passed++;
    if (!ok || verbose) {
      const want = [expected.intent, expected.countries, expected.competence, expected.asks ?? 'contacts'];
      const line = `${ok ? 'ok  ' : 'MISS'} ${JSON.stringify(expected.text)} expected ${JSON.stringify(want)} got ${JSON.stringify([got.intent, got.countries, got.competence, got.asks, got.language])}`;
      process.stdout.write(`${line}\n`);
    }
  }
  process.stdout.write(
    `${file}: accuracy ${((100 * passed) / cases.length).toFixed(1)}% (${passed}/${cases.length})\n`,
  );
  if (passed !== cases.length) allPassed = false;
}
process.exitCode = allPassed ? 0 : 1;
