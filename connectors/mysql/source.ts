import type { Readable } from 'node:stream';
import type { RowDataPacket } from 'mysql2/promise';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { Row } from '../sdk/index.ts';
import type { TableMeta } from '../sql/catalog.ts';
import { mysqlDialect } from '../sql/dialect.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { SqlSourceSession, SqlTextPage } from '../sql/session.ts';
import type { SqlParam } from '../sql/where.ts';
import { describeMysqlTable } from './catalog.ts';
import { closeMysql, connectMysql, type MysqlConnection } from './connection.ts';
import type { MysqlOptions } from './options.ts';
import { streamPages } from './stream-pages.ts';
import { hookTextRows, isTextPage, textColumnsOf, type MysqlField, type QueryInternals } from './text-rows.ts';
import { rowConverter } from './values.ts';

/**
 * A reader's connection. Reads with parameters run as server-side prepared statements (`execute`), so a `?` inside
 * the user's own SQL text is never taken for a parameter; reads without any go as plain queries (mysql2 formats no
 * placeholders when it is given no values). Both stream row by row with backpressure.
 */
export class MysqlSourceSession implements SqlSourceSession {
  readonly dialect = mysqlDialect;

  private constructor(
    private readonly conn: MysqlConnection,
    readonly defaultSchema: string,
    private readonly zone: SourceZone,
  ) {}

  static async open(options: MysqlOptions, zone: SourceZone): Promise<MysqlSourceSession> {
    return new MysqlSourceSession(await connectMysql(options, zone, 'read'), options.database, zone);
  }

  describe(ref: TableRef): Promise<TableMeta | null> {
    return describeMysqlTable(this.conn, ref);
  }

  async nowMicros(): Promise<bigint> {
    const [rows] = await this.conn.p.query<RowDataPacket[]>('SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED) AS us');
    return BigInt(String(rows[0]?.us));
  }

  pages(sql: string, params: readonly SqlParam[], pageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[]> {
    return this.stream(sql, params, pageSize, jsonColumns, signal, null) as AsyncIterable<Row[]>;
  }

  /** Over the text protocol (no parameters) the rows' own text, as pages (text-rows.ts); else rows, as `pages`. */
  textPages(sql: string, params: readonly SqlParam[], pageSize: number, textPageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[] | SqlTextPage> {
    return this.stream(sql, params, pageSize, jsonColumns, signal, params.length === 0 ? textPageSize : null);
  }

  private async *stream(
    sql: string,
    params: readonly SqlParam[],
    pageSize: number,
    jsonColumns: ReadonlySet<string>,
    signal: AbortSignal,
    /** Rows per text page; null: rows only. */
    textPageSize: number | null,
  ): AsyncIterable<Row[] | SqlTextPage> {
    if (signal.aborted) return;
    const core = this.conn.core;
    // Without parameters the text protocol serves the same rows for less work: date-times arrive as the text the
    // reader wants instead of binary fields that the driver would format first (a tenth of a copy's CPU).
    const query = params.length === 0 ? core.query(sql) : core.execute(sql, [...params]);
    let convert: ((raw: Record<string, unknown>) => Row) | undefined;
    let textColumns: ReturnType<typeof textColumnsOf> = null;
    const toRecord = (raw: Record<string, unknown>): Row => (convert ? convert(raw) : (raw as Row));
    const made: { stream?: Readable } = {};
    const starving = (): boolean => made.stream !== undefined && made.stream.readableLength === 0;
    const text = textPageSize !== null && hookTextRows(query as unknown as QueryInternals, textPageSize, this.zone, () => textColumns, toRecord, starving);
    // Text pages are whole pages: the stream holds two of them at most.
    const stream = query.stream({ highWaterMark: text ? 2 : pageSize });
    made.stream = stream;
    stream.on('fields', (fields: MysqlField[]) => {
      convert = rowConverter(fields, jsonColumns, this.zone);
      if (text) textColumns = textColumnsOf(fields, jsonColumns);
    });
    const onAbort = (): void => {
      // Stop the server sending the rest: the connection is not reusable mid-result anyway.
      core.destroy();
      stream.destroy();
    };
    // mysql2 does not fail a paused result stream when its connection drops (KILL, server gone): do it here.
    const onLost = (err?: unknown): void => {
      stream.destroy(err instanceof Error ? err : new Error('the MySQL connection was closed during the read'));
    };
    core.on('error', onLost);
    core.on('end', onLost);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const page of streamPages(stream, pageSize, toRecord, isTextPage)) {
        if (signal.aborted) return;
        yield page;
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      core.off('error', onLost);
      core.off('end', onLost);
    }
  }

  async count(sql: string, params: readonly SqlParam[]): Promise<number> {
    const [rows] = await this.conn.p.execute<RowDataPacket[]>(sql, [...params]);
    return Number(rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    return closeMysql(this.conn);
  }
}
