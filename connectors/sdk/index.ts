/**
 * The connector contract: the only module a third-party connector imports.
 *
 * A connector declares its `type` (FDI `datasource_type`, lower-cased: `mysql`, `postgresql`, `kafka`, `sftp`,
 * `file` …), which task types it serves as a source and as a target, and how to read its data-source `content`
 * (`parseOptions`, throwing `OptionsError` naming the field). It implements what it can of `test`, `listTables`,
 * `listColumns`, `reader` and `writer`.
 *
 * Error mapping done by the engine: a throw from `Reader.open` is 911, from `Reader.batches` 103, from
 * `Writer.open` 912, from `Writer.write`/`flush`/`finish` 503. A record the target refuses (constraint, length,
 * type) is not a throw: `write` returns it in `rejected` and the engine routes it to the dirty sink.
 */
import type { DataSourceContent, DataSourceRecord } from '../../core/datasource.ts';
import type { KeyRange, TaskSpec, TaskType } from '../../core/task-spec.ts';
import type { FieldValue, JsonValue, Row } from '../../core/values.ts';
import { JsonNumberText } from '../../core/json.ts';
import type { SourceZone } from '../../core/normalise/time-zone.ts';

export type { DataSourceContent, DataSourceRecord } from '../../core/datasource.ts';
export type { TaskSpec, TaskType, SourceSpec, TargetSpec, ColumnSpec, ColumnMapping, WhereCondition, MetaField, KeyRange } from '../../core/task-spec.ts';
export type { DocumentValue, FieldValue, JsonValue, Row } from '../../core/values.ts';
export type { SourceZone } from '../../core/normalise/time-zone.ts';
export { JsonNumberText, jsonFieldValue, parseJsonLossless, stringifyJson, toPlainJson, topLevelFields, type ParsedDocument } from '../../core/json.ts';
export { setOwn } from '../../core/normalise/json.ts';
export { PreciseDate, dateWithMicros, microsecondOf } from '../../core/values.ts';

/**
 * The abort reason that drains a realtime task: `RunContext.signal` aborted with it means "stop": hand over what
 * was already fetched, then end (SUCCESS). Any other abort reason is a terminate or a shutdown: end at once.
 */
export const STOP_REASON = 'stop';

/** Where a reader stands: a watermark, offsets, a file and line. Persisted as JSON. */
export type Checkpoint = JsonValue;

/** Thrown by `parseOptions`: the engine/API turns it into FDI.3033 naming `field`. */
export class OptionsError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'OptionsError';
    this.field = field;
  }
}

/** Thrown by a reader or writer for a problem of the task's own settings (bad table name, missing topic …). */
export class TaskConfigError extends Error {
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'TaskConfigError';
    this.field = field;
  }
}

export interface ConnectorLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/** A data source together with its parsed options. */
export interface ConnectorDataSource<Options> {
  record: DataSourceRecord;
  options: Options;
}

/** What the engine tells a reader or writer about the run it belongs to. */
export interface RunContext<Options> {
  task: TaskSpec;
  datasource: ConnectorDataSource<Options>;
  /** Aborted on terminate, on stop of a realtime task, and on shutdown. */
  signal: AbortSignal;
  log: ConnectorLogger;
  /** The execution id (TaskMonitorLog.id). */
  runId: string;
  /** The planned instant of this run (dispatch_time), epoch ms. */
  dispatchTime: number;
  /** True when this execution continues one that a dead worker left (108/507 are logged). */
  resumed: boolean;
}

export interface ReaderContext<Options> extends RunContext<Options> {
  /** The last committed checkpoint of this task (a previous run's, or this run's before a restart); null at first. */
  checkpoint: Checkpoint | null;
  /**
   * True when the engine takes `SourceBatch.text` for this run (the mapping passes records on unchanged): a reader
   * that can may then yield its rows as the source's own text instead of records. Ignoring it is always correct.
   */
  takesText?: boolean;
}

export type WriterContext<Options> = RunContext<Options>;

/** A record the reader could not turn into a row (bad JSON, wrong field count …). */
export interface UnreadableRecord {
  /** The raw text or value, as far as it can be shown. */
  raw: string;
  reason: string;
  column?: string;
}

