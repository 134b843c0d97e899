/**
 * PostgreSQL → MySQL rows as their source text (`COPY (query) TO STDOUT` into LOAD DATA LOCAL) against the real
 * databases: every column kind lands as the record path lands it, refused rows are dirty with the same record and
 * reason, a re-run upserts, a result with a type whose text MySQL may not take goes as records, and a query that
 * fails mid-COPY fails the run without hanging.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_TEXT, capture, codes, createSqlScratch, dropSqlScratch, harness, inOrder, kept, mysqlCount, mysqlDatasource, mysqlDifference, pgDatasource, runTask, step, taskFile, uniqueName, writtenAtLeast } from './sql-helpers.ts';

const db = uniqueName('pgtext');
let my: mysql.Connection;
let pgc: pg.Client;

const TRICKY = 'a\\b\tc\nd\re \\N ✓ 😀 "q" \'s\' \\\\ \u00a0end \u0001\u001f';
const ROWS = 130;

/** Source column → its PostgreSQL type and the MySQL column of the targets. */
const COLUMNS: readonly { name: string; pg: string; mysql: string }[] = [
  { name: 'id', pg: 'bigint PRIMARY KEY', mysql: 'BIGINT PRIMARY KEY' },
  { name: 'i2', pg: 'smallint', mysql: 'SMALLINT NULL' },
  { name: 'i4', pg: 'integer', mysql: 'INT NULL' },
  { name: 'big', pg: 'bigint', mysql: 'BIGINT NULL' },
  { name: 'dec', pg: 'numeric(30,10)', mysql: 'DECIMAL(30,10) NULL' },
  { name: 'db', pg: 'double precision', mysql: 'DOUBLE NULL' },
  { name: 'ch', pg: 'char(4)', mysql: 'CHAR(4) NULL' },
  { name: 'vc', pg: 'varchar(200)', mysql: 'VARCHAR(200) NULL' },
  { name: 'tx', pg: 'text', mysql: 'TEXT NULL' },
  { name: 'dt', pg: 'date', mysql: 'DATE NULL' },
  { name: 'tm', pg: 'time(3)', mysql: 'TIME(3) NULL' },
  { name: 'ts0', pg: 'timestamp(0)', mysql: 'DATETIME NULL' },
  { name: 'ts6', pg: 'timestamp(6)', mysql: 'DATETIME(6) NULL' },
  { name: 'jb', pg: 'jsonb', mysql: 'JSON NULL' },
  { name: 'js', pg: 'json', mysql: 'JSON NULL' },
];
const NAMES = COLUMNS.map((c) => c.name);
const TABLES = ['as_text', 'as_records'];

