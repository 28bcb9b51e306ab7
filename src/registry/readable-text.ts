// Registry text people read (titles, leave notes, urgent procedures) comes as one plain string or
// per language. Readers pick one language per piece of text and say which, so an answer never
// splices two languages into one sentence.
import type { ReadableText } from './registry-schema.ts';

export interface TextInLanguage {
  text: string;
  /** The language picked; undefined for a plain string, whose language the file does not say. */
  language: string | undefined;
}

/** The text in `locale`, else in English (every per-language text has it), else the first given. */
export function readableIn(value: ReadableText, locale: string): TextInLanguage {
  if (typeof value === 'string') return { text: value, language: undefined };
  for (const language of [locale, 'en']) {
    const text = value[language];
    if (text !== undefined) return { text, language };
  }
  const [first] = Object.entries(value);
  return first === undefined ? { text: '', language: undefined } : { text: first[1], language: first[0] };
}

/** Does the picked text read in `locale` (or is a plain string, which is shown as written)? */
export const readsIn = (picked: TextInLanguage, locale: string): boolean =>
  picked.language === undefined || picked.language === locale;
