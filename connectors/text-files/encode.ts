import iconv from 'iconv-lite';
import { stringifyJson, type FieldValue, type RejectedRecord, type Row } from '../sdk/index.ts';
import type { TextWriteFormat } from './format.ts';

const LINE_END = '\n';
const UNICODE_CHARSET = /^(utf-?8|utf-?16(le|be)?|utf-?32(le|be)?|ucs-?2|cesu-?8)$/i;

export interface EncodedBatch {
  bytes: Buffer;
  /** Rows that cannot be written in this format, by index into the batch given to `encode`. */
  rejected: RejectedRecord[];
}

/**
 * Turns rows into the bytes of a CSV, TXT or JSONL file: header first when asked, one line per row, in the
 * format's charset. A row that the file could not hold faithfully (an unknown column, a value that a txt line or
 * the charset cannot carry) is refused, never altered.
 */
export class TextRecordEncoder {
  private columnList: string[] | undefined;
  private headerDone = false;
  private readonly checkCharset: boolean;

  constructor(private readonly format: TextWriteFormat) {
    this.columnList = format.columns ? [...format.columns] : undefined;
    this.checkCharset = !UNICODE_CHARSET.test(format.charset.trim());
  }

  /** The file's columns: given by the format, or the keys of the first row encoded. */
  get columns(): readonly string[] | undefined {
    return this.columnList;
  }

  encode(rows: readonly Row[]): EncodedBatch {
    const parts: Buffer[] = [];
    const rejected: RejectedRecord[] = [];
    if (this.columnList === undefined && this.format.fileType !== 'jsonl' && rows[0]) {
      this.columnList = Object.keys(rows[0]);
    }
    const header = this.header();
    if (header.length > 0) parts.push(header);
    rows.forEach((row, index) => {
      const line = this.line(row);
      if (typeof line !== 'string') {
        rejected.push({ index, ...line });
        return;
      }
      const bytes = iconv.encode(line + LINE_END, this.format.charset);
      if (this.checkCharset && iconv.decode(bytes, this.format.charset) !== line + LINE_END) {
        rejected.push({ index, reason: `a value cannot be represented in ${this.format.charset}` });
        return;
      }
      parts.push(bytes);
    });
    return { bytes: Buffer.concat(parts), rejected };
  }

  /** The header line, once, when asked for and the columns are known; else empty. */
  header(): Buffer {
    if (this.headerDone || !this.format.addHeader || this.format.fileType === 'jsonl' || !this.columnList) return Buffer.alloc(0);
    this.headerDone = true;
    const fields = this.columnList.map((c) => this.field(c));
    return iconv.encode(fields.join(this.format.fieldDelimiter) + LINE_END, this.format.charset);
  }

  private line(row: Row): string | { reason: string; column?: string } {
    const columns = this.columnList;
    if (columns) {
      for (const key of Object.keys(row)) {
        if (!columns.includes(key)) return { reason: `"${key}" is not a column of the file (${columns.join(', ')})`, column: key };
      }
    }
    if (this.format.fileType === 'jsonl') return jsonLine(row, columns);
    const fields: string[] = [];
    for (const column of columns ?? []) {
      const value = row[column];
      const text = value === null || value === undefined ? this.format.nullFormat : valueText(value);
      if (text === undefined) return { reason: 'invalid date', column };
      if (this.format.fileType === 'txt' && (text.includes(this.format.fieldDelimiter) || /[\r\n]/.test(text))) {
        return { reason: 'the value holds the field delimiter or a line break, which a txt file cannot carry (use csv)', column };
      }
      fields.push(this.field(text));
    }
    return fields.join(this.format.fieldDelimiter);
  }

  private field(text: string): string {
    if (this.format.fileType !== 'csv') return text;
    const needsQuotes = text.includes(this.format.fieldDelimiter) || /["\r\n]/.test(text);
    return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text;
  }
}

/** A field's text in a CSV/TXT file; undefined for an invalid Date. */
function valueText(value: FieldValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return stringifyJson(value);
}

function jsonLine(row: Row, columns: readonly string[] | undefined): string | { reason: string; column?: string } {
  const source: Row = {};
  for (const column of columns ?? Object.keys(row)) {
    const value = row[column] ?? null;
    if (value instanceof Date && Number.isNaN(value.getTime())) return { reason: 'invalid date', column };
    // Buffer has its own toJSON ({type, data}); binary is written as base64 text instead.
    source[column] = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
  }
  return stringifyJson(source, jsonReplacer);
}

/** bigint: a number when exact, else its digits as a string. Dates already became ISO text through toJSON. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  return value;
}
