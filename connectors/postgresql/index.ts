import type pg from 'pg';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { ConnectorDataSource, ReaderContext, WriterContext } from '../sdk/index.ts';
import { defineConnector } from '../sdk/index.ts';
import { toColumnInfo } from '../sql/catalog.ts';
import { parseTableName } from '../sql/identifiers.ts';
import { SqlReader } from '../sql/reader.ts';
import { SqlWriter } from '../sql/writer.ts';
import { readerZone, writerZone } from '../sql/zone.ts';
import { currentSchema, describePostgresTable, listPostgresTables } from './catalog.ts';
import { closePostgres, connectPostgres } from './connection.ts';
import { parsePostgresOptions, type PostgresOptions } from './options.ts';
import { PostgresSourceSession } from './source.ts';
import { PostgresTargetSession } from './target.ts';

async function withClient<T>(ds: ConnectorDataSource<PostgresOptions>, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPostgres(ds.options, undefined);
  try {
    return await fn(client);
  } finally {
    await closePostgres(client);
  }
}

/** PostgreSQL: timing source and target (FDI `datasource_type` POSTGRESQL). */
export const postgresqlConnector = defineConnector<PostgresOptions>({
  type: 'postgresql',
  serves: { source: ['TIMING'], target: ['TIMING', 'REALTIME'] },
  readerStage: 'postgresqlreader',
  writerStage: 'postgresqlwriter',
  writesText: true,
  parseOptions: parsePostgresOptions,
  test: (ds) => withClient(ds, async (client) => {
    await client.query('SELECT 1');
  }),
  listTables: (ds) => withClient(ds, (client) => listPostgresTables(client)),
  listColumns: (ds, table) => withClient(ds, async (client) => {
    const ref = parseTableName(table, 'table', undefined, await currentSchema(client));
    const meta = await describePostgresTable(client, ref);
    if (!meta) throw new Error(`table ${ref.schema}.${ref.table} does not exist`);
    return toColumnInfo(meta);
  }),
  reader: (ctx: ReaderContext<PostgresOptions>) => {
    const zone = (): SourceZone => readerZone(ctx.task, ctx.datasource.options.timeZone);
    return new SqlReader(ctx, zone, (z) => PostgresSourceSession.open(ctx.datasource.options, z));
  },
  writer: (ctx: WriterContext<PostgresOptions>) =>
    new SqlWriter(ctx, async () => PostgresTargetSession.open(ctx.datasource.options, writerZone(ctx.task, ctx.datasource.options.timeZone))),
});

export default postgresqlConnector;