/**
 * What a source column's text is, for a target deciding whether it reads that text exactly as it would read the
 * value the record path makes of it: `integer` (canonical digits), `decimal` (exact decimal text), `float` (a binary
 * floating-point number's decimal text), `text` (a string, UTF-8), `date` (`YYYY-MM-DD`), `time`, `datetime` (a
 * zone-less `YYYY-MM-DD hh:mm:ss[.ffffff]` in `TextRows.zone`), `json` (a JSON document's text).
 */
export type TextKind = 'integer' | 'decimal' | 'float' | 'text' | 'date' | 'time' | 'datetime' | 'json';

export interface TextColumn {
  name: string;
  kind: TextKind;
}

/**
 * Rows as the source's own text, field by field: what a bulk-loading target copies (escaped) without turning each
 * value into a JS value and back. Field `c` of row `r` is `chunks[chunkOf[r]][start[i] .. start[i] + length[i])`
 * with `i = r * columns.length + c`; a length of -1 is NULL. The text is UTF-8. The chunks are the buffers the
 * rows arrived in (a reader need not copy them); they must not change while the batch lives.
 */
export interface TextRows {
  readonly columns: readonly TextColumn[];
  readonly count: number;
  readonly chunks: readonly Buffer[];
  /** The chunk of each row (`count` entries). */
  readonly chunkOf: Int32Array;
  readonly start: Int32Array;
  readonly length: Int32Array;
  /** The zone of the `datetime` columns' text. */
  readonly zone: SourceZone;
  /** The same rows as records, exactly as the reader's record path gives them (made once, on first call). */
  records(): Row[];
  /**
   * Optional: the engine is done with these rows (written, the refused ones kept as dirty records), so the reader may
   * reuse their memory for a later batch. Nothing reads them after.
   */
  release?(): void;
}

export interface SourceBatch {
  /** The batch's records; empty when the reader gave them as `text` instead. */
  records: Row[];
  /** The batch's rows as the source's text (only when the engine asked for it: `ReaderContext.takesText`). */
  text?: TextRows;
  /** Bytes these records took at the source (for data_size). */
  bytes: number;
  /**
   * `rowBytes` of each record, when the reader measured them that way (`bytes` is then their sum): the engine reuses
   * them for the records that reach the writer unchanged instead of measuring them again.
   */
  recordBytes?: number[];
  /** Records of this batch that could not be read: they count as read and dirty. */
  unreadable?: UnreadableRecord[];
  /** Where the reader stands after this batch; committed once the writer has written it. */
  checkpoint?: Checkpoint;
}

export interface Reader {
  /** Connect and prepare. A throw is 911 with the message in remarks. */
  open(): Promise<void>;
  /**
   * Batches until the source is exhausted (timing) or `signal` aborts (realtime; then return, do not throw).
   * A throw is 103.
   */
  batches(): AsyncIterable<SourceBatch>;
  /** All batches up to the one that carried `checkpoint` are written and durable (commit Kafka offsets here). */
  commit?(checkpoint: Checkpoint): Promise<void>;
  /** The checkpoint to keep once the whole run committed, when it differs from the last batch's (a window end). */
  finalCheckpoint?(): Checkpoint | undefined;
  /** Number of source records in this run's window (same predicate), for the 902/903 integrity check. */
  count?(): Promise<number>;
  /**
   * This run's window read again (same predicate, same bounds), for the 904/905 compensation of rows missing at the
   * target. Called after `batches()` ended and before `close()`; yields batches like `batches()` (checkpoints are
   * ignored). Implement it only when a second read of the same window is possible and cheap enough (a query).
   */
  rereadWindow?(): AsyncIterable<SourceBatch>;
  /**
   * Up to `parts` key ranges that together cover what `batches()` would read, for a full load run as parallel
   * pipelines (`runtime.parallelism`); each becomes the `keyRange` of one pipeline's task. Called after `open()`,
   * instead of `batches()`. Null when this read cannot be split (an incremental window, an order, no integer key).
   */
  splitKeyRanges?(parts: number): Promise<KeyRange[] | null>;
  close(): Promise<void>;
}

