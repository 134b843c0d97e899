/**
 * `error_handler` through the engine (`runExecution`, the built-in connectors) against the real test services:
 * the dirty records of a run land in the handler's place (a PostgreSQL table, a MySQL table, a Kafka topic, a
 * file of a FILE data source) with run_id, task_id, stage, column, reason and the record as read; nothing goes
 * to the default dirty sink; and a handler that cannot keep them ends the run with an error instead of losing them.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { codes, createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, services } from './sql-helpers.ts';

const tag = randomUUID().replaceAll('-', '').slice(0, 8);
const db = `ehdl_${tag}`;
const work = mkdtempSync(join(tmpdir(), 'ehdl-'));
let my: mysql.Connection;
let pgc: pg.Client;

/** The row a dirty record becomes, as every handler keeps it. */
interface KeptDirty {
  run_id: string;
  task_id: string;
  stage: string;
  column_name: string | null;
  reason: string;
  record: string;
}

const handlerMysql = (): DataSourceRecord => ({ ...mysqlDatasource(db), datasource_id: 'ehdl-handler-mysql' });
const handlerPg = (): DataSourceRecord => ({ ...pgDatasource(), datasource_id: 'ehdl-handler-pg' });
const handlerKafka = (): DataSourceRecord => ({
  datasource_id: 'ehdl-handler-kafka',
  datasource_name: 'ehdl kafka',
  datasource_type: 'KAFKA',
  content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
});
const fileDs = (id: string, basePath: string): DataSourceRecord => ({
  datasource_id: id,
  datasource_name: id,
  datasource_type: 'FILE',
  content: { base_path: basePath },
});

/**
 * MySQL `src` → PostgreSQL `dst` with three kinds of dirty rows: id 2 cannot be converted to INT (stage
 * `mapping`), id 3 is too long for varchar(5) and id 4 breaks a CHECK (both refused by PostgreSQL).
 */
function mysqlToPgTask(name: string, handler: DataSourceRecord, path: string): Record<string, unknown> {
  return {
    datasources: [mysqlDatasource(db), pgDatasource(), handler],
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: `ds-mysql-${db}`, target_datasource_id: 'ds-pg' },
    task_detail: {
      sourceSelectedDatasource: { isAddSql: false, sourceTable: `${db}.src`, orderColumn: 'id', where: [], need_inc_migration: false },
      targetSelectedDatasource: { targetTable: `${db}.dst`, targetNeedCreateTable: false, isSupportClearTab: true, supportPartUpdate: false },
      mappingRequired: true,
      mappingTable: [
        { sourceColumn: 'id', targetColumn: 'id' },
        { sourceColumn: 'qty', targetColumn: 'qty', targetColumnType: 'INT' },
        { sourceColumn: 'code', targetColumn: 'code' },
      ],
      error_handler: { mode: handler.datasource_type, datasource_id: handler.datasource_id, path },
      runtime: { batch_size: 2, progress_interval_ms: 100 },
    },
  };
}

function expectMysqlToPgRun(log: TaskMonitorLog, h: ReturnType<typeof harness>): void {
  expect(log.execute_status, log.remarks).toBe('SUCCESS');
  expect(codes(log).at(-1)).toBe(901);
  expect(log.data_count).toBe(3);
  expect(log.dirty_data_count).toBe(3);
  // Everything went to the handler: the default sink got nothing.
  expect(h.dirty.records).toEqual([]);
}

