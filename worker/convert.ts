/**
 * Conversion of one value to a target column type. A value that cannot be converted is reported (never nulled,
 * never thrown): the caller makes the record dirty with the reason.
 */
import { epochToLocal, localToEpoch, type SourceZone } from '../core/normalise/time-zone.ts';
import { daysInMonth, isoOffsetMinutes } from '../core/time-zone.ts';
import { jsonFieldValue, parseJsonLossless, stringifyJson } from '../core/json.ts';
import { dateWithMicros, microsecondOf, type FieldValue } from '../core/values.ts';
import type { ColumnType } from './column-type.ts';

export type Converted = { ok: true; value: FieldValue } | { ok: false; reason: string };

const ok = (value: FieldValue): Converted => ({ ok: true, value });
const fail = (reason: string): Converted => ({ ok: false, reason });

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const INTEGER_TEXT = /^[+-]?\d+(?:\.0*)?$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const TRUE_TEXT = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE_TEXT = new Set(['false', 'f', '0', 'no', 'n', 'off']);
const DATE_TIME_TEXT =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME_TEXT = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Convert `value` for a column of `type`; date/time values without a zone are read in `zone`. */
export function convertValue(value: FieldValue, type: ColumnType, zone: SourceZone): Converted {
  if (value === null) return ok(null);
  switch (type.kind) {
    case 'integer':
      return toInteger(value, type);
    case 'decimal':
      return toDecimal(value, type);
    case 'float':
      return toFloat(value, type);
    case 'string':
      return toText(value, type, zone, type.maxLength);
    case 'text':
      return toText(value, type, zone, undefined);
    case 'boolean':
      return toBoolean(value, type);
    case 'date':
      return toDate(value, type, zone);
    case 'datetime':
      return toDateTime(value, type, zone);
    case 'time':
      return toTime(value, type, zone);
    case 'json':
      return toJson(value, type);
    case 'binary':
      return toBinary(value, type);
    case 'unknown':
      return ok(value);
  }
}

function show(value: FieldValue): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = value.toString();
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else if (value instanceof Uint8Array) text = `<${value.byteLength} bytes>`;
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const notA = (value: FieldValue, type: ColumnType, why?: string): Converted =>
  fail(`${show(value)} cannot be converted to ${type.name}${why ? `: ${why}` : ''}`);

function toInteger(value: FieldValue, type: ColumnType): Converted {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) return notA(value, type, 'not an integer');
    n = BigInt(value);
  } else if (typeof value === 'boolean') n = value ? 1n : 0n;
  else if (typeof value === 'string') {
    const t = value.trim();
    if (!INTEGER_TEXT.test(t)) return notA(value, type, 'not an integer');
    n = BigInt(t.replace(/\..*$/, ''));
  } else return notA(value, type);
  if ((type.min !== undefined && n < type.min) || (type.max !== undefined && n > type.max)) {
    return notA(value, type, `out of range ${type.min}..${type.max}`);
  }
  return ok(n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n);
}

/** A plain decimal string for a number, bigint or numeric text (no exponent, no float rounding). */
function decimalText(value: FieldValue): { sign: '' | '-'; int: string; frac: string } | undefined {
  let text: string;
  if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'boolean') text = value ? '1' : '0';
  else if (typeof value === 'string') text = value.trim();
  else return undefined;
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) return undefined;
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    int += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const moved = int.padStart(-exp, '0');
    frac = moved.slice(moved.length + exp) + frac;
    int = moved.slice(0, moved.length + exp);
  }
  int = int.replace(/^0+/, '');
  frac = frac.replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { sign: m[1] === '-' && !zero ? '-' : '', int, frac };
}

function toDecimal(value: FieldValue, type: ColumnType): Converted {
  const d = decimalText(value);
  if (!d) return notA(value, type, 'not a number');
  let { int, frac } = d;
  if (type.scale !== undefined && frac.length > type.scale) {
    // Round half away from zero to the column's scale, as MySQL and PostgreSQL do.
    const digits = BigInt(`${int || '0'}${frac.slice(0, type.scale)}`) + (Number(frac[type.scale]) >= 5 ? 1n : 0n);
    const text = digits.toString().padStart(type.scale + 1, '0');
    int = text.slice(0, text.length - type.scale).replace(/^0+/, '');
    frac = text.slice(text.length - type.scale).replace(/0+$/, '');
  }
  if (type.precision !== undefined) {
    const intDigits = type.precision - (type.scale ?? 0);
    if (int.length > intDigits) {
      return notA(value, type, `more than ${intDigits} digit(s) before the point (precision ${type.precision}, scale ${type.scale ?? 0})`);
    }
  }
  const sign = int === '' && frac === '' ? '' : d.sign;
  return ok(`${sign}${int || '0'}${frac ? `.${frac}` : ''}`);
}

function toFloat(value: FieldValue, type: ColumnType): Converted {
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : notA(value, type, 'not a finite number');
  if (typeof value === 'bigint') return ok(Number(value));
  if (typeof value === 'boolean') return ok(value ? 1 : 0);
  if (typeof value === 'string') {
    const t = value.trim();
    const n = Number(t);
    if (t === '' || !DECIMAL_TEXT.test(t) || !Number.isFinite(n)) return notA(value, type, 'not a number');
    return ok(n);
  }
  return notA(value, type);
}

