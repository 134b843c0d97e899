import { stringifyJson, type DocumentValue, type FieldValue, type Row } from '../sdk/index.ts';

/**
 * A record as the JSON value of a Kafka message. Exact values stay exact: bigint and exact decimals (already
 * strings) are written as strings, timestamps as ISO-8601 UTC, binary as base64.
 */
export function rowToJson(row: Row): string {
  const out: { [key: string]: DocumentValue } = {};
  for (const key of Object.keys(row)) out[key] = toJsonValue(row[key] ?? null);
  return stringifyJson(out);
}

/** A field as a JSON value; a JSON document's long numbers stay numbers (`stringifyJson` writes them). */
export function toJsonValue(v: FieldValue): DocumentValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return v;
}

/** A field as message text (keys, headers, `text` values): strings as they are, everything else as JSON. */
export function fieldText(v: FieldValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  const j = toJsonValue(v);
  return typeof j === 'string' ? j : stringifyJson(j);
}

/** A record as a `text` message: its values in column order, joined by the delimiter; null as `nullFormat`. */
export function rowToText(row: Row, columns: readonly string[], delimiter: string, nullFormat: string): string {
  return columns.map((c) => fieldText(row[c]) ?? nullFormat).join(delimiter);
}

/** `${field}` placeholders in a header value, replaced by the record's fields (missing or null: empty). */
export function expandTemplate(template: string, row: Row): string {
  return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) => fieldText(row[name.trim()]) ?? '');
}
