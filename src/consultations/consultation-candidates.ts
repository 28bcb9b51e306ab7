import { rankContacts } from '../ask/index.ts';
import type { RankCandidates, RankedCandidate } from './consultation-types.ts';
import type { Contact, RegistrySnapshot } from '../registry/index.ts';
import type { WorkingTime } from '../schedule/index.ts';

/** Is the contact out of office on today's date in their country's time zone? */
export function isAway(
  workingTime: WorkingTime,
  snapshot: RegistrySnapshot,
  contact: Contact,
  now: Date,
): boolean {
  const absence = contact.outOfOffice;
  if (absence === null) return false;
  const timezone = snapshot.countryByIso2.get(contact.country)?.timezone ?? 'UTC';
  const today = workingTime.localDate(now.getTime(), timezone);
  return absence.start <= today && today <= absence.end;
}

/**
 * The ask ranking restated for routing: active contacts holding the competence, in office before
 * away, then by languages shared with the asker, then registry order. Used until the ask module's
 * own ranking is wired in (`rankCandidates` dependency), and by tests of the routing rules.
 */
export const rankByRegistryOrder =
  (workingTime: WorkingTime): RankCandidates =>
  (snapshot, input) => {
    const askerLanguages = new Set([
      input.askerLocale,
      ...((input.askerCountry === null ? undefined : snapshot.countryByIso2.get(input.askerCountry))
        ?.languages ?? []),
    ]);
    return snapshot.contacts
      .map((contact, position) => ({ contact, position }))
      .filter(
        ({ contact }) =>
          contact.status === 'active' &&
          contact.country === input.country &&
          contact.competences.includes(input.competence),
      )
      .map(({ contact, position }) => ({
        contact,
        position,
        away: isAway(workingTime, snapshot, contact, input.now),
        shared: contact.languages.filter((language) => askerLanguages.has(language)).length,
      }))
      .sort(
        (a, b) =>
          Number(a.away) - Number(b.away) ||
          Number(b.shared > 0) - Number(a.shared > 0) ||
          a.position - b.position,
      )
      .map(({ contact, away }): RankedCandidate => ({
        contactId: contact.id,
        away,
        deputyId: away ? contact.deputy : null,
      }));
  };

/**
 * The ask module's ranking, so a consultation goes to the person the answer listed first: the
 * asker's languages are their answer language and their country's languages, as in ask.
 */
export const rankLikeAsk =
  (workingTime: WorkingTime): RankCandidates =>
  (snapshot, input) => {
    const askerLanguages = [
      ...new Set([
        input.askerLocale,
        ...((input.askerCountry === null ? undefined : snapshot.countryByIso2.get(input.askerCountry))
          ?.languages ?? []),
      ]),
    ];
    return rankContacts(
      snapshot,
      { country: input.country, competence: input.competence, now: input.now, askerLanguages },
      workingTime,
    ).map((contact) => ({
      contactId: contact.id,
      away: !contact.available,
      deputyId: contact.deputy?.id ?? null,
    }));
  };
