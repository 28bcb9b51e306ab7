// The registry arranged for answering questions: contacts and authorities by country and
// competence, and the interpreter built for the registry's vocabulary. Rebuilt per snapshot
// version; other modules reach it through `askIndexFor(snapshot)`.
import { createAskLexicon, type AskLexicon } from './ask-lexicon.ts';
import { createQuestionInterpreter, type QuestionInterpreter } from './question-interpreter.ts';
import { tokenize } from './word-keys.ts';
import type { Authority, Contact, RegistrySnapshot } from '../registry/index.ts';

export interface AskIndex {
  readonly snapshot: RegistrySnapshot;
  readonly interpreter: QuestionInterpreter;
  /** Contacts per country in registry order, retired and suspended left out. */
  readonly activeContactsByCountry: ReadonlyMap<string, readonly Contact[]>;
  readonly authoritiesByCountry: ReadonlyMap<string, readonly Authority[]>;
  /**
   * Active contacts of a country holding a competence (all for null), in their static order:
   * those at the central authority for the competence first, then registry order. Ranking only
   * has to add what depends on the asker and the day. Built on first use per pair.
   */
  rankingCandidates(country: string, competence: string | null): readonly Contact[];
}

let sharedLexicon: AskLexicon | undefined;

/** The word lists and place index, loaded once per process. */
export function askLexicon(): AskLexicon {
  sharedLexicon ??= createAskLexicon();
  return sharedLexicon;
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
};

export function buildAskIndex(snapshot: RegistrySnapshot, lexicon: AskLexicon = askLexicon()): AskIndex {
  const cityKeys = new Map<string, string>();
  for (const country of snapshot.countries) {
    if (country.capital === null) continue;
    const key = tokenize(country.capital)
      .map((token) => token.key)
      .join(' ');
    if (key !== '') cityKeys.set(key, country.iso2);
  }
  const interpreter = createQuestionInterpreter({
    lexicon,
    competences: snapshot.competences,
    registry: { countries: new Set(snapshot.countries.map((country) => country.iso2)), cityKeys },
  });
  const activeContactsByCountry = groupBy(
    snapshot.contacts.filter((contact) => contact.status === 'active'),
    (contact) => contact.country,
  );
  const candidates = new Map<string, readonly Contact[]>();
  return {
    snapshot,
    interpreter,
    activeContactsByCountry,
    authoritiesByCountry: groupBy(snapshot.authorities, (authority) => authority.country),
    rankingCandidates(country, competence) {
      const key = `${country}:${competence ?? ''}`;
      let list = candidates.get(key);
      if (list === undefined) {
        const holding = (activeContactsByCountry.get(country) ?? []).filter(
          (contact) => competence === null || contact.competences.includes(competence),
        );
        const central = (contact: Contact): boolean =>
          competence !== null &&
          snapshot.authorityById.get(contact.authority)?.centralAuthorityFor.includes(competence) === true;
        // Array.prototype.sort is stable, so registry order holds within each group.
        list = holding.sort((a, b) => Number(central(b)) - Number(central(a)));
        candidates.set(key, list);
      }
      return list;
    },
  };
}

const indexes = new WeakMap<RegistrySnapshot, AskIndex>();

/** The index of a snapshot, built on first use and kept as long as the snapshot lives. */
export function askIndexFor(snapshot: RegistrySnapshot): AskIndex {
  let index = indexes.get(snapshot);
  if (index === undefined) {
    index = buildAskIndex(snapshot);
    indexes.set(snapshot, index);
  }
  return index;
}
