// The language of a console page (the chat console and the stewardship pages choose it alike).
import type { FastifyRequest } from 'fastify';
import { isLocale, type Locale } from '../i18n/index.ts';

/** Remembers a language picked with `?lang=` across visits and the login that follows. */
export const localeCookieName = 'counterpart_locale';

/**
 * The page language: an explicit choice (`?lang=`, then the remembered cookie), then the member's
 * own language, then the browser's, then the deployment default.
 */
export function pageLocale(request: FastifyRequest, fallback: Locale): Locale {
  const query = (request.query as { lang?: unknown } | undefined)?.lang;
  if (isLocale(query)) return query;
  const cookie = request.cookies[localeCookieName];
  if (isLocale(cookie)) return cookie;
  if (isLocale(request.principal?.locale)) return request.principal.locale;
  return acceptedLocale(request.headers['accept-language']) ?? fallback;
}

function acceptedLocale(header: string | undefined): Locale | undefined {
  if (header === undefined) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.find((parameter) => parameter.trim().startsWith('q='));
      return {
        language: tag.trim().toLowerCase().split('-')[0] ?? '',
        weight: q === undefined ? 1 : Number(q.trim().slice(2)),
      };
    })
    .filter((entry) => Number.isFinite(entry.weight) && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight);
  return ranked.map((entry) => entry.language).find(isLocale);
}