/** Ids whose `vc` ('név <id> ✓') does not fit in 7 characters: 10..130 but the NULL ones (id % 13 = 5). */
const TOO_LONG_FOR_7 = Array.from({ length: ROWS }, (_v, i) => i + 1).filter((id) => id >= 10 && id % 13 !== 5);

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await pgc.query(`CREATE TABLE "${db}".src (${COLUMNS.map((c) => `"${c.name}" ${c.pg}`).join(', ')})`);
  // Every 13th row (id % 13 = 5) is NULL but for its id; a few rows hold the extremes.
  const v = (expr: string): string => `CASE WHEN g % 13 = 5 THEN NULL ELSE ${expr} END`;
  await pgc.query(
    `INSERT INTO "${db}".src SELECT g,
       ${v(`(g % 255 - 127)::smallint`)},
       ${v(`CASE WHEN g = 2 THEN -2147483648 ELSE g * 401 END`)},
       ${v(`CASE WHEN g = 3 THEN 9223372036854775807 ELSE g * 1000003 END`)},
       ${v(`CASE WHEN g = 4 THEN -12345678901234567890.0123456789 ELSE g + 0.0000000001 END`)},
       ${v(`CASE WHEN g = 7 THEN 1.7976931348623157e308 WHEN g = 8 THEN 2.2250738585072014e-308 ELSE g / 7.0 END`)},
       ${v(`'c' || g % 10`)},
       ${v(`'név ' || g || ' ✓'`)},
       ${v(`CASE WHEN g = 9 THEN $1 ELSE 'line ' || g || E'\\nnext' END`)},
       ${v(`make_date(2024, g % 9 + 1, g % 28 + 1)`)},
       ${v(`make_time(g % 24, 5, 6.789)`)},
       ${v(`make_timestamp(2023, 12, 31, 23, 59, g % 60)`)},
       ${v(`make_timestamp(2024, 2, 29, 12, 0, g / 1000000.0)`)},
       ${v(`jsonb_build_object('n', g, 'big', 12345678901234567890123, 't', E'tab\\there \\\\ q"', 'a', jsonb_build_array(1.50, null, true), 'u', '✓')`)},
       ${v(`('{"n": ' || g || ', "spaced" :  [1, 2.50]}')::json`)}
     FROM generate_series(1, ${ROWS}) AS g`,
    [TRICKY],
  );
  for (const t of TABLES) await my.query(`CREATE TABLE \`${db}\`.${t} (${COLUMNS.map((c) => `\`${c.name}\` ${c.mysql}`).join(', ')}) CHARACTER SET utf8mb4`);
});

afterAll(async () => {
  await dropSqlScratch(db, { my, pgc });
});

const target = { ...mysqlDatasource(db, { time_zone: '+00:00' }), datasource_id: 'ds-mysql-target' };

function file(table: string, runtime: Record<string, unknown>, source = 'src', names: readonly string[] = NAMES) {
  return taskFile({
    name: `sqlc-pgtext-${table}`,
    source: pgDatasource(),
    target,
    sourceDetail: { sourceTable: `${db}.${source}`, timeZone: 'UTC' },
    targetDetail: { targetTable: `${db}.${table}` },
    mapping: names.map((c) => ({ source: c, target: c })),
    runtime: { text_batch_size: 40, ...runtime },
  });
}

const difference = (a: string, b: string, names: readonly string[] = NAMES): Promise<number> => mysqlDifference(my, db, a, b, names, new Set(['jb', 'js']));
const count = (table: string): Promise<number> => mysqlCount(my, db, table);

async function truncate(): Promise<void> {
  for (const t of TABLES) await my.query(`TRUNCATE TABLE \`${db}\`.${t}`);
}

