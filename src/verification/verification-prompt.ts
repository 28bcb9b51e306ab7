// The re-verification prompt: the contact's own record, in their language, and four one-tap answers.
import { readableIn, type Contact, type RegistrySnapshot } from '../registry/index.ts';
import type { Button } from '../chat/index.ts';
import type { Locale } from '../i18n/index.ts';

type T = (locale: Locale, id: string, args?: Record<string, string | number>) => string;

const localized = (text: Record<string, string> | undefined, locale: Locale, fallback: string): string =>
  text === undefined ? fallback : (text[locale] ?? text.en ?? Object.values(text)[0] ?? fallback);

/**
 * The flows a prompt's answers open (truth-chat.ts): while one of them is open about a contact,
 * someone is answering for it, and its next prompt, reminder or flag waits (verification-service.ts).
 */
export const answerFlowIds = { away: 'truth-away', change: 'truth-change', gone: 'truth-gone' } as const;

/** Buttons carry `vfy:<answer>:<contactId>`; a contact id keeps it within every messenger's `maxButtonActionBytes` (64 at the smallest). */
export function promptButtons(t: T, locale: Locale, contactId: string): Button[] {
  return [
    { label: t(locale, 'truth-button-correct'), action: `vfy:ok:${contactId}` },
    { label: t(locale, 'truth-button-changed'), action: `vfy:chg:${contactId}` },
    { label: t(locale, 'truth-button-away'), action: `vfy:away:${contactId}` },
    { label: t(locale, 'truth-button-gone'), action: `vfy:gone:${contactId}` },
  ];
}

/** The record as its owner reads it. */
export function renderRecord(t: T, locale: Locale, snapshot: RegistrySnapshot, contact: Contact): string {
  const authority = snapshot.authorityById.get(contact.authority);
  const competences = contact.competences
    .map((id) =>
      localized(snapshot.competences.find((competence) => competence.id === id)?.label, locale, id),
    )
    .join(', ');
  const hours = contact.workingHours;
  const lines = [
    `${localized(contact.name, locale, contact.id)} — ${readableIn(contact.title, locale).text}`,
    localized(authority?.name, locale, contact.authority),
    t(locale, 'truth-record-competences', { competences }),
    t(locale, 'truth-record-languages', { languages: contact.languages.join(', ') }),
    t(locale, 'truth-record-hours', {
      days: hours.days.join(','),
      start: hours.start,
      end: hours.end,
    }),
    ...Object.entries(contact.channels).map(([kind, value]) => `${kind}: ${value}`),
  ];
  return lines.join('\n');
}

export function promptText(
  t: T,
  locale: Locale,
  snapshot: RegistrySnapshot,
  contact: Contact,
  reminder: boolean,
): string {
  return [
    t(locale, reminder ? 'truth-prompt-reminder' : 'truth-prompt', { verifiedAt: contact.verifiedAt }),
    '',
    renderRecord(t, locale, snapshot, contact),
    '',
    t(locale, 'truth-prompt-question'),
  ].join('\n');
}
