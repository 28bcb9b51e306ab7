// The accept window counts the recipient's working time only: their hours, in their time zone,
// without weekends and public holidays.
import { describe, expect, it } from 'vitest';
import { createHolidayCalendar, createWorkingTime, type WorkingCalendar } from '../src/schedule/index.ts';

// The one working-time model (src/schedule) that consultations use for their accept window.
const workingTime = createWorkingTime({ holidays: createHolidayCalendar() });
const addWorkingTime = (from: Date, durationMs: number, calendar: WorkingCalendar): Date =>
  new Date(workingTime.addWorkingTime(from.getTime(), durationMs, calendar));

const almaty: WorkingCalendar = {
  timezone: 'Asia/Almaty',
  country: 'KZ',
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
};
const hours = (count: number) => count * 3_600_000;

describe('the accept window of a consultation', () => {
  it('sent on Friday afternoon in Almaty, eight working hours run until Monday afternoon', () => {
    // Friday 27 November 2026, 16:00 in Almaty (UTC+5): two hours left that day, six on Monday.
    expect(addWorkingTime(new Date('2026-11-27T11:00:00Z'), hours(8), almaty).toISOString()).toBe(
      '2026-11-30T10:00:00.000Z',
    );
  });

  it('sent at night, starts counting at nine the next working morning', () => {
    expect(addWorkingTime(new Date('2026-11-24T20:00:00Z'), hours(1), almaty).toISOString()).toBe(
      '2026-11-25T05:00:00.000Z',
    );
  });

  it('skips Kazakhstan’s New Year holidays', () => {
    // Thursday 31 December, 17:00: one hour that day; 1 January is a holiday, then the weekend, and
    // Monday 4 January is the substitute for 2 January falling on a Saturday.
    expect(addWorkingTime(new Date('2026-12-31T12:00:00Z'), hours(2), almaty).toISOString()).toBe(
      '2027-01-05T05:00:00.000Z',
    );
  });

  it('a round-the-clock contact point works through holidays and weekends', () => {
    const always = { ...almaty, workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' } };
    expect(addWorkingTime(new Date('2026-12-31T12:00:00Z'), hours(24), always).toISOString()).toBe(
      '2027-01-01T12:00:00.000Z',
    );
  });
});
