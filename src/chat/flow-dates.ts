// Typed dates in a flow's date step. Only forms nobody reads two ways: ISO (2026-03-01), the
// day-first dotted form used across the region (01.03.2026), and today / yesterday in English or
// Russian. "03/01/2026" is refused: half the world reads it as March, the other half as January.
import { addDays } from '../schedule/index.ts';

const relative: Readonly<Record<string, number>> = {
  today: 0,
  yesterday: 1,
  сегодня: 0,
  вчера: 1,
  позавчера: 2,
};

const pad = (value: number) => String(value).padStart(2, '0');

function isoOf(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31.02 over into March: a date that does not exist is refused, not moved.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/**
 * A typed date as YYYY-MM-DD. `today` (YYYY-MM-DD) is the calendar date where the member is, which
 * "today" and "yesterday" count from: at 01:00 in Almaty it is already tomorrow there, not in UTC.
 */
export function readTypedDate(text: string, today: string): string | undefined {
  const typed = text.trim().toLowerCase().replace(/\.$/, '');
  const daysAgo = relative[typed];
  if (daysAgo !== undefined) return addDays(today, -daysAgo);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
  if (iso !== null) return isoOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:\s*г)?$/.exec(typed);
  if (dotted !== null) {
    const year = Number(dotted[3]);
    return isoOf(year < 100 ? 2000 + year : year, Number(dotted[2]), Number(dotted[1]));
  }
  return undefined;
}
