import type { DataSourceContent } from '../sdk/index.ts';
import { parseSqlOptions, type SqlConnectionOptions } from '../sql/options.ts';

export const POSTGRESQL_DEFAULT_PORT = 5432;

export type PostgresOptions = SqlConnectionOptions;

/**
 * `encoding` is accepted and checked for its form only: node-postgres always speaks UTF-8 and the server converts
 * from the database's own encoding (BIG5 included), so nothing else can be asked of the connection.
 */
export function parsePostgresOptions(content: DataSourceContent): PostgresOptions {
  return parseSqlOptions(content, { port: POSTGRESQL_DEFAULT_PORT, schemes: ['postgresql', 'postgres'] });
}
