// Registry freshness over time: for each month of a period, the share of active contacts whose
// latest verification at the month's end was within 6 and 12 months. A record keeps only its last
// verification, so earlier ones come from the audit log (every `contact.verify` entry); contacts are
// today's active ones (the registry keeps no history of who was active when).
import { monthsBeforeDay, type ContactRecord } from '../registry/index.ts';

export interface FreshnessMonthRow {
  /** YYYY-MM. */
  month: string;
  contacts: number;
  share6Months: number | null;
  share12Months: number | null;
}

/** Verification days (YYYY-MM-DD) per contact id, from the audit log. */
export type VerificationHistory = ReadonlyMap<string, readonly string[]>;

/** Month ends from `from` to `to` (the last one is `to` itself), at most `limit` of them, oldest first. */
function monthEnds(from: Date, to: Date, limit = 24): Date[] {
  const ends: Date[] = [];
  let cursor = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() + 1, 0, 23, 59, 59));
  if (cursor > to) cursor = to;
  while (cursor >= from && ends.length < limit) {
    ends.unshift(cursor);
    cursor = new Date(Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth(), 0, 23, 59, 59));
  }
  return ends;
}

/**
 * Each month's end is a calendar date, the same in every country; the period's own end (`to`, an
 * instant, usually now) is the date where each contact's country is then (`dayIn`), the calendar
 * verifications are recorded on: at 20:30 UTC on 1 December a verification of 2 December in Almaty
 * already counts. Default: the UTC date.
 */
export function freshnessByMonth(
  contacts: readonly ContactRecord[],
  history: VerificationHistory,
  period: { from: Date; to: Date; country: string | null },
  dayIn: (country: string, at: Date) => string = (_country, at) => at.toISOString().slice(0, 10),
): FreshnessMonthRow[] {
  const active = contacts.filter(
    (contact) =>
      contact.status === 'active' && (period.country === null || contact.country === period.country),
  );
  const days = new Map(
    active.map((contact) => [contact.id, [contact.verifiedAt, ...(history.get(contact.id) ?? [])].sort()]),
  );
  const countries = [...new Set(active.map((contact) => contact.country))];
  return monthEnds(period.from, period.to).map((end) => {
    const endDay = end.toISOString().slice(0, 10);
    // Per country: the end's date there, and the dates six and twelve months before it.
    const bounds = new Map(
      countries.map((country) => {
        const day = end === period.to ? dayIn(country, end) : endDay;
        return [country, { day, six: monthsBeforeDay(day, 6), twelve: monthsBeforeDay(day, 12) }];
      }),
    );
    let verified6 = 0;
    let verified12 = 0;
    for (const contact of active) {
      const bound = bounds.get(contact.country);
      if (bound === undefined) continue;
      const latest = (days.get(contact.id) ?? []).filter((day) => day <= bound.day).at(-1);
      if (latest === undefined) continue;
      if (latest >= bound.six) verified6++;
      if (latest >= bound.twelve) verified12++;
    }
    return {
      month: endDay.slice(0, 7),
      contacts: active.length,
      share6Months: active.length === 0 ? null : verified6 / active.length,
      share12Months: active.length === 0 ? null : verified12 / active.length,
    };
  });
}

/** The audit log's reading side, as far as verification days need it. */
interface AuditReader {
  list(filter: { action: string; from: Date; before?: number | undefined; limit: number }): Promise<{
    entries: { at: string; subject: string | null; details: Record<string, unknown> }[];
    nextBefore: number | undefined;
  }>;
}

/** Every verification since `since`, from the audit log (`contact.verify`), per contact id; at most `cap` entries. */
export async function verificationDays(
  audit: AuditReader,
  since: Date,
  cap = 100_000,
): Promise<VerificationHistory> {
  const days = new Map<string, string[]>();
  let before: number | undefined;
  let read = 0;
  do {
    const page = await audit.list({ action: 'contact.verify', from: since, before, limit: 1000 });
    for (const entry of page.entries) {
      if (entry.subject?.startsWith('contact:') !== true) continue;
      const id = entry.subject.slice('contact:'.length);
      const day =
        typeof entry.details.verifiedAt === 'string' ? entry.details.verifiedAt : entry.at.slice(0, 10);
      days.set(id, [...(days.get(id) ?? []), day]);
    }
    read += page.entries.length;
    before = page.nextBefore;
  } while (before !== undefined && read < cap);
  return days;
}
