/**
 * MySQL → PostgreSQL rows as their source text (runtime.text_transfer) against the real databases: every column kind
 * lands exactly as the record path lands it, refused rows are dirty with the same record and reason, a re-run
 * upserts, and where a column's text would not land exactly (zones, float into numeric, JSON into json, bytes) the
 * run takes the record path.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { DirtyRecord } from '../../core/store.ts';
import { AS_RECORDS, AS_TEXT, capture, createSqlScratch, dropSqlScratch, harness, kept, mysqlCount, mysqlDatasource, mysqlDifference, pgDatasource, runTask, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('text');
let my: mysql.Connection;
let pgc: pg.Client;

const TRICKY = 'a\\b\tc\nd\re \\N ✓ 😀 "q" \'s\' \\\\ \u00a0end';

/** Source column → its MySQL type and the PostgreSQL column of the text-capable target table. */
const COLUMNS: readonly { name: string; mysql: string; pg: string }[] = [
  { name: 'id', mysql: 'BIGINT PRIMARY KEY', pg: 'bigint PRIMARY KEY' },
  { name: 'ti', mysql: 'TINYINT NULL', pg: 'smallint' },
  { name: 'flag', mysql: 'TINYINT(1) NULL', pg: 'boolean' },
  { name: 'si', mysql: 'SMALLINT UNSIGNED NULL', pg: 'integer' },
  { name: 'mi', mysql: 'MEDIUMINT NULL', pg: 'integer' },
  { name: 'big', mysql: 'BIGINT UNSIGNED NULL', pg: 'numeric(20)' },
  { name: 'dec', mysql: 'DECIMAL(30,10) NULL', pg: 'numeric(30,10)' },
  { name: 'fl', mysql: 'FLOAT NULL', pg: 'double precision' },
  { name: 'db', mysql: 'DOUBLE NULL', pg: 'double precision' },
  { name: 'ch', mysql: 'CHAR(4) NULL', pg: 'char(4)' },
  { name: 'vc', mysql: 'VARCHAR(200) NULL', pg: 'varchar(200)' },
  { name: 'tx', mysql: 'TEXT NULL', pg: 'text' },
  { name: 'en', mysql: "ENUM('a','b c') NULL", pg: 'text' },
  { name: 'st', mysql: "SET('x','y') NULL", pg: 'text' },
  { name: 'dt', mysql: 'DATE NULL', pg: 'date' },
  { name: 'tm', mysql: 'TIME(3) NULL', pg: 'time(3)' },
  { name: 'dt0', mysql: 'DATETIME NULL', pg: 'timestamp(0)' },
  { name: 'dt6', mysql: 'DATETIME(6) NULL', pg: 'timestamp(6)' },
  { name: 'ts3', mysql: 'TIMESTAMP(3) NULL', pg: 'timestamptz(3)' },
  { name: 'js', mysql: 'JSON NULL', pg: 'jsonb' },
];
const NAMES = COLUMNS.map((c) => c.name);
const ROWS = 130;

function row(id: number): string {
  const v = (s: string): string => (id % 13 === 5 ? 'NULL' : s);
  return `(${id}, ${v(String((id % 255) - 127))}, ${v(String(id % 2))}, ${v(String(id * 401))}, ${v(String(-id * 1000))}, ${v(
    id === 3 ? '18446744073709551615' : String(id * 1_000_003),
  )}, ${v(`'${id === 4 ? '-12345678901234567890.0123456789' : `${id}.0000000001`}'`)}, ${v(
    id === 6 ? '3.40282e38' : `${id}.1`,
  )}, ${v(id === 7 ? '1.7976931348623157e308' : id === 8 ? '2.2250738585072014e-308' : `${id / 7}`)}, ${v(`'c${id % 10}'`)}, ${v(`'név ${id} ✓'`)}, ${v(
    id === 9 ? `'${TRICKY.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'` : `'line ${id}\\nnext'`,
  )}, ${v(id % 2 ? "'a'" : "'b c'")}, ${v("'x,y'")}, ${v(`'2024-0${(id % 9) + 1}-1${id % 10}'`)}, ${v(`'${id % 24}:05:06.789'`)}, ${v(
    `'2023-12-31 23:59:${String(id % 60).padStart(2, '0')}'`,
  )}, ${v(`'2024-02-29 12:00:00.${String(id).padStart(6, '0')}'`)}, ${v(`'2024-03-10 0${id % 10}:30:00.123'`)}, ${v(
    `'{"n": ${id}, "big": 12345678901234567890123, "t": "tab\\\\there \\\\\\\\ q\\\\"", "a": [1.50, null, true], "u": "✓"}'`,
  )})`;
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await my.query(`CREATE TABLE \`${db}\`.src (${COLUMNS.map((c) => `\`${c.name}\` ${c.mysql}`).join(', ')})`);
  await my.query(`INSERT INTO \`${db}\`.src VALUES ${Array.from({ length: ROWS }, (_v, i) => row(i + 1)).join(', ')}`);
  for (const t of ['as_text', 'as_records']) {
    await pgc.query(`CREATE TABLE "${db}".${t} (${COLUMNS.map((c) => `"${c.name}" ${c.pg}`).join(', ')})`);
  }
});

