import { FdiError } from '../../core/fdi-error.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, daysInMonth, wallToNaiveMs, type WallTime } from '../../core/time-zone.ts';
import { resolveWall } from './zone.ts';

/** The largest `start_datetime` the spec allows is 99999999999999999; a JS Date stops at 8.64e15 ms. */
const MAX_EPOCH_MS = 8.64e15;

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function invalid(value: unknown, reason: string, field: string): FdiError {
  return new FdiError('FDI.3002', `${field} ${JSON.stringify(value)}: ${reason}`, field);
}

function parseOffset(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) throw new RangeError(`offset ${text} is out of range`);
  return sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE);
}

/**
 * `start_datetime` as epoch ms. Accepts epoch ms (a number or a numeric string) and ISO-8601 date-times:
 * with an offset (`2020-11-14T07:38:25.609Z`, `…+08:00`) they are exact; without one (`2025-01-31T09:00`,
 * `2025-01-31`) they are read as wall-clock time in `timeZone`.
 */
export function parseStartDatetime(value: unknown, timeZone: string, field = 'start_datetime'): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
      throw invalid(value, `epoch milliseconds must be an integer from 0 to ${MAX_EPOCH_MS}`, field);
    }
    return ms;
  }
  if (typeof value !== 'string') {
    throw invalid(value, 'expected epoch milliseconds or an ISO-8601 date-time such as 2020-11-14T07:38:25.609Z', field);
  }
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) throw invalid(value, 'not an ISO-8601 date-time such as 2020-11-14T07:38:25.609Z or epoch milliseconds', field);
  const [, y, mo, d, h, mi, s, fraction, offset] = m;
  const wall: WallTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    millisecond: fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
  };
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) {
    throw invalid(value, 'no such calendar date', field);
  }
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) throw invalid(value, 'no such time of day', field);
  let ms: number;
  if (offset) {
    try {
      ms = wallToNaiveMs(wall) - parseOffset(offset);
    } catch (e) {
      throw invalid(value, (e as Error).message, field);
    }
  } else {
    ms = resolveWall(wall, timeZone).instant;
  }
  if (ms < 0 || ms > MAX_EPOCH_MS) throw invalid(value, 'lies before 1970 or too far in the future', field);
  return ms;
}
