import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';

export const supportedLocales = ['en', 'ru'] as const;
export type Locale = (typeof supportedLocales)[number];

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && (supportedLocales as readonly string[]).includes(value);

export type MessageArguments = Record<string, FluentVariable>;

/** Translates message ids; every user-visible string goes through here. */
export interface Translator {
  t(locale: Locale, id: string, args?: MessageArguments): string;
  has(locale: Locale, id: string): boolean;
}

const localesFolder = join(import.meta.dirname, 'locales');

/**
 * Loads every `.ftl` file under `locales/<locale>/` (each module keeps its own file, e.g.
 * `ask.ftl`, `chat.ftl`), then those of `extraFolders` (messenger adapters keep their own chrome
 * beside their code; the composition root passes their folders). A message id defined twice is an
 * error, so an adapter cannot silently change a core text. A message missing in one language falls
 * back to English, then to its id, so a gap shows up as an odd word rather than a crash.
 */
export function createTranslator(extraFolders: readonly string[] = []): Translator {
  // One bundle per supported locale.
  const bundles = new Map<Locale, FluentBundle>();
  for (const locale of supportedLocales) {
    // Isolation marks around placeables confuse plain-text messengers; our messages are plain text.
    const bundle = new FluentBundle(locale, { useIsolating: false });
    for (const folder of [localesFolder, ...extraFolders]) {
      const directory = join(folder, locale);
      // An adapter may bring texts in some languages only: the others fall back to English.
      if (folder !== localesFolder && !existsSync(directory)) continue;
      for (const file of readdirSync(directory)
        .filter((name) => name.endsWith('.ftl'))
        .sort()) {
        const errors = bundle.addResource(new FluentResource(readFileSync(join(directory, file), 'utf8')));
        if (errors.length > 0)
          throw new Error(`i18n: ${join(directory, file)}: ${errors.map((e) => e.message).join('; ')}`);
      }
    }
    bundles.set(locale, bundle);
  }

  const format = (locale: Locale, id: string, args?: MessageArguments): string | undefined => {
    const bundle = bundles.get(locale);
    const message = bundle?.getMessage(id);
    if (bundle === undefined || message?.value == null) return undefined;
    const errors: Error[] = [];
    const text = bundle.formatPattern(message.value, args ?? null, errors);
    return text;
  };

  return {
    t(locale, id, args) {
      return format(locale, id, args) ?? format('en', id, args) ?? id;
    },
    has(locale, id) {
      return bundles.get(locale)?.hasMessage(id) ?? false;
    },
  };
}
