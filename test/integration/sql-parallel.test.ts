/**
 * A full load split by key range into parallel pipelines (`runtime.parallelism`), against the real databases: every
 * row lands once, the run's log adds up its parts, the table is created or cleared once, dirty records of every
 * part are kept, the dirty limit and a failure of one part end them all, terminate cancels them all, and a read
 * that cannot be split runs as one pipeline.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorLogger } from '../../connectors/sdk/index.ts';
import { STATUS } from '../../core/status-codes.ts';
import {
  codes,
  createSqlScratch,
  dropSqlScratch,
  harness,
  inOrder,
  mysqlDatasource,
  pgDatasource,
  runTask,
  runUntilWritten,
  step,
  taskFile,
  uniqueName,
  type TaskFileInput,
} from './sql-helpers.ts';

const db = uniqueName('parallel');
let my: mysql.Connection;
let pgc: pg.Client;

const ROWS = 3000;
/** Every 300th row has a `short` value too long for the PostgreSQL target: 10 rows, spread over every part. */
const REFUSED_EVERY = 300;
const BIG_ROWS = 40_000;
const COLUMNS = ['id', 's', 'n', 'd', 'j', 'short'];
const TARGET_TYPES: Record<string, string> = { id: 'bigint', s: 'text', n: 'int', d: 'timestamp', j: 'jsonb', short: 'varchar(5)' };

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  const create = (table: string) =>
    my.query(`CREATE TABLE \`${db}\`.${table} (id BIGINT PRIMARY KEY, s VARCHAR(40) NULL, n INT NULL, d DATETIME(6) NULL, j JSON NULL, short VARCHAR(20) NULL)`);
  await create('src');
  await create('big');
  // MariaDB's sequence engine: seq_1_to_N is a table of the integers 1..N. Keys are spread with gaps (×7).
  const fill = (table: string, rows: number) =>
    my.query(
      `INSERT INTO \`${db}\`.${table} SELECT seq * 7, CONCAT('row ', seq), IF(seq % 11 = 0, NULL, seq * 3),
         TIMESTAMPADD(MICROSECOND, seq * 1001, '2026-01-02 03:04:05'), IF(seq % 5 = 0, NULL, JSON_OBJECT('k', seq)),
         IF(seq % ${REFUSED_EVERY} = 0, 'far too long', 'ok') FROM \`${db}\`.seq_1_to_${rows}`,
    );
  await fill('src', ROWS);
  await fill('big', BIG_ROWS);
  await pgc.query(`CREATE TABLE "${db}".src (id bigint PRIMARY KEY, s text, n int, d timestamp(6), j jsonb, short varchar(20))`);
  await pgc.query(`INSERT INTO "${db}".src SELECT id, s, n, d, j::jsonb, short FROM (SELECT g * 7 AS id, 'row ' || g AS s, g * 3 AS n,
    timestamp '2026-01-02 03:04:05' + g * interval '1001 microseconds' AS d, json_build_object('k', g)::text AS j, 'ok' AS short FROM generate_series(1, ${ROWS}) g) x`);
  await my.query(`CREATE TABLE \`${db}\`.dst (id BIGINT PRIMARY KEY, s VARCHAR(40) NULL, n INT NULL, d DATETIME(6) NULL, j JSON NULL, short VARCHAR(20) NULL)`);
});

afterAll(async () => {
  await dropSqlScratch(db, { my, pgc });
});

async function resetPgTarget(): Promise<void> {
  await pgc.query(`DROP TABLE IF EXISTS "${db}".dst`);
  await pgc.query(`CREATE TABLE "${db}".dst (id bigint PRIMARY KEY, s text, n int, d timestamp(6), j jsonb, short varchar(5))`);
}

