import type { ColumnMeta } from '../sql/catalog.ts';
import { typeKind } from '../sql/type-mapping.ts';
import type { SqlParam } from '../sql/where.ts';
import { ByteWriter, escapeTable } from '../sql/byte-writer.ts';

const TAB = 0x09;
const NEWLINE = 0x0a;
/** The characters COPY's text format escapes: backslash, tab, newline, carriage return. */
export const COPY_ESCAPES = escapeTable({ '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r' });

/**
 * Rows of bound parameters (as `postgresParam` makes them) as COPY text-format lines in UTF-8, or null when one of
 * them has no text form that the server would read exactly as the bound parameter (a Buffer for a non-bytea
 * column, an array literal): the caller then uses INSERT for the batch. Each value goes through the column type's
 * own input function either way, so COPY accepts and refuses exactly what the INSERT would.
 */
export function copyBuffer(rows: readonly (readonly SqlParam[])[], columns: readonly ColumnMeta[]): Buffer | null {
  const binary = columns.map((c) => typeKind(c.dataType) === 'binary');
  const out = new ByteWriter(rows.length * columns.length * 16, COPY_ESCAPES);
  for (const params of rows) {
    for (let i = 0; i < params.length; i++) {
      if (i > 0) out.byte(TAB);
      if (!writeField(out, params[i] ?? null, binary[i] === true)) return null;
    }
    out.byte(NEWLINE);
  }
  return out.done();
}

/** `copyBuffer` as text (tests, logs). */
export function copyText(rows: readonly (readonly SqlParam[])[], columns: readonly ColumnMeta[]): string | null {
  return copyBuffer(rows, columns)?.toString('utf8') ?? null;
}

function writeField(out: ByteWriter, v: SqlParam, binaryColumn: boolean): boolean {
  if (v === null) out.ascii('\\N');
  else if (typeof v === 'string') out.escaped(v);
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') out.ascii(String(v));
  // bytea's hex input form `\x…`, its backslash doubled for COPY.
  else if (v instanceof Uint8Array && binaryColumn) out.ascii(`\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`);
  else return false;
  return true;
}
