// The registry table's rows: each contact with what a coordinator looks for (stale, away, linked,
// reachable), then filtered, searched in either alphabet, sorted and paged. Pure functions over
// the registry snapshot, so a registry of thousands renders without a database round trip.
import { transliterate } from 'transliteration';
import type { ContactRecord } from '../registry/index.ts';
import { isStale, type TodayIn } from '../registry/index.ts';

export interface ContactLinkState {
  /** Members stand behind the contact and linked at least one messenger. */
  linked: boolean;
  /** The last push to them failed for good. */
  unreachable: boolean;
}

export interface RegistryRow {
  record: ContactRecord;
  stale: boolean;
  away: boolean;
  linked: boolean;
  unreachable: boolean;
  /** Search key: both names and the title, transliterated to Latin and folded. */
  key: string;
}

export const sortKeys = ['name', 'country', 'authority', 'status', 'verified'] as const;
export type SortKey = (typeof sortKeys)[number];

export interface RegistryQuery {
  country?: string | undefined;
  competence?: string | undefined;
  /** `all` or one status; default `active`, as every contact list (retired records are history). */
  status: 'all' | 'active' | 'retired' | 'suspended';
  stale: boolean;
  away: boolean;
  unreachable: boolean;
  unlinked: boolean;
  q: string;
  sort: SortKey;
  direction: 'ascending' | 'descending';
  page: number;
}

export const pageSize = 100;

/** Latin or Cyrillic, any case, diacritics and spelling schemes folded: "Бакыт" and "Bakyt" meet. */
export function searchKey(text: string): string {
  return transliterate(text.toLowerCase())
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[yj]/g, 'i')
    .replace(/kh/g, 'h')
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\bye/g, 'e')
    .trim();
}

export function buildRows(
  contacts: readonly ContactRecord[],
  links: ReadonlyMap<string, ContactLinkState>,
  todayIn: TodayIn,
): RegistryRow[] {
  return contacts.map((record) => {
    const link = links.get(record.id);
    // Stale and away are judged on the contact's country's date, as the API and the bots judge them.
    const today = todayIn(record.country);
    const away =
      record.outOfOffice != null && record.outOfOffice.start <= today && today <= record.outOfOffice.end;
    return {
      record,
      stale: isStale(record, today),
      away,
      linked: link?.linked ?? false,
      unreachable: link?.unreachable ?? false,
      key: searchKey(
        [
          ...Object.values(record.name),
          ...(typeof record.title === 'string' ? [record.title] : Object.values(record.title)),
          record.id,
        ].join(' '),
      ),
    };
  });
}

export function selectRows(
  rows: readonly RegistryRow[],
  query: RegistryQuery,
  names: { authority: (id: string) => string; contact: (record: ContactRecord) => string },
): { items: RegistryRow[]; total: number; pages: number } {
  const words = searchKey(query.q).split(' ').filter(Boolean);
  const selected = rows.filter(
    (row) =>
      (query.country === undefined || row.record.country === query.country) &&
      (query.competence === undefined || row.record.competences.includes(query.competence)) &&
      (query.status === 'all' || row.record.status === query.status) &&
      (!query.stale || row.stale) &&
      (!query.away || row.away) &&
      (!query.unreachable || row.unreachable) &&
      (!query.unlinked || !row.linked) &&
      words.every((word) => row.key.includes(word)),
  );
  const value = (row: RegistryRow): string => {
    switch (query.sort) {
      case 'country':
        return row.record.country;
      case 'authority':
        return names.authority(row.record.authority);
      case 'status':
        return row.record.status;
      case 'verified':
        return row.record.verifiedAt;
      default:
        return names.contact(row.record);
    }
  };
  const sign = query.direction === 'ascending' ? 1 : -1;
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  selected.sort(
    (a, b) => sign * collator.compare(value(a), value(b)) || collator.compare(a.record.id, b.record.id),
  );
  const pages = Math.max(1, Math.ceil(selected.length / pageSize));
  const page = Math.min(Math.max(1, query.page), pages);
  return {
    items: selected.slice((page - 1) * pageSize, page * pageSize),
    total: selected.length,
    pages,
  };
}
