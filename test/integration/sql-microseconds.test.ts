/**
 * Date-times keep their microseconds end to end: MySQL DATETIME(6)/TIMESTAMP(6) and PostgreSQL timestamp(6)/
 * timestamptz(6) are copied to the microsecond in every direction, through the bulk paths (COPY, LOAD DATA) and the
 * upsert path of a re-run alike, including instants before 1970 (where the millisecond is floored).
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('usec');
let my: mysql.Connection;
let pgc: pg.Client;

/** Wall-clock texts in UTC, with the microseconds that must survive. */
const VALUES = [
  { id: 1, at: '2024-05-01 10:00:00.123456' },
  { id: 2, at: '2024-05-01 10:00:00.000001' },
  { id: 3, at: '1969-12-31 23:59:59.999999' },
  { id: 4, at: '2000-02-29 23:59:59.999000' },
  { id: 5, at: null },
];
const EXPECTED = VALUES.map((v) => ({ id: v.id, dt: v.at, ts: v.at }));
const mapping = ['id', 'dt', 'ts'].map((c) => ({ source: c, target: c }));

async function mysqlRows(table: string): Promise<{ id: number; dt: string | null; ts: string | null }[]> {
  const [rows] = await my.query<RowDataPacket[]>(
    `SELECT id, DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f') AS dt, DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts FROM \`${db}\`.\`${table}\` ORDER BY id`,
  );
  return rows as { id: number; dt: string | null; ts: string | null }[];
}

async function pgRows(table: string): Promise<{ id: number; dt: string | null; ts: string | null }[]> {
  const { rows } = await pgc.query<{ id: number; dt: string | null; ts: string | null }>(
    `SELECT id, to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US') AS dt, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS ts
       FROM "${db}"."${table}" ORDER BY id`,
  );
  return rows;
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await my.query(`SET time_zone = '+00:00'`);
  await my.query(`CREATE TABLE \`${db}\`.src (id INT PRIMARY KEY, dt DATETIME(6) NULL, ts TIMESTAMP(6) NULL)`);
  // TIMESTAMP cannot hold instants before 1970: that row keeps its DATETIME and has a NULL TIMESTAMP in MySQL.
  await my.query(
    `INSERT INTO \`${db}\`.src VALUES ${VALUES.map((v) => `(${v.id}, ${v.at ? `'${v.at}'` : 'NULL'}, ${v.at && v.at >= '1970-01-02' ? `'${v.at}'` : 'NULL'})`).join(', ')}`,
  );
  await pgc.query(`CREATE TABLE "${db}".src (id integer PRIMARY KEY, dt timestamp(6), ts timestamptz(6))`);
  await pgc.query(`SET TIME ZONE 'UTC'`);
  for (const v of VALUES) await pgc.query(`INSERT INTO "${db}".src VALUES ($1, $2::timestamp, $2::timestamp AT TIME ZONE 'UTC')`, [v.id, v.at]);
  await pgc.query(`CREATE TABLE "${db}".dst (id integer PRIMARY KEY, dt timestamp(6), ts timestamptz(6))`);
  await my.query(`CREATE TABLE \`${db}\`.dst (id INT PRIMARY KEY, dt DATETIME(6) NULL, ts DATETIME(6) NULL)`);
  await my.query(`CREATE TABLE \`${db}\`.copy (id INT PRIMARY KEY, dt DATETIME(6) NULL, ts TIMESTAMP(6) NULL)`);
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

const mysqlSource = mysqlDatasource(db, { time_zone: '+00:00' });

describe('microseconds', () => {
  it('MySQL DATETIME(6)/TIMESTAMP(6) → PostgreSQL timestamp(6)/timestamptz(6), bulk load and then upsert', async () => {
    const file = taskFile({
      name: 'usec-m2p',
      source: mysqlSource,
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.src`, timeZone: 'UTC' },
      targetDetail: { targetTable: `${db}.dst`, timeZone: 'UTC' },
      mapping,
    });
    const first = await runTask(harness(), file);
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(first.data_count).toBe(5);
    const expected = EXPECTED.map((e) => ({ ...e, ts: e.id === 3 ? null : e.ts }));
    expect(await pgRows('dst')).toEqual(expected);

    // The re-run finds every key present and goes through INSERT … ON CONFLICT: the same values, to the µs.
    await pgc.query(`UPDATE "${db}".dst SET dt = NULL, ts = NULL`);
    const second = await runTask(harness(), file);
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(await pgRows('dst')).toEqual(expected);
  });

  it('PostgreSQL timestamp(6)/timestamptz(6) → MySQL DATETIME(6), including an instant before 1970', async () => {
    const file = taskFile({
      name: 'usec-p2m',
      source: pgDatasource(),
      target: { ...mysqlSource, datasource_id: 'ds-mysql-usec-target' },
      sourceDetail: { sourceTable: `${db}.src`, timeZone: 'UTC' },
      targetDetail: { targetTable: `${db}.dst`, timeZone: 'UTC' },
      mapping,
    });
    const log = await runTask(harness(), file);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(5);
    expect(await mysqlRows('dst')).toEqual(EXPECTED);
  });

  it('MySQL → MySQL through LOAD DATA keeps them too', async () => {
    const file = taskFile({
      name: 'usec-m2m',
      source: mysqlSource,
      target: { ...mysqlSource, datasource_id: 'ds-mysql-usec-target' },
      sourceDetail: { sourceTable: `${db}.src`, timeZone: 'UTC' },
      targetDetail: { targetTable: `${db}.copy`, timeZone: 'UTC' },
      mapping,
    });
    const log = await runTask(harness(), file);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(await mysqlRows('copy')).toEqual(EXPECTED.map((e) => ({ ...e, ts: e.id === 3 ? null : e.ts })));
  });
});
