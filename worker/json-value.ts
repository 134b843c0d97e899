import { toPlainJson } from '../core/json.ts';
import type { FieldValue, JsonValue, Row } from '../core/values.ts';

/** A field as JSON: bigint as its exact digits, Date as ISO-8601, bytes as base64. */
export function fieldToJson(v: FieldValue): JsonValue {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return toPlainJson(v);
}

export function rowToJson(row: Row): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(row)) out[key] = fieldToJson(row[key] ?? null);
  return out;
}
