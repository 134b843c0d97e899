import type pg from 'pg';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { Row } from '../sdk/index.ts';
import type { TableMeta } from '../sql/catalog.ts';
import { postgresDialect } from '../sql/dialect.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { SqlSourceSession, SqlTextPage } from '../sql/session.ts';
import type { SqlParam } from '../sql/where.ts';
import { currentSchema, describePostgresTable } from './catalog.ts';
import { closePostgres, connectPostgres, typeParsers } from './connection.ts';
import { CopyOutQuery } from './copy-out.ts';
import type { PostgresOptions } from './options.ts';
import { CopyPageBuilder, postgresTextColumns, type PostgresField, type PostgresTextColumn } from './text-rows.ts';

/** Text pages ready and not yet taken, beyond which the socket is paused (and the server, through TCP). */
const MAX_QUEUED_PAGES = 2;
/** How long a page that is not full may wait for more rows while the consumer waits for it. */
const TEXT_PAGE_LINGER_MS = 50;
/** A text page's first buffer; later pages start at the size the one before them needed. */
const FIRST_PAGE_BYTES = 1 << 20;

/**
 * A reader's connection: the SELECT runs through a cursor (pg-cursor: a portal fetched page by page) inside a
 * read-only REPEATABLE READ transaction, so memory stays flat and the rows are one consistent snapshot.
 */
export class PostgresSourceSession implements SqlSourceSession {
  readonly dialect = postgresDialect;

  private constructor(
    private readonly client: pg.Client,
    readonly defaultSchema: string,
    private readonly zone: SourceZone,
  ) {}

  static async open(options: PostgresOptions, zone: SourceZone): Promise<PostgresSourceSession> {
    const client = await connectPostgres(options, zone);
    try {
      return new PostgresSourceSession(client, await currentSchema(client), zone);
    } catch (e) {
      await closePostgres(client);
      throw e;
    }
  }

  describe(ref: TableRef): Promise<TableMeta | null> {
    return describePostgresTable(this.client, ref);
  }

  async nowMicros(): Promise<bigint> {
    const { rows } = await this.client.query<{ us: string }>(
      'SELECT (extract(epoch FROM statement_timestamp()) * 1000000)::bigint::text AS us',
    );
    return BigInt(rows[0]?.us ?? '0');
  }

  async *pages(sql: string, params: readonly SqlParam[], pageSize: number, _json: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[]> {
    if (signal.aborted) return;
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ default: Cursor }, { default: driver }] = await Promise.all([import('pg-cursor'), import('pg')]);
    const cursor = this.client.query(new Cursor<Row>(sql, [...params], { types: typeParsers(driver.types, this.zone) }));
    let finished = false;
    let failed = false;
    try {
      for (;;) {
        const rows = await cursor.read(pageSize);
        if (rows.length === 0 || signal.aborted) break;
        yield rows;
        if (signal.aborted) break;
      }
      finished = true;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      // After a failed read the cursor waits for a server that may be gone; closing the session ends it instead.
      if (!failed) {
        await cursor.close().catch(() => undefined);
        await this.client.query(finished ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      }
    }
  }

  /**
   * Without parameters (COPY takes none) and when every result column is of a type whose text the targets may take
   * (`postgresTextColumns`), the rows come as text pages of `COPY (sql) TO STDOUT` in the same read-only snapshot
   * transaction; otherwise as `pages`. COPY sends the rows without the per-row protocol of a cursor's fetches and
   * without a JS string per field.
   */
  textPages(sql: string, params: readonly SqlParam[], pageSize: number, textPageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[] | SqlTextPage> {
    return params.length === 0 ? this.copyPages(sql, pageSize, textPageSize, jsonColumns, signal) : this.pages(sql, params, pageSize, jsonColumns, signal);
  }

  private async *copyPages(sql: string, pageSize: number, textPageSize: number, jsonColumns: ReadonlySet<string>, signal: AbortSignal): AsyncIterable<Row[] | SqlTextPage> {
    if (signal.aborted) return;
    const columns = await this.textColumnsOf(sql);
    if (!columns) {
      yield* this.pages(sql, [], pageSize, jsonColumns, signal);
      return;
    }
    const queue: SqlTextPage[] = [];
    let page: CopyPageBuilder | null = null;
    let pageBytes = FIRST_PAGE_BYTES;
    let ended = false;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const flush = (): void => {
      if (!page || page.count === 0) return;
      pageBytes = Math.max(page.usedBytes, 1024);
      queue.push(page.finish(this.zone));
      page = null;
      if (queue.length >= MAX_QUEUED_PAGES) query.pause();
      notify();
    };
    const query = new CopyOutQuery(`COPY (${sql}) TO STDOUT`, {
      line: (data) => {
        page ??= new CopyPageBuilder(columns, textPageSize, pageBytes);
        page.add(data);
        if (page.full) flush();
      },
      done: (err) => {
        if (err) failure = err;
        else flush();
        ended = true;
        notify();
      },
    });
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    this.client.query(query);
    signal.addEventListener('abort', notify);
    let completed = false;
    try {
      for (;;) {
        if (signal.aborted) return;
        const next = queue.shift();
        if (next) {
          if (queue.length < MAX_QUEUED_PAGES) query.resume();
          yield next;
          continue;
        }
        if (ended) {
          if (failure) throw failure;
          break;
        }
        // A page fills in milliseconds from a fast query; from a slow one its rows are handed on once the consumer
        // has nothing else to take, rather than held back until thousands have come.
        const linger = setTimeout(flush, TEXT_PAGE_LINGER_MS);
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        clearTimeout(linger);
      }
      completed = true;
    } finally {
      signal.removeEventListener('abort', notify);
      if (!ended) {
        // The consumer stopped mid-COPY: the connection cannot run another statement until the server has sent
        // the rest, so it is closed (the reader closes the session next anyway).
        query.abort();
      } else await this.client.query(completed ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
    }
  }

  /**
   * The text column of each of the query's result columns, or null when the rows must come as records: a type
   * without a text kind, dates not in ISO style, or a query that does not describe as a subquery.
   */
  private async textColumnsOf(sql: string): Promise<PostgresTextColumn[] | null> {
    const { rows } = await this.client.query<{ style: string }>(`SELECT current_setting('DateStyle') AS style`);
    if (!/^ISO/.test(rows[0]?.style ?? '')) return null;
    let fields: PostgresField[];
    try {
      ({ fields } = await this.client.query({ text: `SELECT * FROM (${sql}) AS fdi_described LIMIT 0`, rowMode: 'array' }));
    } catch {
      return null;
    }
    const { default: driver } = await import('pg');
    const parsers = typeParsers(driver.types, this.zone);
    const columns = postgresTextColumns(fields, (oid) => parsers.getTypeParser(oid, 'text'));
    return columns && columns.length > 0 ? columns : null;
  }

  async count(sql: string, params: readonly SqlParam[]): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(sql, [...params]);
    return Number(rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    return closePostgres(this.client);
  }
}
