// The texts of nudges, escalations and notices, in the recipient's language.
import { DateTime } from 'luxon';
import { answers, type RequestRow, type RequestStatus } from './request-types.ts';
import type { Button, OutboundMessage } from '../chat/index.ts';
import { isLocale, type Locale, type Translator } from '../i18n/index.ts';
import type { Contact, LocalizedText, RegistrySnapshot } from '../registry/index.ts';

export interface RequestMessages {
  nudge(input: {
    locale: Locale;
    request: RequestRow;
    snapshot: RegistrySnapshot;
    requesterName: string;
    standingInFor: Contact | undefined;
    timezone: string;
  }): OutboundMessage;
  escalation(input: {
    locale: Locale;
    request: RequestRow;
    snapshot: RegistrySnapshot;
    count: number;
    timezone: string;
  }): OutboundMessage;
  notice(
    locale: Locale,
    id: string,
    request: RequestRow,
    snapshot: RegistrySnapshot,
    args?: Record<string, string | number>,
  ): OutboundMessage;
  answerButtons(locale: Locale, requestId: string): Button[];
  status(locale: Locale, status: RequestStatus): string;
  typeLabel(locale: Locale, type: string, snapshot: RegistrySnapshot): string;
  /** A request's `fromCountry` is null when the secretariat filed it under no country. */
  countryName(locale: Locale, iso2: string | null, snapshot: RegistrySnapshot): string;
  contactName(locale: Locale, contact: Contact | undefined): string;
  authorityName(locale: Locale, authorityId: string | null, snapshot: RegistrySnapshot): string;
  date(locale: Locale, at: Date, timezone: string): string;
  dateTime(locale: Locale, at: Date, timezone: string): string;
}

/** Picks the text of the locale, else English, else any. */
export const localized = (text: LocalizedText | undefined, locale: Locale): string =>
  text === undefined ? '' : (text[locale] ?? text.en ?? Object.values(text)[0] ?? '');

/**
 * A member's language: their saved choice; else the first language of their registry record we
 * speak; else the deployment default.
 */
export function recipientLocale(
  memberLocale: string | null,
  contact: Contact | undefined,
  fallback: Locale,
): Locale {
  if (isLocale(memberLocale)) return memberLocale;
  return contact?.languages.find(isLocale) ?? fallback;
}

export function createRequestMessages(translator: Translator): RequestMessages {
  const t = translator.t.bind(translator);
  const status = (locale: Locale, value: RequestStatus) => t(locale, `requests-status-${value}`);
  const typeLabel = (locale: Locale, type: string, snapshot: RegistrySnapshot) =>
    localized(snapshot.competences.find((competence) => competence.id === type)?.label, locale) || type;
  const countryName = (locale: Locale, iso2: string | null, snapshot: RegistrySnapshot) => {
    if (iso2 === null) return t(locale, 'no-country-secretariat');
    const name = (snapshot.countryByIso2.get(iso2) as { name?: LocalizedText } | undefined)?.name;
    return localized(name, locale) || iso2;
  };
  const contactName = (locale: Locale, contact: Contact | undefined) =>
    contact === undefined ? '—' : localized(contact.name, locale) || contact.id;
  const authorityName = (locale: Locale, authorityId: string | null, snapshot: RegistrySnapshot) =>
    authorityId === null
      ? '—'
      : localized(snapshot.authorityById.get(authorityId)?.name, locale) || authorityId;
  // Formatting a date builds an Intl formatter: cached per day, as a batch of nudges repeats few dates.
  const dates = new Map<string, string>();
  const date = (locale: Locale, at: Date, timezone: string) => {
    const key = `${locale}|${timezone}|${Math.floor(at.getTime() / 3_600_000)}`;
    let text = dates.get(key);
    if (text === undefined) {
      text = DateTime.fromJSDate(at, { zone: timezone }).setLocale(locale).toLocaleString(DateTime.DATE_MED);
      if (dates.size > 10_000) dates.clear();
      dates.set(key, text);
    }
    return text;
  };
  const dateTime = (locale: Locale, at: Date, timezone: string) =>
    DateTime.fromJSDate(at, { zone: timezone }).setLocale(locale).toLocaleString(DateTime.DATETIME_MED);
  const labels = new Map<Locale, { code: string; label: string }[]>();
  const answerButtons = (locale: Locale, requestId: string): Button[] => {
    let translated = labels.get(locale);
    if (translated === undefined) {
      translated = Object.keys(answers).map((code) => ({
        code,
        label: t(locale, `requests-button-${code}`),
      }));
      labels.set(locale, translated);
    }
    return translated.map(({ code, label }) => ({ label, action: `req:${requestId}:${code}` }));
  };

  const common = (locale: Locale, request: RequestRow, snapshot: RegistrySnapshot) => ({
    type: typeLabel(locale, request.type, snapshot),
    fromCountry: countryName(locale, request.fromCountry, snapshot),
    toCountry: countryName(locale, request.toCountry, snapshot),
    ourReference: request.ourReference,
    subject: request.subject,
    status: status(locale, request.status),
    contactName: contactName(
      locale,
      request.contactId === null ? undefined : snapshot.contactById.get(request.contactId),
    ),
    authority: authorityName(locale, request.authorityId, snapshot),
  });

  return {
    nudge({ locale, request, snapshot, requesterName, standingInFor, timezone }) {
      const lines: string[] = [];
      if (request.urgent) lines.push(t(locale, 'requests-nudge-urgent'));
      lines.push(
        t(locale, 'requests-nudge', {
          ...common(locale, request, snapshot),
          requesterName,
          sentDate: date(locale, request.sentAt, timezone),
        }),
      );
      if (request.theirReference !== null)
        lines.push(t(locale, 'requests-nudge-their-reference', { theirReference: request.theirReference }));
      if (standingInFor !== undefined)
        lines.push(t(locale, 'requests-nudge-deputy', { contactName: contactName(locale, standingInFor) }));
      return { text: lines.join('\n'), buttons: answerButtons(locale, request.id), locale };
    },
    escalation({ locale, request, snapshot, count, timezone }) {
      return {
        text: t(locale, 'requests-escalation', {
          ...common(locale, request, snapshot),
          count,
          sentDate: date(locale, request.sentAt, timezone),
        }),
        buttons: answerButtons(locale, request.id),
        locale,
      };
    },
    notice(locale, id, request, snapshot, args = {}) {
      return { text: t(locale, id, { ...common(locale, request, snapshot), ...args }), locale };
    },
    answerButtons,
    status,
    typeLabel,
    countryName,
    contactName,
    authorityName,
    date,
    dateTime,
  };
}
