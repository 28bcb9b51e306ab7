// When nobody for a consultation can be reached through a messenger, the asker is not left at a
// dead end: the answer names the people of the registry to write or call instead (e-mail and
// phone of the best contacts and of the central authority's people), as links where the
// messenger has them (`tel:`, `mailto:`).
import type { Inline, RichBlock } from '../chat/index.ts';
import { channelHref, readableIn, type Contact, type RegistrySnapshot } from '../registry/index.ts';
import type { Locale } from '../i18n/index.ts';

/** Contacts named: the best few for the competence, then someone at each central authority. */
const contactsNamed = 3;
const reachableBy = ['email', 'phone'] as const;

const name = (text: Record<string, string>, locale: Locale): string =>
  text[locale] ?? text.en ?? Object.values(text)[0] ?? '';

type Translate = (id: string, args?: Record<string, string>) => string;

/** A person to write or call, as the asker reads them. */
export interface FallbackContact {
  id: string;
  name: string;
  authority: string;
  channels: { kind: (typeof reachableBy)[number]; address: string }[];
}

/**
 * The best contacts for the competence, then people at the country's central authorities for
 * it, in the asker's language; only those with an e-mail or a phone in the registry.
 */
export function fallbackContacts(
  snapshot: RegistrySnapshot,
  country: string,
  competence: string,
  locale: Locale,
): FallbackContact[] {
  const active = snapshot.contacts.filter(
    (contact) => contact.country === country && contact.status === 'active' && hasChannel(contact),
  );
  const best = active.filter((contact) => contact.competences.includes(competence)).slice(0, contactsNamed);
  const centralAuthorities = snapshot.authorities.filter(
    (authority) => authority.country === country && authority.centralAuthorityFor.includes(competence),
  );
  const atAuthorities = centralAuthorities.flatMap((authority) => {
    const someone = active.find(
      (contact) => contact.authority === authority.id && !best.some((chosen) => chosen.id === contact.id),
    );
    return someone === undefined ? [] : [someone];
  });
  return [...best, ...atAuthorities].map((contact) => {
    const authority = snapshot.authorityById.get(contact.authority);
    const title = readableIn(contact.title, locale);
    return {
      id: contact.id,
      name: name(contact.name, title.language === 'en' ? 'en' : locale),
      authority: authority === undefined ? contact.authority : name(authority.name, locale),
      channels: reachableBy.flatMap((kind) => {
        const address = contact.channels[kind];
        return address === undefined ? [] : [{ kind, address }];
      }),
    };
  });
}

// A message's arguments are filled with this mark to find where a link goes inside the sentence,
// so each language keeps its own word order around it.
const slot = '\u0000';
const around = (sentence: string): [string, string] => {
  const at = sentence.indexOf(slot);
  return at === -1 ? [sentence, ''] : [sentence.slice(0, at), sentence.slice(at + slot.length)];
};

/** "Name, authority: e-mail … · phone …", the addresses as links. */
function contactInlines(contact: FallbackContact, t: Translate): Inline[] {
  const channels: Inline[] = [];
  for (const { kind, address } of contact.channels) {
    if (channels.length > 0) channels.push({ text: ' · ' });
    const [before, after] = around(t(`consult-fallback-${kind}`, { address: slot }));
    const href = channelHref(kind, address);
    channels.push({ text: before }, href === undefined ? { text: address } : { text: address, href });
    if (after !== '') channels.push({ text: after });
  }
  const [before, after] = around(
    t('consult-fallback-contact', { name: contact.name, authority: contact.authority, channels: slot }),
  );
  return [{ text: before }, ...channels, ...(after === '' ? [] : [{ text: after }])].filter(
    (inline) => inline.text !== '',
  );
}

/**
 * The undeliverable notice as rich content: what happened, then the people to write or call with
 * their addresses as links. Its plain rendering is the notice's text.
 */
export function undeliverableBlocks(
  notice: string,
  contacts: readonly FallbackContact[],
  t: Translate,
): RichBlock[] {
  const blocks: RichBlock[] = [{ kind: 'line', line: { role: 'notice', inlines: [{ text: notice }] } }];
  if (contacts.length === 0) return blocks;
  blocks.push({ kind: 'gap' }, { kind: 'heading', text: t('consult-fallback-heading') });
  for (const contact of contacts)
    blocks.push({ kind: 'line', line: { role: 'channels', inlines: contactInlines(contact, t) } });
  return blocks;
}

const hasChannel = (contact: Contact): boolean =>
  reachableBy.some((kind) => contact.channels[kind] !== undefined);
