import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { escapeTable, plainTextColumn, textBulkBuffer } from '../sql/text-bulk.ts';
import { typeKind } from '../sql/type-mapping.ts';

/** What LOAD DATA's default format escapes: backslash, tab, newline, carriage return, NUL. */
const LOAD_DATA_ESCAPES = escapeTable({ '\\': '\\', '\t': 't', '\n': 'n', '\r': 'r', '\0': '0' });

/**
 * How `column`'s source text goes into LOAD DATA for the MySQL column `target`, or null when the run must take the
 * record path. The record path writes a value's text with `mysqlParam`; the source's own text is that same text for
 * integers, exact decimals, strings, dates and times, into any column but a binary one. Besides:
 * - float: only into DOUBLE, which reads any decimal text of a double as that double;
 * - datetime: into DATETIME or TIMESTAMP when the source's and the writer's zones are the same fixed offset (the
 *   record path reads the wall clock in one and writes it in the other; TIMESTAMP is read in the session's zone,
 *   which is the writer's);
 * - json: into a JSON column, as the same document in the source's spelling. The record path parses a document and
 *   writes it compactly; MariaDB keeps a JSON column's text as given, so there the two differ in spaces only
 *   (`JSON_EQUALS` is true), and the source's spelling is what a dump and reload (mysqldump) keeps too.
 */
export function loadDataColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  const kind = typeKind(target.dataType);
  const plain = plainTextColumn(column, kind);
  if (plain !== undefined) return plain;
  switch (column.kind) {
    case 'float':
      return kind === 'double' ? { escape: false, suffix: '' } : null;
    case 'json':
      return target.json ? { escape: true, suffix: '' } : null;
    case 'datetime':
      return kind === 'timestamp' && source.kind === 'fixed' && writer.kind === 'fixed' && writer.offsetMinutes === source.offsetMinutes
        ? { escape: false, suffix: '' }
        : null;
    default:
      return null;
  }
}

/** `rows` as LOAD DATA lines (see `textBulkBuffer`). */
export function loadDataBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  return textBulkBuffer(rows, columns, LOAD_DATA_ESCAPES, reuse);
}
