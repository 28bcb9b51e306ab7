// The tips library: short practical notes in several languages, shipped as a YAML file beside the
// code and validated at start like the nudge policies (a broken file stops the process).
import { readFile } from 'node:fs/promises';
import { Type, type Static } from 'typebox';
import { parse as parseYaml } from 'yaml';
import {
  IsoDate,
  LocalizedTextSchema,
  RecordId,
  VocabularyId,
  schemaProblems,
  type Problem,
} from '../registry/index.ts';
import { ConfigError } from '../config/index.ts';

const Source = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 300 }),
    url: Type.Optional(Type.String({ pattern: '^https://[^\\s]{1,500}$' })),
  },
  { additionalProperties: false },
);

export const TipSchema = Type.Object(
  {
    id: RecordId,
    topics: Type.Array(VocabularyId, { minItems: 1, maxItems: 20, uniqueItems: true }),
    title: LocalizedTextSchema,
    body: Type.Record(
      Type.String({ pattern: '^[a-z]{2,3}$' }),
      Type.String({ minLength: 1, maxLength: 4000 }),
      {
        additionalProperties: false,
      },
    ),
    sources: Type.Array(Source, { minItems: 1, maxItems: 20 }),
    verifiedAt: IsoDate,
  },
  { additionalProperties: false },
);

const TipsFileSchema = Type.Object(
  { tips: Type.Array(Type.Unknown(), { maxItems: 1000 }) },
  { additionalProperties: false },
);

export type Tip = Static<typeof TipSchema>;

/** Every problem of a tips file, listed at start so an operator fixes them in one go. */
export class TipsFileError extends ConfigError {
  constructor(file: string, problems: readonly Problem[]) {
    super(problems.map((problem) => `TIPS_FILE (${file}): ${problem.path || '/'} ${problem.message}`));
    this.name = 'TipsFileError';
  }
}

export async function loadTips(file: string): Promise<Tip[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TipsFileError(file, [
      { path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
  return parseTips(text, file);
}

export function parseTips(text: string, file = 'tips'): Tip[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new TipsFileError(file, [
      { path: '', message: `not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}` },
    ]);
  }
  const problems = schemaProblems(TipsFileSchema, document);
  if (problems.length > 0) throw new TipsFileError(file, problems);
  const tips = (document as { tips: unknown[] }).tips;
  const seen = new Set<string>();
  tips.forEach((tip, index) => {
    problems.push(...schemaProblems(TipSchema, tip, `/tips/${index}`));
    const record = tip as Partial<Tip>;
    for (const field of ['title', 'body'] as const) {
      if (typeof record[field] === 'object' && typeof record[field].en !== 'string')
        problems.push({ path: `/tips/${index}/${field}/en`, message: 'is required (English, the fallback)' });
    }
    if (typeof record.id === 'string') {
      if (seen.has(record.id))
        problems.push({ path: `/tips/${index}/id`, message: `duplicate id "${record.id}"` });
      seen.add(record.id);
    }
  });
  if (problems.length > 0) throw new TipsFileError(file, problems);
  return tips as Tip[];
}
