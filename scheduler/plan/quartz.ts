import { MS_PER_SECOND, daysInMonth, wallClockAt, type WallTime } from '../../core/time-zone.ts';
import { SATURDAY, SUNDAY, compareWall, dayOfWeek } from './calendar.ts';
import { parseQuartzCron, type QuartzCron } from './quartz-parse.ts';
import { resolveWall, wallAfterGap } from './zone.ts';

export { parseQuartzCron, QUARTZ_MAX_YEAR, QUARTZ_MIN_YEAR } from './quartz-parse.ts';
export type { DayOfMonthRule, DayOfWeekRule, QuartzCron } from './quartz-parse.ts';

/**
 * Fire times of a Quartz cron expression, as org.quartz.CronExpression#getTimeAfter gives them:
 * the first wall-clock second at or after (after + 1 s, milliseconds dropped) that matches every field,
 * read in the plan's zone. A wall time skipped by a DST gap never fires (Quartz docs: "2:05 AM may never
 * occur"); a wall time that occurs twice fires once, at its second (standard-time) occurrence, because
 * Quartz's Java calendar resolves ambiguous wall times that way.
 */

/** How far past the start an expression with no year field is searched (Quartz: CronExpression.MAX_YEAR = now + 100). */
const SEARCH_YEARS = 100;

interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function firstAtOrAfter(values: readonly number[], from: number): number | undefined {
  return values.find((v) => v >= from);
}

/** The first matching time of day at or after `from` (or the day's first matching time when `from` is null). */
function firstTime(cron: QuartzCron, from: TimeOfDay | null): TimeOfDay | null {
  const first = (values: readonly number[]): number => values[0] as number;
  if (!from) return { hour: first(cron.hours), minute: first(cron.minutes), second: first(cron.seconds) };
  for (const hour of cron.hours) {
    if (hour < from.hour) continue;
    if (hour > from.hour) return { hour, minute: first(cron.minutes), second: first(cron.seconds) };
    for (const minute of cron.minutes) {
      if (minute < from.minute) continue;
      if (minute > from.minute) return { hour, minute, second: first(cron.seconds) };
      const second = firstAtOrAfter(cron.seconds, from.second);
      if (second !== undefined) return { hour, minute, second };
    }
  }
  return null;
}

/** Weekday nearest `day` (Sat → Fri, Sun → Mon), never leaving the month: Sat 1st → Mon 3rd, Sun last → Fri. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const dow = dayOfWeek(year, month, day);
  if (dow === SATURDAY) return day === 1 ? 3 : day - 1;
  if (dow === SUNDAY) return day === last ? day - 2 : day + 1;
  return day;
}

/** The days of `year`-`month` the day-of-month or day-of-week rule selects, ascending. */
export function matchingDays(cron: QuartzCron, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const dom = cron.dayOfMonth;
  if (dom) {
    switch (dom.kind) {
      case 'days':
        return dom.days.filter((d) => d <= last);
      case 'last': {
        const target = last - dom.offset;
        if (target < 1) return [];
        return [dom.nearestWeekday ? nearestWeekday(year, month, target) : target];
      }
      case 'nearestWeekday':
        // Quartz 2.3's lenient calendar rolls e.g. 31W in April into May; we let it not fire that month.
        return dom.day > last ? [] : [nearestWeekday(year, month, dom.day)];
    }
  }
  const dow = cron.dayOfWeek;
  if (!dow) return [];
  const firstDow = dayOfWeek(year, month, 1);
  const firstOf = (weekday: number): number => 1 + ((weekday - firstDow + 7) % 7);
  switch (dow.kind) {
    case 'days': {
      const days: number[] = [];
      for (let d = 1; d <= last; d++) {
        if (dow.days.includes(((firstDow - 1 + d - 1) % 7) + 1)) days.push(d);
      }
      return days;
    }
    case 'last': {
      const first = firstOf(dow.day);
      return [first + 7 * Math.floor((last - first) / 7)];
    }
    case 'nth': {
      const day = firstOf(dow.day) + 7 * (dow.nth - 1);
      return day <= last ? [day] : [];
    }
  }
}

function yearAllowed(cron: QuartzCron, year: number): boolean {
  return cron.years === 'any' || cron.years.includes(year);
}

/** The first wall time at or after `from` that matches every field, or null if none until `lastYear`. */
export function firstMatchingWall(cron: QuartzCron, from: WallTime, lastYear: number): WallTime | null {
  for (let year = from.year; year <= lastYear; year++) {
    if (!yearAllowed(cron, year)) continue;
    for (const month of cron.months) {
      if (year === from.year && month < from.month) continue;
      const sameMonth = year === from.year && month === from.month;
      for (const day of matchingDays(cron, year, month)) {
        if (sameMonth && day < from.day) continue;
        const time = firstTime(cron, sameMonth && day === from.day ? from : null);
        if (time) return { year, month, day, ...time, millisecond: 0 };
      }
    }
  }
  return null;
}

/** The first fire time strictly after `after` (epoch ms), in `timeZone`; null when the expression never fires again. */
export function nextQuartzFire(cron: QuartzCron, after: number, timeZone: string): number | null {
  const start = Math.floor((after + MS_PER_SECOND) / MS_PER_SECOND) * MS_PER_SECOND;
  let from = wallClockAt(start, timeZone);
  const lastYear = cron.years === 'any' ? from.year + SEARCH_YEARS : Math.max(...cron.years);
  for (;;) {
    const wall = firstMatchingWall(cron, from, lastYear);
    if (!wall) return null;
    const resolved = resolveWall(wall, timeZone);
    if (resolved.exists) return resolved.instant;
    const resume = wallAfterGap(wall, timeZone);
    if (compareWall(resume, wall) <= 0) throw new Error(`no progress past the DST gap at ${JSON.stringify(wall)}`);
    from = resume;
  }
}

const compiled = new Map<string, QuartzCron>();
const COMPILED_CACHE_SIZE = 512;

/** `parseQuartzCron` with a small cache: plans are evaluated far more often than they change. */
export function compileQuartzCron(expression: string): QuartzCron {
  const hit = compiled.get(expression);
  if (hit) return hit;
  const cron = parseQuartzCron(expression);
  if (compiled.size >= COMPILED_CACHE_SIZE) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(expression, cron);
  return cron;
}
