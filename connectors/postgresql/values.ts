import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import { stringifyJson } from '../sdk/index.ts';
import { dateColumnText } from '../sql/instant.ts';
import { typeKind } from '../sql/type-mapping.ts';
import type { SqlParam } from '../sql/where.ts';

/** A pipeline value as node-postgres should bind it for `column`. */
export function postgresParam(value: unknown, column: ColumnMeta, zone: SourceZone): SqlParam {
  if (value === null || value === undefined) return null;
  // Text, the commonest value, needs no look at the column.
  if (typeof value === 'string') return value;
  if (value instanceof Date) {
    const kind = typeKind(column.dataType);
    if (Number.isNaN(value.getTime())) throw new Error(`invalid date for column ${column.name}`);
    // A PreciseDate's ISO text carries its microseconds.
    if (kind === 'timestamptz') return value.toISOString();
    return dateColumnText(value, kind, zone);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // A list for an array column goes as a list (node-postgres writes the array literal); JSON otherwise.
  if (Array.isArray(value) && column.dataType.startsWith('_')) return value as unknown as SqlParam;
  return stringifyJson(value);
}
