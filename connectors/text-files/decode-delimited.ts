import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import iconv from 'iconv-lite';
import { setOwn, type FieldValue, type Row, type SourceBatch } from '../sdk/index.ts';
import { BatchBuilder, lineReason } from './batch-builder.ts';
import type { TextReadFormat } from './format.ts';
import { LineCounter } from './line-counter.ts';

export interface DecodeOptions {
  /** The file's name as checkpoints and reasons show it. */
  file: string;
  format: TextReadFormat;
  batchSize: number;
  /** Resume: leave out data records that end on or before this line. */
  afterLine?: number;
}

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

interface Skipped {
  raw: string;
  reason: string;
  /** The parser's line count when it gave up: orders the skip among the records it already emitted. */
  parserLine: number;
}

/** A record as csv-parse emits it with `raw: true`; anything else is a bug of ours, not of the file. */
function asParsedRecord(value: unknown): ParsedRecord {
  const v = value as Partial<ParsedRecord> | null;
  if (!v || !Array.isArray(v.record) || typeof v.raw !== 'string' || typeof v.info?.lines !== 'number') throw new Error('csv-parse emitted an unexpected value');
  return v as ParsedRecord;
}

/**
 * Streams CSV (RFC 4180 quoting) or TXT (plain delimited, no quoting) bytes into batches of rows.
 * Memory stays flat: one batch at a time, the parser pulls only as fast as the batches are taken.
 */
export async function* decodeDelimited(input: Readable, opts: DecodeOptions): AsyncGenerator<SourceBatch> {
  const { format, file } = opts;
  const skipped: Skipped[] = [];
  const parser = parse({
    delimiter: format.fieldDelimiter,
    quote: format.fileType === 'csv' ? '"' : false,
    // A stray quote inside a field is kept as text rather than throwing away the lines after it.
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    info: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const parserLine = typeof err?.lines === 'number' ? err.lines : Number.MAX_SAFE_INTEGER;
      skipped.push({ raw: raw ?? '', reason: err?.message ?? 'unparseable record', parserLine });
      return undefined;
    },
  });
  // Errors of any stage (a read error, a bad byte sequence) surface through the parser's iterator.
  const records = pipeline(input, iconv.decodeStream(format.charset), parser, () => undefined);

  const lines = new LineCounter();
  const builder = new BatchBuilder(file, opts.batchSize);
  const afterLine = opts.afterLine ?? 0;
  let headersLeft = format.headerRows;
  let names: string[] | undefined;
  let expectedFields: number | undefined;
  let lastLine = afterLine;

  // The parser runs ahead of us: take only the skips that came before the record about to be handled.
  const takeSkipped = function* (beforeParserLine: number): Generator<SourceBatch> {
    while (skipped.length > 0 && (skipped[0]?.parserLine ?? 0) < beforeParserLine) {
      const s = skipped.shift();
      if (!s) break;
      const { start, end, text } = lines.advance(s.raw);
      if (end <= afterLine) continue;
      builder.addUnreadable({ raw: text, reason: lineReason(start, s.reason) }, Buffer.byteLength(s.raw));
      lastLine = end;
      if (builder.full()) yield builder.take(lastLine);
    }
  };

  for await (const value of records) {
    const { record, raw, info } = asParsedRecord(value);
    yield* takeSkipped(info.lines);
    const { start, end, text } = lines.advance(raw);
    if (headersLeft > 0) {
      headersLeft--;
      if (headersLeft === 0 && format.namesFromHeader) {
        names = headerNames(record);
        expectedFields = record.length;
      }
      continue;
    }
    if (end <= afterLine) {
      expectedFields ??= record.length;
      continue;
    }
    lastLine = end;
    expectedFields ??= record.length;
    const bytes = Buffer.byteLength(raw);
    const row = toRow(record, format, names);
    if (record.length !== expectedFields) {
      builder.addUnreadable({ raw: text, reason: lineReason(start, `expected ${expectedFields} fields, found ${record.length}`) }, bytes);
    } else if (typeof row === 'string') {
      builder.addUnreadable({ raw: text, reason: lineReason(start, row) }, bytes);
    } else {
      builder.addRecord(row, bytes);
    }
    if (builder.full()) yield builder.take(lastLine);
  }
  yield* takeSkipped(Number.POSITIVE_INFINITY);
  if (builder.size > 0) yield builder.take(lastLine);
}

/** Header fields as column names: blank ones become `c<i>`, repeated ones get `_<i>`. */
export function headerNames(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  return fields.map((f, i) => {
    let name = f.trim() || `c${i}`;
    if (seen.has(name)) name = `${name}_${i}`;
    seen.add(name);
    return name;
  });
}

/** The row of a record, or the reason it cannot be one. */
function toRow(fields: readonly string[], format: TextReadFormat, names: readonly string[] | undefined): Row | string {
  const row: Row = {};
  if (format.metaData.length > 0) {
    for (const m of format.metaData) {
      if (m.index >= fields.length) return `no field at index ${m.index} for "${m.name}" (the line has ${fields.length})`;
      setOwn(row, m.name, nullable(fields[m.index] ?? '', format.nullFormat));
    }
    return row;
  }
  for (let i = 0; i < fields.length; i++) {
    setOwn(row, names?.[i] ?? `c${i}`, nullable(fields[i] ?? '', format.nullFormat));
  }
  return row;
}

function nullable(value: string, nullFormat: string | undefined): FieldValue {
  return nullFormat !== undefined && value === nullFormat ? null : value;
}
