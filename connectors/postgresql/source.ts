import type pg from 'pg';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { Row } from '../sdk/index.ts';
import type { TableMeta } from '../sql/catalog.ts';
import { postgresDialect } from '../sql/dialect.ts';
import type { TableRef } from '../sql/identifiers.ts';
import type { SqlSourceSession } from '../sql/session.ts';
import type { SqlParam } from '../sql/where.ts';
import { currentSchema, describePostgresTable } from './catalog.ts';
import { closePostgres, connectPostgres, typeParsers } from './connection.ts';
import type { PostgresOptions } from './options.ts';

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

  async count(sql: string, params: readonly SqlParam[]): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(sql, [...params]);
    return Number(rows[0]?.n ?? 0);
  }

  close(): Promise<void> {
    return closePostgres(this.client);
  }
}
