import { ROW_BYTES, type Row, type SourceZone, type TextColumn, type TextKind, type TextRows } from '../sdk/index.ts';
import type { SqlTextPage } from '../sql/session.ts';

/**
 * A PostgreSQL result read as text rows: the lines of `COPY (query) TO STDOUT` (text format) cut into fields, in a
 * page buffer of their own, instead of node-postgres turning each field into a string and then a JS value. The
 * text of each field is what the type's output function prints, the same text a query's rows carry; `records()`
 * runs node-postgres's own parsers (the reader's `typeParsers`) over it, so the records are exactly those of the
 * reader's record path.
 */

/** How the record path's value of a column type is measured (`rowBytes`), from its text. */
interface TypeText {
  kind: TextKind;
  /** The record's value is a string (measured with its quotes), not a number or a document. */
  quoted: boolean;
  /** The record's value is a date-time (a fixed measure). */
  dateTime?: true;
}

/** Column types (OIDs) whose record value is their text, or a value a target reads from that text alike. */
const TYPE_TEXTS: ReadonlyMap<number, TypeText> = new Map<number, TypeText>([
  [20, { kind: 'integer', quoted: true }], // int8: node-postgres keeps it a string
  [21, { kind: 'integer', quoted: false }], // int2
  [23, { kind: 'integer', quoted: false }], // int4
  [1700, { kind: 'decimal', quoted: true }], // numeric
  [701, { kind: 'float', quoted: false }], // float8
  [25, { kind: 'text', quoted: true }], // text
  [1043, { kind: 'text', quoted: true }], // varchar
  [1042, { kind: 'text', quoted: true }], // bpchar
  [1082, { kind: 'date', quoted: true }], // date: kept as text (connection.ts)
  [1083, { kind: 'time', quoted: true }], // time
  [1114, { kind: 'datetime', quoted: false, dateTime: true }], // timestamp: read in the task's zone
  [114, { kind: 'json', quoted: false }], // json
  [3802, { kind: 'json', quoted: false }], // jsonb
]);

/** A result column as node-postgres describes it. */
export interface PostgresField {
  name: string;
  dataTypeID: number;
}

/** A column's text kind, its parser, and how `rowBytes` measures its record value. */
export interface PostgresTextColumn extends TextColumn {
  parse: (text: string) => unknown;
  keyBytes: number;
  quote: number;
  fixed: number | null;
}

