import { ROW_BYTES, type Row, type SourceZone, type TextColumn, type TextKind, type TextRows } from '../sdk/index.ts';
import type { SqlTextPage } from '../sql/session.ts';
import { JSON_COLUMN_TYPE, isDateTimeField, isJsonField, type ResultField } from './values.ts';

/**
 * A MySQL result read as text rows: the bounds of every field of each row packet of the text protocol (its fields
 * are length-coded byte strings), in the buffer the packet arrived in, instead of mysql2 turning each field into a
 * JS value. A bulk-loading writer copies those bytes (escaped) into its load; the records are made
 * only when something needs them (a refused row, a target that cannot take the text), by mysql2's own row parser
 * over the same bytes, so they are exactly the records of the reader's record path.
 *
 * This hooks into mysql2's Query command (3.x): its `row` state, which the command looks up on the instance after the
 * column definitions, and its row parser, kept on the instance. `hookTextRows` checks that both are there and
 * leaves the query alone otherwise.
 */

/** The part of mysql2's packet this module reads: the payload is `buffer[offset, end)`. */
interface MysqlPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}

type PacketConstructor = new (sequenceId: number, buffer: Buffer, start: number, end: number) => MysqlPacket;

interface RowParser {
  next(packet: MysqlPacket, fields: unknown, options: unknown): Record<string, unknown>;
}

type RowState = (this: QueryInternals, packet: MysqlPacket, connection: unknown) => unknown;

/** mysql2's Query command, as far as this module uses it. */
export interface QueryInternals {
  row: RowState;
  _rowParser: RowParser | null;
  _currentFields: unknown;
  options: unknown;
  _localStreamError?: unknown;
  doneInsert(rs: null): unknown;
  emit(event: 'result', row: unknown, index: number): boolean;
  once(event: 'end' | 'error', listener: () => void): unknown;
}

/** How long a page that is not full may wait for more rows while the consumer waits for it. */
const TEXT_PAGE_LINGER_MS = 50;

/** mysql2 column types (protocol constants); date-times and JSON are told apart as the record path does (values.ts). */
const TYPE = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, LONGLONG: 8, INT24: 9, DATE: 10, TIME: 11, YEAR: 13,
  NEWDATE: 14, VARCHAR: 15, TIME2: 19, NEWDECIMAL: 246, ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250,
  LONG_BLOB: 251, BLOB: 252, VAR_STRING: 253, STRING: 254,
} as const;
const ZEROFILL_FLAG = 64;
const BINARY_CHARSET = 63;
const TEXT_TYPES: ReadonlySet<number> = new Set([
  TYPE.VARCHAR, TYPE.ENUM, TYPE.SET, TYPE.TINY_BLOB, TYPE.MEDIUM_BLOB, TYPE.LONG_BLOB, TYPE.BLOB, TYPE.VAR_STRING, TYPE.STRING,
]);
/** The encodings mysql2 reads as UTF-8 text (cesu8 is utf8mb3, the same bytes for what it can hold). */
const UTF8_ENCODINGS: ReadonlySet<string> = new Set(['utf8', 'cesu8']);

/** A column's text kind and how `rowBytes` would measure the value the record path makes of it. */
interface ColumnPlan extends TextColumn {
  /** The column's share of a row's `rowBytes` besides its value (its key). */
  keyBytes: number;
  /** Added to the text's length for a value's measure (a JS string's quotes) … */
  quote: number;
  /** … unless fixed (a date-time becomes a Date). */
  fixed: number | null;
}

export interface MysqlField extends ResultField {
  flags?: number;
  characterSet?: number;
  encoding?: string;
}

/** The text kind of each field, or null when some field's record value is not its text (bytes, zero-filled …). */
export function textColumnsOf(fields: readonly MysqlField[], jsonColumns: ReadonlySet<string>): ColumnPlan[] | null {
  const plans: ColumnPlan[] = [];
  for (const f of fields) {
    const kind = kindOf(f, jsonColumns);
    if (kind === null) return null;
    const stringValue = kind === 'decimal' || kind === 'text' || kind === 'date' || kind === 'time' || (kind === 'integer' && f.columnType === TYPE.LONGLONG);
    plans.push({
      name: f.name,
      kind,
      keyBytes: f.name.length + ROW_BYTES.field,
      quote: stringValue ? ROW_BYTES.quotes : 0,
      fixed: kind === 'datetime' ? ROW_BYTES.dateTime : null,
    });
  }
  return plans;
}

