import type { BinaryCopyField } from '../postgresql/binary-copy.ts';
import type { Row, SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta, TableMeta } from './catalog.ts';
import type { SqlDialect } from './dialect.ts';
import type { TableRef } from './identifiers.ts';
import type { SqlParam } from './where.ts';

/** A batch in a session's bulk-load format: text, or its bytes already encoded. */
export type BulkText = string | Buffer;

/** What the shared reader needs from one database connection (implemented per driver). */
export interface SqlSourceSession {
  readonly dialect: SqlDialect;
  /** The database (MySQL) or schema (PostgreSQL) an unqualified table name belongs to. */
  readonly defaultSchema: string;
  /** The table with this exact name, else the only one whose name matches ignoring case; null when none. */
  describe(ref: TableRef): Promise<TableMeta | null>;
  /** The source database's clock, epoch microseconds. */
  nowMicros(): Promise<bigint>;
  /**
   * Rows of `sql` in pages of up to `pageSize`, streamed (never the whole result in memory). `jsonColumns` are
   * parsed from text where the driver does not (MariaDB's JSON is LONGTEXT). Stops when `signal` aborts.
   */
  pages(sql: string, params: readonly SqlParam[], pageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[]>;
  /**
   * `pages`, where the driver can, as pages of up to `textPageSize` rows as their own text (one `SqlTextPage` per
   * page); a result whose columns do not all read as text comes as rows, as from `pages`.
   */
  textPages?(sql: string, params: readonly SqlParam[], pageSize: number, textPageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[] | SqlTextPage>;
  count(sql: string, params: readonly SqlParam[]): Promise<number>;
  close(): Promise<void>;
}

/** A page of rows as text, with each row's `rowBytes` as its record would measure (the measure of `data_size`). */
export interface SqlTextPage {
  readonly textPage: true;
  rows: TextRows;
  sizes: number[];
  bytes: number;
}

/** A data-level refusal of one row by the target (constraint, length, type, not-null). */
export interface DataError {
  reason: string;
  column?: string;
  /** A unique key value that is already in the table (or twice in the statement). */
  keyConflict?: boolean;
}

/** What the shared writer needs from one database connection (implemented per driver). */
export interface SqlTargetSession {
  readonly dialect: SqlDialect;
  readonly defaultSchema: string;
  describe(ref: TableRef): Promise<TableMeta | null>;
  /** Run a statement; throws the driver's error. */
  exec(sql: string, params?: readonly SqlParam[]): Promise<void>;
  /** Run a query and return its rows as the driver gives them (the integrity check's key lookups). */
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
  /** A data error of the rows in the failed statement (split and retry), or undefined for a failure of the target. */
  dataError(err: unknown): DataError | undefined;
  /** The statement that inserts `rows` rows of `columns`, upserting on `key` (empty: plain INSERT). */
  insertSql(table: TableRef, columns: readonly string[], rows: number, key: readonly string[], update: readonly string[], onlyChanged: boolean): string;
  /** A JS value as the driver should bind it for `column` (JSON text, local timestamp text, Buffer …). */
  toParam(value: unknown, column: ColumnMeta): SqlParam;
  /** Most parameters one statement may carry. */
  readonly maxParams: number;
  /**
   * Rows of bound parameters (as `toParam` makes them) in the bulk-load text of `copyRows`, or null when one of them
   * has no text form that the server reads exactly as the bound parameter. Pure: the writer may encode ahead.
   */
  bulkText?(columns: readonly ColumnMeta[], rows: readonly (readonly SqlParam[])[]): BulkText | null;
  /**
   * Bulk-load `text` from `bulkText`, `rowCount` rows (PostgreSQL COPY, MySQL LOAD DATA LOCAL) as a plain insert; false, without
   * changing the table, when the server takes no bulk loads. Throws like `exec` when a row is refused or its key is
   * already there.
   */
  copyRows?(table: TableRef, columns: readonly ColumnMeta[], text: BulkText, rowCount: number): Promise<boolean>;
  /**
   * True when `copyRows` lands all of its rows or none even outside a transaction (PostgreSQL's COPY is one
   * statement that fails as a whole). MySQL's LOAD DATA LOCAL is not: it commits rows it only warned about.
   */
  readonly copyRowsAtomic?: boolean;
  /**
   * For rows given as the source's text (`TextRows`): how `column`'s text goes into the bulk load of `target` so that
   * it lands exactly as the record path would land its value; null when it may not. Only with an atomic `copyRows`.
   */
  textColumn?(column: TextColumn, target: ColumnMeta, zone: SourceZone): TextCopyColumn | null;
  /** `rows` in the bulk-load text of `copyRows`, each column as `textColumn` said, in `reuse` when it is large enough. Pure. */
  bulkTextOfText?(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer;
  close(): Promise<void>;
}

/** How a source column's text goes into a bulk load: escaped or as it is, and what follows it. */
export interface TextCopyColumn {
  escape: boolean;
  /** Appended to each non-NULL value (a date-time's zone offset). */
  suffix: string;
  /** Where the target also loads a binary form (PostgreSQL's COPY BINARY): how this text goes into it. */
  binary?: BinaryCopyField;
}
