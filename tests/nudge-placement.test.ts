// When a nudge is due, and who gets it: the recipient's working hours in their own time zone,
// never their weekend or a public holiday of their country, the deputy while they are away.
// Fixed instants, no real clock.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNudgePolicies } from '../src/requests/index.ts';
import { createNudgePlanner } from '../src/requests/nudge-planner.ts';
import { addDays, createHolidayCalendar } from '../src/schedule/holiday-calendar.ts';
import { createWorkingTime, type WorkingCalendar } from '../src/schedule/working-time.ts';
import { demoRegistryFile, snapshotFromRegistryFile } from './support/registry-snapshot.ts';

const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
const tashkentOffice: WorkingCalendar = {
  timezone: 'Asia/Tashkent',
  country: 'UZ',
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
};
const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

describe("a nudge placed in the recipient's working time", () => {
  it('due on a Saturday in Tashkent moves to Monday 09:00 Tashkent time', () => {
    // Saturday 2026-11-28, 11:00 in Tashkent (UTC+5).
    expect(iso(workingTime.nextWorkingInstant(at('2026-11-28T06:00:00Z'), tashkentOffice))).toBe(
      '2026-11-30T04:00:00.000Z',
    );
  });

  it("due on Uzbekistan's Independence Day (Tuesday 1 September) moves to the next working morning", () => {
    expect(iso(workingTime.nextWorkingInstant(at('2026-09-01T05:00:00Z'), tashkentOffice))).toBe(
      '2026-09-02T04:00:00.000Z',
    );
  });

  it('due inside working hours stays where it is', () => {
    expect(iso(workingTime.nextWorkingInstant(at('2026-12-01T06:30:00Z'), tashkentOffice))).toBe(
      '2026-12-01T06:30:00.000Z',
    );
  });

  it('due on a Friday evening after hours moves to Monday morning', () => {
    // Friday 2026-12-04, 19:30 Tashkent.
    expect(iso(workingTime.nextWorkingInstant(at('2026-12-04T14:30:00Z'), tashkentOffice))).toBe(
      '2026-12-07T04:00:00.000Z',
    );
  });

  it("uses the recipient's own time zone: 08:00 UTC on a Monday is 03:00 in New York, so 09:00 there", () => {
    const newYork: WorkingCalendar = {
      timezone: 'America/New_York',
      country: 'US',
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' },
    };
    expect(iso(workingTime.nextWorkingInstant(at('2026-11-30T08:00:00Z'), newYork))).toBe(
      '2026-11-30T14:00:00.000Z',
    );
  });

  it('skips a US federal holiday (Thanksgiving, Thursday 26 November 2026)', () => {
    const newYork: WorkingCalendar = {
      timezone: 'America/New_York',
      country: 'US',
      workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' },
    };
    expect(iso(workingTime.nextWorkingInstant(at('2026-11-26T15:00:00Z'), newYork))).toBe(
      '2026-11-27T14:00:00.000Z',
    );
  });

  it('a round-the-clock point (every day of the week) is not stopped by holidays', () => {
    const allWeek: WorkingCalendar = {
      timezone: 'Asia/Tashkent',
      country: 'UZ',
      workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
    };
    expect(iso(workingTime.nextWorkingInstant(at('2026-09-01T05:00:00Z'), allWeek))).toBe(
      '2026-09-01T05:00:00.000Z',
    );
  });
});

describe('who receives the nudge', () => {
  const snapshot = snapshotFromRegistryFile(
    JSON.parse(readFileSync(demoRegistryFile, 'utf8')) as Parameters<typeof snapshotFromRegistryFile>[0],
  );
  const policies = parseNudgePolicies(
    'default: { firstNudgeAfter: P14D, repeatEvery: P30D, escalateAfterUnanswered: 3 }\nextradition: { firstNudgeAfter: P7D, repeatEvery: P14D }',
  );
  const planner = createNudgePlanner({ policies, workingTime });
  const request = {
    type: 'extradition',
    fromCountry: 'KZ',
    toCountry: 'KG',
    urgent: false,
    sentAt: new Date('2026-11-02T08:00:00Z'),
    contactId: 'kg-002',
  };

  it('goes to the deputy while the contact is on leave, and back to the contact after', () => {
    // kg-002 is away from 2026-11-20 (to the end date in the demo file) with kg-001 as deputy.
    const leave = snapshot.contactById.get('kg-002')?.outOfOffice;
    expect(leave?.start).toBe('2026-11-20');
    const during = planner.recipientAt(snapshot, 'kg-002', at('2026-11-25T05:00:00Z'));
    expect(during.contact?.id).toBe('kg-001');
    expect(during.standingInFor?.id).toBe('kg-002');
    // 11:00 in Bishkek on the day after the leave ends.
    const after = planner.recipientAt(snapshot, 'kg-002', at(`${addDays(leave!.end, 1)}T05:00:00Z`));
    expect(after.contact?.id).toBe('kg-002');
    expect(after.standingInFor).toBeUndefined();
  });

  it('a retired contact without a successor has nobody to receive it', () => {
    expect(planner.recipientAt(snapshot, 'kg-004', at('2026-11-25T05:00:00Z')).contact).toBeUndefined();
  });

  it('the first nudge of an extradition request comes a week after sending, in Bishkek working hours', () => {
    // Sent Monday 2 November 08:00 UTC; +7 days is Monday 9 November 08:00 UTC = 14:00 in Bishkek.
    expect(iso(planner.firstNudgeAt(snapshot, request, at('2026-11-02T08:00:00Z')))).toBe(
      '2026-11-09T08:00:00.000Z',
    );
  });

  it('an urgent request halves the intervals', () => {
    // +3.5 days: Thursday 5 November 20:00 UTC = 02:00 Friday in Bishkek, so Friday 09:00 there.
    expect(
      iso(planner.firstNudgeAt(snapshot, { ...request, urgent: true }, at('2026-11-02T08:00:00Z'))),
    ).toBe('2026-11-06T03:00:00.000Z');
  });

  it('a request registered long after it was sent is nudged at the next working moment, not in the past', () => {
    const now = at('2026-11-28T06:00:00Z'); // Saturday
    expect(
      iso(
        planner.firstNudgeAt(
          snapshot,
          { ...request, contactId: 'kg-001', sentAt: new Date('2026-06-01T00:00:00Z') },
          now,
        ),
      ),
    ).toBe('2026-11-30T03:00:00.000Z');
  });
});