/** The three dirty rows of mysqlToPgTask, in id order, as the handler must hold them. */
function expectMysqlToPgDirty(kept: KeptDirty[], log: TaskMonitorLog, taskId: string): void {
  const byId = [...kept].sort((a, b) => Number(JSON.parse(a.record).id) - Number(JSON.parse(b.record).id));
  expect(byId).toHaveLength(3);
  for (const k of byId) {
    expect(k.run_id).toBe(log.id);
    expect(k.task_id).toBe(taskId);
  }
  expect(byId.map((k) => k.stage)).toEqual(['mapping', 'postgresqlwriter', 'postgresqlwriter']);
  expect(byId[0]?.column_name).toBe('qty');
  expect(byId[0]?.reason).toMatch(/forty/);
  expect(JSON.parse(byId[0]?.record ?? '')).toEqual({ id: '2', qty: 'forty', code: 'b' });
  expect(byId[1]?.reason).toMatch(/^22001: value too long for type character varying\(5\)/);
  expect(JSON.parse(byId[1]?.record ?? '')).toEqual({ id: '3', qty: '3', code: 'far too long' });
  expect(byId[2]?.reason).toMatch(/^23514: .*check constraint/);
  expect(JSON.parse(byId[2]?.record ?? '')).toEqual({ id: '4', qty: '-4', code: 'd' });
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await my.query(`CREATE TABLE \`${db}\`.src (id BIGINT PRIMARY KEY, qty VARCHAR(10) NOT NULL, code VARCHAR(20) NOT NULL)`);
  await my.query(`INSERT INTO \`${db}\`.src VALUES (1, '1', 'a'), (2, 'forty', 'b'), (3, '3', 'far too long'), (4, '-4', 'd'), (5, '5', 'e'), (6, '6', 'f')`);
  await pgc.query(`CREATE TABLE "${db}".dst (id bigint PRIMARY KEY, qty integer CHECK (qty >= 0), code varchar(5))`);
});

afterAll(async () => {
  await dropSqlScratch(db, { my, pgc });
  rmSync(work, { recursive: true, force: true });
});

describe('error_handler on a relational data source: dirty rows land in the table `path` names', () => {
  it('PostgreSQL table (created by the run): run_id, task_id, stage, column, reason and the record', async () => {
    const h = harness();
    const taskName = `ehdl-pg-${tag}`;
    const log = await runTask(h, mysqlToPgTask(taskName, handlerPg(), `${db}.dirty_rows`));
    expectMysqlToPgRun(log, h);
    const { rows } = await pgc.query<KeptDirty & { time: Date }>(
      `SELECT run_id, task_id, stage, column_name, reason, record, time FROM "${db}".dirty_rows`,
    );
    expectMysqlToPgDirty(rows, log, log.task_id);
    for (const r of rows) {
      expect(r.time).toBeInstanceOf(Date);
      expect(Number.isNaN(r.time.getTime())).toBe(false);
    }
    const written = await pgc.query(`SELECT id::int AS id FROM "${db}".dst ORDER BY id`);
    expect(written.rows.map((r: { id: number }) => r.id)).toEqual([1, 5, 6]);
  });

  it('MySQL table: a second run appends its own dirty rows under its own run_id', async () => {
    const taskName = `ehdl-my-${tag}`;
    const first = await runTask(harness(), mysqlToPgTask(taskName, handlerMysql(), 'dirty_rows'));
    const h = harness();
    const second = await runTask(h, mysqlToPgTask(taskName, handlerMysql(), 'dirty_rows'));
    expectMysqlToPgRun(first, h);
    expectMysqlToPgRun(second, h);
    expect(second.id).not.toBe(first.id);
    const [rows] = await my.query(`SELECT run_id, task_id, stage, column_name, reason, record FROM \`${db}\`.dirty_rows`);
    const kept = rows as KeptDirty[];
    expect(kept).toHaveLength(6);
    expectMysqlToPgDirty(kept.filter((k) => k.run_id === first.id), first, first.task_id);
    expectMysqlToPgDirty(kept.filter((k) => k.run_id === second.id), second, second.task_id);
  });

  it('a handler that cannot keep the dirty rows ends the run with an error naming it; no row is lost silently', async () => {
    const h = harness();
    const broken = { ...handlerPg(), content: { ...handlerPg().content, password: 'wrong-password', user_name: 'ehdl_nobody' } };
    const log = await runTask(h, mysqlToPgTask(`ehdl-broken-${tag}`, broken, `${db}.never`));
    expect(log.execute_status).toBe('ERROR');
    expect(log.remarks).toMatch(/dirty records could not be kept/);
    expect(log.remarks).toContain(`error_handler postgresql "${db}.never"`);
    expect(log.remarks).toMatch(/ehdl_nobody/);
    expect(h.dirty.records).toEqual([]);
    // The run stopped at the first dirty batch: what was written is only what came before it, and the log says so.
    expect(log.data_count).toBeLessThan(3);
  });
});

