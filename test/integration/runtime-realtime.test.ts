/**
 * Realtime tasks on the BullMQ runtime (Kafka → PostgreSQL, real services): one long-lived execution whose
 * progress shows in its log while it runs; terminate cancels it (CANCELLED 106/505/16); a run whose worker
 * vanished and whose data source is gone cannot be resumed (915).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask } from '../../api/routes/task-actions.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { realtimeJobIdOf } from '../../worker/job-keys.ts';
import { kafkaContent, sqlContent } from '../support/datasources.ts';
import {
  allLogs,
  codesOf,
  dropPrefix,
  FdiProcess,
  INSTANCE,
  kafkaIdNameToPgDetail,
  openTestDeployment,
  produceIdNames,
  PROJECT,
  putDatasource,
  putTask,
  runEnded,
  uniquePrefix,
  waitFor,
} from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('realtime');
let control: Deployment;
let pgClient: pg.Client;
let producer: Producer;
const tables: string[] = [];
const children: FdiProcess[] = [];
const deployments: Deployment[] = [];

async function newTask(label: string, target = 'rt-rt-pg') {
  const topic = `rt-rt-${label}-${randomUUID().slice(0, 8)}`;
  const table = `rt_rt_${label}_${randomUUID().slice(0, 8)}`;
  tables.push(table);
  await pgClient.query(`CREATE TABLE ${table} (id int4 PRIMARY KEY, name text)`);
  const task = await putTask(control.store, {
    name: `rt-rt-${label}-${randomUUID().slice(0, 6)}`,
    type: 'REALTIME',
    source: 'rt-rt-kafka',
    target,
    detail: kafkaIdNameToPgDetail(topic, table, 300),
  });
  return { task, topic, table };
}

async function produce(topic: string, from: number, to: number): Promise<void> {
  await produceIdNames(producer, topic, from, to);
}

async function count(table: string): Promise<number> {
  return Number((await pgClient.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

async function ended(taskId: string, runId: string): Promise<TaskMonitorLog> {
  return runEnded(control.store, taskId, runId, undefined, 30_000);
}

beforeAll(async () => {
  control = await openTestDeployment(prefix, { worker: false, control: true });
  const pgContent = sqlContent(services.pgUrl);
  await putDatasource(control.store, { datasource_id: 'rt-rt-pg', datasource_name: 'rt-rt-pg', datasource_type: 'POSTGRESQL', content: pgContent });
  await putDatasource(control.store, { datasource_id: 'rt-rt-pg-doomed', datasource_name: 'rt-rt-pg-doomed', datasource_type: 'POSTGRESQL', content: pgContent });
  await putDatasource(control.store, {
    datasource_id: 'rt-rt-kafka',
    datasource_name: 'rt-rt-kafka',
    datasource_type: 'KAFKA',
    content: kafkaContent(),
  });
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  producer = new Kafka({ clientId: 'rt-realtime-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  for (const d of deployments) await d.close();
  await control?.close();
  await dropPrefix(prefix);
  await producer?.disconnect();
  for (const t of tables) await pgClient?.query(`DROP TABLE IF EXISTS ${t}`);
  await pgClient?.end();
});

describe('a realtime task', () => {
  it('shows its progress while it runs, and terminate cancels it: CANCELLED 106/505/16, its job ends', async () => {
    const worker = await openTestDeployment(prefix, { worker: true, control: false });
    deployments.push(worker);
    const { task, topic, table } = await newTask('terminate');
    await produce(topic, 1, 30);
    await startTask(control.store, control.control!, task);
    const live = await waitFor('a running log that shows 30 records written', async () => {
      const l = (await allLogs(control.store, task.task_id))[0];
      return l && l.end_time === null && l.execute_status === 'RUNNING' && l.data_count === 30 ? l : null;
    }, 30_000);
    expect(codesOf(live)).toEqual(expect.arrayContaining([900, 99, 100, 102, 500, 502]));
    expect(live.detail_logs.find((d) => d.status === 502)?.data_count).toBe(30);
    await produce(topic, 31, 40);
    await waitFor('the progress to move on', async () => (await control.store.getMonitorLog(task.task_id, live.id))?.data_count === 40, 30_000);
    expect(await count(table)).toBe(40);

    expect(await control.control!.terminate(task.task_id)).toBe(true);
    const log = await ended(task.task_id, live.id);
    expect(log.execute_status).toBe('CANCELLED');
    expect(codesOf(log)).toEqual(expect.arrayContaining([106, 505]));
    expect(codesOf(log).at(-1)).toBe(16);
    await waitFor('the realtime job to end', async () => (await control.control!.queue.getJob(realtimeJobIdOf(task.task_id))) === undefined);
    await waitFor('the lock to go', async () => !(await control.control!.isRunning(task.task_id)));
    await worker.close();
  });

  it('cannot be resumed when its data source is gone: the resumed attempt ends with 915, and so does the vanished run', async () => {
    const { task, topic, table } = await newTask('doomed', 'rt-rt-pg-doomed');
    await produce(topic, 1, 20);
    const first = await FdiProcess.worker(prefix);
    children.push(first);
    await startTask(control.store, control.control!, task);
    await waitFor('rows from the first worker', async () => (await count(table)) === 20, 30_000);
    const vanishedId = (await allLogs(control.store, task.task_id))[0]!.id;
    first.kill('SIGKILL');
    await first.exited;
    expect(await control.store.deleteDatasource(PROJECT, INSTANCE, 'rt-rt-pg-doomed')).toBe(true);

    const second = await FdiProcess.worker(prefix);
    children.push(second);
    const failed = await waitFor('the resumed attempt to fail', async () => {
      const logs = await allLogs(control.store, task.task_id);
      return logs.find((l) => l.id !== vanishedId && l.end_time !== null) ?? null;
    }, 40_000);
    expect(failed.execute_status).toBe('ERROR');
    expect(failed.status).toBe(915);
    expect(failed.remarks).toMatch(/cannot be resumed.*rt-rt-pg-doomed/);
    const vanished = await control.store.getMonitorLog(task.task_id, vanishedId);
    expect(vanished?.status).toBe(915);
    expect(vanished?.execute_status).toBe('ERROR');
    await waitFor('the job to end', async () => (await control.control!.queue.getJob(realtimeJobIdOf(task.task_id))) === undefined);
    expect(await control.control!.isRunning(task.task_id)).toBe(false);
  });
});
