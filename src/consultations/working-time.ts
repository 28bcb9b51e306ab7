import { DateTime } from 'luxon';
import { createHolidayCalendar, type HolidayCalendar } from '../schedule/index.ts';

/** When someone works: ISO weekdays (1 = Monday), local "HH:MM" bounds, in a time zone, minus public holidays. */
export interface WorkSchedule {
  timezone: string;
  days: readonly number[];
  start: string;
  end: string;
  /** ISO 3166 code whose public holidays are days off; countries the library does not know have none. */
  holidayCountry?: string | undefined;
}

/** Coordinators are not registry contacts; they get an ordinary office week in their country. */
export const defaultWorkSchedule = (timezone: string, holidayCountry: string): WorkSchedule => ({
  timezone,
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
  holidayCountry,
});

// The same public holidays as the nudge scheduler (src/schedule), cached per country and year.
let sharedHolidays: HolidayCalendar | undefined;

const minutesOf = (hhmm: string): number => {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
};

/**
 * The moment `durationMs` of working time after `from`: time outside working hours, on days off
 * and on public holidays does not count. "Accept within 8 working hours" sent on Friday evening
 * thus runs until Monday afternoon in the recipient's time zone. A round-the-clock schedule (all
 * seven days) ignores holidays, as 24/7 contact points do.
 */
export function addWorkingTime(
  from: Date,
  durationMs: number,
  schedule: WorkSchedule,
  holidays?: HolidayCalendar,
): Date {
  const calendar = holidays ?? (sharedHolidays ??= createHolidayCalendar());
  let cursor = DateTime.fromJSDate(from, { zone: schedule.timezone });
  if (!cursor.isValid) cursor = DateTime.fromJSDate(from, { zone: 'UTC' });
  const roundTheClock = [1, 2, 3, 4, 5, 6, 7].every((day) => schedule.days.includes(day));
  let remaining = durationMs;
  const startMinutes = minutesOf(schedule.start);
  // A shift ending at or before it starts (a misconfigured record) is read as running to midnight.
  const endMinutes = minutesOf(schedule.end) > startMinutes ? minutesOf(schedule.end) : 24 * 60;
  // A schedule with no working days at all would loop forever; two years bounds the search.
  for (let day = 0; day < 731; day += 1) {
    const midnight = cursor.startOf('day');
    const holiday =
      !roundTheClock &&
      schedule.holidayCountry !== undefined &&
      calendar.isPublicHoliday(schedule.holidayCountry, midnight.toFormat('yyyy-MM-dd'));
    if (schedule.days.includes(midnight.weekday) && !holiday) {
      const windowStart = midnight.plus({ minutes: startMinutes });
      const windowEnd = midnight.plus({ minutes: endMinutes });
      if (cursor < windowStart) cursor = windowStart;
      if (cursor < windowEnd) {
        const available = windowEnd.toMillis() - cursor.toMillis();
        if (remaining <= available) return cursor.plus({ milliseconds: remaining }).toJSDate();
        remaining -= available;
      }
    }
    cursor = midnight.plus({ days: 1 });
  }
  return new Date(from.getTime() + durationMs);
}
