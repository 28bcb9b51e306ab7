// Registry freshness over time: at each month's end, a contact counts as verified within 6 (12)
// months when its latest verification by then, from the record or the audit log, is that recent.
import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../src/registry/index.ts';
import { freshnessByMonth } from '../src/stats/freshness-history.ts';

const contact = (id: string, country: string, verifiedAt: string, status = 'active') =>
  ({ id, country, verifiedAt, status }) as unknown as ContactRecord;

describe('registry freshness month by month', () => {
  it('counts earlier verifications from the audit log, and only verifications made by each month’s end', () => {
    const contacts = [
      // Verified today (the record) and a year and a half ago (the audit log).
      contact('kz-1', 'KZ', '2026-11-20'),
      // Verified 8 months before the period's end, never since.
      contact('kz-2', 'KZ', '2026-03-10'),
      // Retired: never counted.
      contact('kz-3', 'KZ', '2026-11-01', 'retired'),
      contact('kg-1', 'KG', '2026-11-01'),
    ];
    const history = new Map([['kz-1', ['2025-06-01', '2026-11-20']]]);
    const rows = freshnessByMonth(contacts, history, {
      from: new Date('2026-08-15T00:00:00Z'),
      to: new Date('2026-11-30T12:00:00Z'),
      country: 'KZ',
    });
    expect(rows.map((row) => row.month)).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
    expect(rows.every((row) => row.contacts === 2)).toBe(true);
    // August: kz-1's latest is 2025-06-01 (over 12 months? no: 14 months, so neither), kz-2's
    // 2026-03-10 (within 6 months of 31 August): 6 months 1/2, 12 months 1/2.
    expect(rows[0]).toMatchObject({ share6Months: 0.5, share12Months: 0.5 });
    // October: kz-2 is now over 6 months old; kz-1 still only 2025-06-01.
    expect(rows[2]).toMatchObject({ share6Months: 0, share12Months: 0.5 });
    // November: kz-1 verified on the 20th.
    expect(rows[3]).toMatchObject({ share6Months: 0.5, share12Months: 1 });
    // The network: KG's contact counts from November on.
    const network = freshnessByMonth(contacts, history, {
      from: new Date('2026-08-15T00:00:00Z'),
      to: new Date('2026-11-30T12:00:00Z'),
      country: null,
    });
    expect(network[3]).toMatchObject({ contacts: 3, share6Months: 2 / 3, share12Months: 1 });
  });
});
