// The schedule module's public surface: other modules import from here only.
export { addDays, createHolidayCalendar, type HolidayCalendar } from './holiday-calendar.ts';
export {
  createWorkingTime,
  defaultWorkingHours,
  type LocalClock,
  type WorkingCalendar,
  type WorkingTime,
} from './working-time.ts';