afterAll(async () => {
  await dropSqlScratch(db, { my, pgc });
});

/** Ids whose `vc` ('név <id> ✓') does not fit in 7 characters: 10..130 but the NULL ones (id % 13 = 5). */
const TOO_LONG_FOR_7 = Array.from({ length: ROWS }, (_v, i) => i + 1).filter((id) => id >= 10 && id % 13 !== 5);

/**
 * The same copy as text (it must take the text path) and with text_transfer off: the text run's log and both runs'
 * dirty records.
 */
async function asTextAndAsRecords(asText: unknown, asRecords: unknown): Promise<{ log: TaskMonitorLog; textDirty: DirtyRecord[]; recordsDirty: DirtyRecord[] }> {
  const h = harness();
  const text = capture();
  const log = await runTask(h, asText, { logger: text.logger });
  const hr = harness();
  expect((await runTask(hr, asRecords)).execute_status).toBe('SUCCESS');
  expect(text.infos).toContain(AS_TEXT);
  return { log, textDirty: h.dirty.records, recordsDirty: hr.dirty.records };
}

function file(table: string, runtime: Record<string, unknown>, extra: { target?: Record<string, string>; names?: readonly string[]; detail?: Record<string, unknown> } = {}) {
  const names = extra.names ?? NAMES;
  return taskFile({
    name: `sqlc-text-${table}`,
    source: mysqlDatasource(db),
    target: pgDatasource(extra.target),
    sourceDetail: { sourceTable: `${db}.src`, ...extra.detail },
    targetDetail: { targetTable: `${db}.${table}` },
    mapping: names.map((c) => ({ source: c, target: c })),
    runtime: { text_batch_size: 40, ...runtime },
  });
}

