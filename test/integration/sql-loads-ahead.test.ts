/**
 * MySQL → PostgreSQL as text with each batch's COPY sent ahead on a second connection (connectors/sql/copy-ahead.ts),
 * against the real databases: a key in two consecutive batches ends with the later batch's row, as batch by batch;
 * a refused row in one batch leaves the batch sent ahead of it to be written after it, whole; a run stopped by its
 * dirty limit or cancelled leaves in the target exactly the rows its log counts written; the second connection is
 * gone after the run.
 */
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, runUntilWritten, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('ahead');
let my: mysql.Connection;
let pgc: pg.Client;

/** 50 rows a batch (sql-helpers' text_batch_size): 400 rows are 8 COPYs, each but the first sent ahead. */
const ROWS = 400;

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  // seq orders the read; id repeats: rows 301–400 carry the ids 251–350 again, with newer text.
  await my.query(`CREATE TABLE \`${db}\`.dup (seq INT PRIMARY KEY, id INT NOT NULL, s VARCHAR(20) NOT NULL)`);
  const dup = Array.from({ length: ROWS }, (_v, i) => {
    const seq = i + 1;
    return seq <= 300 ? `(${seq}, ${seq}, 'first ${seq}')` : `(${seq}, ${seq - 50}, 'second ${seq - 50}')`;
  });
  await my.query(`INSERT INTO \`${db}\`.dup VALUES ${dup.join(', ')}`);
  // Row 120 (3rd batch) is too long for the target's varchar(5).
  await my.query(`CREATE TABLE \`${db}\`.src (id INT PRIMARY KEY, s VARCHAR(20) NOT NULL)`);
  const src = Array.from({ length: ROWS }, (_v, i) => `(${i + 1}, '${i + 1 === 120 ? 'far too long' : `r${i + 1}`}')`);
  await my.query(`INSERT INTO \`${db}\`.src VALUES ${src.join(', ')}`);
  await pgc.query(`CREATE TABLE "${db}".dup (seq integer, id integer PRIMARY KEY, s varchar(20) NOT NULL)`);
  // seq 1–150 have id = seq, seq 151–200 the ids 101–150 again (the 4th batch repeats the 3rd's keys); seq 120 is
  // too long for the target's varchar(8).
  await my.query(`CREATE TABLE \`${db}\`.dup2 (seq INT PRIMARY KEY, id INT NOT NULL, s VARCHAR(20) NOT NULL)`);
  const dup2 = Array.from({ length: 200 }, (_v, i) => {
    const seq = i + 1;
    if (seq > 150) return `(${seq}, ${seq - 50}, 'new ${seq - 50}')`;
    return `(${seq}, ${seq}, '${seq === 120 ? 'far too long' : `old ${seq}`}')`;
  });
  await my.query(`INSERT INTO \`${db}\`.dup2 VALUES ${dup2.join(', ')}`);
  await pgc.query(`CREATE TABLE "${db}".dup2 (seq integer, id integer PRIMARY KEY, s varchar(8) NOT NULL)`);
  await pgc.query(`CREATE TABLE "${db}".dst (id integer PRIMARY KEY, s varchar(5) NOT NULL)`);
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

function file(name: string, table: string, columns: string[], runtime: Record<string, unknown> = {}) {
  return taskFile({
    name,
    source: mysqlDatasource(db),
    target: pgDatasource(),
    sourceDetail: { sourceTable: `${db}.${table}`, orderColumn: columns[0] },
    targetDetail: { targetTable: `${db}.${table === 'src' ? 'dst' : table}` },
    mapping: columns.map((c) => ({ source: c, target: c })),
    runtime,
  });
}

async function aheadConnections(): Promise<number> {
  const r = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fdi-worker' AND query LIKE 'COPY "${db}"%'`);
  return r.rows[0]?.n ?? 0;
}

