/**
 * Wall clocks and IANA time zones, through Intl only: the one place that turns an instant into the reading of a
 * zone's clock and measures a zone's offset. How a wall time that a shift skips or repeats becomes an instant is a
 * policy of each caller (java.time for source timestamps, Quartz's GregorianCalendar for plans), built on these.
 */

/** A local date and time as a clock on the wall shows it; `month` is 1–12; the year is astronomical (0 = 1 BC). */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in `month` (1–12) of `year`, proleptic Gregorian; RangeError for another month. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  const days = DAYS_IN_MONTH[month - 1];
  if (days === undefined) throw new RangeError(`month ${month} is not 1-12`);
  return days;
}

/** The day number (days since 1970-01-01) of a proleptic Gregorian date (`days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The wall time read as if it were UTC: a monotone number for comparing and shifting wall times. */
export function wallToNaiveMs(w: WallTime): number {
  // setUTCFullYear, not Date.UTC: Date.UTC would move the years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
  return d.getTime();
}

export function naiveMsToWall(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter of the clock of `timeZone`; undefined when Intl does not know the zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(timeZone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      // Without the era Intl answers the year of the era: 6 BC would read as the year 6.
      era: 'short',
    });
  } catch {
    return undefined;
  }
  formatters.set(timeZone, f);
  return f;
}

/** The canonical IANA name of `timeZone` (case-insensitive input), or null when Intl does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  if (timeZone.trim() === '' || timeZone !== timeZone.trim()) return null;
  return formatterFor(timeZone)?.resolvedOptions().timeZone ?? null;
}

/** Whether Intl knows the zone `timeZone` by this exact spelling. */
export function isKnownTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== undefined;
}

/** The wall-clock reading of `instant` (epoch ms) in the IANA zone `timeZone`; RangeError for an unknown zone. */
export function wallClockAt(instant: number, timeZone: string): WallTime {
  const f = formatterFor(timeZone);
  if (!f) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  let era: string | undefined;
  const fields: Partial<Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>> = {};
  for (const p of f.formatToParts(new Date(instant))) {
    if (p.type === 'era') era = p.value;
    else if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      fields[p.type] = Number(p.value);
    }
  }
  const { year, month, day, hour, minute, second } = fields;
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) {
    throw new Error(`Intl gave no full date and time for ${instant} in ${timeZone}`);
  }
  return {
    year: era === 'BC' || era === 'B' ? 1 - year : year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond: ((instant % MS_PER_SECOND) + MS_PER_SECOND) % MS_PER_SECOND,
  };
}

/** UTC offset in ms (local − UTC) in force in the IANA zone `timeZone` at `instant`; whole seconds (LMT has them). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  return wallToNaiveMs(wallClockAt(instant, timeZone)) - instant;
}

/** Minutes east of UTC of an ISO-8601 offset a pattern has already matched as `Z` or `±HH[[:]MM]`; no range check. */
export function isoOffsetMinutes(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return text.startsWith('-') ? -minutes : minutes;
}