/** Rows of `a` that `b` lacks, both ways (every column compared by PostgreSQL's own equality). */
async function difference(a: string, b: string): Promise<number> {
  const { rows } = await pgc.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM (SELECT * FROM "${db}".${a} EXCEPT ALL SELECT * FROM "${db}".${b}) x) + (SELECT count(*) FROM (SELECT * FROM "${db}".${b} EXCEPT ALL SELECT * FROM "${db}".${a}) y) AS n`,
  );
  return Number(rows[0]?.n);
}

async function count(table: string): Promise<number> {
  const { rows } = await pgc.query<{ n: string }>(`SELECT count(*) AS n FROM "${db}".${table}`);
  return Number(rows[0]?.n);
}

describe('MySQL → PostgreSQL as text', () => {
  it('lands every column kind exactly as the record path does, NULLs, escapes, extremes and zones included', async () => {
    const text = capture();
    const logText = await runTask(harness(), file('as_text', {}), { logger: text.logger });
    expect(logText.execute_status, logText.remarks).toBe('SUCCESS');
    expect(text.infos).toContain(AS_TEXT);
    const records = capture();
    const logRecords = await runTask(harness(), file('as_records', { text_transfer: false }), { logger: records.logger });
    expect(logRecords.execute_status, logRecords.remarks).toBe('SUCCESS');
    expect(records.infos).not.toContain(AS_TEXT);

    expect(await count('as_text')).toBe(ROWS);
    expect(await difference('as_text', 'as_records')).toBe(0);
    expect(logText.data_count).toBe(ROWS);
    expect(logText.dirty_data_count).toBe(0);
    // data_size is measured from the text the way rowBytes measures the records; JSON counts in MariaDB's spelling
    // (with spaces), which this table's JSON-heavy rows show at its largest.
    expect(logText.data_size_unit).toBe(logRecords.data_size_unit);
    expect(Math.abs(logText.data_size - logRecords.data_size) / logRecords.data_size).toBeLessThan(0.05);

    const { rows } = await pgc.query(
      `SELECT tx, big::text, dec::text, db, js, dt6::text, tm::text, flag FROM "${db}".as_text WHERE id IN (3, 4, 7, 9) ORDER BY id`,
    );
    expect(rows[0]).toMatchObject({ big: '18446744073709551615', dt6: '2024-02-29 12:00:00.000003' });
    expect(rows[1]).toMatchObject({ dec: '-12345678901234567890.0123456789' });
    expect(rows[2]).toMatchObject({ db: 1.7976931348623157e308 });
    expect(rows[3]).toMatchObject({ tx: TRICKY, tm: '09:05:06.789', flag: true, js: { n: 9, big: 1.2345678901234568e22, t: 'tab\there \\ q"', a: [1.5, null, true], u: '✓' } });
  });

  it('a batch with a refused row: only that row is dirty, with the record and reason the record path gives', async () => {
    await pgc.query(`TRUNCATE "${db}".as_text, "${db}".as_records`);
    await pgc.query(`ALTER TABLE "${db}".as_text ALTER COLUMN vc TYPE varchar(7)`);
    await pgc.query(`ALTER TABLE "${db}".as_records ALTER COLUMN vc TYPE varchar(7)`);
    try {
      const { log, textDirty, recordsDirty } = await asTextAndAsRecords(file('as_text', {}), file('as_records', { text_transfer: false }));
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      const refused = TOO_LONG_FOR_7;
      expect(log.dirty_data_count).toBe(refused.length);
      expect(log.data_count).toBe(ROWS - refused.length);
      expect(await count('as_text')).toBe(ROWS - refused.length);
      expect(await difference('as_text', 'as_records')).toBe(0);
      expect(textDirty.map((d) => (d.record as { id: string }).id).sort()).toEqual(refused.map(String).sort());
      expect(kept(textDirty)).toEqual(kept(recordsDirty));
      expect(textDirty[0]?.reason).toMatch(/^22001: value too long/);
    } finally {
      await pgc.query(`ALTER TABLE "${db}".as_text ALTER COLUMN vc TYPE varchar(200)`);
      await pgc.query(`ALTER TABLE "${db}".as_records ALTER COLUMN vc TYPE varchar(200)`);
    }
  });

  it('a re-run over the rows already there upserts: no duplicates, changed values updated', async () => {
    await pgc.query(`TRUNCATE "${db}".as_text`);
    expect((await runTask(harness(), file('as_text', {}))).execute_status).toBe('SUCCESS');
    await my.query(`UPDATE \`${db}\`.src SET vc = 'changed' WHERE id IN (1, 100)`);
    try {
      const log = await runTask(harness(), file('as_text', {}));
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(log.data_count).toBe(ROWS);
      expect(log.dirty_data_count).toBe(0);
      expect(await count('as_text')).toBe(ROWS);
      const { rows } = await pgc.query<{ vc: string }>(`SELECT vc FROM "${db}".as_text WHERE id IN (1, 2, 100) ORDER BY id`);
      expect(rows.map((r) => r.vc)).toEqual(['changed', 'név 2 ✓', 'changed']);
    } finally {
      await my.query(`UPDATE \`${db}\`.src SET vc = CONCAT('név ', id, ' ✓') WHERE id IN (1, 100)`);
    }
  });

  it('also as text with parallel key ranges and with a pass-through mapping', async () => {
    await pgc.query(`TRUNCATE "${db}".as_text, "${db}".as_records`);
    expect((await runTask(harness(), file('as_records', { text_transfer: false }))).execute_status).toBe('SUCCESS');
    const text = capture();
    const log = await runTask(harness(), file('as_text', { parallelism: 2 }), { logger: text.logger });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS);
    expect(await difference('as_text', 'as_records')).toBe(0);

    await pgc.query(`TRUNCATE "${db}".as_text`);
    const passThrough = taskFile({
      name: 'sqlc-text-pass',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.src` },
      targetDetail: { targetTable: `${db}.as_text` },
      runtime: { text_batch_size: 40 },
    });
    const pass = capture();
    const logPass = await runTask(harness(), passThrough, { logger: pass.logger });
    expect(logPass.execute_status, logPass.remarks).toBe('SUCCESS');
    expect(pass.infos).toContain(AS_TEXT);
    expect(await difference('as_text', 'as_records')).toBe(0);
  });

  it('rows from a slow query are handed on as they come, not held back until a text batch is full', async () => {
    await pgc.query(`CREATE TABLE "${db}".slow (id bigint PRIMARY KEY, pad text)`);
    const slow = taskFile({
      name: 'sqlc-text-slow',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      // A row every 0.3 s (SLEEP per row), each past the server's network buffer so that it is sent on its own.
      sourceDetail: { isAddSql: true, querySql: `SELECT id, REPEAT('x', 40000) AS pad FROM \`${db}\`.src WHERE id <= 6 AND SLEEP(0.3) = 0` },
      targetDetail: { targetTable: `${db}.slow` },
      mapping: ['id', 'pad'].map((c) => ({ source: c, target: c })),
      runtime: { text_batch_size: 5000 },
    });
    const seen: number[] = [];
    const text = capture();
    const log = await runTask(harness(), slow, { logger: text.logger, onProgress: (l) => seen.push(l.data_count) });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(text.infos).toContain(AS_TEXT);
    expect(log.data_count).toBe(6);
    // Some rows were written while the query was still sending the rest.
    expect(seen.some((written) => written > 0 && written < 6), JSON.stringify(seen)).toBe(true);
  });

  it('the target writes date-times in another zone: the run takes the record path, with the same result as text_transfer off', async () => {
    const extra = { target: { time_zone: 'GMT+02:00' } };
    await pgc.query(`TRUNCATE "${db}".as_text, "${db}".as_records`);
    const text = capture();
    const log = await runTask(harness(), file('as_text', {}, extra), { logger: text.logger });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(text.infos).toContain(AS_RECORDS);
    expect(text.infos).not.toContain(AS_TEXT);
    expect((await runTask(harness(), file('as_records', { text_transfer: false }, extra))).execute_status).toBe('SUCCESS');
    expect(await count('as_text')).toBe(ROWS);
    expect(await difference('as_text', 'as_records')).toBe(0);
  });

  it('a float into numeric or JSON into json goes as records; a binary source column is read as records', async () => {
    await my.query(`CREATE TABLE \`${db}\`.bin (id INT PRIMARY KEY, b VARBINARY(8) NULL, f DOUBLE NULL, j JSON NULL)`);
    await my.query(`INSERT INTO \`${db}\`.bin VALUES (1, 0x00ff10, 0.1, '{"a": 1}'), (2, NULL, 1e21, '[1, 2]')`);
    await my.query(`CREATE TABLE \`${db}\`.num (id INT PRIMARY KEY, f DOUBLE NULL, j JSON NULL)`);
    await my.query(`INSERT INTO \`${db}\`.num SELECT id, f, j FROM \`${db}\`.bin`);
    await pgc.query(`CREATE TABLE "${db}".bin (id integer PRIMARY KEY, b bytea, f double precision, j jsonb)`);
    await pgc.query(`CREATE TABLE "${db}".num (id integer PRIMARY KEY, f numeric, j json)`);
    const run = async (table: 'bin' | 'num', names: string[]) => {
      const text = capture();
      const f = taskFile({
        name: `sqlc-text-${table}`,
        source: mysqlDatasource(db),
        target: pgDatasource(),
        sourceDetail: { sourceTable: `${db}.${table}` },
        targetDetail: { targetTable: `${db}.${table}` },
        mapping: names.map((c) => ({ source: c, target: c })),
      });
      const log = await runTask(harness(), f, { logger: text.logger });
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(log.data_count).toBe(2);
      return text.infos;
    };
    const binInfos = await run('bin', ['id', 'b', 'f', 'j']);
    expect(binInfos).not.toContain(AS_TEXT);
    const { rows: bin } = await pgc.query(`SELECT id, encode(b, 'hex') AS b, f FROM "${db}".bin ORDER BY id`);
    expect(bin).toEqual([
      { id: 1, b: '00ff10', f: 0.1 },
      { id: 2, b: null, f: 1e21 },
    ]);
    expect(await run('num', ['id', 'f', 'j'])).toContain(AS_RECORDS);
    const { rows: num } = await pgc.query(`SELECT id, f::text, j::text FROM "${db}".num ORDER BY id`);
    expect(num).toEqual([
      { id: 1, f: '0.1', j: '{"a":1}' },
      { id: 2, f: '1000000000000000000000', j: '[1,2]' },
    ]);
  });
});

