/**
 * The row mapper built from TaskSpec.mapping: mappingTable / mappingInput pairs take a source column (or a
 * metadata name, or a JSON path such as `a.b[0].c`) to a target column, `constant` pairs put a literal; with
 * `mappingRequired: false` records pass through with their own field names. When the pair names a target type,
 * the value is converted to it; a value that cannot be converted makes the record dirty (column + reason).
 */
import { jsonFieldValue } from '../core/json.ts';
import { DEFAULT_SOURCE_TIME_ZONE } from '../core/defaults.ts';
import { zoneOf, type SourceZone } from '../core/normalise/time-zone.ts';
import type { ColumnMapping, TaskSpec } from '../core/task-spec.ts';
import type { FieldValue, JsonValue, Row } from '../core/values.ts';
import { parseColumnType, type ColumnType } from './column-type.ts';
import { convertValue } from './convert.ts';

export type MapResult = { ok: true; row: Row } | { ok: false; column: string; reason: string };

export interface RowMapper {
  /** True when records go to the target as read. */
  readonly passThrough: boolean;
  map(row: Row): MapResult;
  /**
   * True when a record with exactly these fields, in this order, each with a value (null included), goes to the
   * target as it is: the engine may then hand the writer rows as the source's text. Null when no record ever does.
   */
  readonly passesUnchanged: ((fields: readonly string[]) => boolean) | null;
  /** Source columns that some record did not have (mapped as null); the engine warns once about each. */
  takeMissingColumns(): string[];
}

interface CompiledColumn {
  mapping: ColumnMapping;
  type: ColumnType | undefined;
  /** For a constant pair: the literal, converted once. */
  constant?: { ok: true; value: FieldValue } | { ok: false; reason: string };
  path: (string | number)[] | null;
}

/** The zone of the source's zoneless date/time values: the incremental `timeZone`, else a top-level one, else the default. */
export function sourceZoneOf(task: TaskSpec): SourceZone {
  const text =
    task.source.incremental?.timeZone ??
    stringOf(task.source.extra['timeZone']) ??
    stringOf(task.rawDetail['timeZone']) ??
    DEFAULT_SOURCE_TIME_ZONE;
  return zoneOf(text, 'timeZone');
}

function stringOf(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function buildRowMapper(task: TaskSpec): RowMapper {
  const zone = sourceZoneOf(task);
  const missing = new Set<string>();
  const reported = new Set<string>();
  if (!task.mapping.required || task.mapping.columns.length === 0) {
    return { passThrough: true, map: (row) => ({ ok: true, row }), passesUnchanged: () => true, takeMissingColumns: () => [] };
  }
  const columns: CompiledColumn[] = task.mapping.columns.map((mapping) => {
    const type = parseColumnType(mapping.targetType, mapping.targetLength);
    const compiled: CompiledColumn = { mapping, type, path: mapping.constant ? null : parsePath(mapping.source) };
    if (mapping.constant) compiled.constant = type ? convertValue(mapping.source, type, zone) : { ok: true, value: mapping.source };
    return compiled;
  });

  const names = columns.map((c) => c.mapping.source);
  const asRead = sameRowWhenAsRead(columns, names);
  return {
    passThrough: false,
    passesUnchanged: asRead ? (fields) => fields.length === names.length && fields.every((f, i) => f === names[i]) : null,
    map(row: Row): MapResult {
      if (asRead?.(row)) return { ok: true, row };
      const out: Row = {};
      for (const col of columns) {
        const { mapping } = col;
        let value: FieldValue;
        if (col.constant) {
          if (!col.constant.ok) return { ok: false, column: mapping.target, reason: `constant ${col.constant.reason}` };
          value = col.constant.value;
        } else {
          const found = lookup(row, mapping.source, col.path);
          if (found === undefined) {
            if (!reported.has(mapping.source)) missing.add(mapping.source);
            value = null;
          } else value = found;
        }
        if (value === null || value === undefined) {
          if (mapping.targetNullable === false) {
            return { ok: false, column: mapping.target, reason: `null for the non-nullable column (source ${describeSource(mapping)})` };
          }
          out[mapping.target] = null;
          continue;
        }
        if (col.type && !col.constant) {
          const c = convertValue(value, col.type, zone);
          if (!c.ok) return { ok: false, column: mapping.target, reason: `${c.reason} (source ${describeSource(mapping)})` };
          value = c.value;
        }
        out[mapping.target] = value;
      }
      return { ok: true, row: out };
    },
    takeMissingColumns(): string[] {
      const list = [...missing];
      for (const m of list) reported.add(m);
      missing.clear();
      return list;
    },
  };
}

/**
 * For a mapping of plain names onto themselves (no type, constant, JSON path or NOT NULL check): a test of whether
 * a row has exactly those fields in that order, each with a value, so that mapping it would make an identical copy
 * and the row itself can go on (the engine then reuses its measured size). Undefined for any other mapping.
 */
function sameRowWhenAsRead(columns: readonly CompiledColumn[], names: readonly string[]): ((row: Row) => boolean) | undefined {
  const plain = columns.every(
    ({ mapping, type, path }) => !mapping.constant && type === undefined && path === null && mapping.target === mapping.source && mapping.targetNullable !== false,
  );
  if (!plain || new Set(names).size !== names.length) return undefined;
  return (row) => {
    let fields = 0;
    for (const key in row) {
      if (key !== names[fields] || row[key] === undefined) return false;
      fields++;
    }
    return fields === names.length;
  };
}

function describeSource(m: ColumnMapping): string {
  return m.constant ? 'constant' : `"${m.source}"`;
}

/** `a.b[0].c` → ['a','b',0,'c']; null for a plain name (no dots or brackets). */
function parsePath(source: string): (string | number)[] | null {
  if (!/[.[]/.test(source)) return null;
  const parts: (string | number)[] = [];
  for (const m of source.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[1] !== undefined) parts.push(m[1]);
  }
  return parts.length > 0 ? parts : null;
}

/** The value of `name` in `row`: the exact key, else the JSON path, else a key that differs only in case. */
function lookup(row: Row, name: string, path: (string | number)[] | null): FieldValue | undefined {
  if (Object.hasOwn(row, name)) return row[name];
  if (path) {
    let cur: unknown = row;
    for (const part of path) {
      if (cur === null || typeof cur !== 'object' || cur instanceof Date || cur instanceof Uint8Array) {
        cur = undefined;
        break;
      }
      if (typeof part === 'number') cur = Array.isArray(cur) ? (cur as unknown[])[part] : undefined;
      else cur = Array.isArray(cur) || !Object.hasOwn(cur, part) ? undefined : (cur as Record<string, unknown>)[part];
    }
    // A long number inside a JSON document is a field of its own here: its literal text.
    if (cur !== undefined) return jsonFieldValue(cur) as FieldValue;
  }
  const lower = name.toLowerCase();
  let match: string | undefined;
  for (const key of Object.keys(row)) {
    if (key.toLowerCase() === lower) {
      if (match !== undefined) return undefined;
      match = key;
    }
  }
  return match === undefined ? undefined : row[match];
}
