import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/** When someone works: ISO weekdays (1 = Monday), local "HH:MM" bounds, in a time zone, minus public holidays. */
export interface WorkSchedule {
  timezone: string;
  days: readonly number[];
  start: string;
  end: string;
  /** ISO 3166 code whose public holidays are days off; unknown countries simply have none. */
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

const holidayCalendars = new Map<string, Holidays | undefined>();
let knownCountries: Record<string, string> | undefined;

function isPublicHoliday(country: string | undefined, day: DateTime): boolean {
  if (country === undefined) return false;
  if (!holidayCalendars.has(country)) {
    knownCountries ??= new Holidays().getCountries();
    holidayCalendars.set(country, Object.hasOwn(knownCountries, country) ? new Holidays(country) : undefined);
  }
  const calendar = holidayCalendars.get(country);
  if (calendar === undefined) return false;
  const holidays = calendar.isHoliday(day.toFormat('yyyy-MM-dd'));
  return holidays !== false && holidays.some((holiday) => holiday.type === 'public');
}

const minutesOf = (hhmm: string): number => {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
};

/**
 * The moment `durationMs` of working time after `from`: time outside working hours, on days off
 * and on public holidays does not count. "Accept within 8 working hours" sent on Friday evening
 * thus runs until Monday afternoon in the recipient's time zone.
 */
export function addWorkingTime(from: Date, durationMs: number, schedule: WorkSchedule): Date {
  let cursor = DateTime.fromJSDate(from, { zone: schedule.timezone });
  if (!cursor.isValid) cursor = DateTime.fromJSDate(from, { zone: 'UTC' });
  let remaining = durationMs;
  const startMinutes = minutesOf(schedule.start);
  // A shift ending at or before it starts (a misconfigured record) is read as running to midnight.
  const endMinutes = minutesOf(schedule.end) > startMinutes ? minutesOf(schedule.end) : 24 * 60;
  // A schedule with no working days at all would loop forever; two years bounds the search.
  for (let day = 0; day < 731; day += 1) {
    const midnight = cursor.startOf('day');
    if (schedule.days.includes(midnight.weekday) && !isPublicHoliday(schedule.holidayCountry, midnight)) {
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