export interface RejectedRecord {
  /** Index into the `records` passed to `write`. */
  index: number;
  reason: string;
  column?: string;
}

export interface WriteResult {
  rejected: RejectedRecord[];
}

export interface Writer {
  /**
   * Optional: start making the connection that `open` will use, touching nothing of the target (no table created,
   * emptied or described). The engine calls it as the run starts, so the connection is made while the reader opens
   * and reads its first batch; a run that reads nothing never opens the writer, only closes it. It must not throw: a
   * failure to connect is `open`'s (912).
   */
  connect?(): void;
  /** Connect, create or empty the target as the task says. A throw is 912. */
  open(): Promise<void>;
  /** Write a batch. Per-record refusals go in `rejected`; a throw means the target failed (503). */
  write(records: Row[]): Promise<WriteResult>;
  /**
   * Optional: do the CPU work of a later `write` of this very array (encoding, bulk-load text) now. The engine calls
   * it for the next batch while the previous one is still being written, so that work overlaps the target's. It
   * must not touch the target or throw; `write` of an array never prepared must work the same.
   */
  prepare?(records: Row[]): void;
  /**
   * Optional, with `writeText`: true when this writer lands the text of `rows`' columns as it would land the records
   * `rows.records()`: the same table columns, each value read to the same value (for a JSON column, the same
   * document; its spelling may be the source's).
   * Asked once per run; when false or absent the engine writes `rows.records()` through `write`.
   */
  acceptsText?(rows: TextRows): boolean;
  /** `write` of `rows.records()`, from the source's text (after `acceptsText` said yes); rejected indexes are rows'. */
  writeText?(rows: TextRows): Promise<WriteResult>;
  /**
   * `prepare` for a text batch. Unlike `prepare` it may also start loading the batch, if nothing of it can become
   * visible before its `writeText` (an uncommitted transaction that `writeText` commits, that `close` without
   * `writeText` rolls back), and the batch being written goes first: the PostgreSQL writer sends the next COPY ahead.
   */
  prepareText?(rows: TextRows): void;
  /** Make all that `write` accepted durable (commit, flush, await acks) before checkpoints are committed. */
  flush(): Promise<void>;
  /** The run succeeded: publish what was written (rename a temporary file …). */
  finish?(): Promise<void>;
  /**
   * True when rows survive only through `finish` (a temporary file that `close` removes after a failure). The
   * engine then commits reader checkpoints (Kafka offsets …) only after `finish`, never per batch, so a failed
   * or terminated run leaves them where they were and nothing is lost.
   */
  readonly durableOnlyAfterFinish?: boolean;
  /**
   * For the integrity check (902–905): how the target identifies rows, once `open` has run; undefined when it cannot
   * be asked which rows it holds (no key, a file, a topic).
   */
  keyLookup?(): TargetKeyLookup | undefined;
  /** Always called last, also after a failure (abort a temporary file, release connections). */
  close(): Promise<void>;
}

/** A target that can say which rows it holds, by the key it upserts on. */
export interface TargetKeyLookup {
  /** The target's key of `row` (as `write` would receive it), the same text for rows it treats as one; null when the row has no full key. */
  keyOf(row: Row): string | null;
  /** The indexes (into `rows`) of the rows whose key the target does not hold. Rows whose `keyOf` is null are never listed. */
  absent(rows: Row[]): Promise<number[]>;
}

/** listColumns result in the FDI shape (spec datasources.md §1.9). */
export interface ColumnInfo {
  field_name: string;
  field_type: string;
  field_length: string;
  null_able: '0' | '1';
  unique: '0' | '1';
  primary: '0' | '1';
  decimal_digits?: string;
}