describe('loads sent ahead (PostgreSQL COPY on a second connection)', () => {
  it('a key in two consecutive batches ends with the later row, every row counted once', async () => {
    const log = await runTask(harness(), file(`ahead-dup-${db}`, 'dup', ['seq', 'id', 's']));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS);
    expect(log.dirty_data_count).toBe(0);
    const r = await pgc.query<{ id: number; seq: number; s: string }>(`SELECT id, seq, s FROM "${db}".dup ORDER BY id`);
    expect(r.rows).toHaveLength(350);
    for (const row of r.rows) {
      const later = row.id > 250 && row.id <= 350;
      expect(row).toEqual({ id: row.id, seq: later ? row.id + 50 : row.id, s: later ? `second ${row.id}` : `first ${row.id}` });
    }
    expect(await aheadConnections()).toBe(0);
  });

  it('a refused row: only it is dirty, and the batches around it land whole and in order', async () => {
    await pgc.query(`TRUNCATE "${db}".dst`);
    const log = await runTask(harness(), file(`ahead-refused-${db}`, 'src', ['id', 's']));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS - 1);
    expect(log.dirty_data_count).toBe(1);
    const r = await pgc.query<{ id: number; s: string }>(`SELECT id, s FROM "${db}".dst ORDER BY id`);
    expect(r.rows.map((row) => row.id)).toEqual(Array.from({ length: ROWS }, (_v, i) => i + 1).filter((id) => id !== 120));
    expect(r.rows.every((row) => row.s === `r${row.id}`)).toBe(true);
  });

  it('a refused row in a batch whose keys the batch sent ahead repeats: no wait on each other, the later rows win', async () => {
    const log = await runTask(harness(), file(`ahead-dup2-${db}`, 'dup2', ['seq', 'id', 's']));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(199);
    expect(log.dirty_data_count).toBe(1);
    const r = await pgc.query<{ id: number; seq: number; s: string }>(`SELECT id, seq, s FROM "${db}".dup2 ORDER BY id`);
    expect(r.rows).toHaveLength(150);
    for (const row of r.rows) {
      const later = row.id > 100;
      expect(row).toEqual({ id: row.id, seq: later ? row.id + 50 : row.id, s: later ? `new ${row.id}` : `old ${row.id}` });
    }
  });

  it('the next batch holds a slow batch\'s keys in the opposite order: no wait on each other, the later rows win', async () => {
    // seq 1–50: ids 1–50, each row slowed by a trigger; seq 51–100: the same ids, 50 down to 1. Loading beside the
    // slow batch, the next one would take id 50 first and each would wait for the other's transaction.
    await my.query(`CREATE TABLE \`${db}\`.rev (seq INT PRIMARY KEY, id INT NOT NULL, s VARCHAR(20) NOT NULL)`);
    const rev = Array.from({ length: 100 }, (_v, i) => (i < 50 ? `(${i + 1}, ${i + 1}, 'slow ${i + 1}')` : `(${i + 1}, ${100 - i}, 'new ${100 - i}')`));
    await my.query(`INSERT INTO \`${db}\`.rev VALUES ${rev.join(', ')}`);
    await pgc.query(`CREATE TABLE "${db}".rev (seq integer, id integer PRIMARY KEY, s varchar(20) NOT NULL)`);
    await pgc.query(`CREATE FUNCTION "${db}".slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.s LIKE 'slow%' THEN PERFORM pg_sleep(0.01); END IF; RETURN NEW; END $$`);
    await pgc.query(`CREATE TRIGGER slow BEFORE INSERT ON "${db}".rev FOR EACH ROW EXECUTE FUNCTION "${db}".slow()`);
    const log = await runTask(harness(), file(`ahead-rev-${db}`, 'rev', ['seq', 'id', 's']));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(100);
    const r = await pgc.query<{ id: number; seq: number; s: string }>(`SELECT id, seq, s FROM "${db}".rev ORDER BY id`);
    expect(r.rows).toEqual(Array.from({ length: 50 }, (_v, i) => ({ id: i + 1, seq: 100 - i, s: `new ${i + 1}` })));
  }, 30_000);

  it('a role allowed one connection: the run goes on with that one, every row in', async () => {
    const role = `${db}_one`;
    await pgc.query(`CREATE ROLE "${role}" LOGIN CONNECTION LIMIT 1`);
    try {
      await pgc.query(`GRANT USAGE ON SCHEMA "${db}" TO "${role}"`);
      await pgc.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON "${db}".dst TO "${role}"`);
      await pgc.query(`TRUNCATE "${db}".dst`);
      const f = file(`ahead-one-${db}`, 'src', ['id', 's']);
      (f.datasources as unknown[])[1] = pgDatasource({ user_name: role, password: '' });
      const log = await runTask(harness(), f);
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(log.data_count).toBe(ROWS - 1);
      const n = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db}".dst`);
      expect(n.rows[0]?.n).toBe(ROWS - 1);
    } finally {
      await pgc.query(`DROP OWNED BY "${role}"`);
      await pgc.query(`DROP ROLE "${role}"`);
    }
  });

  it('a run stopped by its dirty limit leaves exactly the rows it counts written (not the batch sent ahead)', async () => {
    await pgc.query(`TRUNCATE "${db}".dst`);
    const log = await runTask(harness(), file(`ahead-limit-${db}`, 'src', ['id', 's'], { dirty_max_count: 0 }));
    expect(log.execute_status).toBe('ERROR');
    const n = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db}".dst`);
    expect(n.rows[0]?.n).toBe(log.data_count);
    expect(log.data_count).toBeLessThan(ROWS - 1);
    expect(await aheadConnections()).toBe(0);
  });

  it('a cancelled run leaves exactly the rows it counts written', async () => {
    await pgc.query(`TRUNCATE "${db}".dst`);
    await my.query(`CREATE TABLE \`${db}\`.many (id INT PRIMARY KEY, s VARCHAR(5) NOT NULL)`);
    for (let k = 0; k < 4; k++) {
      const rows = Array.from({ length: 5000 }, (_v, i) => `(${k * 5000 + i + 1}, 'm')`);
      await my.query(`INSERT INTO \`${db}\`.many VALUES ${rows.join(', ')}`);
    }
    const f = taskFile({
      name: `ahead-cancel-${db}`,
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.many`, orderColumn: 'id' },
      targetDetail: { targetTable: `${db}.dst` },
      mapping: ['id', 's'].map((c) => ({ source: c, target: c })),
      runtime: { text_batch_size: 100, channel_capacity: 1 },
    });
    const log = await runUntilWritten(harness(), f, 300, 'terminate');
    expect(log.execute_status).toBe('CANCELLED');
    expect(log.data_count).toBeLessThan(20_000);
    const n = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db}".dst`);
    expect(n.rows[0]?.n).toBe(log.data_count);
    expect(await aheadConnections()).toBe(0);
  });
});
