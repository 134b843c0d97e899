/**
 * PostgreSQL → MySQL through the engine (`runExecution`) with FDI task files against the real test services:
 * values (exact numerics, instants and zone-less date-times across zones, JSON, binary, UTF-8 with emoji, NULLs),
 * dirty rows with MySQL's reasons, the monitor-log steps, table creation, clearing and the batch-number column,
 * exact incremental runs over a timestamptz column (ties, a row committed late inside the compensation window),
 * and the failures: wrong passwords (911 for PostgreSQL with a password-checked role of the test server, 912 for
 * MySQL), the source backend terminated mid-read (103), the target table dropped mid-write (503) and cancel
 * mid-run (106/505/16) with the re-run after it.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codes,
  createSqlScratch,
  dropSqlScratch,
  harness,
  inOrder,
  mysqlDatasource,
  parseFile,
  pgAdmin,
  pgDatasource,
  runTask,
  runUntilWritten,
  step,
  taskFile,
  uniqueName,
  writtenAtLeast,
} from './sql-helpers.ts';
import { pgPasswordRole } from '../support/services.ts';

const db = uniqueName('p2m');
let my: mysql.Connection;
let pgc: pg.Client;

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

describe('PostgreSQL → MySQL, full load', () => {
  const COLUMNS = ['id', 'n', 'amount', 'ts', 'lt', 'd', 'j', 't', 'b', 'big', 'f', 'code', 'req'];

  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".src (
      id bigint PRIMARY KEY, n numeric(30,10), amount numeric(12,2), ts timestamptz(6), lt timestamp(3), d date,
      j jsonb, t text, b bytea, big bigint, f double precision, code varchar(20), req text)`);
    await pgc.query(`INSERT INTO "${db}".src VALUES
      (1, 12345678901234567890.0123456789, 10.50, '2024-03-01 00:30:00.5+00', '2024-03-01 08:30:00.123', '2024-02-29',
       '{"a": {"b": [true, null, 1.5]}}', 'emoji 😀 and 中文', '\\x00ff10', 9223372036854775807, 0.1, 'ok', 'x'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'only id'),
      (3, 1, 1, now(), now(), now(), '{}', 't', NULL, 1, 1, 'much too long', 'x'),
      (4, 1, 1, now(), now(), now(), '{}', 't', NULL, 1, 1, 'ok', NULL),
      (5, 1, -1, now(), now(), now(), '{}', 't', NULL, 1, 1, 'ok', 'x')`);
    await pgc.query(`INSERT INTO "${db}".src SELECT g, g, g, now(), now(), now(), jsonb_build_object('g', g), 'row ' || g, NULL, g, g, 'ok', 'x'
                       FROM generate_series(100, 194) AS g`);
    await my.query(`CREATE TABLE \`${db}\`.dst (
      id BIGINT PRIMARY KEY, n DECIMAL(30,10), amount DECIMAL(12,2), ts DATETIME(3), lt DATETIME(3), d DATE, j JSON,
      t TEXT, b BLOB, big BIGINT, f DOUBLE, code VARCHAR(5), req VARCHAR(20) NOT NULL,
      CONSTRAINT amount_not_negative CHECK (amount >= 0)) CHARACTER SET utf8mb4`);
  });

  const file = () =>
    taskFile({
      name: 'sqlc-p2m-full',
      source: pgDatasource(),
      // The target's own zone: zone-less DATETIMEs are written in UTC.
      target: mysqlDatasource(db, { time_zone: '+00:00' }),
      sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id', orderType: 'DESC', timeZone: 'GMT+08:00' },
      targetDetail: { targetTable: `${db}.dst` },
      mapping: COLUMNS.map((c) => ({ source: c, target: c })),
    });

  it('copies every value exactly, rejects only the refused rows with their reasons, and logs every step', async () => {
    const h = harness();
    const log = await runTask(h, file());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(inOrder(codes(log), [900, 99, 100, 102, 104, 101]), codes(log).join()).toBe(true);
    expect(inOrder(codes(log), [99, 500, 502, 504, 501, 901]), codes(log).join()).toBe(true);
    expect(step(log, 104).data_count).toBe(100);
    expect(log.data_count).toBe(97);
    expect(log.dirty_data_count).toBe(3);
    expect(step(log, 104).stage).toBe('postgresqlreader');
    expect(step(log, 504).stage).toBe('mysqlwriter');

    const dirty = new Map(h.dirty.records.map((d) => [(d.record as { id: string }).id, d]));
    expect([...dirty.keys()].sort()).toEqual(['3', '4', '5']);
    expect(dirty.get('3')?.reason).toMatch(/^ER_DATA_TOO_LONG \(1406\): Data too long for column 'code'/);
    expect(dirty.get('3')?.column).toBe('code');
    expect(dirty.get('4')?.reason).toMatch(/^ER_BAD_NULL_ERROR \(1048\): Column 'req' cannot be null/);
    expect(dirty.get('4')?.column).toBe('req');
    expect(dirty.get('5')?.reason).toMatch(/\(4025\): CONSTRAINT `amount_not_negative` failed/);
    expect(dirty.get('5')?.stage).toBe('mysqlwriter');

    const [rows] = await my.query(`SELECT CAST(id AS CHAR) AS id, CAST(n AS CHAR) AS n, CAST(amount AS CHAR) AS amount,
        DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts, DATE_FORMAT(lt, '%Y-%m-%d %H:%i:%s.%f') AS lt, CAST(d AS CHAR) AS d,
        j, t, HEX(b) AS b, CAST(big AS CHAR) AS big, f, code, req FROM \`${db}\`.dst WHERE id IN (1, 2) ORDER BY id`);
    const [one, two] = rows as Record<string, unknown>[];
    expect({ ...one, j: typeof one?.j === 'string' ? JSON.parse(one.j) : one?.j }).toEqual({
      id: '1', n: '12345678901234567890.0123456789', amount: '10.50',
      ts: '2024-03-01 00:30:00.500000', lt: '2024-03-01 00:30:00.123000', d: '2024-02-29',
      j: { a: { b: [true, null, 1.5] } }, t: 'emoji 😀 and 中文', b: '00FF10', big: '9223372036854775807', f: 0.1,
      code: 'ok', req: 'x',
    });
    expect(two).toEqual({
      id: '2', n: null, amount: null, ts: null, lt: null, d: null, j: null, t: null, b: null, big: null, f: null,
      code: null, req: 'only id',
    });
    const [count] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.dst`);
    expect(Number((count as { n: string }[])[0]?.n)).toBe(97);
  });

  it('creates the target table from the mapping, empties it before each run and stamps each run with a batch number', async () => {
    const created = `${db}.created_dst`;
    const fileFor = () =>
      taskFile({
        name: 'sqlc-p2m-create',
        source: pgDatasource(),
        target: mysqlDatasource(db),
        sourceDetail: { sourceTable: `${db}.src`, where: [{ andor: 'and', field_name: 'id', op: 'moreEqual', value: '100' }] },
        targetDetail: { targetTable: created, targetNeedCreateTable: true, isSupportClearTab: true, batchNumber: 'batch_no' },
        mapping: [
          { source: 'id', target: 'id', targetType: 'BIGINT', unique: true },
          { source: 'amount', target: 'amount', targetType: 'DECIMAL(12,2)' },
          { source: 't', target: 'label', targetType: 'VARCHAR(40)' },
        ],
      });
    const first = await runTask(harness(), fileFor());
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(first.data_count).toBe(95);
    const [cols] = await my.query(
      `SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t, COLUMN_KEY AS k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'created_dst' ORDER BY ORDINAL_POSITION`,
      [db],
    );
    expect(cols).toEqual([
      { c: 'id', t: 'bigint(20)', k: 'PRI' },
      { c: 'amount', t: 'decimal(12,2)', k: '' },
      { c: 'label', t: 'varchar(40)', k: '' },
      { c: 'batch_no', t: 'varchar(64)', k: '' },
    ]);
    const [b1] = await my.query(`SELECT DISTINCT batch_no AS b FROM \`${db}\`.created_dst`);
    expect(b1 as unknown[]).toHaveLength(1);
    const firstBatch = (b1 as { b: string }[])[0]?.b;
    expect(firstBatch).toMatch(/^[0-9a-z]{15}$/);

    await my.query(`INSERT INTO \`${db}\`.created_dst VALUES (999999, 1, 'stale row', 'x')`);
    const second = await runTask(harness(), fileFor());
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    const [after] = await my.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT batch_no) AS batches, MAX(batch_no) AS b, SUM(id = 999999) AS stale FROM \`${db}\`.created_dst`);
    const a = (after as { n: string; batches: string; b: string; stale: string }[])[0];
    expect(Number(a?.n)).toBe(95);
    expect(Number(a?.batches)).toBe(1);
    expect(a?.b).not.toBe(firstBatch);
    expect(Number(a?.stale)).toBe(0);
  });

  it('refuses a batchNumber column that is also mapped', () => {
    const file = taskFile({
      name: 'sqlc-p2m-batchdup',
      source: pgDatasource(),
      target: mysqlDatasource(db),
      sourceDetail: { sourceTable: `${db}.src` },
      targetDetail: { targetTable: `${db}.dst`, batchNumber: 'code' },
      mapping: [{ source: 'id', target: 'id' }, { source: 'code', target: 'code' }],
    });
    expect(() => parseFile(file)).toThrow(/batchNumber/);
  });
});

describe('PostgreSQL → MySQL, incremental over timestamptz', () => {
  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".inc (a int, b text, ts timestamptz(6) NOT NULL, v text, PRIMARY KEY (a, b))`);
    await my.query(`CREATE TABLE \`${db}\`.inc (a INT, b VARCHAR(10), ts DATETIME(6), v VARCHAR(20), PRIMARY KEY (a, b))`);
  });

  const file = () =>
    taskFile({
      name: 'sqlc-p2m-inc',
      source: pgDatasource(),
      target: mysqlDatasource(db),
      sourceDetail: {
        sourceTable: `${db}.inc`,
        need_inc_migration: true,
        sourceDateColumn: 'ts',
        dataTimestamp: Date.UTC(2024, 0, 1),
        timeZone: 'GMT+08:00',
        compensation_time: 0,
      },
      targetDetail: { targetTable: `${db}.inc` },
      mapping: ['a', 'b', 'ts', 'v'].map((c) => ({ source: c, target: c })),
      runtime: { batch_size: 2 },
    });

  it('reads rows sharing a timestamp once each in (timestamp, composite key) order, then reads 0 (105)', async () => {
    await pgc.query(`INSERT INTO "${db}".inc VALUES
      (1, 'b', '2024-05-01 02:00:00.000001+00', 'tie'), (1, 'a', '2024-05-01 02:00:00.000001+00', 'tie'),
      (2, 'a', '2024-05-01 02:00:00.000001+00', 'tie'), (0, 'z', '2024-05-01 02:00:00.000001+00', 'tie'),
      (1, 'c', '2024-05-01 02:00:00.000001+00', 'tie'), (9, 'a', '2024-05-01 01:00:00+00', 'first'),
      (9, 'b', '2023-12-31 15:00:00+00', 'before the start')`);
    const h = harness();
    const first = await runTask(h, file(), { taskId: 'sqlc-p2m-inc' });
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(step(first, 104).data_count).toBe(6);
    const [rows] = await my.query(`SELECT a, b, DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s') AS ts FROM \`${db}\`.inc ORDER BY a, b`);
    expect(rows).toEqual([
      { a: 0, b: 'z', ts: '2024-05-01 10:00:00' }, { a: 1, b: 'a', ts: '2024-05-01 10:00:00' },
      { a: 1, b: 'b', ts: '2024-05-01 10:00:00' }, { a: 1, b: 'c', ts: '2024-05-01 10:00:00' },
      { a: 2, b: 'a', ts: '2024-05-01 10:00:00' }, { a: 9, b: 'a', ts: '2024-05-01 09:00:00' },
    ]);
    const second = await runTask(h, file(), { taskId: 'sqlc-p2m-inc' });
    expect(codes(second)).toContain(105);
    expect(second.data_count).toBe(0);
  });

  it('a row committed late inside the compensation window is picked up by the next run, once', async () => {
    await pgc.query(`CREATE TABLE "${db}".late (id integer PRIMARY KEY, ts timestamptz(6) NOT NULL, v text)`);
    await my.query(`CREATE TABLE \`${db}\`.late (id INT PRIMARY KEY, ts DATETIME(6), v VARCHAR(20))`);
    await pgc.query(`INSERT INTO "${db}".late VALUES (1, clock_timestamp() - interval '1 hour', 'old'), (2, clock_timestamp() - interval '1 hour', 'old')`);
    const compensationMs = 5000;
    const lateFile = () =>
      taskFile({
        name: 'sqlc-p2m-late',
        source: pgDatasource(),
        target: mysqlDatasource(db),
        sourceDetail: {
          sourceTable: `${db}.late`,
          need_inc_migration: true,
          sourceDateColumn: 'ts',
          dataTimestamp: Date.UTC(2024, 0, 1),
          timeZone: 'GMT+08:00',
          compensation_time: compensationMs,
        },
        targetDetail: { targetTable: `${db}.late` },
        mapping: ['id', 'ts', 'v'].map((c) => ({ source: c, target: c })),
        runtime: { batch_size: 2 },
      });
    // A transaction that stamps its row now but commits only after the first run has looked.
    const late = await pgAdmin();
    try {
      await late.query('BEGIN');
      await late.query(`INSERT INTO "${db}".late VALUES (3, clock_timestamp(), 'late commit')`);
      await pgc.query(`INSERT INTO "${db}".late VALUES (4, clock_timestamp(), 'recent')`);
      // The late row is really uncommitted: no other session sees it yet.
      expect((await pgc.query(`SELECT array_agg(id ORDER BY id) AS ids FROM "${db}".late`)).rows[0]).toEqual({ ids: [1, 2, 4] });

      const h = harness();
      const first = await runTask(h, lateFile(), { taskId: 'sqlc-p2m-late' });
      expect(first.execute_status, first.remarks).toBe('SUCCESS');
      // Row 4 is committed but inside the compensation window: it waits for the next run, as the late row does.
      expect(step(first, 104).data_count).toBe(2);
      expect(first.data_count).toBe(2);
      await late.query('COMMIT');

      // Wait (on the database's own clock) until both recent rows have left the compensation window.
      for (;;) {
        const { rows } = await pgc.query<{ ready: boolean }>(
          `SELECT statement_timestamp() - interval '${compensationMs / 1000} seconds' > max(ts) AS ready FROM "${db}".late`,
        );
        if (rows[0]?.ready === true) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const second = await runTask(h, lateFile(), { taskId: 'sqlc-p2m-late' });
      expect(second.execute_status, second.remarks).toBe('SUCCESS');
      expect(step(second, 104).data_count).toBe(2);
      expect(second.data_count).toBe(2);
      expect(second.dirty_data_count).toBe(0);
      const [rows] = await my.query(`SELECT id, v FROM \`${db}\`.late ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, v: 'old' }, { id: 2, v: 'old' }, { id: 3, v: 'late commit' }, { id: 4, v: 'recent' },
      ]);
      const third = await runTask(h, lateFile(), { taskId: 'sqlc-p2m-late' });
      expect(third.execute_status, third.remarks).toBe('SUCCESS');
      expect(codes(third)).toContain(105);
      expect(codes(third)).not.toContain(500);
      expect(third.data_count).toBe(0);
    } finally {
      await late.query('ROLLBACK').catch(() => undefined);
      await late.end();
    }
  });
});

describe('PostgreSQL → MySQL, wrong passwords', () => {
  // The test server trusts every other role: only this one has its password checked (see scripts/test-services.sh).
  const role = pgPasswordRole();

  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".pw (id integer PRIMARY KEY, v text)`);
    await pgc.query(`INSERT INTO "${db}".pw VALUES (1, 'one'), (2, 'two')`);
    await my.query(`CREATE TABLE \`${db}\`.pw (id INT PRIMARY KEY, v VARCHAR(10))`);
    if (role) {
      await pgc.query(`GRANT USAGE ON SCHEMA "${db}" TO "${role.user}"`);
      await pgc.query(`GRANT SELECT ON "${db}".pw TO "${role.user}"`);
    }
  });

  const file = (source: Record<string, string>, target: Record<string, string> = {}) =>
    taskFile({
      name: 'sqlc-p2m-pw',
      source: pgDatasource(source),
      target: mysqlDatasource(db, target),
      sourceDetail: { sourceTable: `${db}.pw`, orderColumn: 'id' },
      targetDetail: { targetTable: `${db}.pw` },
      mapping: ['id', 'v'].map((c) => ({ source: c, target: c })),
    });

  it.skipIf(!role)(
    'a wrong PostgreSQL password is 911 with the driver message; the right one reads (needs FDI_TEST_PG_PASSWORD_USER: the password-checked role of scripts/test-services.sh; a server of your own has none)',
    async () => {
      if (!role) return;
      const wrong = await runTask(harness(), file({ user_name: role.user, password: `not-${role.password}` }));
      expect(wrong.execute_status).toBe('ERROR');
      expect(wrong.status).toBe(911);
      expect(step(wrong, 911)).toMatchObject({ position: 'READER', stage: 'postgresqlreader' });
      expect(step(wrong, 911).remarks).toContain(`password authentication failed for user "${role.user}"`);
      expect(codes(wrong)).not.toContain(502);
      const [none] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.pw`);
      expect(Number((none as { n: string }[])[0]?.n)).toBe(0);

      // The same task with the role's own password: the failure above was the password, nothing else.
      const right = await runTask(harness(), file({ user_name: role.user, password: role.password }));
      expect(right.execute_status, right.remarks).toBe('SUCCESS');
      expect(right.data_count).toBe(2);
    },
  );

  it('a wrong MySQL password is 912 with the driver message, and nothing is read into the target', async () => {
    await my.query(`DELETE FROM \`${db}\`.pw`);
    const log = await runTask(harness(), file({}, { password: 'wrong-password' }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(912);
    expect(step(log, 912)).toMatchObject({ position: 'WRITER', stage: 'mysqlwriter' });
    expect(step(log, 912).remarks).toMatch(/Access denied for user 'app'@'[^']+' \(using password: YES\)/);
    expect(codes(log)).not.toContain(502);
    const [none] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.pw`);
    expect(Number((none as { n: string }[])[0]?.n)).toBe(0);
  });
});

describe('PostgreSQL → MySQL, failures', () => {
  const ROWS = 20_000;
  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".big (id integer PRIMARY KEY, pad text)`);
    // 40 MB: more than the sockets hold, so a read that goes as COPY (rows as text) is still being sent when a test
    // kills its backend (4 MB would have been sent whole by then, and the run would rightly succeed).
    await pgc.query(`INSERT INTO "${db}".big SELECT g, repeat('p', 2000) FROM generate_series(0, ${ROWS - 1}) AS g`);
  });

  const file = () =>
    taskFile({
      name: 'sqlc-p2m-big',
      source: pgDatasource(),
      target: mysqlDatasource(db),
      sourceDetail: { sourceTable: `${db}.big`, orderColumn: 'id' },
      targetDetail: { targetTable: `${db}.big` },
      mapping: ['id', 'pad'].map((c) => ({ source: c, target: c })),
      runtime: { batch_size: 200, channel_capacity: 1 },
    });

  it('the source backend terminated mid-read is 103', async () => {
    await my.query(`CREATE TABLE IF NOT EXISTS \`${db}\`.big (id INT PRIMARY KEY, pad TEXT)`);
    const progress = writtenAtLeast(400);
    const run = runTask(harness(), file(), { onProgress: progress.onProgress });
    await progress.reached;
    const killed = await pgc.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'fdi-worker' AND pid <> pg_backend_pid() AND datname = current_database()`,
    );
    expect(killed.rows.length).toBeGreaterThan(0);
    const log = await run;
    expect(log.execute_status).toBe('ERROR');
    expect(step(log, 103).remarks).toMatch(/terminat|connection/i);
  });

  it('the target table dropped mid-write is 503, not a flood of dirty rows; a re-run writes each row once', async () => {
    await my.query(`CREATE TABLE IF NOT EXISTS \`${db}\`.big (id INT PRIMARY KEY, pad TEXT)`);
    const progress = writtenAtLeast(400);
    const run = runTask(harness(), file(), { onProgress: progress.onProgress });
    await progress.reached;
    await my.query(`DROP TABLE \`${db}\`.big`);
    const log = await run;
    expect(log.execute_status).toBe('ERROR');
    expect(step(log, 503).remarks).toMatch(/doesn't exist/);
    expect(log.dirty_data_count).toBe(0);

    await my.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, pad TEXT)`);
    await my.query(`INSERT INTO \`${db}\`.big VALUES (0, 'written before'), (1, 'written before')`);
    const again = await runTask(harness(), file());
    expect(again.execute_status, again.remarks).toBe('SUCCESS');
    const [r] = await my.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, SUM(pad = 'written before') AS old FROM \`${db}\`.big`);
    expect((r as { n: string; ids: string; old: string }[])[0]).toEqual({ n: String(ROWS), ids: String(ROWS), old: '0' });
  });

  it('cancel mid-run is 106/505/16; the re-run has no dirty rows and leaves each source row exactly once', async () => {
    await my.query(`CREATE TABLE IF NOT EXISTS \`${db}\`.big (id INT PRIMARY KEY, pad TEXT)`);
    await my.query(`TRUNCATE TABLE \`${db}\`.big`);
    const log = await runUntilWritten(harness(), file(), 1000, 'terminate');
    expect(log.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(log), [106, 505, 16]), codes(log).join()).toBe(true);
    expect(log.status).toBe(16);
    const [partial] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.big`);
    expect(Number((partial as { n: string }[])[0]?.n)).toBeGreaterThanOrEqual(1000);
    expect(Number((partial as { n: string }[])[0]?.n)).toBeLessThan(ROWS);

    const again = await runTask(harness(), file());
    expect(again.execute_status, again.remarks).toBe('SUCCESS');
    expect(again.dirty_data_count).toBe(0);
    expect(step(again, 104).data_count).toBe(ROWS);
    const source = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db}".big`);
    const [r] = await my.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MIN(id) AS lo, MAX(id) AS hi FROM \`${db}\`.big`);
    const got = (r as { n: string; ids: string; lo: number; hi: number }[])[0];
    expect({ n: Number(got?.n), ids: Number(got?.ids), lo: got?.lo, hi: got?.hi }).toEqual({ n: source.rows[0]?.n, ids: source.rows[0]?.n, lo: 0, hi: ROWS - 1 });
    expect(source.rows[0]?.n).toBe(ROWS);
  });
});
