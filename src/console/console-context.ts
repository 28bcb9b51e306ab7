// What every stewardship page needs about its reader: who they are (the same cookie session as the
// chat console), which language they read, and the locale's way of writing dates and numbers.
import type { FastifyRequest } from 'fastify';
import { messengerName } from '../chat/index.ts';
import { AppError } from '../errors/index.ts';
import { hasRole, type Principal, type Role } from '../access/index.ts';
import { pageLocale } from '../http/index.ts';
import type { Locale, MessageArguments, Translator } from '../i18n/index.ts';
import { countryName } from '../registry/index.ts';

/** The page's reader, language and formatters. */
export interface PageContext {
  principal: Principal;
  locale: Locale;
  /** The path and query of this page (for the language switch and redirects). */
  url: string;
  t: (id: string, args?: MessageArguments) => string;
  date: (value: Date | string | null | undefined) => string;
  dateTime: (value: Date | string | null | undefined) => string;
  number: (value: number | null | undefined, digits?: number) => string;
  percent: (value: number | null | undefined) => string;
  /** A duration in seconds, in the largest sensible unit ("3.5 days", "5 hours"). */
  duration: (seconds: number | null | undefined) => string;
  /** A country's name; null (an admin of no country) reads "Network secretariat (no country)". */
  country: (iso2: string | null) => string;
  /** Registry text in the reader's language, English when missing. */
  text: (value: Record<string, string> | string | undefined) => string;
  /** A messenger's name in the reader's language, as its adapter gives it (src/chat/messenger-names.ts). */
  messenger: (platform: string) => string;
}

/** A console page needs a session; with none the reader is sent to log in and come back. */
export class LoginRequired extends Error {
  readonly next: string;
  constructor(next: string) {
    super('login required');
    this.next = next;
  }
}

export interface ContextOptions {
  translator: Translator;
  defaultLocale: Locale;
}

export function createPageContexts({ translator, defaultLocale }: ContextOptions) {
  return function pageContext(request: FastifyRequest, minimum: Role): PageContext {
    const principal = request.principal;
    if (principal?.sessionId === undefined) throw new LoginRequired(request.url);
    const locale = pageLocale(request, defaultLocale);
    if (!hasRole(principal.role, minimum))
      throw new AppError('forbidden', `this page needs the ${minimum} role`, { reason: 'role' });
    return formatting(principal, locale, request.url, translator);
  };
}

export function formatting(
  principal: Principal,
  locale: Locale,
  url: string,
  translator: Translator,
): PageContext {
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  // Times are shown in UTC (and say so): members of a network across eight time zones compare them.
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number) => {
    let format = numberFormats.get(digits);
    if (format === undefined) {
      format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
      numberFormats.set(digits, format);
    }
    return format;
  };
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const unitFormats = new Map<string, Intl.NumberFormat>();
  const unit = (name: 'day' | 'hour' | 'minute' | 'second', value: number) => {
    let format = unitFormats.get(name);
    if (format === undefined) {
      format = new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: name,
        unitDisplay: 'long',
        maximumFractionDigits: 1,
      });
      unitFormats.set(name, format);
    }
    return format.format(value);
  };
  const toDate = (value: Date | string) => (typeof value === 'string' ? new Date(value) : value);
  return {
    principal,
    locale,
    url,
    t: (id, args) => translator.t(locale, id, args),
    date: (value) => (value == null ? '' : dateFormat.format(toDate(value))),
    dateTime: (value) => (value == null ? '' : `${dateTimeFormat.format(toDate(value))} UTC`),
    number: (value, digits = 0) => (value == null ? '–' : numberFormat(digits).format(value)),
    percent: (value) => (value == null ? '–' : percentFormat.format(value)),
    duration: (seconds) => {
      if (seconds == null) return '–';
      if (seconds >= 2 * 86_400) return unit('day', seconds / 86_400);
      if (seconds >= 2 * 3_600) return unit('hour', seconds / 3_600);
      if (seconds >= 120) return unit('minute', seconds / 60);
      return unit('second', seconds);
    },
    country: (iso2) =>
      iso2 === null ? translator.t(locale, 'no-country-secretariat') : (countryName(iso2)[locale] ?? iso2),
    text: (value) => {
      if (value === undefined) return '';
      if (typeof value === 'string') return value;
      return value[locale] ?? value.en ?? Object.values(value)[0] ?? '';
    },
    messenger: (platform) => messengerName(translator, locale, platform),
  };
}
