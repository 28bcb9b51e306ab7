// How the core speaks of messengers to people without naming one itself. A messenger's name, in
// each language, belongs to its adapter: the adapter's locales folder defines
// `messenger-name-<platform>` (bots/<adapter>/locales/<locale>/*.ftl). Texts about where sensitive
// content may go name the messengers whose capabilities say end-to-end encrypted, whichever they are.
import type { Locale, Translator } from '../i18n/index.ts';
import type { Messenger } from './messenger-port.ts';

/** The message id under which an adapter gives its messenger's name to people. */
export const messengerNameId = (platform: string): string => `messenger-name-${platform}`;

/**
 * A messenger's name as people read it in `locale`. A messenger whose adapter brought no name (a
 * deployment's own adapter without texts) reads as its platform id, never as a message id.
 */
export function messengerName(
  translator: Pick<Translator, 't' | 'has'>,
  locale: Locale,
  platform: string,
): string {
  const id = messengerNameId(platform);
  return translator.has(locale, id) || translator.has('en', id) ? translator.t(locale, id) : platform;
}

const alternativesFormats = new Map<Locale, Intl.ListFormat>();

/** Alternatives joined the locale's way: "A", "A or B", "A, B или C". */
export function alternatives(locale: Locale, items: readonly string[]): string {
  let format = alternativesFormats.get(locale);
  if (format === undefined) {
    format = new Intl.ListFormat(locale, { type: 'disjunction' });
    alternativesFormats.set(locale, format);
  }
  return format.format(items);
}

/**
 * Fluent variables for texts that say where sensitive content may go:
 * - `messenger`: the end-to-end encrypted messengers' names, as alternatives;
 * - `encryptedMessengers`: how many there are (texts select a wording for 0);
 * - `command`: `command` as typed on them (each with its own command sign, e.g. "!consult").
 */
export function encryptedMessengerArguments(
  translator: Pick<Translator, 't' | 'has'>,
  locale: Locale,
  messengers: readonly Messenger[],
  command: string,
): { messenger: string; encryptedMessengers: number; command: string } {
  const encrypted = messengers.filter((messenger) => messenger.capabilities.endToEndEncrypted);
  const prefixes = [...new Set(encrypted.map((messenger) => messenger.capabilities.commandPrefix))];
  return {
    messenger: alternatives(
      locale,
      encrypted.map((messenger) => messengerName(translator, locale, messenger.platform)),
    ),
    encryptedMessengers: encrypted.length,
    command: alternatives(
      locale,
      prefixes.map((prefix) => `${prefix}${command}`),
    ),
  };
}