describe('MySQL → MySQL as text (LOAD DATA LOCAL)', () => {
  const target = { ...mysqlDatasource(db), datasource_id: 'ds-mysql-target' };
  const tables = ['m_as_text', 'm_as_records'];

  beforeAll(async () => {
    // The source's columns, but DOUBLE for its FLOAT: a float's text goes as text only into DOUBLE (into FLOAT the
    // run takes the record path, as into PostgreSQL's real).
    const ddl = COLUMNS.map((c) => `\`${c.name}\` ${c.name === 'fl' ? 'DOUBLE NULL' : c.mysql}`).join(', ');
    for (const t of tables) await my.query(`CREATE TABLE \`${db}\`.${t} (${ddl})`);
  });

  const mysqlFile = (table: string, runtime: Record<string, unknown>) =>
    taskFile({
      name: `sqlc-text-${table}`,
      source: mysqlDatasource(db),
      target,
      sourceDetail: { sourceTable: `${db}.src` },
      targetDetail: { targetTable: `${db}.${table}` },
      mapping: NAMES.map((c) => ({ source: c, target: c })),
      runtime: { text_batch_size: 40, ...runtime },
    });

  const myDifference = (a: string, b: string): Promise<number> => mysqlDifference(my, db, a, b, NAMES, new Set(['js']));
  const myCount = (table: string): Promise<number> => mysqlCount(my, db, table);

  it('lands every column kind as the record path does (JSON as the same document), in LOAD DATA batches', async () => {
    for (const t of tables) await my.query(`TRUNCATE TABLE \`${db}\`.${t}`);
    const text = capture();
    const log = await runTask(harness(), mysqlFile('m_as_text', {}), { logger: text.logger });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(text.infos).toContain(AS_TEXT);
    expect((await runTask(harness(), mysqlFile('m_as_records', { text_transfer: false }))).execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS);
    expect(await myCount('m_as_text')).toBe(ROWS);
    expect(await myDifference('m_as_text', 'm_as_records')).toBe(0);
    // And the text itself where the record path writes it the same way.
    const [rows] = await my.query(`SELECT tx, vc, CAST(big AS CHAR) AS big, CAST(dt6 AS CHAR) AS dt6 FROM \`${db}\`.m_as_text WHERE id IN (3, 9) ORDER BY id`);
    expect(rows).toMatchObject([{ big: '18446744073709551615', dt6: '2024-02-29 12:00:00.000003' }, { tx: TRICKY, vc: 'név 9 ✓' }]);
  });

  it('a refused row is the only dirty one, with the record and reason of the record path; a re-run upserts', async () => {
    for (const t of tables) {
      await my.query(`TRUNCATE TABLE \`${db}\`.${t}`);
      await my.query(`ALTER TABLE \`${db}\`.${t} MODIFY vc VARCHAR(7) NULL`);
    }
    try {
      const { log, textDirty, recordsDirty } = await asTextAndAsRecords(mysqlFile('m_as_text', {}), mysqlFile('m_as_records', { text_transfer: false }));
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      const refused = TOO_LONG_FOR_7;
      expect(log.dirty_data_count).toBe(refused.length);
      expect(await myCount('m_as_text')).toBe(ROWS - refused.length);
      expect(await myDifference('m_as_text', 'm_as_records')).toBe(0);
      expect(kept(textDirty)).toEqual(kept(recordsDirty));
      expect(textDirty[0]?.reason).toMatch(/^ER_DATA_TOO_LONG \(1406\)/);

      // Again over the rows already there: LOAD DATA skips them with warnings, the batch goes as upserts.
      const again = await runTask(harness(), mysqlFile('m_as_text', {}));
      expect(again.execute_status, again.remarks).toBe('SUCCESS');
      expect(again.dirty_data_count).toBe(refused.length);
      expect(await myCount('m_as_text')).toBe(ROWS - refused.length);
      expect(await myDifference('m_as_text', 'm_as_records')).toBe(0);
    } finally {
      for (const t of tables) await my.query(`ALTER TABLE \`${db}\`.${t} MODIFY vc VARCHAR(200) NULL`);
    }
  });
});
