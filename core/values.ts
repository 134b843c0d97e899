import type { JsonNumberText } from './json.ts';

/** The value types that flow through a pipeline, from reader to writer. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A value inside a JSON document that a reader parsed: JSON, where the numbers a double cannot hold exactly are kept
 * as `JsonNumberText` (write documents with `stringifyJson`).
 */
export type DocumentValue = null | boolean | number | string | JsonNumberText | DocumentValue[] | { [key: string]: DocumentValue };

/**
 * One field of a record. Readers produce the most faithful JS value they can: exact decimals and 64-bit integers
 * as strings or bigint (never a lossy double), timestamps as Date (a `PreciseDate` when they carry microseconds),
 * binary as Uint8Array, JSON columns as objects.
 */
export type FieldValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | DocumentValue[]
  | { [key: string]: DocumentValue };

/** A record: column (or metadata path) name → value. */
export type Row = Record<string, FieldValue>;

/**
 * A Date that also keeps the microseconds below its millisecond, because MySQL DATETIME(6) and PostgreSQL
 * timestamps carry microseconds and a JS Date only milliseconds. It is a Date wherever one is expected (so code that
 * knows nothing of microseconds still sees the right millisecond); its ISO text has six fraction digits.
 */
export class PreciseDate extends Date {
  /** 0–999: the microseconds within the Date's millisecond. */
  readonly microsecond: number;

  constructor(epochMs: number, microsecond: number) {
    super(epochMs);
    if (!Number.isInteger(microsecond) || microsecond < 0 || microsecond > 999) throw new RangeError(`microsecond ${microsecond} is not 0–999`);
    this.microsecond = microsecond;
  }

  // Date.prototype.toJSON calls toISOString, so JSON text carries the microseconds too.
  override toISOString(): string {
    const iso = super.toISOString();
    return `${iso.slice(0, -1)}${String(this.microsecond).padStart(3, '0')}Z`;
  }
}

/** An instant at millisecond + microsecond: a plain Date when there is no microsecond to keep. */
export function dateWithMicros(epochMs: number, microsecond: number): Date {
  return microsecond === 0 ? new Date(epochMs) : new PreciseDate(epochMs, microsecond);
}

/** The microseconds below the millisecond that a Date carries (0 for a plain Date). */
export function microsecondOf(d: Date): number {
  return d instanceof PreciseDate ? d.microsecond : 0;
}

/**
 * The microseconds below the millisecond in a date-time text's fraction (`…:SS.ffffff…`: the 4th to 6th digits), 0
 * when it has fewer digits. `fractionAt` is the index of the `.`.
 */
export function subMillisecondMicrosOfText(text: string, fractionAt = text.indexOf('.', 19)): number {
  if (fractionAt < 0 || text.charCodeAt(fractionAt) !== 46) return 0;
  let micros = 0;
  for (let i = 1; i <= 6; i++) {
    const c = text.charCodeAt(fractionAt + i) - 48;
    // The fraction ends early: the missing digits are zeros.
    if (!(c >= 0 && c <= 9)) return i <= 4 ? 0 : micros * 10 ** (7 - i);
    if (i >= 4) micros = micros * 10 + c;
  }
  return micros;
}
