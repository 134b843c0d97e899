import { epochToLocal, localToEpoch, offsetAt, type SourceZone } from '../../core/normalise/time-zone.ts';
import { MS_PER_DAY, MS_PER_MINUTE, daysFromCivil, daysInMonth, isoOffsetMinutes } from '../../core/time-zone.ts';
import { microsecondOf } from '../../core/values.ts';
import type { TypeKind } from './type-mapping.ts';

/**
 * Instants with microsecond precision (epoch microseconds as bigint), because MySQL DATETIME(6) and PostgreSQL
 * timestamps keep microseconds and a watermark rounded to milliseconds would re-read or skip rows.
 */
export type Micros = bigint;

const LOCAL = /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const ISO = /^(.+?)(Z|[+-]\d{2}:?\d{2})$/;

/** A wall-clock text `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` read in `zone`. */
export function localTextToMicros(text: string, zone: SourceZone): Micros {
  const m = LOCAL.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a date-time`);
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  const micros = Number(fraction);
  const ms = localToEpoch(zone, {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Math.floor(micros / 1000),
  });
  return BigInt(ms) * 1000n + BigInt(micros % 1000);
}

/**
 * `localTextToMicros` to the millisecond (floored), for the values of every row: a fixed-offset zone and the
 * databases' own `YYYY-MM-DD HH:MM:SS[.ffffff]` are read without regular expressions or BigInt.
 */
export function localTextToEpochMs(text: string, zone: SourceZone): number {
  if (zone.kind === 'fixed') {
    const utc = canonicalLocalAsUtc(text);
    if (utc !== undefined) return utc - zone.offsetMinutes * MS_PER_MINUTE;
  }
  return Number(floorDiv(localTextToMicros(text, zone), 1000n));
}

/** `microsToLocalText` of an epoch-ms instant plus `microsecond` (0–999), without BigInt for a fixed-offset zone. */
export function epochMsToLocalText(ms: number, zone: SourceZone, microsecond = 0): string {
  if (zone.kind !== 'fixed' || !Number.isInteger(ms)) return microsToLocalText(msToMicros(ms) + BigInt(microsecond), zone);
  const local = ms + zone.offsetMinutes * MS_PER_MINUTE;
  const days = Math.floor(local / MS_PER_DAY);
  const civil = civilFromDays(days);
  if (civil.year < 1000 || civil.year > 9999 || !Number.isInteger(microsecond) || microsecond < 0 || microsecond > 999) {
    return microsToLocalText(msToMicros(ms) + BigInt(microsecond), zone);
  }
  const inDay = local - days * MS_PER_DAY;
  const second = Math.floor(inDay / 1000);
  return `${civil.year}-${TWO_DIGITS[civil.month]}-${TWO_DIGITS[civil.day]} ${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}.${THREE_DIGITS[inDay % 1000]}${THREE_DIGITS[microsecond]}`;
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_v, i) => String(i).padStart(2, '0'));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_v, i) => String(i).padStart(3, '0'));

/**
 * The proleptic Gregorian date of a day number (days since 1970-01-01), by arithmetic alone (H. Hinnant's
 * `civil_from_days`): the per-row text needs no Date object.
 */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** Epoch ms of `YYYY-MM-DD HH:MM:SS[.f…]` read as UTC, or undefined for any other shape or an out-of-range field. */
function canonicalLocalAsUtc(t: string): number | undefined {
  if (t.length < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const sep = t.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return undefined;
  const year = digitsAt(t, 0, 4);
  const month = digitsAt(t, 5, 7);
  const day = digitsAt(t, 8, 10);
  const hour = digitsAt(t, 11, 13);
  const minute = digitsAt(t, 14, 16);
  const second = digitsAt(t, 17, 19);
  let ms = 0;
  if (t.length > 19) {
    if (t.charCodeAt(19) !== 46 || t.length > 29) return undefined;
    const fraction = digitsAt(t, 20, t.length);
    if (fraction < 0 || t.length === 20) return undefined;
    const places = t.length - 20;
    ms = places <= 3 ? fraction * 10 ** (3 - places) : Math.floor(fraction / 10 ** (places - 3));
  }
  // Years below 100 take the exact path, as they always have; an out-of-range field (a 30 February) too.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** The decimal number in t[from, to), or -1 when a character is not a digit. */
function digitsAt(t: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`: the wall clock of `zone` at `at`. */
export function microsToLocalText(at: Micros, zone: SourceZone): string {
  const ms = floorDiv(at, 1000n);
  const l = epochToLocal(zone, Number(ms));
  const micros = Number(at - ms * 1000n) + l.millisecond * 1000;
  return `${pad(l.year, 4)}-${pad(l.month, 2)}-${pad(l.day, 2)} ${pad(l.hour, 2)}:${pad(l.minute, 2)}:${pad(l.second, 2)}.${pad(micros, 6)}`;
}

/** ISO 8601 with the zone's offset and microseconds, e.g. `2024-05-01T12:00:00.123456+08:00`. */
export function microsToIso(at: Micros, zone: SourceZone): string {
  const offset = offsetAt(zone, Number(floorDiv(at, 1000n)));
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${microsToLocalText(at, zone).replace(' ', 'T')}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** An ISO 8601 instant with `Z` or an offset; microseconds kept. */
export function isoToMicros(text: string): Micros {
  const m = ISO.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`"${text}" is not an ISO 8601 instant with a zone`);
  return localTextToMicros(m[1], { kind: 'fixed', name: m[2], offsetMinutes: isoOffsetMinutes(m[2]) });
}

export function msToMicros(ms: number): Micros {
  return BigInt(Math.trunc(ms)) * 1000n;
}

/**
 * A valid Date as the text a column of `kind` takes, read in `zone`: the zone's wall clock for `date` (the day),
 * `time` (the time of day) and `timestamp` / `timestamptz` (both), microseconds included; ISO 8601 with the zone's
 * offset for any other kind (a text column).
 */
export function dateColumnText(value: Date, kind: TypeKind | undefined, zone: SourceZone): string {
  if (kind !== 'date' && kind !== 'time' && kind !== 'timestamp' && kind !== 'timestamptz') return microsToIso(dateToMicros(value), zone);
  const local = epochMsToLocalText(value.getTime(), zone, microsecondOf(value));
  if (kind === 'date') return local.slice(0, 10);
  if (kind === 'time') return local.slice(11);
  return local;
}

/** The instant of a Date in microseconds, the `PreciseDate`'s own microseconds included. */
export function dateToMicros(d: Date): Micros {
  return msToMicros(d.getTime()) + BigInt(microsecondOf(d));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
