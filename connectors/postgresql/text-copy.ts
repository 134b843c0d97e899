import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { textBulkBuffer, textBulkColumn } from '../sql/text-bulk.ts';
import { COPY_ESCAPES } from './copy-text.ts';

/**
 * How `column`'s source text goes into COPY for `target` (`textBulkColumn`, whose rules the record path's
 * `postgresParam` sets): a float only into `double precision`, a date-time into `timestamp` in one fixed zone or into
 * `timestamptz` with the source's offset, JSON only into `jsonb`, which keeps the document, not its spelling; never
 * into `bytea`.
 */
export function textCopyColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  return textBulkColumn(column, target, source, writer, (t) => t.dataType === 'jsonb');
}

/** `rows` as COPY text-format lines (see `textBulkBuffer`). */
export function copyBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  return textBulkBuffer(rows, columns, COPY_ESCAPES, reuse);
}