function kindOf(f: MysqlField, jsonColumns: ReadonlySet<string>): TextKind | null {
  const t = f.columnType;
  if (t === undefined) return null;
  if (isDateTimeField(f)) return 'datetime';
  if (t === JSON_COLUMN_TYPE) return 'json';
  switch (t) {
    case TYPE.TINY: case TYPE.SHORT: case TYPE.LONG: case TYPE.INT24: case TYPE.YEAR: case TYPE.LONGLONG:
      // mysql2 reads zero-filled digits as a number, which drops the zeros.
      return ((f.flags ?? 0) & ZEROFILL_FLAG) !== 0 ? null : 'integer';
    case TYPE.DECIMAL: case TYPE.NEWDECIMAL: return 'decimal';
    case TYPE.FLOAT: case TYPE.DOUBLE: return 'float';
    case TYPE.DATE: case TYPE.NEWDATE: return 'date';
    case TYPE.TIME: case TYPE.TIME2: return 'time';
    default:
      if (!TEXT_TYPES.has(t) || f.characterSet === BINARY_CHARSET || !UTF8_ENCODINGS.has(f.encoding ?? '')) return null;
      return isJsonField(f, jsonColumns) ? 'json' : 'text';
  }
}

/**
 * The arrays of one page's field bounds, kept for the next page once the engine released the rows that used them:
 * allocated anew for every page they were half the garbage of a copy, which Node counts as external memory, and
 * every few dozen megabytes of it cost a full garbage collection.
 */
interface PageMemory {
  chunkOf: Int32Array;
  start: Int32Array;
  length: Int32Array;
  rowStart: Int32Array;
  rowEnd: Int32Array;
}

/** Pages' memory waiting to be reused: one query's pages all have the same size. */
const MAX_SPARE_PAGES = 8;

/** One page of text rows; `records()` parses them with the query's own row parser and the record path's converter. */
export class MysqlTextRows implements TextRows {
  private made: Row[] | undefined;
  private released = false;

  constructor(
    readonly columns: readonly TextColumn[],
    readonly count: number,
    readonly chunks: readonly Buffer[],
    readonly chunkOf: Int32Array,
    readonly start: Int32Array,
    readonly length: Int32Array,
    /** Where each row's packet payload starts and ends in its chunk. */
    private readonly rowStart: Int32Array,
    private readonly rowEnd: Int32Array,
    readonly zone: SourceZone,
    private readonly parse: (packet: MysqlPacket) => Row,
    private readonly Packet: PacketConstructor,
    /** The page's memory and where it goes back on `release`. */
    private readonly memory: PageMemory,
    private readonly spare: PageMemory[],
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.made = undefined;
    if (this.spare.length < MAX_SPARE_PAGES) this.spare.push(this.memory);
  }

  records(): Row[] {
    if (this.released) throw new Error('text rows read after their release');
    if (this.made) return this.made;
    const rows: Row[] = new Array<Row>(this.count);
    for (let r = 0; r < this.count; r++) {
      const chunk = this.chunks[this.chunkOf[r] as number] as Buffer;
      // A packet's payload starts 4 bytes (its header) after `start`; the parser reads from `offset` only.
      rows[r] = this.parse(new this.Packet(0, chunk, (this.rowStart[r] as number) - 4, this.rowEnd[r] as number));
    }
    this.made = rows;
    return rows;
  }
}

/**
 * A page being filled: the bounds of each row's fields in the buffer its packet arrived in, and each row's size.
 * The bytes are not copied: mysql2 hands each packet in the socket's own chunk (or in a buffer it assembled for a
 * packet split across chunks), a fresh buffer that nothing writes to again; the page keeps it until it is written.
 */
class PageBuilder {
  count = 0;
  bytes = 0;
  readonly sizes: number[] = [];
  private readonly chunks: Buffer[] = [];
  private last: Buffer | undefined;
  private readonly memory: PageMemory;
  private readonly chunkOf: Int32Array;
  private readonly start: Int32Array;
  private readonly length: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly rowEnd: Int32Array;