export interface ConnectorDefinition<Options = DataSourceContent> {
  /** Lower-case data-source type this connector serves. */
  readonly type: string;
  /** Which task types it serves as a source and as a target (else FDI.3059/3060). */
  readonly serves: { readonly source: readonly TaskType[]; readonly target: readonly TaskType[] };
  /** Monitor-log stage names; default `${type}reader` / `${type}writer`. */
  readonly readerStage?: string;
  readonly writerStage?: string;
  /**
   * True when its writer may take rows as the source's text (implements `acceptsText` and `writeText`): only then
   * does the engine ask readers for text, so other targets keep batches of `batch_size` records.
   */
  readonly writesText?: boolean;
  /** Validate and type the data source's `content`; throw `OptionsError` naming the field. */
  parseOptions(content: DataSourceContent): Options;
  /** Check connectivity; throw with the driver's reason (FDI.3016). */
  test?(ds: ConnectorDataSource<Options>): Promise<void>;
  listTables?(ds: ConnectorDataSource<Options>): Promise<string[]>;
  listColumns?(ds: ConnectorDataSource<Options>, table: string): Promise<ColumnInfo[]>;
  reader?(ctx: ReaderContext<Options>): Reader;
  writer?(ctx: WriterContext<Options>): Writer;
}

/** What a plugin module exports: `default` (or `connectors`) as one definition or a list of them. */
export type PluginModule = {
  default?: ConnectorDefinition<unknown> | readonly ConnectorDefinition<unknown>[];
  connectors?: readonly ConnectorDefinition<unknown>[];
};

/** Identity helper that keeps the options type of a definition. */
export function defineConnector<Options>(def: ConnectorDefinition<Options>): ConnectorDefinition<Options> {
  return def;
}

/**
 * The parts of `rowBytes`' measure: a row's braces, a field's key quotes, colon and comma, NULL, a string's quotes,
 * a date-time (its ISO text in quotes). A reader that measures rows from their text (MySQL's text rows) uses them too.
 */
export const ROW_BYTES = { row: 2, field: 4, null: 4, quotes: 2, dateTime: 26 } as const;

/** Approximate bytes of a row as data_size counts them: the UTF-8 length of its JSON text. */
export function rowBytes(row: Row): number {
  let n = ROW_BYTES.row;
  for (const key in row) {
    n += key.length + ROW_BYTES.field + valueBytes(row[key] ?? null);
  }
  return n;
}

function valueBytes(v: FieldValue): number {
  if (typeof v === 'bigint') return String(v).length;
  if (v instanceof Date) return ROW_BYTES.dateTime;
  if (v instanceof Uint8Array) return v.byteLength;
  return documentBytes(v);
}

/** The JSON text length of a document, counted without building the text (rows are measured twice per run). */
function documentBytes(v: unknown): number {
  if (v === null || v === undefined) return ROW_BYTES.null;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8') + ROW_BYTES.quotes;
  if (typeof v === 'number') return numberBytes(v);
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v instanceof JsonNumberText) return v.text.length;
  if (Array.isArray(v)) {
    let n = 2 + Math.max(0, v.length - 1);
    for (const item of v) n += documentBytes(item);
    return n;
  }
  if (typeof v !== 'object') return String(v).length;
  let n = 2;
  let first = true;
  for (const key in v) {
    n += (first ? 0 : 1) + Buffer.byteLength(key, 'utf8') + 3 + documentBytes((v as Record<string, unknown>)[key]);
    first = false;
  }
  return n;
}

const POWERS_OF_TEN = [10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The length of `String(v)`, without making the string for integers and for decimals of up to three places (a
 * price, a score): those are what rows hold, and a number's text is the costliest part of measuring a row.
 */
function numberBytes(v: number): number {
  const a = Math.abs(v);
  const sign = v < 0 ? 1 : 0;
  if (Number.isInteger(v) && a < 1e15) return sign + integerDigits(a);
  if (a >= 1e-3 && a < 1e9) {
    // The shortest text of a double is its nearest decimal with the fewest places that still reads back as it.
    for (let places = 1, scale = 10; places <= 3; places++, scale *= 10) {
      if (Math.round(a * scale) / scale === a) return sign + integerDigits(Math.floor(a)) + 1 + places;
    }
  }
  return String(v).length;
}

function integerDigits(n: number): number {
  let digits = 1;
  while (n >= (POWERS_OF_TEN[digits - 1] as number)) digits++;
  return digits;
}
