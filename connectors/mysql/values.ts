import type { SourceZone } from '../../core/normalise/time-zone.ts';
import { jsonFieldValue, parseJsonLossless, stringifyJson, type FieldValue, type Row } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import { dateWithMicros, subMillisecondMicrosOfText } from '../../core/values.ts';
import { dateColumnText, localTextToEpochMs } from '../sql/instant.ts';
import { typeKind } from '../sql/type-mapping.ts';
import type { SqlParam } from '../sql/where.ts';

/** mysql2 column type codes (protocol constants). */
// DATE (10) and NEWDATE (14) stay `YYYY-MM-DD` text: a calendar day is not an instant and must not shift with zones.
const DATE_TIME_TYPES: ReadonlySet<number> = new Set([7, 12, 17, 18]); // TIMESTAMP, DATETIME, TIMESTAMP2, DATETIME2
export const JSON_COLUMN_TYPE = 245;

export interface ResultField {
  name: string;
  columnType?: number;
  extendedFormat?: string;
}

/** A zone-less date-time column: the reader makes its text an instant in the source's zone. */
export function isDateTimeField(f: ResultField): boolean {
  return f.columnType !== undefined && DATE_TIME_TYPES.has(f.columnType);
}

/** A column the reader parses as JSON: MySQL's JSON type, MariaDB's (JSON text), or one the catalog says holds JSON. */
export function isJsonField(f: ResultField, jsonColumns: ReadonlySet<string>): boolean {
  return f.columnType === JSON_COLUMN_TYPE || f.extendedFormat === 'json' || jsonColumns.has(f.name);
}

/** How to turn the driver's raw row into pipeline values, decided once per result from its fields. */
export function rowConverter(fields: readonly ResultField[], jsonColumns: ReadonlySet<string>, zone: SourceZone): (raw: Record<string, unknown>) => Row {
  const dates = new Set(fields.filter((f) => isDateTimeField(f)).map((f) => f.name));
  const json = new Set(fields.filter((f) => isJsonField(f, jsonColumns)).map((f) => f.name));
  const dateNames = [...dates];
  const jsonNames = [...json];
  // The driver makes a fresh object per row, owned by this reader: only the columns that need it are converted, in
  // place rather than copied.
  return (raw) => {
    for (const name of dateNames) {
      const v = raw[name];
      if (typeof v === 'string') raw[name] = dateValue(v, zone);
    }
    for (const name of jsonNames) {
      const v = raw[name];
      if (v !== null && v !== undefined) raw[name] = jsonValue(v);
    }
    return raw as Row;
  };
}

/** A zone-less date-time read in the zone; MySQL's zero dates (`0000-00-00`) stay text, as they name no instant. */
function dateValue(text: string, zone: SourceZone): FieldValue {
  if (text.startsWith('0000-00-00')) return text;
  try {
    return dateWithMicros(localTextToEpochMs(text, zone), subMillisecondMicrosOfText(text));
  } catch {
    return text;
  }
}

function jsonValue(v: unknown): FieldValue {
  const text = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
  if (text === undefined) return v as FieldValue;
  try {
    return jsonFieldValue(parseJsonLossless(text));
  } catch {
    return text;
  }
}

/** A pipeline value as mysql2 should escape it for `column` (date-times as text in the writer's zone). */
export function mysqlParam(value: unknown, column: ColumnMeta, zone: SourceZone): SqlParam {
  if (value === null || value === undefined) return null;
  // Text, the commonest value, needs no look at the column.
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    const kind = typeKind(column.dataType);
    if (Number.isNaN(value.getTime())) throw new Error(`invalid date for column ${column.name}`);
    return dateColumnText(value, kind, zone);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be stored in column ${column.name}`);
    return value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return stringifyJson(value);
}
