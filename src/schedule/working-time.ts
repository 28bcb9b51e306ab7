import { DateTime } from 'luxon';
import { addDays, type HolidayCalendar } from './holiday-calendar.ts';
import type { WorkingHours } from '../registry/index.ts';

/** Where and when someone works: their country's time zone and holidays, and their hours. */
export interface WorkingCalendar {
  /** IANA time zone of the person's country, e.g. "Asia/Tashkent". */
  timezone: string;
  /** ISO 3166-1 alpha-2, for public holidays. */
  country: string;
  workingHours: WorkingHours;
}

export interface WorkingTime {
  /**
   * The earliest instant at or after `at` (epoch ms) inside the calendar's working hours, on a
   * working day that is not a public holiday. Outside working time this is the next working
   * morning (the start of the next working window) in the person's own time zone.
   */
  nextWorkingInstant(at: number, calendar: WorkingCalendar): number;
  /**
   * Is `at` inside working time? Answered from a per-minute memo per calendar: windows begin and
   * end on whole minutes, so the answer cannot change within one (ranking asks this per contact
   * on every question).
   */
  isWorkingInstant(at: number, calendar: WorkingCalendar): boolean;
  /**
   * The instant `durationMs` of working time after `from` (epoch ms): time outside working
   * hours, on days off and on public holidays does not count. "Accept within 8 working hours"
   * sent on Friday evening thus runs until Monday afternoon in the person's time zone.
   */
  addWorkingTime(from: number, durationMs: number, calendar: WorkingCalendar): number;
  /** The local calendar date (YYYY-MM-DD) of `at` in a time zone. */
  localDate(at: number, timezone: string): string;
  /** The instant a local date (YYYY-MM-DD) begins in a time zone. */
  localMidnight(date: string, timezone: string): number;
  /** The instant a local date (YYYY-MM-DD) reaches a local time (HH:mm) in a time zone. */
  localInstant(date: string, time: string, timezone: string): number;
  /** The wall clock in a time zone at `at`: the same within a minute, so it is computed once per minute. */
  localClock(at: number, timezone: string): LocalClock;
}

/** A wall clock reading in a time zone. */
export interface LocalClock {
  /** YYYY-MM-DD. */
  date: string;
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  weekday: number;
  /** HH:mm. */
  time: string;
}

/** Office hours assumed when a contact's record has none we can read. */
export const defaultWorkingHours: WorkingHours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };

interface Window {
  start: number;
  end: number;
}

/** One calendar's working windows by local day, and its last "working now?" answer. */
interface CalendarWindows {
  hours: WorkingHours;
  windows: Map<number, Window | null>;
  workingMinute: number;
  working: boolean;
}

// How far ahead to look for a working window; a year covers any run of holidays and leave.
const searchDays = 400;
// Offsets are cached per quarter hour: every real time-zone transition falls on one.
const offsetBucketMs = 15 * 60_000;

/**
 * Working-time placement. Pure arithmetic on cached windows: luxon is only consulted once per
 * time zone and quarter hour (UTC offsets) and once per person-calendar and date (the window),
 * because the nudge scheduler places hundreds of thousands of instants.
 *
 * A calendar whose working days are all seven days of the week is a round-the-clock service
 * (24/7 contact points for electronic evidence, for example): public holidays do not stop it.
 */
