import { daysFromCivil, daysInMonth } from '../../core/time-zone.ts';

/**
 * Source text → PostgreSQL's binary form of one value (the types' receive functions, src/backend/utils/adt), for
 * binary COPY. Each writer reads only the canonical spelling of its type, the one MySQL prints (`-12`, `3.50`,
 * `2024-03-05 12:34:56.789`), and writes exactly the value the type's text input makes of that spelling; the server
 * then applies the column's typmod (numeric scale, timestamp precision, varchar length) as it does for text. Any
 * other text gives −1 and the batch goes as text, for the server's own parser to read or refuse.
 *
 * A writer takes the field `src[from, from + len)` and writes its binary form into `out` (through `view`, the same
 * memory) at `at`; it returns the offset after it, or −1. `offsetMicros` is subtracted from a date-time (its zone).
 */
export type BinaryFieldWriter = (src: Buffer, from: number, len: number, out: Buffer, view: DataView, at: number, offsetMicros: number) => number;

export type BinaryCodec = 'bytes' | 'jsonb' | 'int2' | 'int4' | 'int8' | 'numeric' | 'float8' | 'bool' | 'date' | 'time' | 'timestamp';

/** Most bytes a value's binary form may take beyond its text's length (an int8 of one digit, a numeric's header). */
export const MAX_BINARY_OVERHEAD = 20;

const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const SPACE = 0x20;
const TWO_32 = 4294967296;
/** Fields shorter than this are copied byte by byte: a native copy costs more to call. */
const NATIVE_COPY_MIN = 48;

const isDigit = (b: number): boolean => b >= ZERO && b <= 0x39;

/** text, varchar, char, json: the text's bytes (the server checks their encoding and the typmod, as for text). */
export function writeBytes(src: Buffer, from: number, len: number, out: Buffer, at: number): number {
  if (len >= NATIVE_COPY_MIN) return at + src.copy(out, at, from, from + len);
  for (let j = 0; j < len; j++) out[at + j] = src[from + j] as number;
  return at + len;
}

/** jsonb: version 1, then the document's text (jsonb_recv parses it as jsonb_in does). */
export function writeJsonb(src: Buffer, from: number, len: number, out: Buffer, at: number): number {
  out[at] = 1;
  return writeBytes(src, from, len, out, at + 1);
}

/** `-?[0-9]+` of at most 15 digits as a number; NaN otherwise (bigint's longer ones go through `writeInt8`). */
function smallIntegerOf(src: Buffer, from: number, len: number): number {
  let p = from;
  const end = from + len;
  const negative = src[p] === MINUS;
  if (negative) p++;
  if (p === end || end - p > 15) return NaN;
  let v = 0;
  for (; p < end; p++) {
    const d = (src[p] as number) - ZERO;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

const writeInt2: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const v = smallIntegerOf(src, from, len);
  if (!(v >= -0x8000 && v <= 0x7fff)) return -1;
  view.setInt16(at, v);
  return at + 2;
};

const writeInt4: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const v = smallIntegerOf(src, from, len);
  if (!(v >= -0x8000_0000 && v <= 0x7fff_ffff)) return -1;
  view.setInt32(at, v);
  return at + 4;
};

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?[0-9]{1,19}$/;

const writeInt8: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const v = smallIntegerOf(src, from, len);
  if (v === v) {
    writeSafeInt64(view, at, v);
    return at + 8;
  }
  const text = src.toString('latin1', from, from + len);
  if (!INTEGER_TEXT.test(text)) return -1;
  const big = BigInt(text);
  if (big < INT8_MIN || big > INT8_MAX) return -1;
  view.setBigInt64(at, big);
  return at + 8;
};

/** An integer within ±2^53 as a big-endian int64, without a BigInt. */
function writeSafeInt64(view: DataView, at: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  view.setInt32(at, high);
  view.setUint32(at + 4, v - high * TWO_32);
}

/** MySQL's TINYINT(1) spelling of a boolean, `0` or `1` (boolin reads both). */
const writeBool: BinaryFieldWriter = (src, from, len, out, _view, at) => {
  const d = (src[from] as number) - ZERO;
  if (len !== 1 || (d !== 0 && d !== 1)) return -1;
  out[at] = d;
  return at + 1;
};

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
/** More digits than this go as text (numeric's own limits are far above: 131072 before the point, 16383 after). */
const MAX_NUMERIC_DIGITS = 1000;
const numericGroups = new Int32Array(Math.ceil(MAX_NUMERIC_DIGITS / 4) + 2);

