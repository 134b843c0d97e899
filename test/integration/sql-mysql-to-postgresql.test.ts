/**
 * MySQL → PostgreSQL through the engine (`runExecution`) with FDI task files against the real test services:
 * values of every common type, dirty rows with the database's reasons, the monitor-log steps, an idempotent
 * re-run, exact incremental runs (ties across batch boundaries, a late commit inside the compensation window, an
 * empty second run), and the failures: wrong credentials (911/912), the source connection killed mid-read (103),
 * the target connection killed mid-write (503), cancel mid-run (106/505/16) and the re-run after it.
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
  mysqlAdmin,
  mysqlDatasource,
  pgDatasource,
  runTask,
  runUntilWritten,
  step,
  taskFile,
  uniqueName,
  writtenAtLeast,
} from './sql-helpers.ts';

const db = uniqueName('m2p');
let my: mysql.Connection;
let pgc: pg.Client;

const COLUMNS = ['id', 'small', 'big', 'amount', 'price', 'name', 'note', 'created', 'updated', 'd', 'j', 'flag'];
const mapping = COLUMNS.map((c) => ({ source: c, target: c }));

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

describe('MySQL → PostgreSQL, full load', () => {
  beforeAll(async () => {
    await my.query(`CREATE TABLE \`${db}\`.src (
      id BIGINT PRIMARY KEY, small INT NULL, big BIGINT NULL, amount DECIMAL(20,6) NULL, price DOUBLE NULL,
      name VARCHAR(60) NULL, note TEXT NULL, created DATETIME(3) NULL, updated TIMESTAMP(6) NULL, d DATE NULL,
      j JSON NULL, flag TINYINT(1) NULL)`);
    await my.query(`SET time_zone = '+00:00'`);
    await my.query(
      `INSERT INTO \`${db}\`.src VALUES
       (1, 2147483647, 9223372036854775807, 12345678901234.123456, 1.5, 'alpha', 'UTF-8 ✓ 😀 中文', '2024-03-01 08:30:00.123', '2024-03-01 00:30:00.5', '2024-03-01', '{"k":[1,"x"],"n":null}', 1),
       (2, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL, NULL, NULL, NULL),
       (3, 1, -9223372036854775808, -0.000001, -2.25, 'this name is far too long for ten', 'x', '1999-12-31 23:59:59.999', '2038-01-19 03:14:07', '1970-01-01', '[]', 0),
       (4, -5, 0, 0, 0, 'negative', 'refused by a CHECK', NULL, NULL, NULL, NULL, NULL)`,
    );
    const filler = Array.from({ length: 116 }, (_v, i) => `(${100 + i}, ${i}, ${i * 1000}, ${i}.5, ${i}, 'row${i}', 'filler', NULL, NULL, NULL, '{"i":${i}}', 1)`);
    await my.query(`INSERT INTO \`${db}\`.src VALUES ${filler.join(',')}`);
    await pgc.query(`CREATE TABLE "${db}".dst (
      id bigint PRIMARY KEY, small integer CHECK (small IS NULL OR small >= 0), big bigint, amount numeric(20,6),
      price double precision, name varchar(10), note text, created timestamp(3), updated timestamptz(6), d date,
      j jsonb, flag smallint)`);
  });

  const file = () =>
    taskFile({
      name: 'sqlc-m2p-full',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id', orderType: 'ASC', timeZone: 'GMT+08:00' },
      targetDetail: { targetTable: `${db}.dst` },
      mapping,
    });

  it('copies every value exactly, rejects only the refused rows with their reasons, and logs every step', async () => {
    const h = harness();
    const log = await runTask(h, file());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    // The reader's and the writer's steps overlap; each side is in order and the run ends with 901.
    expect(inOrder(codes(log), [900, 99, 100, 102, 104, 101]), codes(log).join()).toBe(true);
    expect(inOrder(codes(log), [99, 500, 502, 504, 501, 901]), codes(log).join()).toBe(true);
    expect(codes(log).at(-1)).toBe(901);
    expect(step(log, 104).data_count).toBe(120);
    expect(log.data_count).toBe(118);
    expect(log.dirty_data_count).toBe(2);
    expect(step(log, 104).remarks).toContain('120');

    const dirty = h.dirty.records.sort((a, b) => String(a.reason).localeCompare(String(b.reason)));
    expect(dirty).toHaveLength(2);
    expect(dirty.map((d) => d.stage)).toEqual(['postgresqlwriter', 'postgresqlwriter']);
    expect(dirty[0]?.reason).toMatch(/^22001: value too long for type character varying\(10\)/);
    expect((dirty[0]?.record as { id: string }).id).toBe('3');
    expect(dirty[1]?.reason).toMatch(/^23514: new row for relation "dst" violates check constraint/);
    expect((dirty[1]?.record as { id: string }).id).toBe('4');

    const { rows } = await pgc.query(`SELECT id::text, small, big::text, amount::text, price, name, note,
        to_char(created, 'YYYY-MM-DD HH24:MI:SS.MS') AS created, to_char(updated AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS updated,
        d::text, j, flag FROM "${db}".dst WHERE id IN (1, 2) ORDER BY id`);
    expect(rows[0]).toEqual({
      id: '1', small: 2147483647, big: '9223372036854775807', amount: '12345678901234.123456', price: 1.5, name: 'alpha',
      note: 'UTF-8 ✓ 😀 中文', created: '2024-03-01 08:30:00.123', updated: '2024-03-01 00:30:00.500000', d: '2024-03-01',
      j: { k: [1, 'x'], n: null }, flag: 1,
    });
    expect(rows[1]).toEqual({
      id: '2', small: null, big: null, amount: null, price: null, name: 'nulls', note: null, created: null, updated: null,
      d: null, j: null, flag: null,
    });
    const count = await pgc.query(`SELECT count(*)::int AS n, sum(small)::text AS s FROM "${db}".dst`);
    expect(count.rows[0]).toEqual({ n: 118, s: String(2147483647 + (115 * 116) / 2) });
  });

  it('a re-run upserts: nothing is written twice', async () => {
    await pgc.query(`UPDATE "${db}".dst SET name = 'changed' WHERE id = 100`);
    const log = await runTask(harness(), file());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(118);
    const { rows } = await pgc.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, max(name) FILTER (WHERE id = 100) AS name FROM "${db}".dst`);
    expect(rows[0]).toEqual({ n: 118, ids: 118, name: 'row0' });
  });

  it('the integrity check counts the source with the same predicate: read = written + dirty (902/903)', async () => {
    const withCheck = { ...file() } as { task_detail: { runtime: Record<string, unknown> } };
    withCheck.task_detail = { ...withCheck.task_detail, runtime: { ...withCheck.task_detail.runtime, integrity_check: true } };
    const log = await runTask(harness(), withCheck as unknown as Record<string, unknown>);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(inOrder(codes(log), [902, 903]), codes(log).join()).toBe(true);
    expect(codes(log)).not.toContain(904);
    expect(step(log, 903).remarks).toMatch(/120/);
  });

  it('a hostile table name is an error naming the field, never SQL', async () => {
    const hostile = 'x`; DROP TABLE src; --';
    const bad = taskFile({
      name: 'sqlc-m2p-hostile',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: hostile, orderColumn: 'id' },
      targetDetail: { targetTable: `${db}.dst` },
      mapping,
    });
    const log = await runTask(harness(), bad);
    expect(log.execute_status).toBe('ERROR');
    expect(step(log, 911).remarks).toMatch(/sourceTable/);
    const [tables] = await my.query(`SHOW TABLES FROM \`${db}\` LIKE 'src'`);
    expect(tables).toHaveLength(1);

    const badTarget = taskFile({
      name: 'sqlc-m2p-hostile-target',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.src` },
      targetDetail: { targetTable: `${db}.dst"; DROP TABLE "${db}".dst; --` },
      mapping,
    });
    const log2 = await runTask(harness(), badTarget);
    expect(log2.execute_status).toBe('ERROR');
    expect(step(log2, 912).remarks).toMatch(/targetTable/);
    expect((await pgc.query(`SELECT count(*)::int AS n FROM "${db}".dst`)).rows[0]).toEqual({ n: 118 });
  });
});

describe('MySQL → PostgreSQL, incremental', () => {
  beforeAll(async () => {
    await my.query(`CREATE TABLE \`${db}\`.inc (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL, v VARCHAR(20), KEY (ts))`);
    await pgc.query(`CREATE TABLE "${db}".inc (id integer PRIMARY KEY, ts timestamp(6), v varchar(20))`);
  });

  const file = (compensationMs: number, table = 'inc') =>
    taskFile({
      name: `sqlc-m2p-${table}`,
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: {
        sourceTable: `${db}.${table}`,
        need_inc_migration: true,
        sourceDateColumn: 'ts',
        dataTimestamp: Date.UTC(2024, 0, 1),
        timeZone: 'GMT+08:00',
        compensation_time: compensationMs,
      },
      targetDetail: { targetTable: `${db}.${table}` },
      mapping: ['id', 'ts', 'v'].map((c) => ({ source: c, target: c })),
      runtime: { batch_size: 3 },
    });

  it('rows sharing a timestamp across batch boundaries are read once each; a run with nothing new reads 0 (105)', async () => {
    await my.query(`SET time_zone = '+08:00'`);
    // Seven rows share one timestamp (batches of 3 split them), one row sits before dataTimestamp.
    await my.query(`INSERT INTO \`${db}\`.inc VALUES
      (7, '2024-05-01 10:00:00.000001', 'tie'), (3, '2024-05-01 10:00:00.000001', 'tie'), (5, '2024-05-01 10:00:00.000001', 'tie'),
      (1, '2024-05-01 10:00:00.000001', 'tie'), (2, '2024-05-01 10:00:00.000001', 'tie'), (6, '2024-05-01 10:00:00.000001', 'tie'),
      (4, '2024-05-01 10:00:00.000001', 'tie'), (8, '2024-05-01 10:00:00.000002', 'after'), (9, '2023-12-31 23:00:00', 'too old')`);
    const h = harness();
    const first = await runTask(h, file(0), { taskId: 'sqlc-inc-tie' });
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(step(first, 104).data_count).toBe(8);
    expect(first.data_count).toBe(8);
    const { rows } = await pgc.query(`SELECT id, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') AS ts FROM "${db}".inc ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Microseconds travel with the value (DATETIME(6) → timestamp(6)), not only in the watermark.
    expect(rows[0].ts).toBe('2024-05-01 10:00:00.000001');
    expect(rows[7].ts).toBe('2024-05-01 10:00:00.000002');

    const cp = (await h.checkpoints.load('sqlc-inc-tie')) as { watermark: string; key: unknown };
    expect(cp.key).toBeNull();
    expect(cp.watermark).toMatch(/\+08:00$/);

    const second = await runTask(h, file(0), { taskId: 'sqlc-inc-tie' });
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(codes(second)).toContain(105);
    expect(codes(second)).not.toContain(500);
    expect(second.data_count).toBe(0);
  });

  it('a row committed late inside the compensation window is picked up by the next run, once', async () => {
    await my.query(`CREATE TABLE \`${db}\`.late (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL, v VARCHAR(20))`);
    await pgc.query(`CREATE TABLE "${db}".late (id integer PRIMARY KEY, ts timestamp(6), v varchar(20))`);
    await my.query(`SET time_zone = '+08:00'`);
    await my.query(`INSERT INTO \`${db}\`.late VALUES (1, NOW(6) - INTERVAL 1 HOUR, 'old'), (2, NOW(6) - INTERVAL 1 HOUR, 'old')`);
    const compensationMs = 5000;
    // A transaction that stamps its row now but commits only after the first run has looked.
    const late = await mysqlAdmin();
    await late.query(`SET time_zone = '+08:00'`);
    await late.query('BEGIN');
    await late.query(`INSERT INTO \`${db}\`.late VALUES (3, NOW(6), 'late commit')`);
    await my.query(`INSERT INTO \`${db}\`.late VALUES (4, NOW(6), 'recent')`);

    const h = harness();
    const first = await runTask(h, file(compensationMs, 'late'), { taskId: 'sqlc-inc-late' });
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(first.data_count).toBe(2);
    await late.query('COMMIT');
    await late.end();

    // Wait (on the database's own clock) until both rows have left the compensation window.
    for (;;) {
      const [r] = await my.query(`SELECT NOW(6) - INTERVAL ${compensationMs / 1000} SECOND > MAX(ts) AS ready FROM \`${db}\`.late`);
      if (Number((r as { ready: number }[])[0]?.ready) === 1) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const second = await runTask(h, file(compensationMs, 'late'), { taskId: 'sqlc-inc-late' });
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(step(second, 104).data_count).toBe(2);
    const { rows } = await pgc.query(`SELECT id, v FROM "${db}".late ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, v: 'old' }, { id: 2, v: 'old' }, { id: 3, v: 'late commit' }, { id: 4, v: 'recent' },
    ]);
    const third = await runTask(h, file(compensationMs, 'late'), { taskId: 'sqlc-inc-late' });
    expect(codes(third)).toContain(105);
    expect(third.data_count).toBe(0);
  });
});

describe('MySQL → PostgreSQL, failures', () => {
  const ROWS = 30_000;
  beforeAll(async () => {
    await my.query(`CREATE TABLE \`${db}\`.big (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL, pad VARCHAR(300))`);
    await pgc.query(`CREATE TABLE "${db}".big (id integer PRIMARY KEY, ts timestamp(6), pad varchar(300))`);
    const pad = 'p'.repeat(250);
    for (let start = 0; start < ROWS; start += 5000) {
      const values = Array.from({ length: 5000 }, (_v, i) => `(${start + i}, '2024-06-01 00:00:00' + INTERVAL ${start + i} SECOND, '${pad}')`);
      await my.query(`INSERT INTO \`${db}\`.big VALUES ${values.join(',')}`);
    }
  });

  const file = (overrides: { source?: Record<string, string>; target?: Record<string, string>; incremental?: boolean } = {}) =>
    taskFile({
      name: 'sqlc-m2p-big',
      source: mysqlDatasource(db, overrides.source),
      target: pgDatasource(overrides.target),
      sourceDetail: {
        sourceTable: `${db}.big`,
        orderColumn: 'id',
        ...(overrides.incremental
          ? { need_inc_migration: true, sourceDateColumn: 'ts', dataTimestamp: 0, timeZone: 'GMT+08:00', compensation_time: 0 }
          : {}),
      },
      targetDetail: { targetTable: `${db}.big` },
      mapping: ['id', 'ts', 'pad'].map((c) => ({ source: c, target: c })),
      runtime: { batch_size: 200, channel_capacity: 1 },
    });

  it('a wrong password is 911 (source) or 912 (target) with the driver message', async () => {
    const log = await runTask(harness(), file({ source: { password: 'wrong-password' } }));
    expect(log.execute_status).toBe('ERROR');
    expect(step(log, 911).remarks).toMatch(/Access denied for user/);
    expect(codes(log)).not.toContain(500);

    const log2 = await runTask(harness(), file({ target: { user_name: 'sqlc_nobody' } }));
    expect(log2.execute_status).toBe('ERROR');
    expect(step(log2, 912).remarks).toMatch(/role "sqlc_nobody" does not exist|password authentication failed/);
  });

  it('the source connection killed mid-read is 103', async () => {
    const progress = writtenAtLeast(400);
    const run = runTask(harness(), file(), { onProgress: progress.onProgress });
    await progress.reached;
    const [procs] = await my.query(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()`, [db]);
    expect((procs as unknown[]).length).toBeGreaterThan(0);
    for (const p of procs as { id: number }[]) await my.query(`KILL ${Number(p.id)}`);
    const log = await run;
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toContain(103);
    expect(step(log, 103).remarks.length).toBeGreaterThan(0);
  });

  it('the target connection killed mid-write is 503, not a flood of dirty rows', async () => {
    await pgc.query(`TRUNCATE "${db}".big`);
    const progress = writtenAtLeast(400);
    const run = runTask(harness(), file(), { onProgress: progress.onProgress });
    await progress.reached;
    await pgc.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fdi-worker' AND pid <> pg_backend_pid() AND datname = current_database()`);
    const log = await run;
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toContain(503);
    expect(step(log, 503).remarks).toMatch(/terminat|connection/i);
    expect(log.dirty_data_count).toBe(0);
  });

  it('cancel mid-run is 106/505/16; the next run continues from the committed checkpoint and nothing is written twice', async () => {
    await pgc.query(`TRUNCATE "${db}".big`);
    const h = harness();
    const log = await runUntilWritten(h, file({ incremental: true }), 1000, undefined, { taskId: 'sqlc-cancel' });
    expect(log.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(log), [106, 505, 16])).toBe(true);
    // Whatever position the engine kept (a timing run keeps none unless it succeeded), the next run starts there.
    const cp = (await h.checkpoints.load('sqlc-cancel')) as { watermark: string; key: string[] | null } | null;
    const firstLeft = cp?.key ? ROWS - Number(cp.key[0]) - 1 : ROWS;
    const partial = await pgc.query(`SELECT count(*)::int AS n FROM "${db}".big`);
    expect(partial.rows[0].n).toBeGreaterThanOrEqual(1000);
    expect(partial.rows[0].n).toBeLessThan(ROWS);

    const again = await runTask(h, file({ incremental: true }), { taskId: 'sqlc-cancel' });
    expect(again.execute_status, again.remarks).toBe('SUCCESS');
    expect(step(again, 104).data_count).toBe(firstLeft);
    const { rows } = await pgc.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, min(id) AS lo, max(id) AS hi FROM "${db}".big`);
    expect(rows[0]).toEqual({ n: ROWS, ids: ROWS, lo: 0, hi: ROWS - 1 });
  });
});
