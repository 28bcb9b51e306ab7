// A ranked contact as a card: name and title, then authority, absence with the deputy, languages,
// channels as links, local time and verification. Lines are in the answer language; registry text
// without a translation goes on a line of its own, so no line mixes two languages.
import type { RankedContact } from './ask-types.ts';
import type { AnswerFormat } from './composer-format.ts';
import type { Card, Inline, RichBlock, RichLine } from '../chat/index.ts';
import { channelHref, displayChannelValue } from '../registry/index.ts';

const line = (role: NonNullable<RichLine['role']>, text: string): RichLine => ({ role, inlines: [{ text }] });

/** Channels as "Phone: +… · E-mail: …", each value a link where its kind has one. */
function channelsLine(format: AnswerFormat, channels: Record<string, string>): RichLine | undefined {
  const inlines: Inline[] = [];
  for (const [kind, address] of Object.entries(channels)) {
    if (inlines.length > 0) inlines.push({ text: ' · ' });
    inlines.push({ text: `${format.label('ask-channel', kind)}: ` });
    const href = channelHref(kind, address);
    const text = displayChannelValue(kind, address);
    inlines.push(href === undefined ? { text } : { text, href });
  }
  return inlines.length === 0 ? undefined : { role: 'channels', inlines };
}

/** Compact (answers about several countries): without the authority and languages lines. */
export function contactCard(
  format: AnswerFormat,
  contact: RankedContact,
  position: number,
  compact: boolean,
): Card {
  const { t, date, list, languageName } = format;
  const lines: RichLine[] = [];
  if (!compact) lines.push(line('authority', contact.authority.name));
  if (contact.outOfOffice !== null) {
    const { note, noteLanguage } = contact.outOfOffice;
    const inline = note !== null && note !== '' && (noteLanguage === null || noteLanguage === format.locale);
    const away = inline
      ? t('ask-contact-away-note', { until: date(contact.outOfOffice.end), note })
      : t('ask-contact-away', { until: date(contact.outOfOffice.end) });
    lines.push(
      line(
        'away',
        contact.deputy === null
          ? away
          : `${away}; ${t('ask-contact-deputy', { deputy: contact.deputy.name })}`,
      ),
    );
    if (!inline && note !== null && note !== '') lines.push(line('note', note));
  }
  if (!compact)
    lines.push(
      line('languages', t('ask-contact-languages', { languages: list(contact.languages.map(languageName)) })),
    );
  const channels = channelsLine(format, contact.channels);
  if (channels !== undefined) lines.push(channels);
  const verified = contact.possiblyStale
    ? t('ask-contact-stale', { date: date(contact.verifiedAt) })
    : t('ask-contact-verified', { date: date(contact.verifiedAt) });
  lines.push(
    line(
      'time',
      `${t('ask-contact-time', { time: contact.localTime, inside: contact.withinWorkingHours ? 'yes' : 'no' })} · ${verified}`,
    ),
  );
  return {
    position,
    heading: t('ask-contact', { position, name: contact.name, title: contact.title }),
    name: contact.name,
    title: contact.title,
    lines,
    away: contact.outOfOffice !== null,
    stale: contact.possiblyStale,
    working: contact.withinWorkingHours,
  };
}

export interface ContactBlocksOptions {
  /** Cards shown at once; the rest go into a collapsed part. */
  shown: number;
  /** Detailed as non-compact cards (a single country's answer). */
  compact: boolean;
  /** Contacts already described in this message: named again with "(see above)". */
  described?: Set<string> | undefined;
  /** What expands the collapsed part on messengers without a disclosure (a button of the message). */
  expand?: { action: string | undefined; summary: string } | undefined;
}

/** The cards of a list of contacts, the first `shown` at once and the rest collapsed. */
export function contactBlocks(
  format: AnswerFormat,
  contacts: readonly RankedContact[],
  { shown, compact, described = new Set<string>(), expand }: ContactBlocksOptions,
): RichBlock[] {
  const cardOf = (contact: RankedContact, index: number): RichBlock => {
    if (described.has(contact.id))
      return {
        kind: 'line',
        line: {
          inlines: [
            {
              text: `${format.t('ask-contact', { position: index + 1, name: contact.name, title: contact.title })} ${format.t('ask-see-above')}`,
            },
          ],
        },
      };
    described.add(contact.id);
    return { kind: 'card', card: contactCard(format, contact, index + 1, compact) };
  };
  const blocks = contacts.slice(0, shown).map(cardOf);
  if (contacts.length > shown) {
    const rest = contacts
      .slice(shown)
      .map((contact, index) => contactCard(format, contact, shown + index + 1, compact));
    blocks.push({
      kind: 'more',
      note: format.t('ask-more-contacts', { count: contacts.length - shown }),
      summary: expand?.summary ?? format.t('ask-show-all', { count: contacts.length }),
      ...(expand?.action === undefined ? {} : { action: expand.action }),
      cards: rest,
    });
  }
  return blocks;
}
