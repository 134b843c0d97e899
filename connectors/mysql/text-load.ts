import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { textBulkBuffer, textBulkColumn } from '../sql/text-bulk.ts';
import { LOAD_DATA_ESCAPES } from './load-data.ts';

/**
 * How `column`'s source text goes into LOAD DATA for the MySQL column `target` (`textBulkColumn`, whose rules the
 * record path's `mysqlParam` sets): a float only into DOUBLE; a date-time into DATETIME or TIMESTAMP in one fixed
 * zone (TIMESTAMP is read in the session's zone, which is the writer's); never into a binary column. JSON goes into
 * a JSON column as the same document in the source's spelling. The record path parses a document and writes it
 * compactly; MariaDB keeps a JSON column's text as given, so there the two differ in spaces only (`JSON_EQUALS` is
 * true), and the source's spelling is what a dump and reload (mysqldump) keeps too.
 */
export function loadDataColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  return textBulkColumn(column, target, source, writer, (t) => t.json);
}

/** `rows` as LOAD DATA lines (see `textBulkBuffer`). */
export function loadDataBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  return textBulkBuffer(rows, columns, LOAD_DATA_ESCAPES, reuse);
}