/**
 * `-?[0-9]+(\.[0-9]+)?` as a numeric: base-10000 digit groups aligned on the decimal point, `weight` the power of
 * the first, `dscale` the digits after the point as written (numeric_in's display scale). Zero groups at either
 * end are left out, as make_result leaves them out; zero is positive whatever its sign.
 */
const writeNumeric: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const end = from + len;
  let p = from;
  const negative = src[p] === MINUS;
  if (negative) p++;
  let intFrom = p;
  while (p < end && isDigit(src[p] as number)) p++;
  const intTo = p;
  if (intTo === intFrom) return -1;
  let fracFrom = p;
  let fracTo = p;
  if (p < end) {
    if (src[p] !== DOT) return -1;
    fracFrom = ++p;
    while (p < end && isDigit(src[p] as number)) p++;
    fracTo = p;
    if (fracTo === fracFrom || p !== end) return -1;
  }
  while (intFrom < intTo && src[intFrom] === ZERO) intFrom++;
  const intDigits = intTo - intFrom;
  const fracDigits = fracTo - fracFrom;
  if (intDigits + fracDigits > MAX_NUMERIC_DIGITS) return -1;

  const groups = numericGroups;
  let n = 0;
  // Cut into fours from the point: the integer part's first group holds what is left over.
  let group = 0;
  let inGroup = intDigits % 4 === 0 ? 4 : intDigits % 4;
  for (let q = intFrom; q < fracTo; q++) {
    if (q === intTo) continue;
    group = group * 10 + ((src[q] as number) - ZERO);
    if (--inGroup === 0) {
      groups[n++] = group;
      group = 0;
      inGroup = 4;
    }
  }
  if (inGroup < 4) groups[n++] = group * 10 ** inGroup;
  let weight = Math.ceil(intDigits / 4) - 1;

  let first = 0;
  while (first < n && groups[first] === 0) {
    first++;
    weight--;
  }
  while (n > first && groups[n - 1] === 0) n--;
  const digits = n - first;
  view.setInt16(at, digits);
  view.setInt16(at + 2, digits === 0 ? 0 : weight);
  view.setUint16(at + 4, digits > 0 && negative ? NUMERIC_NEG : NUMERIC_POS);
  view.setUint16(at + 6, fracDigits);
  let o = at + 8;
  for (let k = first; k < n; k++, o += 2) view.setInt16(o, groups[k] as number);
  return o;
};

/** Powers of ten a double holds exactly. */
const EXACT_POWERS_OF_10 = Array.from({ length: 23 }, (_v, k) => 10 ** k);
const FLOAT_TEXT = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/**
 * A double's decimal text (`-1.5`, `2.5e-7`) as float8in reads it: correctly rounded, as strtod and Number() both
 * round. A value that rounds to zero or infinity from digits that are not is out of range for float8in (an error),
 * so it goes as text for the server to refuse. Up to 15 significant digits and 22 after the point, without an
 * exponent, the number is an exact integer over an exact power of ten, and their IEEE quotient is correctly rounded:
 * no string to make.
 */
const writeFloat8: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const end = from + len;
  let p = from;
  const negative = src[p] === MINUS;
  if (negative) p++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; p < end; p++) {
    const b = src[p] as number;
    if (b === DOT && fraction < 0) fraction = 0;
    else if (b >= ZERO && b <= 0x39) {
      mantissa = mantissa * 10 + (b - ZERO);
      if (mantissa > 0) digits++;
      if (fraction >= 0) fraction++;
    } else break;
  }
  if (p === end && digits <= 15 && fraction !== 0 && fraction <= 22 && src[end - 1] !== DOT && end > from + (negative ? 1 : 0)) {
    const v = fraction > 0 ? mantissa / (EXACT_POWERS_OF_10[fraction] as number) : mantissa;
    view.setFloat64(at, negative ? -v : v);
    return at + 8;
  }
  const text = src.toString('latin1', from, end);
  if (!FLOAT_TEXT.test(text)) return -1;
  const v = Number(text);
  if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')))) return -1;
  view.setFloat64(at, v);
  return at + 8;
};

