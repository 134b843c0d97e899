/**
 * The 902–905 integrity check against the real MariaDB and PostgreSQL: rows that go missing at the target during a
 * run (a test plugin wrapping the real PostgreSQL writer drops a batch it acknowledged; rows are deleted from the
 * target mid-run) are found by key and written again, so the target equals the source exactly; an incremental run
 * compensates only inside its own window; a target without a key falls back to the count (and its limit shows).
 */
import { randomUUID } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.ts';
import { postgresqlConnector } from '../../connectors/postgresql/index.ts';
import { ConnectorRegistry } from '../../connectors/registry/index.ts';
import type { ConnectorDefinition, Row, Writer } from '../../connectors/sdk/index.ts';
import { defineConnector } from '../../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { codes, createSqlScratch, dropSqlScratch, harness, type Harness, mysqlDatasource, pgDatasource, runTask, step, taskFile } from './sql-helpers.ts';

const tag = randomUUID().replaceAll('-', '').slice(0, 8);
const db = `integ_${tag}`;
let my: mysql.Connection;
let pgc: pg.Client;

interface WriterHooks {
  /** Acknowledge this write (1-based call number) and keep nothing. */
  drop?: (call: number) => boolean;
  /** Runs before each write reaches PostgreSQL. */
  before?: (call: number) => Promise<void>;
  calls?: number[];
}

/** A real connector with its writer wrapped: a test plugin, registered under the same type. */
function lossy(real: ConnectorDefinition<unknown>, hooks: WriterHooks): ConnectorDefinition<unknown> {
  return defineConnector<unknown>({
    ...real,
    writer(ctx): Writer {
      const inner = (real.writer as NonNullable<typeof real.writer>)(ctx);
      let call = 0;
      const wrapped: Writer = {
        open: () => inner.open(),
        async write(rows: Row[]) {
          call++;
          hooks.calls?.push(rows.length);
          await hooks.before?.(call);
          if (hooks.drop?.(call)) return { rejected: [] };
          return inner.write(rows);
        },
        flush: () => inner.flush(),
        close: () => inner.close(),
      };
      if (inner.keyLookup) wrapped.keyLookup = () => inner.keyLookup?.();
      return wrapped;
    },
  });
}

const mysqlDef = mysqlConnector as unknown as ConnectorDefinition<unknown>;
const postgresDef = postgresqlConnector as unknown as ConnectorDefinition<unknown>;

/** Runs the task file with the target's writer wrapped in `hooks` (PostgreSQL unless `target` says MySQL). */
async function run(h: Harness, file: Record<string, unknown>, hooks: WriterHooks, taskId?: string, target: 'postgresql' | 'mysql' = 'postgresql'): Promise<TaskMonitorLog> {
  const registry = new ConnectorRegistry();
  registry.register(target === 'mysql' ? lossy(mysqlDef, hooks) : mysqlDef);
  registry.register(target === 'postgresql' ? lossy(postgresDef, hooks) : postgresDef);
  return runTask(h, file, { registry, taskId });
}

const COLUMNS = ['id', 'name', 'amount', 'ts'];

function file(table: string, extra: { source?: Record<string, unknown>; runtime?: Record<string, unknown> } = {}): Record<string, unknown> {
  return taskFile({
    name: `integ-${table}`,
    source: mysqlDatasource(db),
    target: pgDatasource(),
    sourceDetail: { sourceTable: `${db}.${table}`, timeZone: 'GMT+08:00', ...extra.source },
    targetDetail: { targetTable: `${db}.${table}` },
    mapping: COLUMNS.map((c) => ({ source: c, target: c })),
    runtime: { batch_size: 50, integrity_check: true, ...extra.runtime },
  });
}

/** Both tables as comparable text, ordered by id. */
async function sourceRows(table: string, where = '1=1'): Promise<string[]> {
  const [rows] = await my.query(
    `SELECT id, name, CAST(amount AS CHAR) AS amount, DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts FROM \`${db}\`.\`${table}\` WHERE ${where} ORDER BY id`,
  );
  return (rows as Record<string, unknown>[]).map((r) => `${String(r['id'])}|${String(r['name'])}|${String(r['amount'])}|${String(r['ts'])}`);
}

