import type pg from 'pg';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { ColumnMeta, TableMeta } from '../sql/catalog.ts';
import { postgresDialect, qualified } from '../sql/dialect.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { TextColumn, TextRows } from '../sdk/index.ts';
import type { BulkText, DataError, SqlTargetSession, TextCopyColumn } from '../sql/session.ts';
import type { SqlParam } from '../sql/where.ts';
import { currentSchema, describePostgresTable } from './catalog.ts';
import { closePostgres, connectPostgres } from './connection.ts';
import { isBinaryCopy } from './binary-copy.ts';
import { copyIn } from './copy-in.ts';
import { copyBuffer } from './copy-text.ts';
import { postgresDataError } from './errors.ts';
import type { PostgresOptions } from './options.ts';
import { copyBufferOfText, textCopyColumn } from './text-copy.ts';
import { postgresParam } from './values.ts';

/** The protocol's limit on bound parameters of one statement. */
const PG_MAX_PARAMS = 65_535;
const TARGET_ALIAS = 'fdi_t';

/**
 * A writer's connection: COPY for batches of new rows, multi-row INSERT … ON CONFLICT (key) DO UPDATE with bound
 * parameters for the rest (see SqlWriter).
 */
export class PostgresTargetSession implements SqlTargetSession {
  readonly dialect = postgresDialect;
  readonly maxParams = PG_MAX_PARAMS;
  readonly copyRowsAtomic = true;

  private constructor(
    private readonly client: pg.Client,
    readonly defaultSchema: string,
    private readonly zone: SourceZone,
  ) {}

  static async open(options: PostgresOptions, zone: SourceZone): Promise<PostgresTargetSession> {
    const client = await connectPostgres(options, zone);
    try {
      return new PostgresTargetSession(client, await currentSchema(client), zone);
    } catch (e) {
      await closePostgres(client);
      throw e;
    }
  }

  describe(ref: TableRef): Promise<TableMeta | null> {
    return describePostgresTable(this.client, ref);
  }

  async exec(sql: string, params?: readonly SqlParam[]): Promise<void> {
    await this.client.query(sql, params ? [...params] : undefined);
  }

  async query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]> {
    const result = await this.client.query<Record<string, unknown>>(sql, params ? [...params] : undefined);
    return result.rows;
  }

  dataError(err: unknown): DataError | undefined {
    return postgresDataError(err);
  }

  insertSql(table: TableRef, columns: readonly string[], rows: number, key: readonly string[], update: readonly string[], onlyChanged: boolean): string {
    const q = (c: string): string => this.dialect.quote(c);
    const tuples: string[] = [];
    let n = 0;
    for (let r = 0; r < rows; r++) tuples.push(`(${columns.map(() => `$${++n}`).join(', ')})`);
    const insert = `INSERT INTO ${qualified(this.dialect, table)} AS ${TARGET_ALIAS} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`;
    if (key.length === 0) return insert;
    const conflict = `ON CONFLICT (${key.map(q).join(', ')})`;
    if (update.length === 0) return `${insert} ${conflict} DO NOTHING`;
    const set = update.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(', ');
    // supportPartUpdate: a row whose values did not change is left alone (no new row version, no trigger).
    const when = onlyChanged
      ? ` WHERE (${update.map((c) => `${TARGET_ALIAS}.${q(c)}`).join(', ')}) IS DISTINCT FROM (${update.map((c) => `EXCLUDED.${q(c)}`).join(', ')})`
      : '';
    return `${insert} ${conflict} DO UPDATE SET ${set}${when}`;
  }

  toParam(value: unknown, column: ColumnMeta): SqlParam {
    return postgresParam(value, column, this.zone);
  }

  bulkText(columns: readonly ColumnMeta[], rows: readonly (readonly SqlParam[])[]): Buffer | null {
    return copyBuffer(rows, columns);
  }

  textColumn(column: TextColumn, target: ColumnMeta, zone: SourceZone): TextCopyColumn | null {
    return textCopyColumn(column, target, zone, this.zone);
  }

  bulkTextOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
    return copyBufferOfText(rows, columns, reuse);
  }

  async copyRows(table: TableRef, columns: readonly ColumnMeta[], text: BulkText): Promise<boolean> {
    const data = typeof text === 'string' ? Buffer.from(text) : text;
    const format = isBinaryCopy(data) ? ' (FORMAT binary)' : '';
    const sql = `COPY ${qualified(this.dialect, table)} (${columns.map((c) => this.dialect.quote(c.name)).join(', ')}) FROM STDIN${format}`;
    await copyIn(this.client, sql, data);
    return true;
  }

  close(): Promise<void> {
    return closePostgres(this.client);
  }
}
