// `npm run bench` runs every part; `npm run bench -- contacts` runs one. Each part is a module
// `bench/<part>.bench.ts` exporting `name` and `run()`, which returns named figures. The figures
// are printed as a table and merged into bench/results.json, keeping other parts' figures.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

export interface BenchPart {
  name: string;
  run(): Promise<Record<string, number>>;
}

const benchDirectory = import.meta.dirname;
const resultsPath = resolve(benchDirectory, 'results.json');

async function discoverParts(): Promise<Map<string, string>> {
  const files = (await readdir(benchDirectory)).filter((file) => file.endsWith('.bench.ts')).sort();
  return new Map(files.map((file) => [basename(file, '.bench.ts'), resolve(benchDirectory, file)]));
}

async function loadPart(path: string): Promise<BenchPart> {
  const module = (await import(path)) as Partial<BenchPart> & { default?: BenchPart };
  const part = module.default ?? module;
  if (typeof part.name !== 'string' || typeof part.run !== 'function') {
    throw new Error(`${path} must export name and run()`);
  }
  return part as BenchPart;
}

async function readResults(): Promise<Record<string, number>> {
  try {
    return JSON.parse(await readFile(resultsPath, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function printTable(rows: readonly [string, string, number][]): void {
  const header: [string, string, string] = ['part', 'figure', 'value'];
  const cells = rows.map(([part, figure, value]) => [
    part,
    figure,
    Number.isInteger(value) ? String(value) : value.toFixed(3),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

async function main(): Promise<void> {
  const available = await discoverParts();
  const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
  const unknown = requested.filter((part) => !available.has(part));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown bench part(s): ${unknown.join(', ')}; available: ${[...available.keys()].join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const selected = requested.length > 0 ? requested : [...available.keys()];
  const rows: [string, string, number][] = [];
  for (const key of selected) {
    const part = await loadPart(available.get(key) ?? '');
    process.stderr.write(`running ${part.name}...\n`);
    const figures = await part.run();
    // Merged one part at a time, so a part that fails later does not lose earlier figures.
    const results = { ...(await readResults()), ...figures };
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    for (const [figure, value] of Object.entries(figures)) rows.push([part.name, figure, value]);
  }
  printTable(rows);
  process.stdout.write(`\nwritten to ${resultsPath}\n`);
}

await main();
