import { MS_PER_DAY, daysInMonth, naiveMsToWall, wallToNaiveMs, type WallTime } from '../../core/time-zone.ts';

/**
 * Proleptic Gregorian civil-calendar arithmetic on wall-clock fields, with no time zone involved.
 * Time zones are applied only where a wall time becomes an instant (zone.ts).
 */

/** Quartz numbering: 1 = Sunday … 7 = Saturday. */
export const SUNDAY = 1;
export const SATURDAY = 7;

/** Day of week of a civil date, Quartz numbering (1 = SUN … 7 = SAT). */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

export function compareWall(a: WallTime, b: WallTime): number {
  return wallToNaiveMs(a) - wallToNaiveMs(b);
}

/** `w` moved by whole calendar days, the clock reading unchanged. */
export function addDays(w: WallTime, days: number): WallTime {
  return naiveMsToWall(wallToNaiveMs(w) + days * MS_PER_DAY);
}

/**
 * `w` moved by whole calendar months, the clock reading unchanged and the day clamped to the target
 * month's length (Jan 31 + 1 month = Feb 28/29).
 */
export function addMonths(w: WallTime, months: number): WallTime {
  const index = w.year * 12 + (w.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return { ...w, year, month, day: Math.min(w.day, daysInMonth(year, month)) };
}