export function createWorkingTime({ holidays }: { holidays: HolidayCalendar }): WorkingTime {
  const offsets = new Map<string, number>();
  // Windows per calendar (time zone, country, hours), by local day number (days since 1970-01-01).
  const windowsByCalendar = new Map<string, CalendarWindows>();
  const hoursKeys = new WeakMap<WorkingHours, string>();
  // The last reading per time zone: within one minute every question about a zone reads the same.
  const clocks = new Map<string, { minute: number; clock: LocalClock }>();

  const offsetMinutes = (at: number, timezone: string): number => {
    const bucket = Math.floor(at / offsetBucketMs);
    const key = `${timezone}|${bucket}`;
    let offset = offsets.get(key);
    if (offset === undefined) {
      const local = DateTime.fromMillis(bucket * offsetBucketMs, { zone: timezone });
      offset = local.isValid ? local.offset : 0;
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(key, offset);
    }
    return offset;
  };

  const localDay = (at: number, timezone: string): number =>
    Math.floor((at + offsetMinutes(at, timezone) * 60_000) / 86_400_000);
  const dateOfDay = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

  const windowsOf = (calendar: WorkingCalendar): CalendarWindows => {
    const hours = usableHours(calendar.workingHours);
    let hoursKey = hoursKeys.get(hours);
    if (hoursKey === undefined) {
      hoursKey = `${hours.days.join(',')}|${hours.start}|${hours.end}`;
      hoursKeys.set(hours, hoursKey);
    }
    const key = `${calendar.timezone}|${calendar.country}|${hoursKey}`;
    let known = windowsByCalendar.get(key);
    if (known === undefined) {
      known = { hours, windows: new Map(), workingMinute: Number.NaN, working: false };
      if (windowsByCalendar.size > 10_000) windowsByCalendar.clear();
      windowsByCalendar.set(key, known);
    }
    return known;
  };

  /** The working windows from the one that may still be open at `at` onwards, for a year. */
  function* windowsFrom(at: number, calendar: WorkingCalendar): Generator<Window> {
    const { hours, windows } = windowsOf(calendar);
    const today = localDay(at, calendar.timezone);
    // Start a day early: a window that began yesterday may still be open (night shifts).
    for (let day = today - 1; day <= today + searchDays; day++) {
      let window = windows.get(day);
      if (window === undefined) {
        window = computeWindow(calendar.timezone, calendar.country, hours, dateOfDay(day), holidays);
        if (windows.size > 5000) windows.clear();
        windows.set(day, window);
      }
      if (window !== null && at < window.end) yield window;
    }
  }

  const nextWorkingInstant = (at: number, calendar: WorkingCalendar): number => {
    for (const window of windowsFrom(at, calendar)) return Math.max(at, window.start);
    // No working day in a year (an empty `days` list): better a nudge at any time than never.
    return at;
  };

  const addWorkingTime = (from: number, durationMs: number, calendar: WorkingCalendar): number => {
    let remaining = durationMs;
    let cursor = from;
    for (const window of windowsFrom(from, calendar)) {
      cursor = Math.max(cursor, window.start);
      if (cursor >= window.end) continue;
      if (remaining <= window.end - cursor) return cursor + remaining;
      remaining -= window.end - cursor;
      cursor = window.end;
    }
    // No working time in a year (an empty `days` list): plain time rather than never.
    return from + durationMs;
  };

  const isWorkingInstant = (at: number, calendar: WorkingCalendar): boolean => {
    const known = windowsOf(calendar);
    const minute = Math.floor(at / 60_000);
    if (known.workingMinute !== minute) {
      known.working = nextWorkingInstant(minute * 60_000, calendar) === minute * 60_000;
      known.workingMinute = minute;
    }
    return known.working;
  };

  const localClock = (at: number, timezone: string): LocalClock => {
    const minute = Math.floor(at / 60_000);
    const known = clocks.get(timezone);
    if (known?.minute === minute) return known.clock;
    // The local wall clock read off a UTC date shifted by the zone's offset: no luxon per reading.
    const local = new Date(minute * 60_000 + offsetMinutes(at, timezone) * 60_000);
    const iso = local.toISOString();
    const clock = { date: iso.slice(0, 10), weekday: local.getUTCDay() || 7, time: iso.slice(11, 16) };
    if (clocks.size > 1_000) clocks.clear();
    clocks.set(timezone, { minute, clock });
    return clock;
  };

  return {
    nextWorkingInstant,
    isWorkingInstant,
    addWorkingTime,
    localDate: (at, timezone) => dateOfDay(localDay(at, timezone)),
    localMidnight: (date, timezone) => localInstant(timezone, date, '00:00'),
    localInstant: (date, time, timezone) => localInstant(timezone, date, time),
    localClock,
  };
}

function computeWindow(
  timezone: string,
  country: string,
  hours: WorkingHours,
  date: string,
  holidays: HolidayCalendar,
): Window | null {
  if (!hours.days.includes(isoWeekday(date))) return null;
  const roundTheClock = [1, 2, 3, 4, 5, 6, 7].every((day) => hours.days.includes(day));
  if (!roundTheClock && holidays.isPublicHoliday(country, date)) return null;
  const start = localInstant(timezone, date, hours.start);
  // The registry writes "until midnight" as 23:59 (it has no 24:00): that last minute counts.
  let end = localInstant(timezone, date, hours.end === '23:59' ? '24:00' : hours.end);
  // An end before the start ("22:00" to "06:00"): the window runs past midnight.
  if (end <= start) end = localInstant(timezone, addDays(date, 1), hours.end);
  return { start, end };
}

function localInstant(timezone: string, date: string, time: string): number {
  // "24:00" is the end of the day, i.e. midnight of the next one.
  const normalized = time === '24:00' ? '00:00' : time;
  const instant = DateTime.fromISO(`${date}T${normalized}`, { zone: timezone });
  const valid = instant.isValid ? instant : DateTime.fromISO(`${date}T${normalized}`, { zone: 'utc' });
  return time === '24:00' ? valid.plus({ days: 1 }).toMillis() : valid.toMillis();
}

const timePattern = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Registry records are validated on import, but a hand-edited record must not stop nudges. */
function usableHours(hours: WorkingHours | null | undefined): WorkingHours {
  if (
    hours == null ||
    !Array.isArray(hours.days) ||
    !timePattern.test(hours.start) ||
    !timePattern.test(hours.end)
  ) {
    return defaultWorkingHours;
  }
  return hours;
}

/** ISO weekday (1 = Monday ... 7 = Sunday) of a YYYY-MM-DD date. */
export function isoWeekday(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  const weekday = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}
