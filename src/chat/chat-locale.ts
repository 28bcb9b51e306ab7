import { isLocale, type Locale } from '../i18n/index.ts';

/**
 * Messenger language codes of the network's region mapped to the answer language members there
 * read most easily: Russian is the working language between Central Asia and the Caucasus.
 */
const regionalLanguages: Readonly<Record<string, Locale>> = {
  kk: 'ru',
  ky: 'ru',
  uz: 'ru',
  tg: 'ru',
  tk: 'ru',
  az: 'ru',
  hy: 'ru',
  ka: 'ru',
  be: 'ru',
  uk: 'ru',
};

/** `ru-RU`, `RU`, `kk` → a supported locale; undefined for anything else. */
export function toLocale(value: string | null | undefined): Locale | undefined {
  if (value == null) return undefined;
  const language = value.toLowerCase().split(/[-_]/)[0] ?? '';
  if (isLocale(language)) return language;
  return regionalLanguages[language];
}

/** The language a text is written in, judged by its letters; undefined when it has none (a code, "MLA KG" is Latin). */
export function detectTextLocale(text: string | undefined): Locale | undefined {
  if (text === undefined) return undefined;
  const cyrillic = (text.match(/\p{Script=Cyrillic}/gu) ?? []).length;
  const latin = (text.match(/\p{Script=Latin}/gu) ?? []).length;
  if (cyrillic === 0 && latin === 0) return undefined;
  return cyrillic >= latin ? 'ru' : 'en';
}

/** The first candidate that names a supported language, most authoritative first. */
export function chooseLocale(candidates: readonly (string | null | undefined)[], fallback: Locale): Locale {
  for (const candidate of candidates) {
    const locale = toLocale(candidate);
    if (locale !== undefined) return locale;
  }
  return fallback;
}
