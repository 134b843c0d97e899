import type { ColumnMeta } from '../sql/catalog.ts';
import { typeKind } from '../sql/type-mapping.ts';
import type { SqlParam } from '../sql/where.ts';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Rows of bound parameters (as `postgresParam` makes them) as COPY text-format lines, or null when one of them has
 * no text form that the server would read exactly as the bound parameter (a Buffer for a non-bytea column, an
 * array literal): the caller then uses INSERT for the batch. Each value goes through the column type's own input
 * function either way, so COPY accepts and refuses exactly what the INSERT would.
 */
export function copyText(rows: readonly (readonly SqlParam[])[], columns: readonly ColumnMeta[]): string | null {
  const binary = columns.map((c) => typeKind(c.dataType) === 'binary');
  // One string grown by appending (a rope, flattened once when it is written) allocates far less than a line each.
  let out = '';
  for (const params of rows) {
    for (let i = 0; i < params.length; i++) {
      const field = copyField(params[i] ?? null, binary[i] === true);
      if (field === null) return null;
      if (i > 0) out += '\t';
      out += field;
    }
    out += '\n';
  }
  return out;
}

function copyField(v: SqlParam, binaryColumn: boolean): string | null {
  if (v === null) return '\\N';
  if (typeof v === 'string') return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, (c) => ESCAPES[c] as string) : v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  // bytea's hex input form `\x…`, its backslash doubled for COPY.
  if (v instanceof Uint8Array && binaryColumn) return `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return null;
}