/** A logger that keeps what it is told, so a test can see how the run was split. */
function recordingLogger(): ConnectorLogger & { lines: { level: string; msg: string; data?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(data ? { data } : {}) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function splitLine(logger: ReturnType<typeof recordingLogger>): string | undefined {
  return logger.lines.find((l) => /^full load split into|this run is one pipeline/.test(l.msg))?.msg;
}

const toPg = (overrides: Partial<TaskFileInput> = {}, table = 'src') =>
  taskFile({
    name: 'parallel-m2p',
    source: mysqlDatasource(db),
    target: pgDatasource(),
    sourceDetail: { sourceTable: `${db}.${table}` },
    targetDetail: { targetTable: `${db}.dst` },
    mapping: COLUMNS.map((c) => ({ source: c, target: c })),
    runtime: { parallelism: 3 },
    ...overrides,
  });

/** What landed in PostgreSQL, as one digest per column, for comparing with the source. */
async function pgDigest(table: string): Promise<Record<string, string>> {
  const { rows } = await pgc.query<Record<string, string>>(
    `SELECT count(*)::text AS n, coalesce(sum(id), 0)::text AS ids, md5(string_agg(concat_ws('|', id, s, n, to_char(d, 'YYYY-MM-DD HH24:MI:SS.US'), j::text, short), ',' ORDER BY id)) AS rows FROM "${db}".${table}`,
  );
  return rows[0] ?? {};
}

/** The same digest of the MySQL source rows that the target accepts (short values of at most 5 characters). */
async function mysqlDigest(table: string, where = 'TRUE'): Promise<Record<string, string>> {
  const [rows] = await my.query(
    `SELECT CAST(COUNT(*) AS CHAR) AS n, CAST(COALESCE(SUM(id), 0) AS CHAR) AS ids,
       MD5(GROUP_CONCAT(CONCAT_WS('|', id, s, n, DATE_FORMAT(d, '%Y-%m-%d %H:%i:%s.%f'), IF(j IS NULL, NULL, CONCAT('{"k": ', JSON_VALUE(j, '$.k'), '}')), short) ORDER BY id SEPARATOR ',')) AS \`rows\`
     FROM \`${db}\`.${table} WHERE ${where}`,
  );
  return (rows as Record<string, string>[])[0] ?? {};
}

beforeAll(async () => {
  await my.query('SET SESSION group_concat_max_len = 67108864');
});

describe('MySQL → PostgreSQL in parallel parts', () => {
  beforeEach(resetPgTarget);

  it('writes every row once, exactly as one pipeline does, and the log adds up the parts', async () => {
    const logger = recordingLogger();
    const h = harness();
    const log = await runTask(h, toPg({ targetDetail: { targetTable: `${db}.dst`, isSupportClearTab: true } }), { logger });
    expect(splitLine(logger)).toBe('full load split into 3 parts by id');
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS - ROWS / REFUSED_EVERY);
    expect(log.dirty_data_count).toBe(ROWS / REFUSED_EVERY);
    expect(step(log, STATUS.READ_FINISHED).data_count).toBe(ROWS);
    expect(step(log, STATUS.WRITE_FINISHED).data_count).toBe(ROWS - ROWS / REFUSED_EVERY);
    expect(inOrder(codes(log), [900, 99, 100, 102, 500, 502, 104, 101, 504, 501, 901])).toBe(true);
    expect(await pgDigest('dst')).toEqual(await mysqlDigest('src', `short = 'ok'`));

    // The same copy as one pipeline: the same rows, counts and sizes.
    await resetPgTarget();
    const single = await runTask(harness(), toPg({ runtime: { parallelism: 1 } }));
    expect(single.execute_status, single.remarks).toBe('SUCCESS');
    for (const code of [STATUS.READ_FINISHED, STATUS.WRITE_FINISHED]) {
      const { data_count, dirty_data_count, data_size, data_size_unit } = step(single, code);
      expect(step(log, code)).toMatchObject({ data_count, dirty_data_count, data_size, data_size_unit });
    }
    expect(await pgDigest('dst')).toEqual(await mysqlDigest('src', `short = 'ok'`));
  });

  it('keeps the refused rows of every part as dirty records, with the database reason', async () => {
    const h = harness();
    const log = await runTask(h, toPg());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    const ids = h.dirty.records.map((r) => Number((r.record as { id: string }).id)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: ROWS / REFUSED_EVERY }, (_v, i) => (i + 1) * REFUSED_EVERY * 7));
    for (const r of h.dirty.records) expect(r.reason).toMatch(/^22001: value too long/);
    expect(new Set(h.dirty.records.map((r) => r.run_id))).toEqual(new Set([log.id]));
  });

  it('clears the target once, before any part writes', async () => {
    await pgc.query(`INSERT INTO "${db}".dst (id, s) SELECT g, 'old' FROM generate_series(100000, 100999) g`);
    const log = await runTask(harness(), toPg({ targetDetail: { targetTable: `${db}.dst`, isSupportClearTab: true } }));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(await pgDigest('dst')).toEqual(await mysqlDigest('src', `short = 'ok'`));
  });

  it('creates a missing target table once', async () => {
    await pgc.query(`DROP TABLE "${db}".dst`);
    const file = toPg({
      targetDetail: { targetTable: `${db}.dst`, targetNeedCreateTable: true },
      mapping: COLUMNS.map((c) => ({ source: c, target: c, targetType: TARGET_TYPES[c] ?? '', unique: c === 'id' })),
    });
    const log = await runTask(harness(), file);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS - ROWS / REFUSED_EVERY);
    const { rows } = await pgc.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${db}".dst`);
    expect(rows[0]?.n).toBe(String(ROWS - ROWS / REFUSED_EVERY));
  });

  it('ends every part once the dirty records of all of them pass the limit (506)', async () => {
    const h = harness();
    const log = await runTask(h, toPg({ runtime: { parallelism: 3, dirty_max_count: 3 } }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(STATUS.WRITER_INTERRUPTED);
    expect(log.remarks).toMatch(/dirty/);
    expect(log.dirty_data_count).toBeGreaterThan(3);
    // Every dirty record counted is kept.
    expect(h.dirty.records.length).toBe(log.dirty_data_count);
  });

  it('a part whose target fails ends the run with its code and reason, and stops the others', async () => {
    // A trigger that refuses one row of the last part with a permission error: a failure of the target, not of the row.
    await pgc.query(`CREATE FUNCTION "${db}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = ${(ROWS - 10) * 7} THEN RAISE EXCEPTION 'no rows past here' USING ERRCODE = '42501'; END IF; RETURN NEW; END $$`);
    await pgc.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${db}".dst FOR EACH ROW EXECUTE FUNCTION "${db}".refuse()`);
    try {
      const log = await runTask(harness(), toPg());
      expect(log.execute_status).toBe('ERROR');
      expect(log.status).toBe(STATUS.TARGET_ERROR);
      expect(log.remarks).toMatch(/no rows past here/);
      const landed = await pgDigest('dst');
      await new Promise((r) => setTimeout(r, 300));
      expect(await pgDigest('dst')).toEqual(landed);
      expect(Number(landed['n'])).toBeLessThan(ROWS);
    } finally {
      await pgc.query(`DROP FUNCTION "${db}".refuse() CASCADE`);
    }
  });

  it('terminate cancels every part: 106/505/16, and nothing is written afterwards', async () => {
    const h = harness();
    const log = await runUntilWritten(h, toPg({}, 'big'), 2000, 'terminate');
    expect(log.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(log), [STATUS.READER_CANCELLED, STATUS.WRITER_CANCELLED, STATUS.FORCE_CANCELLED])).toBe(true);
    const landed = await pgDigest('dst');
    expect(Number(landed['n'])).toBeLessThan(BIG_ROWS);
    await new Promise((r) => setTimeout(r, 500));
    expect(await pgDigest('dst')).toEqual(landed);
    expect(log.data_count).toBe(Number(landed['n']));
  });

  it('runs as one pipeline, and says why, when the read cannot be split', async () => {
    for (const [overrides, why] of [
      [{ sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id' } }, /cannot be split/],
      [{ runtime: { parallelism: 2, integrity_check: true } }, /integrity check/],
      [{ sourceDetail: { isAddSql: true, querySql: `SELECT * FROM \`${db}\`.src` } }, /cannot be split/],
    ] as const) {
      await resetPgTarget();
      const logger = recordingLogger();
      const log = await runTask(harness(), toPg(overrides), { logger });
      expect(splitLine(logger)).toMatch(why);
      expect(log.execute_status, log.remarks).toBe('SUCCESS');
      expect(await pgDigest('dst')).toEqual(await mysqlDigest('src', `short = 'ok'`));
    }
  });
});

describe('fdi run with runtime.parallelism', () => {
  /** `fdi run <file> --json` as a user runs it; a worker thread left behind would keep the process from exiting. */
  function fdiRun(file: Record<string, unknown>): { status: number | null; log: { execute_status?: string; data_count?: number; status?: number } } {
    const dir = mkdtempSync(join(tmpdir(), 'fdi-parallel-'));
    try {
      const path = join(dir, 'task.json');
      writeFileSync(path, JSON.stringify(file));
      const r = spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/fdi.mjs'), 'run', path, '--json', '--quiet', '--state', join(dir, 'state.json'), '--dirty', join(dir, 'dirty.jsonl')], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { status: r.status, log: r.stdout.trim() ? (JSON.parse(r.stdout) as { execute_status?: string }) : {} };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('exits on its own when the load splits, when it does not, and when the run fails', async () => {
    await resetPgTarget();
    const split = fdiRun(toPg());
    expect(split.status).toBe(0);
    expect(split.log).toMatchObject({ execute_status: 'SUCCESS', data_count: ROWS - ROWS / REFUSED_EVERY });
    await resetPgTarget();
    const single = fdiRun(toPg({ sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id' } }));
    expect(single.status).toBe(0);
    expect(single.log).toMatchObject({ execute_status: 'SUCCESS', data_count: ROWS - ROWS / REFUSED_EVERY });
    const failed = fdiRun(toPg({ source: mysqlDatasource(db, { port: '1' }) }));
    expect(failed.status).toBe(1);
    expect(failed.log).toMatchObject({ execute_status: 'ERROR', status: STATUS.READER_START_FAILED });
  });
});

describe('names that need quoting', () => {
  it('splits a table and key whose names hold "-", "$" and capitals, and copies it whole', async () => {
    await my.query(`CREATE TABLE \`${db}\`.\`We-ird$T\` (\`Key-Id\` INT PRIMARY KEY, \`v$al\` VARCHAR(20) NULL)`);
    await my.query(`INSERT INTO \`${db}\`.\`We-ird$T\` SELECT seq, CONCAT('v', seq) FROM \`${db}\`.seq_1_to_500`);
    await pgc.query(`CREATE TABLE "${db}"."We-ird$T" ("Key-Id" int PRIMARY KEY, "v$al" text)`);
    const logger = recordingLogger();
    const file = taskFile({
      name: 'parallel-names',
      source: mysqlDatasource(db),
      target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.We-ird$T` },
      targetDetail: { targetTable: `${db}.We-ird$T` },
      mapping: ['Key-Id', 'v$al'].map((c) => ({ source: c, target: c })),
      runtime: { parallelism: 2 },
    });
    const log = await runTask(harness(), file, { logger });
    expect(splitLine(logger)).toBe('full load split into 2 parts by Key-Id');
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    const { rows } = await pgc.query<{ n: string; s: string; v: string }>(`SELECT count(*)::text AS n, sum("Key-Id")::text AS s, min("v$al") AS v FROM "${db}"."We-ird$T"`);
    expect(rows[0]).toEqual({ n: '500', s: String((500 * 501) / 2), v: 'v1' });
  });
});

describe('PostgreSQL → MySQL in parallel parts', () => {
  it('writes every row once', async () => {
    await my.query(`TRUNCATE TABLE \`${db}\`.dst`);
    const logger = recordingLogger();
    const file = taskFile({
      name: 'parallel-p2m',
      source: pgDatasource(),
      target: mysqlDatasource(db),
      sourceDetail: { sourceTable: `${db}.src` },
      targetDetail: { targetTable: `${db}.dst` },
      mapping: COLUMNS.map((c) => ({ source: c, target: c })),
      runtime: { parallelism: 2 },
    });
    const log = await runTask(harness(), file, { logger });
    expect(splitLine(logger)).toBe('full load split into 2 parts by id');
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(ROWS);
    const [rows] = await my.query(`SELECT CAST(COUNT(*) AS CHAR) AS n, CAST(SUM(id) AS CHAR) AS ids, CAST(SUM(n) AS CHAR) AS ns FROM \`${db}\`.dst`);
    expect((rows as Record<string, unknown>[])[0]).toEqual({ n: String(ROWS), ids: String((7 * ROWS * (ROWS + 1)) / 2), ns: String((3 * ROWS * (ROWS + 1)) / 2) });
  });
});
