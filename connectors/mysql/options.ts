import { createRequire } from 'node:module';
import type { DataSourceContent } from '../sdk/index.ts';
import { OptionsError } from '../sdk/index.ts';
import { parseSqlOptions, type SqlConnectionOptions } from '../sql/options.ts';

export const MYSQL_DEFAULT_PORT = 3306;
/** `utf8` in MySQL is the 3-byte subset without emoji; the connection always uses utf8mb4 for it. */
const DEFAULT_CHARSET = 'UTF8MB4_UNICODE_CI';

export type MysqlOptions = SqlConnectionOptions & { charset: string };

/** mysql2's character-set table, loaded on first use (the driver is not loaded until a MySQL source is used). */
let charsets: Record<string, number> | undefined;
function knownCharsets(): Record<string, number> {
  charsets ??= (createRequire(import.meta.url)('mysql2') as { Charsets: Record<string, number> }).Charsets;
  return charsets;
}

export function parseMysqlOptions(content: DataSourceContent): MysqlOptions {
  const base = parseSqlOptions(content, { port: MYSQL_DEFAULT_PORT, schemes: ['mysql', 'mariadb'] });
  return { ...base, charset: charsetOf(base.encoding) };
}

function charsetOf(encoding: string | undefined): string {
  if (encoding === undefined) return DEFAULT_CHARSET;
  const name = encoding.toUpperCase().replace('-', '');
  if (name === 'UTF8' || name === 'UTF8MB4') return DEFAULT_CHARSET;
  if (knownCharsets()[name] === undefined) throw new OptionsError('encoding', `"${encoding}" is not a MySQL character set`);
  return name;
}
