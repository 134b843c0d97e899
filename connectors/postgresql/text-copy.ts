import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { textBulkBuffer, textBulkColumn } from '../sql/text-bulk.ts';
import { binaryCopyField, copyBinaryOfText, type BinaryCopyField } from './binary-copy.ts';
import { COPY_ESCAPES } from './copy-text.ts';

/**
 * How `column`'s source text goes into COPY for `target` (`textBulkColumn`, whose rules the record path's
 * `postgresParam` sets): a float only into `double precision`, a date-time into `timestamp` in one fixed zone or into
 * `timestamptz` with the source's offset, JSON only into `jsonb`, which keeps the document, not its spelling; never
 * into `bytea`.
 */
export function textCopyColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  const how = textBulkColumn(column, target, source, writer, (t) => t.dataType === 'jsonb');
  if (!how) return null;
  const binary = binaryCopyField(target, how, source);
  return binary ? { ...how, binary } : how;
}

/**
 * `rows` as COPY data: binary when every column has a binary form and every value is spelled canonically
 * (`copyBinaryOfText`), else text-format lines (`textBulkBuffer`).
 */
export function copyBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  const fields = columns.map((c) => c.binary);
  const binary = fields.every((f): f is BinaryCopyField => f !== undefined) ? copyBinaryOfText(rows, fields, reuse) : null;
  return binary ?? textBulkBuffer(rows, columns, COPY_ESCAPES, reuse);
}