function toText(value: FieldValue, type: ColumnType, zone: SourceZone, maxLength: number | undefined): Converted {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
  else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return notA(value, type, 'invalid date');
    text = formatLocal(value.getTime(), zone, true, microsecondOf(value));
  } else if (value instanceof Uint8Array) text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  else text = stringifyJson(value);
  if (maxLength !== undefined) {
    let length = 0;
    for (const _ of text) length++;
    if (length > maxLength) return fail(`value of ${length} characters is longer than ${type.name}(${maxLength}): ${show(value)}`);
  }
  return ok(text);
}

function toBoolean(value: FieldValue, type: ColumnType): Converted {
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (value == 0) return ok(false);
    if (value == 1) return ok(true);
    return notA(value, type, 'only 0 and 1 are booleans');
  }
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (TRUE_TEXT.has(t)) return ok(true);
    if (FALSE_TEXT.has(t)) return ok(false);
  }
  return notA(value, type);
}

interface Instant {
  ms: number;
  /** 0–999 below the millisecond. */
  micro: number;
}

/** The instant a date/time value stands for; text without a zone is a wall-clock reading in `zone`. */
function instantOf(value: FieldValue, zone: SourceZone): Instant | string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid date' : { ms: value.getTime(), micro: microsecondOf(value) };
  if (typeof value === 'number') return Number.isFinite(value) ? { ms: Math.trunc(value), micro: 0 } : 'not a finite number';
  if (typeof value === 'bigint') return value >= MIN_SAFE && value <= MAX_SAFE ? { ms: Number(value), micro: 0 } : 'out of range';
  if (typeof value !== 'string') return 'not a date';
  const m = DATE_TIME_TEXT.exec(value.trim());
  if (!m) return 'not a date/time (expected yyyy-MM-dd[ HH:mm[:ss[.SSS]]][zone])';
  const local = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)),
  };
  if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > daysInMonth(local.year, local.month)) return 'no such date';
  if (local.hour > 23 || local.minute > 59 || local.second > 59) return 'no such time of day';
  const micro = Number((m[7] ?? '').padEnd(6, '0').slice(3, 6));
  const z = m[8];
  if (z === undefined) return { ms: localToEpoch(zone, local), micro };
  return { ms: localToEpoch({ kind: 'fixed', name: z, offsetMinutes: isoOffsetMinutes(z) }, local), micro };
}

function toDateTime(value: FieldValue, type: ColumnType, zone: SourceZone): Converted {
  const t = instantOf(value, zone);
  if (typeof t === 'string') return notA(value, type, t);
  if (value instanceof Date) return ok(value);
  const d = dateWithMicros(t.ms, t.micro);
  return Number.isNaN(d.getTime()) ? notA(value, type, 'out of range') : ok(d);
}

function toDate(value: FieldValue, type: ColumnType, zone: SourceZone): Converted {
  const t = instantOf(value, zone);
  if (typeof t === 'string') return notA(value, type, t);
  if (Number.isNaN(new Date(t.ms).getTime())) return notA(value, type, 'out of range');
  return ok(formatLocal(t.ms, zone, false));
}

function toTime(value: FieldValue, type: ColumnType, zone: SourceZone): Converted {
  if (typeof value === 'string') {
    const m = TIME_TEXT.exec(value.trim());
    if (!m) return notA(value, type, 'not a time of day (expected HH:mm[:ss[.SSS]])');
    const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (h > 23 || mi > 59 || s > 59) return notA(value, type, 'no such time of day');
    return ok(`${pad(h)}:${pad(mi)}:${pad(s)}${m[4] ? `.${m[4]}` : ''}`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return notA(value, type, 'invalid date');
    return ok(formatLocal(value.getTime(), zone, true, microsecondOf(value)).slice(11));
  }
  return notA(value, type);
}

function toJson(value: FieldValue, type: ColumnType): Converted {
  if (typeof value === 'string') {
    try {
      return ok(jsonFieldValue(parseJsonLossless(value)));
    } catch (err) {
      return notA(value, type, `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (typeof value === 'bigint') return ok(value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? notA(value, type, 'invalid date') : ok(value.toISOString());
  if (value instanceof Uint8Array) return notA(value, type, 'binary data is not JSON');
  if (typeof value === 'number' && !Number.isFinite(value)) return notA(value, type, 'not a finite number');
  return ok(value);
}

function toBinary(value: FieldValue, type: ColumnType): Converted {
  if (value instanceof Uint8Array) return ok(value);
  if (typeof value === 'string') return ok(new Uint8Array(Buffer.from(value, 'utf8')));
  return notA(value, type);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss.SSS[SSS]` as the wall clock of `zone` shows `epochMs`: microsecond digits
 * only when there are microseconds to show.
 */
function formatLocal(epochMs: number, zone: SourceZone, withTime: boolean, microsecond = 0): string {
  const l = epochToLocal(zone, epochMs);
  const date = `${l.year < 0 ? '-' : ''}${pad(Math.abs(l.year), 4)}-${pad(l.month)}-${pad(l.day)}`;
  if (!withTime) return date;
  const micros = microsecond === 0 ? '' : pad(microsecond, 3);
  return `${date} ${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}.${pad(l.millisecond, 3)}${micros}`;
}
