import Holidays from 'date-holidays';

/** Answers "is this local date a public holiday in that country?" */
export interface HolidayCalendar {
  /** `localDate` is YYYY-MM-DD in the country's own time zone. */
  isPublicHoliday(country: string, localDate: string): boolean;
  /** Does the holidays library know this country at all? */
  covers(country: string): boolean;
}

/**
 * Public holidays from `date-holidays` (a maintained rule set for ~200 countries). Only the
 * `public` type counts: bank, school and observance days are working days for prosecutors.
 * Countries the library does not cover (KG, TJ and TM at the time of writing) have no holidays
 * here, so their nudges still respect weekends and working hours. Results are cached per
 * country and year: the rules are evaluated once, not for every nudge.
 */
export function createHolidayCalendar(): HolidayCalendar {
  // Bounded: one entry per country the library covers and year asked, cleared past
  // `maxCountryYears` (years come from request dates, which are checked but not few).
  const byCountryYear = new Map<string, ReadonlySet<string>>();
  const maxCountryYears = 2_000;
  // Only countries the library covers are kept, so odd country codes cannot grow this.
  const libraries = new Map<string, Holidays>();
  const supported = new Set(Object.keys(new Holidays().getCountries()));

  const library = (country: string): Holidays | undefined => {
    if (!supported.has(country)) return undefined;
    let found = libraries.get(country);
    if (found === undefined) {
      found = new Holidays(country);
      libraries.set(country, found);
    }
    return found;
  };

  const datesOf = (country: string, year: number): ReadonlySet<string> => {
    const key = `${country}:${year}`;
    let dates = byCountryYear.get(key);
    if (dates === undefined) {
      const found = new Set<string>();
      for (const holiday of library(country)?.getHolidays(year) ?? []) {
        if (holiday.type !== 'public') continue;
        // `date` is the local calendar date ("2026-09-01 00:00:00"); a holiday lasting several
        // days (start..end spans more than one day) covers every date in between.
        const first = holiday.date.slice(0, 10);
        const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / 86_400_000));
        for (let offset = 0; offset < days; offset++) found.add(addDays(first, offset));
      }
      dates = found;
      if (byCountryYear.size >= maxCountryYears) byCountryYear.clear();
      byCountryYear.set(key, dates);
    }
    return dates;
  };

  return {
    isPublicHoliday(country, localDate) {
      const year = Number(localDate.slice(0, 4));
      return datesOf(country, year).has(localDate);
    },
    covers(country) {
      return library(country) !== undefined;
    },
  };
}

/** YYYY-MM-DD plus whole days, in plain calendar arithmetic. */
export function addDays(localDate: string, days: number): string {
  const [year, month, day] = localDate.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + days));
  return date.toISOString().slice(0, 10);
}
