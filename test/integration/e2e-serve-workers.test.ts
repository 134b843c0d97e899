/**
 * The deployment as users run it: `fdi serve --no-worker` (API + scheduler) and two `fdi worker` processes on one
 * Redis, driven over HTTP. A MySQL → PostgreSQL task fires every second; each fire is run once by one of the
 * workers; rows added to MySQL reach PostgreSQL. Redis is restarted under them (append-only): the schedule and
 * the logs survive, and the processes reconnect and go on firing.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { sqlContent } from '../support/datasources.ts';
import { dropPrefix, FdiProcess, freePort, uniquePrefix, waitFor } from '../support/processes.ts';
import { redisRestartable, testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('e2e');
const BASE = '/v2/p-e2e/fdi/instances/i-e2e';
const SRC = 'rt_e2e_src';
const DST = 'rt_e2e_dst';
const SCRIPT = resolve(import.meta.dirname, '../../scripts/test-services.sh');

let serve: FdiProcess;
const workers: FdiProcess[] = [];
let baseUrl = '';
let myConn: mysql.Connection;
let pgClient: pg.Client;
let taskId = '';


interface Answer {
  status: number;
  // The API's answers are read field by field.
  body: { [key: string]: unknown };
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(baseUrl + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { [key: string]: unknown }) : {} };
}

async function logs(): Promise<TaskMonitorLog[]> {
  const res = await call('GET', `${BASE}/tasks/${taskId}/monitor-logs?limit=999`);
  expect(res.status).toBe(200);
  return res.body['entities'] as TaskMonitorLog[];
}

async function targetRows(): Promise<{ id: number; name: string }[]> {
  return (await pgClient.query<{ id: number; name: string }>(`SELECT id, name FROM ${DST} ORDER BY id`)).rows;
}

beforeAll(async () => {
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query(`DROP TABLE IF EXISTS ${SRC}`);
  await myConn.query(`CREATE TABLE ${SRC} (id INT PRIMARY KEY, name VARCHAR(32))`);
  await myConn.query(`INSERT INTO ${SRC} VALUES (1,'ann'),(2,'bob')`);
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  await pgClient.query(`DROP TABLE IF EXISTS ${DST}`);
  await pgClient.query(`CREATE TABLE ${DST} (id int4 PRIMARY KEY, name varchar(32))`);

  const port = await freePort();
  serve = await FdiProcess.serve(prefix, port, {}, ['--no-worker']);
  baseUrl = `http://127.0.0.1:${port}`;
  workers.push(await FdiProcess.worker(prefix), await FdiProcess.worker(prefix));
});

afterAll(async () => {
  await Promise.all([...workers, serve].filter(Boolean).map((p) => p.stop()));
  await dropPrefix(prefix);
  await myConn?.query(`DROP TABLE IF EXISTS ${SRC}`);
  await myConn?.end();
  await pgClient?.query(`DROP TABLE IF EXISTS ${DST}`);
  await pgClient?.end();
});

describe('fdi serve --no-worker with two fdi workers', () => {
  it('creates the data sources, the task and its per-second plan over HTTP and starts it', async () => {
    const ids: string[] = [];
    for (const [name, type, url] of [['e2e-mysql', 'MYSQL', services.mysqlUrl], ['e2e-pg', 'POSTGRESQL', services.pgUrl]] as const) {
      const res = await call('POST', `${BASE}/datasources`, { datasource_name: name, datasource_type: type, app_id: 'app-e2e', content: sqlContent(url) });
      expect(res.status).toBe(201);
      ids.push(res.body['datasource_id'] as string);
    }
    const column = (name: string, type: string, unique: '0' | '1') => ({ field_name: name, field_type: type, field_length: '32', null_able: unique === '1' ? '0' : '1', unique });
    const detail = {
      sourceSelectedDatasource: { isAddSql: false, sourceTable: SRC, sourceSelectedColumnList: [column('id', 'INT', '1'), column('name', 'VARCHAR', '0')], where: [] },
      targetSelectedDatasource: { targetTable: DST, targetSelectedColumnList: [column('id', 'int4', '1'), column('name', 'varchar', '0')] },
      mappingTable: [
        { sourceColumn: 'id', sourceColumnType: 'INT', targetColumn: 'id', targetColumnType: 'int4' },
        { sourceColumn: 'name', sourceColumnType: 'VARCHAR', targetColumn: 'name', targetColumnType: 'varchar' },
      ],
      mappingRequired: true,
    };
    const created = await call('POST', `${BASE}/tasks`, {
      task: { task_name: 'e2e-mysql-to-pg', task_type: 'TIMING', source_datasource_id: ids[0], target_datasource_id: ids[1] },
      task_detail: JSON.stringify(detail),
    });
    expect(created.status).toBe(200);
    taskId = (created.body['task'] as { task_id: string }).task_id;

    const noPlan = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'start', list: [{ task_id: taskId }] });
    expect(noPlan.body).toMatchObject({ success_count: 0, failure_count: 1, failure: [{ task_id: taskId, error_code: 'FDI.3083' }] });

    const plan = await call('POST', `${BASE}/tasks/${taskId}/dispatches`, { use_quartz_cron: true, cron: '* * * * * ?' });
    expect(plan.status).toBe(200);
    const started = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'start', list: [{ task_id: taskId }] });
    expect(started.body).toMatchObject({ success_count: 1, failure_count: 0 });
    const again = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'start', list: [{ task_id: taskId }] });
    expect(again.body).toMatchObject({ failure: [{ error_code: 'FDI.3139' }] });
  });

  it('copies the rows on every fire, each fire run once by one worker', async () => {
    await waitFor('the first rows in PostgreSQL', async () => (await targetRows()).length === 2, 30_000);
    await myConn.query(`INSERT INTO ${SRC} VALUES (3,'cyd')`);
    await waitFor('the new row in PostgreSQL', async () => (await targetRows()).length === 3, 30_000);
    expect(await targetRows()).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
      { id: 3, name: 'cyd' },
    ]);
    const done = (await logs()).filter((l) => l.end_time !== null);
    expect(done.length).toBeGreaterThanOrEqual(2);
    for (const l of done) expect(l.execute_status, l.remarks).toBe('SUCCESS');
    const times = done.map((l) => l.dispatch_time);
    expect(new Set(times).size).toBe(times.length);
    for (const t of times) expect(t % 1000).toBe(0);
    await waitFor('the workers to report the runs', async () => workers[0]!.finishedRuns().length + workers[1]!.finishedRuns().length >= done.length);
    const [a, b] = [new Set(workers[0]!.finishedRuns()), new Set(workers[1]!.finishedRuns())];
    expect([...a].filter((id) => b.has(id))).toEqual([]);
    for (const l of done) expect(a.has(l.id) || b.has(l.id)).toBe(true);
  });

  it.skipIf(!redisRestartable())('survives a Redis restart: the schedule and the logs are kept, the processes reconnect and fire on', async () => {
    const before = (await logs()).filter((l) => l.end_time !== null);
    execFileSync(SCRIPT, ['restart', 'redis'], { stdio: 'pipe' });
    const restartedAt = Date.now();
    const kept = await waitFor('the API to answer again', async () => {
      const res = await call('GET', `${BASE}/tasks/${taskId}/monitor-logs?limit=999`);
      return res.status === 200 ? (res.body['entities'] as TaskMonitorLog[]) : null;
    }, 30_000);
    const keptIds = new Set(kept.map((l) => l.id));
    for (const l of before) expect(keptIds.has(l.id)).toBe(true);

    await myConn.query(`INSERT INTO ${SRC} VALUES (4,'dee')`);
    const after = await waitFor('fires after the restart', async () => {
      const fresh = (await logs()).filter((l) => l.end_time !== null && l.dispatch_time > restartedAt + 1000);
      return fresh.length >= 2 ? fresh : null;
    }, 40_000);
    for (const l of after) expect(l.execute_status, l.remarks).toBe('SUCCESS');
    await waitFor('the row added after the restart', async () => (await targetRows()).length === 4, 30_000);
    for (const p of [serve, ...workers]) expect(p.child.exitCode).toBeNull();
  });

  it('stops the task, and every process leaves cleanly on SIGTERM', async () => {
    const stopped = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'stop', list: [{ task_id: taskId }] });
    expect(stopped.body).toMatchObject({ success_count: 1 });
    const task = await call('GET', `${BASE}/tasks/${taskId}`);
    expect((task.body['task'] as { status: string }).status).toBe('stop');
    for (const p of [...workers, serve]) {
      p.kill('SIGTERM');
      expect(await p.exited).toEqual({ code: 0, signal: null });
    }
  });
});
