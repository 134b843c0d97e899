/**
 * Where the benchmark's databases are: the project's test services (test/support/services.ts: FDI_TEST_* or the
 * env file of `scripts/test-services.sh up`). Admin connections for preparing and checking data, and the command
 * lines of the database clients the contenders use.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { testServices } from '../test/support/services.ts';
import type { Stage } from './measured-process.ts';

export interface DbEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface BenchServices {
  mysql: DbEndpoint;
  pg: DbEndpoint;
  redisUrl: string;
  kafkaBrokers: string[];
}

function endpoint(url: string, defaultPort: number): DbEndpoint {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || defaultPort),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

export function benchServices(): BenchServices {
  const s = testServices();
  return { mysql: endpoint(s.mysqlUrl, 3306), pg: endpoint(s.pgUrl, 5432), redisUrl: s.redisUrl, kafkaBrokers: s.kafkaBrokers };
}

export async function mysqlAdmin(e: DbEndpoint): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: e.host,
    port: e.port,
    user: e.user,
    password: e.password,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'UTF8MB4_UNICODE_CI',
  });
}

export async function pgAdmin(e: DbEndpoint): Promise<pg.Client> {
  const client = new pg.Client({ host: e.host, port: e.port, user: e.user, password: e.password, database: e.database });
  await client.connect();
  return client;
}

/** The `mysql` (MariaDB) client on `database`, password through the environment, no option files. */
export function mysqlClient(e: DbEndpoint, database: string, args: readonly string[]): Stage {
  return {
    cmd: 'mysql',
    args: ['--no-defaults', '-h', e.host, '-P', String(e.port), '-u', e.user, '--default-character-set=utf8mb4', database, ...args],
    env: { MYSQL_PWD: e.password },
  };
}

export function mysqldump(e: DbEndpoint, database: string, tables: readonly string[], args: readonly string[]): Stage {
  return {
    cmd: 'mysqldump',
    args: ['--no-defaults', '-h', e.host, '-P', String(e.port), '-u', e.user, '--default-character-set=utf8mb4', ...args, database, ...tables],
    env: { MYSQL_PWD: e.password },
  };
}

/** `psql` that stops on the first error and reads no ~/.psqlrc. */
export function psqlClient(e: DbEndpoint, command: string): Stage {
  return {
    cmd: 'psql',
    args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', e.host, '-p', String(e.port), '-U', e.user, '-d', e.database, '-c', command],
    env: e.password ? { PGPASSWORD: e.password } : {},
  };
}