describe('error_handler on a Kafka data source: one message per dirty record on the topic `path` names', () => {
  it('carries run_id, task_id, stage, column, reason and the record', async () => {
    const topic = `ehdl-dirty-${tag}`;
    const h = harness();
    const log = await runTask(h, mysqlToPgTask(`ehdl-kafka-${tag}`, handlerKafka(), topic));
    expectMysqlToPgRun(log, h);

    const kafka = new Kafka({ clientId: 'ehdl-verify', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `ehdl-verify-${randomUUID()}`, sessionTimeout: 6000, heartbeatInterval: 1000 });
    const kept: KeptDirty[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => {
      done = r;
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          kept.push(JSON.parse(message.value?.toString() ?? 'null') as KeptDirty);
          if (kept.length >= 3) done();
        },
      });
      await all;
    } finally {
      await consumer.disconnect();
    }
    expectMysqlToPgDirty(kept, log, log.task_id);
  });
});

describe('error_handler on a FILE data source: JSON Lines at the path it names', () => {
  it('FILE CSV → PostgreSQL: unreadable lines, unconvertible and refused rows all land in the handler file', async () => {
    const input = join(work, 'in');
    const handlerDir = join(work, 'handler');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'orders.csv'), 'id,qty,code\n11,1,a\n12,x,b\n13,3,c,extra\n14,4,much too long\n15,5,e\n');
    await pgc.query(`CREATE TABLE "${db}".from_file (id bigint PRIMARY KEY, qty integer, code varchar(5))`);
    const h = harness();
    const file = {
      datasources: [fileDs('ehdl-in', input), pgDatasource(), fileDs('ehdl-handler-file', handlerDir)],
      task: { task_name: `ehdl-file-${tag}`, task_type: 'TIMING', source_datasource_id: 'ehdl-in', target_datasource_id: 'ds-pg' },
      task_detail: {
        sourceSelectedDatasource: { path: '/', file_name: 'orders.csv', field_delimiter: ',', skip_header: true },
        targetSelectedDatasource: { targetTable: `${db}.from_file`, targetNeedCreateTable: false, isSupportClearTab: false, supportPartUpdate: false },
        mappingRequired: true,
        mappingTable: [
          { sourceColumn: 'id', targetColumn: 'id', targetColumnType: 'BIGINT' },
          { sourceColumn: 'qty', targetColumn: 'qty', targetColumnType: 'INT' },
          { sourceColumn: 'code', targetColumn: 'code' },
        ],
        error_handler: { mode: 'FILE', datasource_id: 'ehdl-handler-file', path: 'dirty/orders.jsonl' },
        runtime: { batch_size: 2, progress_interval_ms: 100 },
      },
    };
    const log = await runTask(h, file);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(2);
    expect(log.dirty_data_count).toBe(3);
    expect(h.dirty.records).toEqual([]);

    expect(readdirSync(join(handlerDir, 'dirty'))).toEqual(['orders.jsonl']);
    const kept = readFileSync(join(handlerDir, 'dirty', 'orders.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as KeptDirty & { time: unknown });
    expect(kept).toHaveLength(3);
    for (const k of kept) {
      expect(k.run_id).toBe(log.id);
      expect(k.task_id).toBe(log.task_id);
      expect(typeof k.time).toBe('string');
    }
    const byStage = new Map(kept.map((k) => [k.stage, k]));
    expect([...byStage.keys()].sort()).toEqual(['filereader', 'mapping', 'postgresqlwriter']);
    expect(byStage.get('filereader')?.record).toContain('13,3,c,extra');
    expect(byStage.get('mapping')).toMatchObject({ column_name: 'qty' });
    expect(JSON.parse(byStage.get('mapping')?.record ?? '')).toMatchObject({ id: '12', qty: 'x' });
    expect(byStage.get('postgresqlwriter')?.reason).toMatch(/^22001: /);
    expect(JSON.parse(byStage.get('postgresqlwriter')?.record ?? '')).toMatchObject({ id: '14', code: 'much too long' });

    const written = await pgc.query(`SELECT id::int AS id FROM "${db}".from_file ORDER BY id`);
    expect(written.rows.map((r: { id: number }) => r.id)).toEqual([11, 15]);
  });
});
