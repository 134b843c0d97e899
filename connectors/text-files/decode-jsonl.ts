import { pipeline, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { jsonFieldValue, parseJsonLossless, topLevelFields, type ParsedDocument, type Row, type SourceBatch } from '../sdk/index.ts';
import { BatchBuilder, lineReason } from './batch-builder.ts';
import type { DecodeOptions } from './decode-delimited.ts';
import type { TextReadFormat } from './format.ts';
import { valueAtPath } from './json-path.ts';

/** Lines of a decoded text stream, numbered from 1, without their line breaks (CRLF or LF). */
async function* numberedLines(text: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let carry = '';
  let line = 0;
  for await (const chunk of text) {
    carry += chunk;
    let nl = carry.indexOf('\n');
    let from = 0;
    while (nl !== -1) {
      line++;
      const end = nl > from && carry.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line, text: carry.slice(from, end) };
      from = nl + 1;
      nl = carry.indexOf('\n', from);
    }
    carry = carry.slice(from);
  }
  if (carry.length > 0) yield { line: line + 1, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry };
}

/** Streams JSON Lines (one object per line; blank lines are skipped) into batches of rows. */
export async function* decodeJsonl(input: Readable, opts: DecodeOptions): AsyncGenerator<SourceBatch> {
  const decoded = pipeline(input, iconv.decodeStream(opts.format.charset), () => undefined) as AsyncIterable<string | Buffer>;
  const text = (async function* () {
    for await (const chunk of decoded) yield typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  })();
  const builder = new BatchBuilder(opts.file, opts.batchSize);
  const afterLine = opts.afterLine ?? 0;
  let lastLine = afterLine;
  for await (const { line, text: raw } of numberedLines(text)) {
    if (line <= afterLine || raw.trim() === '') continue;
    lastLine = line;
    const bytes = Buffer.byteLength(raw) + 1;
    const row = parseLine(raw, opts.format);
    if (typeof row === 'string') builder.addUnreadable({ raw, reason: lineReason(line, row) }, bytes);
    else builder.addRecord(row, bytes);
    if (builder.full()) yield builder.take(lastLine);
  }
  if (builder.size > 0) yield builder.take(lastLine);
}

function parseLine(raw: string, format: TextReadFormat): Row | string {
  let value: ParsedDocument;
  try {
    value = parseJsonLossless(raw);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  if (format.metaData.length === 0) return topLevelFields(value);
  const row: Row = {};
  for (const m of format.metaData) {
    const picked = valueAtPath(value, m.path || m.name);
    row[m.name] = picked === undefined ? null : jsonFieldValue(picked);
  }
  return row;
}