  constructor(
    private readonly plans: readonly ColumnPlan[],
    private readonly capacity: number,
    private readonly spare: PageMemory[],
  ) {
    const fields = capacity * plans.length;
    const reused = spare.pop();
    this.memory =
      reused && reused.rowStart.length === capacity && reused.start.length === fields
        ? reused
        : { chunkOf: new Int32Array(capacity), start: new Int32Array(fields), length: new Int32Array(fields), rowStart: new Int32Array(capacity), rowEnd: new Int32Array(capacity) };
    ({ chunkOf: this.chunkOf, start: this.start, length: this.length, rowStart: this.rowStart, rowEnd: this.rowEnd } = this.memory);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Notes one row packet's fields; throws on a malformed packet. */
  add(packet: MysqlPacket): void {
    const buf = packet.buffer;
    if (buf !== this.last) {
      this.chunks.push(buf);
      this.last = buf;
    }
    const end = packet.end;
    const row = this.count;
    this.chunkOf[row] = this.chunks.length - 1;
    this.rowStart[row] = packet.offset;
    this.rowEnd[row] = end;
    const plans = this.plans;
    const cols = plans.length;
    let i = row * cols;
    let at = packet.offset;
    let size = ROW_BYTES.row;
    for (let c = 0; c < cols; c++, i++) {
      const plan = plans[c] as ColumnPlan;
      if (at >= end) throw new Error('a MySQL row packet has fewer fields than its result has columns');
      const first = buf[at] as number;
      let len: number;
      if (first < 0xfb) {
        len = first;
        at += 1;
      } else if (first === 0xfb) {
        this.start[i] = at;
        this.length[i] = -1;
        at += 1;
        size += plan.keyBytes + ROW_BYTES.null;
        continue;
      } else if (first === 0xfc) {
        len = buf.readUInt16LE(at + 1);
        at += 3;
      } else if (first === 0xfd) {
        len = buf.readUIntLE(at + 1, 3);
        at += 4;
      } else if (first === 0xfe) {
        len = buf.readUIntLE(at + 1, 6);
        at += 9;
      } else throw new Error(`a MySQL row packet has an invalid field length byte 0x${first.toString(16)}`);
      if (at + len > end) throw new Error('a MySQL row packet ends inside a field');
      this.start[i] = at;
      this.length[i] = len;
      at += len;
      size += plan.keyBytes + (plan.fixed ?? len + plan.quote);
    }
    this.count++;
    this.sizes.push(size);
    this.bytes += size;
  }

  finish(zone: SourceZone, parse: (packet: MysqlPacket) => Row, Packet: PacketConstructor): { rows: MysqlTextRows; sizes: number[]; bytes: number } {
    const n = this.count;
    const fields = n * this.plans.length;
    const columns = this.plans.map(({ name, kind }) => ({ name, kind }));
    const rows = new MysqlTextRows(
      columns,
      n,
      this.chunks,
      this.chunkOf.subarray(0, n),
      this.start.subarray(0, fields),
      this.length.subarray(0, fields),
      this.rowStart,
      this.rowEnd,
      zone,
      parse,
      Packet,
      this.memory,
      this.spare,
    );
    return { rows, sizes: this.sizes, bytes: this.bytes };
  }
}

export function isTextPage(item: unknown): item is SqlTextPage {
  return typeof item === 'object' && item !== null && (item as { textPage?: unknown }).textPage === true;
}

/**
 * Makes `query` emit its rows as `TextPage`s of up to `pageSize` rows once its columns are known, when each of them
 * is text the record path would keep (`textColumnsOf`); otherwise it emits rows as usual. `toRecord` is the record
 * path's converter of a parsed row. False when this mysql2 does not have the internals the hook needs.
 */
export function hookTextRows(
  query: QueryInternals,
  pageSize: number,
  zone: SourceZone,
  plansOf: () => readonly ColumnPlan[] | null,
  toRecord: (raw: Record<string, unknown>) => Row,
  /** True while the consumer has no page left to take (it would wait for the next one). */
  starving: () => boolean,
): boolean {
  const proto = Object.getPrototypeOf(query) as Partial<QueryInternals>;
  const usual = proto.row;
  if (typeof usual !== 'function' || typeof query.emit !== 'function' || typeof query.doneInsert !== 'function' || !('_rowParser' in query)) return false;
  let page: PageBuilder | null = null;
  const spare: PageMemory[] = [];
  let Packet: PacketConstructor | null = null;
  let parse: ((packet: MysqlPacket) => Row) | null = null;
  let linger: NodeJS.Timeout | undefined;

  const stop = (): void => {
    clearTimeout(linger);
    linger = undefined;
  };
  const flush = (): void => {
    stop();
    if (!page || page.count === 0 || !parse || !Packet) return;
    const { rows, sizes, bytes } = page.finish(zone, parse, Packet);
    page = null;
    const item: SqlTextPage = { textPage: true, rows, sizes, bytes };
    query.emit('result', item, 0);
  };
  // A page fills in milliseconds from a fast source. From a slow one (a query that takes its time, rows trickling
  // in) its rows are handed on once the consumer has nothing else to take, as the record path hands on what the
  // stream holds, rather than held back until thousands have come.
  const lingerCheck = (): void => {
    linger = undefined;
    if (!page || page.count === 0) return;
    if (starving()) flush();
    else arm();
  };
  const arm = (): void => {
    linger = setTimeout(lingerCheck, TEXT_PAGE_LINGER_MS);
    linger.unref();
  };
  query.once('end', stop);
  query.once('error', stop);

  const textRow: RowState = function (this: QueryInternals, packet, connection) {
    if (packet.isEOF()) {
      flush();
      return usual.call(this, packet, connection);
    }
    if (!page) {
      const plans = plansOf();
      const parser = this._rowParser;
      if (plans === null || plans.length === 0 || parser === null) {
        // Not text this time: the rest of the result takes mysql2's usual path.
        return usual.call(this, packet, connection);
      }
      Packet ??= Object.getPrototypeOf(packet).constructor as PacketConstructor;
      const fields = this._currentFields;
      const options = this.options;
      parse = (p) => toRecord(parser.next(p, fields, options));
      page = new PageBuilder(plans, pageSize, spare);
    }
    try {
      page.add(packet);
    } catch (err) {
      // As mysql2's own row state does with a row it cannot parse.
      this._localStreamError = err;
      return this.doneInsert(null);
    }
    if (page.full) flush();
    else if (linger === undefined) arm();
    return textRow;
  };
  query.row = textRow;
  return true;
}
