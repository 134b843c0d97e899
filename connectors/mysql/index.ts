import type { SourceZone } from '../../core/normalise/time-zone.ts';
import type { ConnectorDataSource, ReaderContext, WriterContext } from '../sdk/index.ts';
import { defineConnector } from '../sdk/index.ts';
import { toColumnInfo } from '../sql/catalog.ts';
import { parseTableName } from '../sql/identifiers.ts';
import { SqlReader } from '../sql/reader.ts';
import { SqlWriter } from '../sql/writer.ts';
import { readerZone, writerZone } from '../sql/zone.ts';
import { describeMysqlTable, listMysqlTables } from './catalog.ts';
import { closeMysql, connectMysql, type MysqlConnection } from './connection.ts';
import { parseMysqlOptions, type MysqlOptions } from './options.ts';
import { MysqlSourceSession } from './source.ts';
import { MysqlTargetSession } from './target.ts';

async function withConnection<T>(ds: ConnectorDataSource<MysqlOptions>, fn: (conn: MysqlConnection) => Promise<T>): Promise<T> {
  const conn = await connectMysql(ds.options, undefined, 'meta');
  try {
    return await fn(conn);
  } finally {
    await closeMysql(conn);
  }
}

/** MySQL (and MariaDB): timing source and target (FDI `datasource_type` MYSQL). */
export const mysqlConnector = defineConnector<MysqlOptions>({
  type: 'mysql',
  serves: { source: ['TIMING'], target: ['TIMING', 'REALTIME'] },
  readerStage: 'mysqlreader',
  writerStage: 'mysqlwriter',
  writesText: true,
  parseOptions: parseMysqlOptions,
  test: (ds) => withConnection(ds, async (conn) => {
    await conn.p.query('SELECT 1');
  }),
  listTables: (ds) => withConnection(ds, (conn) => listMysqlTables(conn, ds.options.database)),
  listColumns: (ds, table) => withConnection(ds, async (conn) => {
    const ref = parseTableName(table, 'table', undefined, ds.options.database);
    const meta = await describeMysqlTable(conn, ref);
    if (!meta) throw new Error(`table ${ref.schema}.${ref.table} does not exist`);
    return toColumnInfo(meta);
  }),
  reader: (ctx: ReaderContext<MysqlOptions>) => {
    const zone = (): SourceZone => readerZone(ctx.task, ctx.datasource.options.timeZone);
    return new SqlReader(ctx, zone, (z) => MysqlSourceSession.open(ctx.datasource.options, z));
  },
  writer: (ctx: WriterContext<MysqlOptions>) => {
    return new SqlWriter(ctx, async () => MysqlTargetSession.open(ctx.datasource.options, writerZone(ctx.task, ctx.datasource.options.timeZone)));
  },
});

export default mysqlConnector;
