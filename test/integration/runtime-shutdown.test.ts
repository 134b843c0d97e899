/**
 * Graceful shutdown of `fdi worker` (SIGTERM): a realtime run drains, commits and hands its job to another worker,
 * which resumes it (108/507) without losing a record; a timing run in progress finishes before the process leaves.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, stopTask } from '../../api/routes/task-actions.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { kafkaContent, sqlContent } from '../support/datasources.ts';
import {
  allLogs,
  codesOf,
  dropPrefix,
  FdiProcess,
  kafkaIdNameToPgDetail,
  openTestDeployment,
  produceIdNames,
  putDatasource,
  putTask,
  runEnded,
  uniquePrefix,
  waitFor,
} from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('shutdown');
const TOPIC = `rt-sd-${randomUUID().slice(0, 8)}`;
const PG_TABLE = `rt_sd_dst_${randomUUID().slice(0, 8)}`;
const MY_TABLE = 'rt_sd_src';
let dir = '';
let control: Deployment;
let pgClient: pg.Client;
let myConn: mysql.Connection;
let producer: Producer;
const workers: FdiProcess[] = [];

async function worker(): Promise<FdiProcess> {
  const w = await FdiProcess.worker(prefix);
  workers.push(w);
  return w;
}

async function produce(from: number, to: number): Promise<void> {
  await produceIdNames(producer, TOPIC, from, to);
}

async function targetIds(): Promise<number[]> {
  return (await pgClient.query<{ id: number }>(`SELECT id FROM ${PG_TABLE} ORDER BY id`)).rows.map((r) => r.id);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-rt-shutdown-'));
  control = await openTestDeployment(prefix, { worker: false, control: true });
  await putDatasource(control.store, {
    datasource_id: 'rt-sd-pg',
    datasource_name: 'rt-sd-pg',
    datasource_type: 'POSTGRESQL',
    content: sqlContent(services.pgUrl),
  });
  await putDatasource(control.store, {
    datasource_id: 'rt-sd-mysql',
    datasource_name: 'rt-sd-mysql',
    datasource_type: 'MYSQL',
    content: sqlContent(services.mysqlUrl),
  });
  await putDatasource(control.store, {
    datasource_id: 'rt-sd-kafka',
    datasource_name: 'rt-sd-kafka',
    datasource_type: 'KAFKA',
    content: kafkaContent(),
  });
  await putDatasource(control.store, { datasource_id: 'rt-sd-files', datasource_name: 'rt-sd-files', datasource_type: 'FILE', content: { base_path: dir } });
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  await pgClient.query(`CREATE TABLE ${PG_TABLE} (id int4 PRIMARY KEY, name text)`);
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  await myConn.query(`CREATE TABLE ${MY_TABLE} (id INT PRIMARY KEY, name VARCHAR(16))`);
  await myConn.query(`INSERT INTO ${MY_TABLE} VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f')`);
  producer = new Kafka({ clientId: 'rt-shutdown-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await control?.close();
  await dropPrefix(prefix);
  await producer?.disconnect();
  await pgClient?.query(`DROP TABLE IF EXISTS ${PG_TABLE}`);
  await pgClient?.end();
  await myConn?.query(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  await myConn?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('hands a realtime run over: it drains and commits, another worker resumes it (108/507), every record lands', async () => {
    const task = await putTask(control.store, {
      name: `rt-sd-${randomUUID().slice(0, 6)}`,
      type: 'REALTIME',
      source: 'rt-sd-kafka',
      target: 'rt-sd-pg',
      detail: kafkaIdNameToPgDetail(TOPIC, PG_TABLE, 500),
    });
    await produce(1, 50);
    const first = await worker();
    await startTask(control.store, control.control!, task);
    await waitFor('the first 50 records', async () => (await targetIds()).length === 50, 30_000);
    const firstRun = (await allLogs(control.store, task.task_id))[0]!;
    const second = await worker();

    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const handedOver = await control.store.getMonitorLog(task.task_id, firstRun.id);
    expect(handedOver?.execute_status, handedOver?.remarks).toBe('SUCCESS');
    expect(handedOver?.data_count).toBe(50);

    await produce(51, 80);
    const resumed = await waitFor('the run resumed on the second worker', async () => {
      const logs = await allLogs(control.store, task.task_id);
      return logs.find((l) => l.id !== firstRun.id && codesOf(l).includes(108)) ?? null;
    }, 40_000);
    await waitFor('records 51–80', async () => (await targetIds()).length === 80, 40_000);
    await stopTask(control.store, control.control!, (await control.store.getTask(task.task_id))!);
    const ended = await runEnded(control.store, task.task_id, resumed.id, 'the resumed run to end');
    expect(ended.execute_status, ended.remarks).toBe('SUCCESS');
    expect(codesOf(ended)).toEqual(expect.arrayContaining([108, 507, 901]));
    // Committed before the hand-over: nothing is read twice.
    expect(ended.data_count).toBe(30);
    expect(await targetIds()).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    await second.stop();
  });

  it('lets a timing run in progress finish before the worker leaves', async () => {
    const task = await putTask(control.store, {
      name: 'rt-sd-slow',
      type: 'TIMING',
      source: 'rt-sd-mysql',
      target: 'rt-sd-files',
      detail: {
        sourceSelectedDatasource: {
          isAddSql: true,
          querySql: `SELECT id, REPEAT(name, 40000) AS name FROM ${MY_TABLE} WHERE SLEEP(0.4) = 0`,
          sourceSelectedColumnList: [{ field_name: 'id', field_type: 'INT' }, { field_name: 'name', field_type: 'TEXT' }],
        },
        targetSelectedDatasource: { path: '/', file_name: 'slow.jsonl', file_type: 'jsonl', write_mode: 'truncate' },
        mappingTable: [{ sourceColumn: 'id', targetColumn: 'id' }, { sourceColumn: 'name', targetColumn: 'name' }],
        mappingRequired: true,
        runtime: { batch_size: 1 },
      },
    });
    const w = await worker();
    const runId = await control.control!.runNow(task.task_id);
    await waitFor('the run to be writing', async () => {
      const l = await control.store.getMonitorLog(task.task_id, runId);
      return l && codesOf(l).includes(502);
    });
    w.kill('SIGTERM');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    const log = await control.store.getMonitorLog(task.task_id, runId);
    expect(log?.execute_status, log?.remarks).toBe('SUCCESS');
    expect(log?.data_count).toBe(6);
  });
});
