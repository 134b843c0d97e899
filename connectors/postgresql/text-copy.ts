import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { escapeTable, plainTextColumn, textBulkBuffer } from '../sql/text-bulk.ts';
import { typeKind } from '../sql/type-mapping.ts';

/** What COPY's text format escapes: backslash, tab, newline, carriage return. */
const COPY_ESCAPES = escapeTable({ '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r' });

/**
 * How `column`'s source text lands in `target` exactly as the record path would land its value, or null when it may
 * not. The record path turns a value into text with `postgresParam`; the source's own text is the same text for
 * integers, exact decimals, strings, dates and times, and for other kinds only into the column types listed here:
 * - float: only into `double precision`, which reads any decimal text of a double as that double (the record
 *   path writes the shortest text of the number the driver parsed, which a `numeric` or `real` may read apart);
 * - json: only into `jsonb`, which keeps the document, not its spelling;
 * - datetime: into `timestamp` when the source's and the writer's zones are the same fixed offset (the record path
 *   reads the wall clock in one and writes it in the other), into `timestamptz` from a fixed-offset source zone,
 *   with that offset appended (the same instant as the record path's UTC text).
 * Never into `bytea`, whose values the record path does not take from text.
 */
export function textCopyColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  const kind = typeKind(target.dataType);
  const plain = plainTextColumn(column, kind);
  if (plain !== undefined) return plain;
  switch (column.kind) {
    case 'float':
      return kind === 'double' ? { escape: false, suffix: '' } : null;
    case 'json':
      return target.dataType === 'jsonb' ? { escape: true, suffix: '' } : null;
    case 'datetime':
      if (source.kind !== 'fixed') return null;
      if (kind === 'timestamptz') return { escape: false, suffix: offsetText(source.offsetMinutes) };
      if (kind === 'timestamp' && writer.kind === 'fixed' && writer.offsetMinutes === source.offsetMinutes) return { escape: false, suffix: '' };
      return null;
    default:
      return null;
  }
}

function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** `rows` as COPY text-format lines (see `textBulkBuffer`). */
export function copyBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  return textBulkBuffer(rows, columns, COPY_ESCAPES, reuse);
}
