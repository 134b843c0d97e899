import type mysql from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import { TaskConfigError } from '../sdk/index.ts';
import { sessionZone } from '../sql/zone.ts';
import type { MysqlOptions } from './options.ts';

/** The session a writer runs in: strict, so a value that does not fit is an error (a dirty row), never truncated. */
const WRITER_SQL_MODE = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
const ER_UNKNOWN_TIME_ZONE = 1298;

/** The callback connection (for streaming) and its promise face (for everything else). */
export interface MysqlConnection {
  core: mysql.Connection;
  p: PromiseConnection;
}

/**
 * One connection with the values as the pipeline wants them: BIGINT and DECIMAL as exact strings, date-times as text
 * (turned into instants in the task's zone by the session, not by the driver's process-local zone).
 */
export async function connectMysql(options: MysqlOptions, zone: SourceZone | undefined, purpose: 'read' | 'write' | 'meta'): Promise<MysqlConnection> {
  // Loaded on first use, so processes that never touch MySQL do not pay for the driver.
  const driver = (await import('mysql2')).default;
  const core = driver.createConnection({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectTimeout: options.connectTimeoutMs,
    charset: options.charset,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    // JSON as text: the reader parses it without rounding 64-bit ids and long decimals (rowConverter).
    jsonStrings: true,
    multipleStatements: false,
    ...(options.urlParams.ssl === 'true' || options.urlParams.useSSL === 'true' ? { ssl: {} } : {}),
  });
  core.on('error', () => {
    // A dropped connection surfaces as the error of the statement in flight; an idle one is just closed.
  });
  const conn: MysqlConnection = { core, p: core.promise() };
  try {
    await conn.p.connect();
    if (zone) await setZone(conn, zone);
    if (purpose === 'write') await conn.p.query(`SET SESSION sql_mode = '${WRITER_SQL_MODE}'`);
  } catch (e) {
    core.destroy();
    throw e;
  }
  return conn;
}

async function setZone(conn: MysqlConnection, zone: SourceZone): Promise<void> {
  const name = sessionZone(zone);
  try {
    await conn.p.query('SET time_zone = ?', [name]);
  } catch (e) {
    if ((e as { errno?: number }).errno === ER_UNKNOWN_TIME_ZONE) {
      throw new TaskConfigError('timeZone', `the MySQL server does not know the zone "${name}" (its time zone tables are not loaded); use a fixed offset such as GMT+08:00`);
    }
    throw e;
  }
}

export async function closeMysql(conn: MysqlConnection): Promise<void> {
  try {
    await conn.p.end();
  } catch {
    conn.core.destroy();
  }
}