/** The text column of each field, or null when some field's type is not one whose text a target may take. */
export function postgresTextColumns(fields: readonly PostgresField[], parserOf: (oid: number) => (text: string) => unknown): PostgresTextColumn[] | null {
  const columns: PostgresTextColumn[] = [];
  for (const f of fields) {
    const t = TYPE_TEXTS.get(f.dataTypeID);
    if (!t) return null;
    columns.push({
      name: f.name,
      kind: t.kind,
      parse: parserOf(f.dataTypeID),
      keyBytes: f.name.length + ROW_BYTES.field,
      quote: t.quoted ? ROW_BYTES.quotes : 0,
      fixed: t.dateTime ? ROW_BYTES.dateTime : null,
    });
  }
  return columns;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const N = 0x4e;
/** COPY's text-format escapes as it writes them (CopyAttributeOutText): the letter after the backslash → the byte. */
const UNESCAPE = new Uint8Array(256);
for (const [letter, byte] of [['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9], ['v', 11]] as const) UNESCAPE[letter.charCodeAt(0)] = byte;

/** One page of text rows from COPY; `records()` parses the fields with the record path's parsers. */
export class PostgresTextRows implements TextRows {
  private made: Row[] | undefined;

  constructor(
    private readonly plans: readonly PostgresTextColumn[],
    readonly columns: readonly TextColumn[],
    readonly count: number,
    readonly chunks: readonly Buffer[],
    readonly chunkOf: Int32Array,
    readonly start: Int32Array,
    readonly length: Int32Array,
    readonly zone: SourceZone,
  ) {}

  records(): Row[] {
    if (this.made) return this.made;
    const rows: Row[] = new Array<Row>(this.count);
    const buf = this.chunks[0] as Buffer;
    const cols = this.plans.length;
    for (let r = 0, i = 0; r < this.count; r++) {
      const row: Row = {};
      for (let c = 0; c < cols; c++, i++) {
        const plan = this.plans[c] as PostgresTextColumn;
        const len = this.length[i] as number;
        const at = this.start[i] as number;
        row[plan.name] = (len < 0 ? null : plan.parse(buf.toString('utf8', at, at + len))) as Row[string];
      }
      rows[r] = row;
    }
    this.made = rows;
    return rows;
  }
}

/**
 * A page being filled from COPY's lines: each line is copied into the page's buffer (the driver reuses the memory it
 * hands a message in), cut at its tabs, and its escaped fields unescaped in place (an unescaped field is never
 * longer); `\N` alone is NULL.
 */
export class CopyPageBuilder {
  count = 0;
  bytes = 0;
  readonly sizes: number[] = [];
  private buf: Buffer;
  private used = 0;
  private readonly start: Int32Array;
  private readonly length: Int32Array;

  constructor(
    private readonly plans: readonly PostgresTextColumn[],
    private readonly capacity: number,
    initialBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.start = new Int32Array(capacity * plans.length);
    this.length = new Int32Array(capacity * plans.length);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Bytes of the page's buffer in use. */
  get usedBytes(): number {
    return this.used;
  }

  /** Notes one COPY line (its newline included); throws on a line that does not have the result's columns. */
  add(line: Buffer): void {
    if (this.used + line.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + line.length));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    const buf = this.buf;
    const base = this.used;
    line.copy(buf, base);
    const end = base + line.length;
    if (buf[end - 1] !== NEWLINE) throw new Error('a COPY line from PostgreSQL does not end with a newline');
    const plans = this.plans;
    const cols = plans.length;
    let i = this.count * cols;
    let at = base;
    let size = ROW_BYTES.row;
    for (let c = 0; c < cols; c++, i++) {
      const plan = plans[c] as PostgresTextColumn;
      if (at >= end) throw new Error('a COPY line from PostgreSQL has fewer fields than its result has columns');
      const from = at;
      let escaped = false;
      while (at < end) {
        const b = buf[at] as number;
        if (b === TAB || b === NEWLINE) break;
        if (b === BACKSLASH) {
          escaped = true;
          at++;
        }
        at++;
      }
      const stop = at;
      at++; // past the tab or newline
      if (stop - from === 2 && escaped && buf[from + 1] === N) {
        this.start[i] = from;
        this.length[i] = -1;
        size += plan.keyBytes + ROW_BYTES.null;
        continue;
      }
      const len = escaped ? unescapeInPlace(buf, from, stop) : stop - from;
      this.start[i] = from;
      this.length[i] = len;
      size += plan.keyBytes + (plan.fixed ?? len + plan.quote);
    }
    if (at !== end) throw new Error('a COPY line from PostgreSQL has more fields than its result has columns');
    this.used = end;
    this.count++;
    this.sizes.push(size);
    this.bytes += size;
  }

  finish(zone: SourceZone): SqlTextPage {
    const n = this.count;
    const fields = n * this.plans.length;
    const columns = this.plans.map(({ name, kind }) => ({ name, kind }));
    const rows = new PostgresTextRows(this.plans, columns, n, [this.buf], new Int32Array(n), this.start.subarray(0, fields), this.length.subarray(0, fields), zone);
    return { textPage: true, rows, sizes: this.sizes, bytes: this.bytes };
  }
}

/** Unescapes buf[from, to) in place; its new length. */
function unescapeInPlace(buf: Buffer, from: number, to: number): number {
  let w = from;
  for (let r = from; r < to; r++) {
    let b = buf[r] as number;
    if (b === BACKSLASH && r + 1 < to) {
      const next = buf[++r] as number;
      b = UNESCAPE[next] || next;
    }
    buf[w++] = b;
  }
  return w - from;
}