describe('PostgreSQL → MySQL as text (COPY TO, LOAD DATA LOCAL)', () => {
  it('lands every column kind as the record path does (JSON as the same document), NULLs, escapes and extremes included', async () => {
    await truncate();
    const text = capture();
    const log = await runTask(harness(), file('as_text', {}), { logger: text.logger });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(text.infos).toContain(AS_TEXT);
    const records = capture();
    const logRecords = await runTask(harness(), file('as_records', { text_transfer: false }), { logger: records.logger });
    expect(logRecords.execute_status, logRecords.remarks).toBe('SUCCESS');
    expect(records.infos).not.toContain(AS_TEXT);

    expect(log.data_count).toBe(ROWS);
    expect(log.dirty_data_count).toBe(0);
    expect(await count('as_text')).toBe(ROWS);
    expect(await difference('as_text', 'as_records')).toBe(0);

    const [rows] = await my.query(
      `SELECT tx, vc, CAST(big AS CHAR) AS big, CAST(\`dec\` AS CHAR) AS \`dec\`, db, CAST(ts6 AS CHAR) AS ts6, CAST(tm AS CHAR) AS tm, i4
         FROM \`${db}\`.as_text WHERE id IN (2, 3, 4, 7, 9) ORDER BY id`,
    );
    expect(rows).toMatchObject([
      { i4: -2147483648 },
      { big: '9223372036854775807', ts6: '2024-02-29 12:00:00.000003' },
      { dec: '-12345678901234567890.0123456789' },
      { db: 1.7976931348623157e308 },
      { tx: TRICKY, vc: 'név 9 ✓', tm: '09:05:06.789' },
    ]);
  });

  it('data_size is measured from the text as rowBytes measures the records; JSON counts in PostgreSQL\'s spelling', async () => {
    await truncate();
    const noJson = NAMES.filter((n) => n !== 'jb' && n !== 'js');
    const [text, records] = [await runTask(harness(), file('as_text', {}, 'src', noJson)), await runTask(harness(), file('as_records', { text_transfer: false }, 'src', noJson))];
    expect(text.data_size_unit).toBe(records.data_size_unit);
    // The same to a few bytes in a thousand (the unit rounds): only a double's spelling may differ (1e+308, 1e308).
    expect(Math.abs(text.data_size - records.data_size) / records.data_size).toBeLessThan(0.002);
    await truncate();
    // With the JSON columns: jsonb prints a space after each colon and comma, and the json column keeps its own
    // spaces, which the record path's parsed documents do not count.
    const [textJson, recordsJson] = [await runTask(harness(), file('as_text', {})), await runTask(harness(), file('as_records', { text_transfer: false }))];
    expect(textJson.data_size).toBeGreaterThan(recordsJson.data_size);
    expect((textJson.data_size - recordsJson.data_size) / recordsJson.data_size).toBeLessThan(0.1);
  });

  it('a refused row is the only dirty one, with the record and reason of the record path; a re-run upserts', async () => {
    await truncate();
    for (const t of TABLES) await my.query(`ALTER TABLE \`${db}\`.${t} MODIFY vc VARCHAR(7) NULL`);
    try {
      const h = harness();
      const text = capture();
      const log = await runTask(h, file('as_text', {}), { logger: text.logger });
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(text.infos).toContain(AS_TEXT);
      const hr = harness();
      expect((await runTask(hr, file('as_records', { text_transfer: false }))).execute_status).toBe('SUCCESS');
      expect(log.dirty_data_count).toBe(TOO_LONG_FOR_7.length);
      expect(await count('as_text')).toBe(ROWS - TOO_LONG_FOR_7.length);
      expect(await difference('as_text', 'as_records')).toBe(0);
      expect(kept(h.dirty.records)).toEqual(kept(hr.dirty.records));
      expect(h.dirty.records[0]?.reason).toMatch(/^ER_DATA_TOO_LONG \(1406\)/);

      const again = await runTask(harness(), file('as_text', {}));
      expect(again.execute_status, again.remarks).toBe('SUCCESS');
      expect(again.dirty_data_count).toBe(TOO_LONG_FOR_7.length);
      expect(await count('as_text')).toBe(ROWS - TOO_LONG_FOR_7.length);
      expect(await difference('as_text', 'as_records')).toBe(0);
    } finally {
      for (const t of TABLES) await my.query(`ALTER TABLE \`${db}\`.${t} MODIFY vc VARCHAR(200) NULL`);
    }
  });

  it('a result with a type whose text MySQL may not take (boolean) goes as records, with the same rows', async () => {
    await truncate();
    await pgc.query(`CREATE TABLE "${db}".with_bool AS SELECT id, i4, vc, (id % 2 = 0) AS flag FROM "${db}".src`);
    for (const t of TABLES) await my.query(`ALTER TABLE \`${db}\`.${t} ADD COLUMN flag TINYINT(1) NULL`);
    try {
      const names = ['id', 'i4', 'vc', 'flag'];
      const text = capture();
      const log = await runTask(harness(), file('as_text', {}, 'with_bool', names), { logger: text.logger });
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      // The reader gives records (the engine is never offered text, so it says nothing of either path).
      expect(text.infos).not.toContain(AS_TEXT);
      expect((await runTask(harness(), file('as_records', { text_transfer: false }, 'with_bool', names))).execute_status).toBe('SUCCESS');
      expect(await count('as_text')).toBe(ROWS);
      expect(await difference('as_text', 'as_records', names)).toBe(0);
      const [rows] = await my.query(`SELECT flag FROM \`${db}\`.as_text WHERE id IN (1, 2) ORDER BY id`);
      expect(rows).toEqual([{ flag: 0 }, { flag: 1 }]);
    } finally {
      for (const t of TABLES) await my.query(`ALTER TABLE \`${db}\`.${t} DROP COLUMN flag`);
    }
  });

  it('a query that fails in the middle of its COPY fails the run with the server\'s error, and the next run goes on', async () => {
    await truncate();
    // Division by zero at id 100 of a scan in insertion order: the server has sent the rows before it when the COPY
    // fails.
    await pgc.query(`CREATE VIEW "${db}".breaks AS SELECT id, (1000 / (id - 100))::int AS i4 FROM "${db}".src`);
    const names = ['id', 'i4'];
    const text = capture();
    const log = await runTask(harness(), file('as_text', { text_batch_size: 10 }, 'breaks', names), { logger: text.logger });
    expect(text.infos).toContain(AS_TEXT);
    expect(log.execute_status).not.toBe('SUCCESS');
    expect(log.remarks).toMatch(/division by zero/);
    // Whatever was written was written whole: the rows before id 100 and none after it.
    const [rows] = await my.query(`SELECT MAX(id) AS top FROM \`${db}\`.as_text`);
    expect(Number((rows as { top: number | null }[])[0]?.top ?? 0)).toBeLessThan(100);
    // The same source connection settings, a good query: the run succeeds.
    const good = await runTask(harness(), file('as_text', {}, 'src', names));
    expect(good.execute_status, good.remarks).toBe('SUCCESS');
    expect(await count('as_text')).toBe(ROWS);
  });

  describe('a long COPY stopped midway', () => {
    // 40 MB of rows: more than the sockets hold, so the server is still sending when the run is stopped.
    const BIG = 40_000;
    beforeAll(async () => {
      await pgc.query(`CREATE TABLE "${db}".big (id integer PRIMARY KEY, pad text)`);
      await pgc.query(`INSERT INTO "${db}".big SELECT g, repeat('p', 1000) FROM generate_series(1, ${BIG}) AS g`);
      await my.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, pad TEXT)`);
    });
    const big = () => file('big', { text_batch_size: 200, channel_capacity: 1 }, 'big', ['id', 'pad']);

    it('cancelled mid-run: 106/505/16, the connection under the COPY is closed, and the re-run leaves each row once', async () => {
      const text = capture();
      const h = harness();
      const controller = new AbortController();
      const progress = writtenAtLeast(1000);
      const running = runTask(h, big(), { signal: controller.signal, onProgress: progress.onProgress, logger: text.logger });
      await progress.reached;
      controller.abort('terminate');
      const log = await running;
      expect(text.infos).toContain(AS_TEXT);
      expect(log.execute_status).toBe('CANCELLED');
      expect(inOrder(codes(log), [106, 505, 16]), codes(log).join()).toBe(true);
      const [partial] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.big`);
      expect(Number((partial as { n: string }[])[0]?.n)).toBeGreaterThanOrEqual(1000);
      expect(Number((partial as { n: string }[])[0]?.n)).toBeLessThan(BIG);
      // No backend of the run is left sending its COPY (it ends once it finds its client gone).
      const copying = async (): Promise<number> =>
        (await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fdi-worker' AND query LIKE 'COPY (%'`)).rows[0]?.n ?? -1;
      const until = Date.now() + 5000;
      while ((await copying()) > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await copying()).toBe(0);

      const again = await runTask(harness(), big());
      expect(again.execute_status, again.remarks).toBe('SUCCESS');
      const [r] = await my.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM \`${db}\`.big`);
      expect((r as { n: string; ids: string }[])[0]).toEqual({ n: String(BIG), ids: String(BIG) });
    });

    it('the source backend terminated mid-COPY is 103', async () => {
      await my.query(`TRUNCATE TABLE \`${db}\`.big`);
      const text = capture();
      const progress = writtenAtLeast(1000);
      const run = runTask(harness(), big(), { onProgress: progress.onProgress, logger: text.logger });
      await progress.reached;
      const killed = await pgc.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'fdi-worker' AND state = 'active' AND query LIKE 'COPY (%'`,
      );
      expect(killed.rows.length).toBe(1);
      const log = await run;
      expect(text.infos).toContain(AS_TEXT);
      expect(log.execute_status).toBe('ERROR');
      expect(step(log, 103).remarks).toMatch(/terminat|connection/i);
    });
  });
});