/** Two digits at `p`, or −1. */
function twoDigits(src: Buffer, p: number): number {
  const a = (src[p] as number) - ZERO;
  const b = (src[p + 1] as number) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days of 2000-01-01 (PostgreSQL's epoch) after 1970-01-01. */
const POSTGRES_EPOCH_DAYS = 10_957;

/**
 * `YYYY-MM-DD` at `p` (years 0001–9999, a real day of the proleptic Gregorian calendar, as date_in checks it) as
 * days since 2000-01-01; NaN otherwise (MySQL's zero dates among them).
 */
function postgresDayOf(src: Buffer, p: number): number {
  if (src[p + 4] !== MINUS || src[p + 7] !== MINUS) return NaN;
  const hi = twoDigits(src, p);
  const lo = twoDigits(src, p + 2);
  const month = twoDigits(src, p + 5);
  const day = twoDigits(src, p + 8);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = hi * 100 + lo;
  if (year === 0 || day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day) - POSTGRES_EPOCH_DAYS;
}

/**
 * `hh:mm:ss[.f{1,6}]` at `p` to `end` (hours 00–23) as microseconds of the day; NaN otherwise (MySQL's TIME beyond
 * a day or below zero, which time_in refuses).
 */
function microsOfDay(src: Buffer, p: number, end: number): number {
  if (end - p < 8 || src[p + 2] !== COLON || src[p + 5] !== COLON) return NaN;
  const h = twoDigits(src, p);
  const m = twoDigits(src, p + 3);
  const s = twoDigits(src, p + 6);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return NaN;
  let micros = 0;
  let q = p + 8;
  if (q < end) {
    if (src[q] !== DOT || end - q < 2 || end - q > 7) return NaN;
    let scale = 100_000;
    for (q++; q < end; q++, scale /= 10) {
      const d = (src[q] as number) - ZERO;
      if (d < 0 || d > 9) return NaN;
      micros += d * scale;
    }
  }
  return ((h * 60 + m) * 60 + s) * 1_000_000 + micros;
}

const writeDate: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  if (len !== 10) return -1;
  const day = postgresDayOf(src, from);
  if (day !== day) return -1;
  view.setInt32(at, day);
  return at + 4;
};

const writeTime: BinaryFieldWriter = (src, from, len, _out, view, at) => {
  const micros = microsOfDay(src, from, from + len);
  if (micros !== micros) return -1;
  writeSafeInt64(view, at, micros);
  return at + 8;
};

const MICROS_PER_DAY = 86_400_000_000;
/** Beyond this many microseconds a double is no longer exact: those go through a BigInt. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `YYYY-MM-DD hh:mm:ss[.f{1,6}]`, less `offsetMicros`, as microseconds since 2000-01-01 00:00 (timestamp_recv's). */
const writeTimestamp: BinaryFieldWriter = (src, from, len, _out, view, at, offsetMicros) => {
  if (len < 19 || src[from + 10] !== SPACE) return -1;
  const day = postgresDayOf(src, from);
  const time = microsOfDay(src, from + 11, from + len);
  if (day !== day || time !== time) return -1;
  const dayMicros = day * MICROS_PER_DAY;
  const micros = dayMicros + time - offsetMicros;
  if (Math.abs(dayMicros) + MICROS_PER_DAY * 2 < MAX_SAFE) writeSafeInt64(view, at, micros);
  else view.setBigInt64(at, BigInt(day) * BigInt(MICROS_PER_DAY) + BigInt(time) - BigInt(offsetMicros));
  return at + 8;
};

const byteWriter: BinaryFieldWriter = (src, from, len, out, _view, at) => writeBytes(src, from, len, out, at);
const jsonbWriter: BinaryFieldWriter = (src, from, len, out, _view, at) => writeJsonb(src, from, len, out, at);

export const BINARY_FIELD_WRITERS: Readonly<Record<BinaryCodec, BinaryFieldWriter>> = {
  bytes: byteWriter,
  jsonb: jsonbWriter,
  int2: writeInt2,
  int4: writeInt4,
  int8: writeInt8,
  numeric: writeNumeric,
  float8: writeFloat8,
  bool: writeBool,
  date: writeDate,
  time: writeTime,
  timestamp: writeTimestamp,
};
