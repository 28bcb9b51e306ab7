// The console page is rendered on the server in the reader's language, so it reads right before
// any script runs; the strings the script needs travel in a JSON data block (not executed, so the
// Content-Security-Policy's script-src 'self' still holds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { supportedLocales, type Locale, type Translator } from '../../src/i18n/i18n.ts';
import type { Principal } from '../../src/access/index.ts';

export const publicFolder = join(import.meta.dirname, 'public');
// The page language is chosen the same way on every console page (chat and stewardship).
export { localeCookieName, pageLocale } from '../../src/http/page-locale.ts';

/** Strings the browser script uses after load (the rest are rendered into the page). */
const scriptStringIds = [
  'web-login-working',
  'web-login-submit',
  'web-login-refused',
  'web-login-throttled',
  'web-login-code-label',
  'web-login-code-hint',
  'web-login-token-label',
  'web-login-token-hint',
  'web-sending',
  'web-send',
  'web-from-you',
  'web-from-bot',
  'web-buttons-label',
  'web-error-generic',
  'web-error-rate-limited',
  'web-error-busy',
  'web-session-ended',
  'web-connection-lost',
  'web-connection-back',
  'web-push-label',
  'web-copy',
  'web-copied',
  'web-copy-failed',
] as const;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** JSON safe inside a script element: `<` can never close it. */
const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** "Kyrgyzstan" / "Киргизия" for an ISO code; the code itself for "ZZ" and other unknowns. */
export function countryName(iso2: string, locale: Locale): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' }).of(iso2) ?? iso2;
  } catch {
    return iso2;
  }
}

export interface PageContext {
  locale: Locale;
  principal: Principal | undefined;
  demo: boolean;
  /** An invite code from the invite's web link (`/login?code=…`): the login form shows, filled in. */
  loginCode?: string | undefined;
}

export type PageRenderer = (context: PageContext) => string;

export function createPageRenderer(translator: Translator): PageRenderer {
  const template = readFileSync(join(publicFolder, 'index.html'), 'utf8');
  return ({ locale, principal, demo, loginCode }) => {
    const loggedIn = principal?.sessionId !== undefined && loginCode === undefined;
    const steward = loggedIn && (principal.role === 'coordinator' || principal.role === 'admin');
    const strings = Object.fromEntries(scriptStringIds.map((id) => [id, translator.t(locale, id)]));
    const values: Record<string, string> = {
      lang: locale,
      state: loggedIn ? 'chat' : 'login',
      'login-hidden': loggedIn ? ' hidden' : '',
      'chat-hidden': loggedIn ? '' : ' hidden',
      'demo-hidden': demo ? '' : ' hidden',
      'stewardship-hidden': steward ? '' : ' hidden',
      'login-code': escapeHtml(loginCode ?? ''),
      'lang-en-current': locale === 'en' ? ' aria-current="true"' : '',
      'lang-ru-current': locale === 'ru' ? ' aria-current="true"' : '',
      whoami: !loggedIn
        ? ''
        : escapeHtml(
            translator.t(locale, 'web-signed-in-as', {
              name: principal.name,
              country:
                principal.country === null
                  ? translator.t(locale, 'no-country-secretariat')
                  : countryName(principal.country, locale),
            }),
          ),
      strings: jsonForScript({ locale, locales: supportedLocales, strings }),
    };
    return template.replace(
      /\{\{(t:)?([a-z0-9-]+)\}\}/g,
      (_match, isMessage: string | undefined, key: string) => {
        if (isMessage !== undefined) return escapeHtml(translator.t(locale, key));
        const value = values[key];
        if (value === undefined) throw new Error(`console page: no value for {{${key}}}`);
        return value;
      },
    );
  };
}

/**
 * Does the registry say it is demonstration data (the demo file's notice and network name do)?
 * The page then shows its own, translated, demo notice.
 */
export function looksLikeDemoRegistry(header: {
  notice?: string | undefined;
  network?: { id?: string; name?: Record<string, string> } | undefined;
}): boolean {
  const words = [
    header.notice ?? '',
    header.network?.id ?? '',
    ...Object.values(header.network?.name ?? {}),
  ].join(' ');
  return /\bdemo(nstration)?\b|демо/i.test(words);
}
