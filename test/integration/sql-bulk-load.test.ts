/**
 * The writers' bulk path (PostgreSQL COPY, MySQL LOAD DATA LOCAL) against the real databases: values that need
 * escaping land exactly, a batch with a refused row falls back to INSERT and rejects only that row with the
 * database's reason, and a re-run over rows that are already there upserts instead of duplicating.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('bulk');
let my: mysql.Connection;
let pgc: pg.Client;

const TRICKY = 'a\\b\tc\nd\re \\N ✓ 😀 "q" \'s\' \\\\';
const COLUMNS = ['id', 's', 'b', 'j', 'd', 'short'];
const ROWS = 120;
const REFUSED_ID = 60;

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await my.query(`CREATE TABLE \`${db}\`.src (id BIGINT PRIMARY KEY, s TEXT NULL, b TINYINT(1) NULL, j JSON NULL, d DECIMAL(10,2) NULL, short VARCHAR(40) NULL)`);
  const values = Array.from({ length: ROWS }, (_v, i) => {
    const id = i + 1;
    return `(${id}, 'row ${id}', ${id % 2}, '{"n": ${id}, "t": "x\\\\ty"}', ${id}.25, '${id === REFUSED_ID ? 'far too long' : 'ok'}')`;
  });
  await my.query(`INSERT INTO \`${db}\`.src VALUES ${values.join(', ')}`);
  await my.query(`UPDATE \`${db}\`.src SET s = ? WHERE id = 7`, [TRICKY]);
  await my.query(`UPDATE \`${db}\`.src SET s = '\\\\N' WHERE id = 8`);
  await my.query(`UPDATE \`${db}\`.src SET s = NULL, b = NULL, j = NULL, d = NULL WHERE id = 9`);
  await my.query(`CREATE TABLE \`${db}\`.dst (id BIGINT PRIMARY KEY, s TEXT NULL, b TINYINT(1) NULL, j JSON NULL, d DECIMAL(10,2) NULL, short VARCHAR(5) NULL)`);
  await pgc.query(`CREATE TABLE "${db}".dst (id bigint PRIMARY KEY, s text, b smallint, j jsonb, d numeric(10,2), short varchar(5))`);
});

afterAll(async () => {
  await dropSqlScratch(db, { my, pgc });
});

const file = (target: 'mysql' | 'postgresql') =>
  taskFile({
    name: `sqlc-bulk-${target}`,
    source: mysqlDatasource(db),
    target: target === 'mysql' ? { ...mysqlDatasource(db), datasource_id: 'ds-mysql-target' } : pgDatasource(),
    sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id' },
    targetDetail: { targetTable: `${db}.dst` },
    mapping: COLUMNS.map((c) => ({ source: c, target: c })),
  });

interface Landed {
  id: string;
  s: string | null;
  b: number | null;
  j: unknown;
  d: string | null;
}

async function landed(target: 'mysql' | 'postgresql', ids: number[]): Promise<Landed[]> {
  if (target === 'mysql') {
    const [rows] = await my.query(`SELECT CAST(id AS CHAR) AS id, s, b, j, CAST(d AS CHAR) AS d FROM \`${db}\`.dst WHERE id IN (?) ORDER BY dst.id`, [ids]);
    // MariaDB's JSON is LONGTEXT: parsed here when the driver did not.
    return (rows as Landed[]).map((r) => ({ ...r, j: typeof r.j === 'string' ? JSON.parse(r.j) : r.j }));
  }
  const { rows } = await pgc.query<Landed>(`SELECT id::text, s, b, j, d::text FROM "${db}".dst WHERE id = ANY($1) ORDER BY dst.id`, [ids]);
  return rows;
}

/** LOAD DATA statements the server has run (a global counter: other sessions can only add to it). */
async function mysqlLoads(): Promise<number> {
  const [rows] = await my.query(`SHOW GLOBAL STATUS LIKE 'Com_load'`);
  return Number((rows as { Value: string }[])[0]?.Value);
}

async function count(target: 'mysql' | 'postgresql'): Promise<number> {
  if (target === 'mysql') {
    const [rows] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.dst`);
    return Number((rows as { n: number }[])[0]?.n);
  }
  const { rows } = await pgc.query<{ n: string }>(`SELECT count(*) AS n FROM "${db}".dst`);
  return Number(rows[0]?.n);
}

describe.each(['mysql', 'postgresql'] as const)('bulk load into %s', (target) => {
  it('lands escaped text, NULLs, booleans, JSON and decimals exactly; a refused row is the only dirty one', async () => {
    const h = harness();
    const loadsBefore = await mysqlLoads();
    const log = await runTask(h, file(target));
    // Three batches of 50: each tried with LOAD DATA first, the one with the refused row redone by INSERT.
    if (target === 'mysql') expect((await mysqlLoads()) - loadsBefore).toBeGreaterThanOrEqual(3);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS - 1);
    expect(log.dirty_data_count).toBe(1);
    expect(h.dirty.records).toHaveLength(1);
    expect((h.dirty.records[0]?.record as { id: string }).id).toBe(String(REFUSED_ID));
    expect(h.dirty.records[0]?.reason).toMatch(target === 'mysql' ? /^ER_DATA_TOO_LONG \(1406\)/ : /^22001: value too long/);
    expect(await count(target)).toBe(ROWS - 1);
    expect(await landed(target, [7, 8, 9, 10])).toEqual([
      { id: '7', s: TRICKY, b: 1, j: { n: 7, t: 'x\ty' }, d: '7.25' },
      { id: '8', s: '\\N', b: 0, j: { n: 8, t: 'x\ty' }, d: '8.25' },
      { id: '9', s: null, b: null, j: null, d: null },
      { id: '10', s: 'row 10', b: 0, j: { n: 10, t: 'x\ty' }, d: '10.25' },
    ]);
  });

  it('a re-run over the rows already there upserts: no duplicates, changed values updated', async () => {
    await my.query(`UPDATE \`${db}\`.src SET s = 'changed' WHERE id IN (1, 100)`);
    const h = harness();
    const log = await runTask(h, file(target));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS - 1);
    expect(log.dirty_data_count).toBe(1);
    expect(await count(target)).toBe(ROWS - 1);
    expect((await landed(target, [1, 2, 100])).map((r) => r.s)).toEqual(['changed', 'row 2', 'changed']);
    await my.query(`UPDATE \`${db}\`.src SET s = CONCAT('row ', id) WHERE id IN (1, 100)`);
  });
});