async function targetRows(table: string): Promise<string[]> {
  const { rows } = await pgc.query(
    `SELECT id, name, amount::text AS amount, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') AS ts FROM "${db}"."${table}" ORDER BY id`,
  );
  return rows.map((r: Record<string, unknown>) => `${String(r['id'])}|${String(r['name'])}|${String(r['amount'])}|${String(r['ts'])}`);
}

async function createPair(table: string, rows: number, opts: { targetKey?: boolean } = {}): Promise<void> {
  await my.query(`CREATE TABLE \`${db}\`.\`${table}\` (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount DECIMAL(10,2), ts DATETIME(3) NOT NULL, KEY (ts))`);
  const key = opts.targetKey === false ? '' : ' PRIMARY KEY';
  await pgc.query(`CREATE TABLE "${db}"."${table}" (id integer${key}, name varchar(40) NOT NULL, amount numeric(10,2), ts timestamp(3))`);
  if (rows === 0) return;
  const values = Array.from({ length: rows }, (_, i) => {
    const id = i + 1;
    return `(${id}, 'name-${id}', ${(id * 1.25).toFixed(2)}, '2024-03-01 00:00:00.000' + INTERVAL ${id} MINUTE)`;
  });
  await my.query(`INSERT INTO \`${db}\`.\`${table}\` VALUES ${values.join(', ')}`);
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
});

afterAll(() => dropSqlScratch(db, { my, pgc }));

describe('integrity check: MySQL → PostgreSQL', () => {
  it('a writer plugin that drops one acknowledged batch: 904/905 write the 50 rows again, the target equals the source', async () => {
    await createPair('dropped', 300);
    const h = harness();
    const log = await run(h, file('dropped'), { drop: (call) => call === 3 });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(codes(log).slice(-7)).toEqual([504, 902, 903, 904, 905, 501, 901]);
    expect(step(log, 903).remarks).toBe('source=300 written=300 dirty=0 (read 300 = written 300 + dirty 0)');
    expect(step(log, 905).remarks).toBe('compensated=50');
    expect(step(log, 905).data_count).toBe(50);
    expect(step(log, 104).data_count).toBe(300);
    expect(log.data_count).toBe(350);
    expect(log.dirty_data_count).toBe(0);
    expect(await targetRows('dropped')).toEqual(await sourceRows('dropped'));
  });

  it('rows deleted from the target mid-run are found by key and written again', async () => {
    await createPair('deleted', 400);
    const h = harness();
    const log = await run(h, file('deleted'), {
      // While batch 5 is on its way, someone deletes rows the run had already written (ids 20–79).
      before: async (call) => {
        if (call === 5) await pgc.query(`DELETE FROM "${db}"."deleted" WHERE id BETWEEN 20 AND 79`);
      },
    });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(step(log, 903).remarks).toBe('source=400 written=400 dirty=0 (read 400 = written 400 + dirty 0)');
    expect(step(log, 905).remarks).toBe('compensated=60');
    expect(await targetRows('deleted')).toEqual(await sourceRows('deleted'));
  });

  it('a matching run logs 902 and 903 only, with a where filter applied to the count too', async () => {
    await createPair('filtered', 120);
    const h = harness();
    const where = [{ andor: 'AND', field_name: 'id', operator: 'lessEqual', value: '90' }];
    const log = await run(h, file('filtered', { source: { where } }), {});
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(codes(log)).not.toContain(904);
    expect(step(log, 903).remarks).toBe('source=90 written=90 dirty=0 (read 90 = written 90 + dirty 0)');
    expect(await targetRows('filtered')).toEqual(await sourceRows('filtered', 'id <= 90'));
  });

  it('an incremental run compensates inside its own window only; the next run continues from the window end', async () => {
    await createPair('inc', 200);
    const incremental = {
      need_inc_migration: true,
      sourceDateColumn: 'ts',
      // The first window starts after the 50th row (2024-03-01 00:50 +08:00): rows 1–50 are outside it.
      dataTimestamp: Date.UTC(2024, 1, 29, 16, 50, 30),
      compensation_time: 0,
    };
    const h = harness();
    const first = await run(h, file('inc', { source: incremental }), { drop: (call) => call === 2 }, `integ-inc-${tag}`);
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(step(first, 903).remarks).toBe('source=150 written=150 dirty=0 (read 150 = written 150 + dirty 0)');
    expect(step(first, 905).remarks).toBe('compensated=50');
    expect(await targetRows('inc')).toEqual(await sourceRows('inc', 'id > 50'));

    // 201 and 202 arrive late, behind the watermark (outside the next window); 203 and 204 are new.
    await my.query(`SET time_zone = '+08:00'`);
    await my.query(`INSERT INTO \`${db}\`.inc VALUES (201, 'name-201', 1.00, '2024-03-01 04:00:00.000'), (202, 'name-202', 2.00, '2024-03-01 04:01:00.000'),
      (203, 'name-203', 3.00, NOW(3)), (204, 'name-204', 4.00, NOW(3))`);
    const second = await run(h, file('inc', { source: incremental }), { drop: (call) => call === 1 }, `integ-inc-${tag}`);
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(step(second, 903).remarks).toBe('source=2 written=2 dirty=0 (read 2 = written 2 + dirty 0)');
    expect(step(second, 905).remarks).toBe('compensated=2');
    // The window's two rows are there again; the late rows outside it were not touched by the compensation.
    expect(await targetRows('inc')).toEqual(await sourceRows('inc', 'id > 50 AND id NOT IN (201, 202)'));
  });

  it('a target table without a key cannot be asked: only the count is checked, so an acknowledged-then-dropped batch goes unseen', async () => {
    await createPair('nokey', 100, { targetKey: false });
    const h = harness();
    const taskId = `integ-nokey-${tag}`;
    const log = await run(h, file('nokey', { source: { orderColumn: 'id' } }), { drop: (call) => call === 1 }, taskId);
    // The dropped batch was acknowledged: the count matches, and without a key nothing more can be known.
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(step(log, 903).remarks).toBe('source=100 written=100 dirty=0 (read 100 = written 100 + dirty 0)');
    expect(codes(log)).not.toContain(904);
  });
});

