import { Readable } from 'node:stream';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { ColumnMeta, TableMeta } from '../sql/catalog.ts';
import { mysqlDialect, qualified } from '../sql/dialect.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { TextColumn, TextRows } from '../sdk/index.ts';
import type { BulkText, DataError, SqlTargetSession, TextCopyColumn } from '../sql/session.ts';
import type { SqlParam } from '../sql/where.ts';
import { describeMysqlTable } from './catalog.ts';
import { closeMysql, connectMysql, type MysqlConnection } from './connection.ts';
import { mysqlDataError } from './errors.ts';
import { LoadDataRefused, loadDataBuffer } from './load-data.ts';
import type { MysqlOptions } from './options.ts';
import { loadDataBufferOfText, loadDataColumn } from './text-load.ts';
import { mysqlParam } from './values.ts';

/**
 * ER_NOT_ALLOWED_COMMAND, ER_CLIENT_LOCAL_FILES_DISABLED, ER_LOAD_INFILE_CAPABILITY_DISABLED: LOAD DATA LOCAL is
 * switched off on the server side.
 */
const LOCAL_INFILE_REFUSED: ReadonlySet<number> = new Set([1148, 3948, 3950]);

/**
 * A writer's connection: strict SQL mode, the writer's time zone; LOAD DATA LOCAL for batches of new rows, multi-row
 * INSERT … ON DUPLICATE KEY UPDATE for the rest (see SqlWriter).
 */
export class MysqlTargetSession implements SqlTargetSession {
  readonly dialect = mysqlDialect;
  /** mysql2 escapes values into the statement text; the statement size is bounded by bytes instead. */
  readonly maxParams = 65_535;

  private loadDataRefused = false;

  private constructor(
    private readonly conn: MysqlConnection,
    readonly defaultSchema: string,
    private readonly zone: SourceZone,
  ) {}

  static async open(options: MysqlOptions, zone: SourceZone): Promise<MysqlTargetSession> {
    return new MysqlTargetSession(await connectMysql(options, zone, 'write'), options.database, zone);
  }

  describe(ref: TableRef): Promise<TableMeta | null> {
    return describeMysqlTable(this.conn, ref);
  }

  async exec(sql: string, params?: readonly SqlParam[]): Promise<void> {
    await this.conn.p.query(sql, params ? [...params] : undefined);
  }

  async query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.conn.p.query<RowDataPacket[]>(sql, params ? [...params] : undefined);
    return rows;
  }

  dataError(err: unknown): DataError | undefined {
    return mysqlDataError(err);
  }

  insertSql(table: TableRef, columns: readonly string[], rows: number, key: readonly string[], update: readonly string[]): string {
    const q = (c: string): string => this.dialect.quote(c);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const values = Array.from({ length: rows }, () => tuple).join(', ');
    const insert = `INSERT INTO ${qualified(this.dialect, table)} (${columns.map(q).join(', ')}) VALUES ${values}`;
    if (key.length === 0) return insert;
    // MySQL leaves a row whose values did not change untouched, so supportPartUpdate needs nothing more here.
    const set = update.length > 0 ? update.map((c) => `${q(c)} = VALUES(${q(c)})`) : key.map((c) => `${q(c)} = ${q(c)}`);
    return `${insert} ON DUPLICATE KEY UPDATE ${set.join(', ')}`;
  }

  toParam(value: unknown, column: ColumnMeta): SqlParam {
    return mysqlParam(value, column, this.zone);
  }

  /** None once the server has refused LOAD DATA LOCAL: the rest of the run inserts, so nothing is encoded for it. */
  bulkText(_columns: readonly ColumnMeta[], rows: readonly (readonly SqlParam[])[]): Buffer | null {
    return this.loadDataRefused ? null : loadDataBuffer(rows);
  }

  textColumn(column: TextColumn, target: ColumnMeta, zone: SourceZone): TextCopyColumn | null {
    return loadDataColumn(column, target, zone, this.zone);
  }

  bulkTextOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
    return loadDataBufferOfText(rows, columns, reuse);
  }

  async copyRows(table: TableRef, columns: readonly ColumnMeta[], text: BulkText, rowCount: number): Promise<boolean> {
    if (this.loadDataRefused) return false;
    const sql = `LOAD DATA LOCAL INFILE 'fdi-rows' INTO TABLE ${qualified(this.dialect, table)} CHARACTER SET utf8mb4 (${columns.map((c) => this.dialect.quote(c.name)).join(', ')})`;
    let result: ResultSetHeader;
    try {
      [result] = await this.conn.p.query<ResultSetHeader>({ sql, infileStreamFactory: () => Readable.from([typeof text === 'string' ? Buffer.from(text) : text]) });
    } catch (e) {
      const errno = (e as { errno?: unknown }).errno;
      if (typeof errno !== 'number' || !LOCAL_INFILE_REFUSED.has(errno)) throw e;
      // The server (local_infile=OFF) or a proxy does not take LOAD DATA LOCAL: INSERT it is, for the whole run.
      this.loadDataRefused = true;
      return false;
    }
    if (result.affectedRows !== rowCount || result.warningStatus !== 0) throw new LoadDataRefused(rowCount, result.affectedRows, result.warningStatus);
    return true;
  }

  close(): Promise<void> {
    return closeMysql(this.conn);
  }
}
