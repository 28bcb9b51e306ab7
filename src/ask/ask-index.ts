// The registry arranged for answering questions: contacts and authorities by country and
// competence, and the interpreter built for the registry's vocabulary. Rebuilt per snapshot
// version; other modules reach it through `askIndexFor(snapshot)`.
import type { Authority, Contact, RegistrySnapshot } from '../registry/registry-types.ts';
import { createAskLexicon, type AskLexicon } from './ask-lexicon.ts';
import { createQuestionInterpreter, type QuestionInterpreter } from './question-interpreter.ts';
import { tokenize } from './word-keys.ts';

export interface AskIndex {
  readonly snapshot: RegistrySnapshot;
  readonly interpreter: QuestionInterpreter;
  /** Contacts per country in registry order, retired and suspended left out. */
  readonly activeContactsByCountry: ReadonlyMap<string, readonly Contact[]>;
  readonly authoritiesByCountry: ReadonlyMap<string, readonly Authority[]>;
  /** Registry position of each contact, the last tie-breaker of ranking. */
  readonly contactPosition: ReadonlyMap<string, number>;
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
  return {
    snapshot,
    interpreter,
    activeContactsByCountry: groupBy(
      snapshot.contacts.filter((contact) => contact.status === 'active'),
      (contact) => contact.country,
    ),
    authoritiesByCountry: groupBy(snapshot.authorities, (authority) => authority.country),
    contactPosition: new Map(snapshot.contacts.map((contact, position) => [contact.id, position])),
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