describe('integrity check: PostgreSQL → MySQL', () => {
  it('a dropped batch is found by key at MariaDB and written again; the target equals the source', async () => {
    await pgc.query(`CREATE TABLE "${db}".back (id integer PRIMARY KEY, name varchar(40) NOT NULL, amount numeric(10,2), ts timestamp(3) NOT NULL)`);
    await pgc.query(
      `INSERT INTO "${db}".back SELECT g, 'name-' || g, g * 1.25, timestamp '2024-03-01 00:00' + g * interval '1 minute' FROM generate_series(1, 230) g`,
    );
    await my.query(`CREATE TABLE \`${db}\`.back (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, amount DECIMAL(10,2), ts DATETIME(3))`);
    const f = taskFile({
      name: 'integ-back',
      source: pgDatasource(),
      target: mysqlDatasource(db),
      sourceDetail: { sourceTable: `${db}.back`, timeZone: 'GMT+08:00' },
      targetDetail: { targetTable: `${db}.back` },
      mapping: COLUMNS.map((c) => ({ source: c, target: c })),
      runtime: { batch_size: 50, integrity_check: true },
    });
    const log = await run(harness(), f, { drop: (call) => call === 2 || call === 5 }, undefined, 'mysql');
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(step(log, 903).remarks).toBe('source=230 written=230 dirty=0 (read 230 = written 230 + dirty 0)');
    // batch 2 (50 rows) and batch 5 (the last 30)
    expect(step(log, 905).remarks).toBe('compensated=80');
    const [mine] = await my.query(`SELECT id, name, CAST(amount AS CHAR) AS amount, DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts FROM \`${db}\`.back ORDER BY id`);
    const { rows: theirs } = await pgc.query(`SELECT id, name, amount::text AS amount, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') AS ts FROM "${db}".back ORDER BY id`);
    expect(mine).toEqual(theirs);
  });
});
