// When nobody for a consultation can be reached through a messenger, the asker is not left at a
// dead end: the answer names the people of the registry to write or call instead (e-mail and
// phone of the best contacts and of the central authority's people).
import { readableIn, type Contact, type RegistrySnapshot } from '../registry/index.ts';
import type { Locale } from '../i18n/index.ts';

/** Contacts named: the best few for the competence, then someone at each central authority. */
const contactsNamed = 3;
const reachableBy = ['email', 'phone'] as const;

const name = (text: Record<string, string>, locale: Locale): string =>
  text[locale] ?? text.en ?? Object.values(text)[0] ?? '';

/**
 * Lines "Name, authority: e-mail … · phone …" in the asker's language, best contacts first, then
 * people at the country's central authorities for the competence. Empty when the registry holds
 * no e-mail or phone for any of them.
 */
export function fallbackContactLines(
  snapshot: RegistrySnapshot,
  country: string,
  competence: string,
  locale: Locale,
  t: (id: string, args?: Record<string, string>) => string,
): string[] {
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
    const channels = reachableBy
      .filter((kind) => contact.channels[kind] !== undefined)
      .map((kind) => t(`consult-fallback-${kind}`, { address: contact.channels[kind] ?? '' }));
    return t('consult-fallback-contact', {
      name: name(contact.name, title.language === 'en' ? 'en' : locale),
      authority: authority === undefined ? contact.authority : name(authority.name, locale),
      channels: channels.join(' · '),
    });
  });
}

const hasChannel = (contact: Contact): boolean =>
  reachableBy.some((kind) => contact.channels[kind] !== undefined);
