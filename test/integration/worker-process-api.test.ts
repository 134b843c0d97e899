/**
 * `fdi serve --no-worker` (API + scheduler) with one `fdi worker --metrics-port N` in a separate OS process, on one
 * Redis, driven over HTTP. A terminate sent to the API reaches the run executing in the worker process: CANCELLED
 * with 106/505/16 within seconds, the task lock released (the next manual run succeeds). The worker serves its own
 * `/metrics`: the runs it executed and the lateness of the fires it took up, which the `--no-worker` API process
 * never sees.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { sqlContent } from '../support/datasources.ts';
import { dropPrefix, FdiProcess, freePort, runtimeEnv, uniquePrefix, waitFor } from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('wproc');
const BASE = '/v2/p-wproc/fdi/instances/i-wproc';
const SLOW_SRC = 'rt_wproc_slow_src';
const QUICK_SRC = 'rt_wproc_quick_src';
const DST = 'rt_wproc_dst';
const QUICK_DST = 'rt_wproc_quick_dst';
const SLOW_ROWS = 8;

let serve: FdiProcess;
let worker: FdiProcess;
let apiUrl = '';
let metricsPort = 0;
let metricsUrl = '';
let myConn: mysql.Connection;
let pgClient: pg.Client;
let mysqlId = '';
let pgId = '';
/** The slow task's two runs: the one terminated, the one after it. */
const runs = { cancelled: '', following: '' };

interface Answer {
  status: number;
  // The API's answers are read field by field.
  body: { [key: string]: unknown };
  text: string;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(apiUrl + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { [key: string]: unknown }) : {}, text };
}

async function logs(taskId: string): Promise<TaskMonitorLog[]> {
  const res = await call('GET', `${BASE}/tasks/${taskId}/monitor-logs?limit=999`);
  expect(res.status, res.text).toBe(200);
  return res.body['entities'] as TaskMonitorLog[];
}

async function logOf(taskId: string, runId: string): Promise<TaskMonitorLog | undefined> {
  return (await logs(taskId)).find((l) => l.id === runId);
}

const codesOf = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);

async function metricsText(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type') ?? '').toContain('text/plain');
  return res.text();
}

/** The value of one sample line of the Prometheus text (`name{labels} value`), or 0 when it is absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function targetCount(table: string): Promise<number> {
  return Number((await pgClient.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

const column = (name: string, type: string, unique: '0' | '1') => ({ field_name: name, field_type: type, field_length: '32', null_able: unique === '1' ? '0' : '1', unique });

/** A MySQL → PostgreSQL task over HTTP; `querySql` makes the source as slow as it says. */
async function createTask(name: string, source: { table: string } | { querySql: string }, target: string): Promise<string> {
  const detail = {
    sourceSelectedDatasource: {
      ...('table' in source ? { isAddSql: false, sourceTable: source.table } : { isAddSql: true, querySql: source.querySql, sourceTable: '' }),
      sourceSelectedColumnList: [column('id', 'INT', '1'), column('name', 'VARCHAR', '0')],
      where: [],
    },
    targetSelectedDatasource: { targetTable: target, targetSelectedColumnList: [column('id', 'int4', '1'), column('name', 'varchar', '0')] },
    mappingTable: [
      { sourceColumn: 'id', sourceColumnType: 'INT', targetColumn: 'id', targetColumnType: 'int4' },
      { sourceColumn: 'name', sourceColumnType: 'VARCHAR', targetColumn: 'name', targetColumnType: 'varchar' },
    ],
    mappingRequired: true,
    runtime: { batch_size: 1 },
  };
  const created = await call('POST', `${BASE}/tasks`, {
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: mysqlId, target_datasource_id: pgId },
    task_detail: JSON.stringify(detail),
  });
  expect(created.status, created.text).toBe(200);
  return (created.body['task'] as { task_id: string }).task_id;
}

beforeAll(async () => {
  myConn = await mysql.createConnection(services.mysqlUrl);
  for (const t of [SLOW_SRC, QUICK_SRC]) {
    await myConn.query(`DROP TABLE IF EXISTS ${t}`);
    await myConn.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(32))`);
  }
  await myConn.query(`INSERT INTO ${SLOW_SRC} VALUES ${Array.from({ length: SLOW_ROWS }, (_, i) => `(${i + 1},'s${i + 1}')`).join(',')}`);
  await myConn.query(`INSERT INTO ${QUICK_SRC} VALUES (1,'ann'),(2,'bob')`);
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  for (const t of [DST, QUICK_DST]) {
    await pgClient.query(`DROP TABLE IF EXISTS ${t}`);
    await pgClient.query(`CREATE TABLE ${t} (id int4 PRIMARY KEY, name varchar(32))`);
  }

  const apiPort = await freePort();
  serve = await FdiProcess.serve(prefix, apiPort, {}, ['--no-worker']);
  apiUrl = `http://127.0.0.1:${apiPort}`;
  metricsPort = await freePort();
  worker = await FdiProcess.worker(prefix, { HOST: '127.0.0.1' }, ['--metrics-port', String(metricsPort)]);
  metricsUrl = `http://127.0.0.1:${metricsPort}`;

  for (const [name, type, url] of [['wproc-mysql', 'MYSQL', services.mysqlUrl], ['wproc-pg', 'POSTGRESQL', services.pgUrl]] as const) {
    const res = await call('POST', `${BASE}/datasources`, { datasource_name: name, datasource_type: type, content: sqlContent(url) });
    expect(res.status, res.text).toBe(201);
    if (type === 'MYSQL') mysqlId = res.body['datasource_id'] as string;
    else pgId = res.body['datasource_id'] as string;
  }
});

afterAll(async () => {
  await Promise.all([worker, serve].filter(Boolean).map((p) => p.stop()));
  await dropPrefix(prefix);
  for (const t of [SLOW_SRC, QUICK_SRC]) await myConn?.query(`DROP TABLE IF EXISTS ${t}`);
  await myConn?.end();
  for (const t of [DST, QUICK_DST]) await pgClient?.query(`DROP TABLE IF EXISTS ${t}`);
  await pgClient?.end();
});

describe('terminate through the API of a run executing in a separate fdi worker process', () => {
  it('ends it CANCELLED with 106/505/16 within seconds; the lock is released and the next manual run succeeds', async () => {
    // Slow on purpose (SLEEP per row, rows padded past the server's network buffer so they arrive one by one).
    const taskId = await createTask('wproc-slow', { querySql: `SELECT id, CONCAT(name, REPEAT(' ', 40000)) AS name FROM ${SLOW_SRC} WHERE SLEEP(0.5) = 0` }, DST);
    const run = await call('POST', `${BASE}/tasks/${taskId}/run`);
    expect(run.status, run.text).toBe(200);
    runs.cancelled = run.body['execution_id'] as string;
    await waitFor('the run to be writing in the worker process', async () => {
      const l = await logOf(taskId, runs.cancelled);
      return l && l.execute_status === 'RUNNING' && codesOf(l).includes(502) ? l : null;
    }, 30_000);
    // No worker in the API process: the run executes in the other one, which has not finished it.
    expect(worker.finishedRuns()).not.toContain(runs.cancelled);

    const asked = Date.now();
    const terminate = await call('POST', `${BASE}/tasks/${taskId}/terminate`);
    expect(terminate.body, terminate.text).toEqual({ message: 'success' });
    const cancelled = await waitFor('the run to be CANCELLED', async () => {
      const l = await logOf(taskId, runs.cancelled);
      return l && l.end_time !== null ? l : null;
    }, 15_000);
    const seen = Date.now();
    expect(cancelled.execute_status, cancelled.remarks).toBe('CANCELLED');
    expect(cancelled).toMatchObject({ status: 16, position_status: 'RUNTIME_CANCEL' });
    const codes = codesOf(cancelled);
    expect(codes).toEqual(expect.arrayContaining([900, 99, 100, 500, 106, 505, 16]));
    expect(codes).not.toContain(901);
    expect(codes.at(-1)).toBe(16);
    expect(codes.indexOf(106)).toBeLessThan(codes.indexOf(16));
    expect(codes.indexOf(505)).toBeLessThan(codes.indexOf(16));
    // Within seconds of the request (the whole source would take SLOW_ROWS × 0.5 s), ended by the worker process.
    expect(seen - asked).toBeLessThan(5_000);
    expect(cancelled.end_time! - asked).toBeLessThan(5_000);
    expect(await targetCount(DST)).toBeLessThan(SLOW_ROWS);
    await waitFor('the worker to report the cancelled run', async () => worker.finishedRuns().includes(runs.cancelled), 10_000);
    expect(worker.output.some((l) => l.includes('"run finished"') && l.includes(runs.cancelled) && l.includes('"CANCELLED"'))).toBe(true);

    // The lock went with the run: a manual run now is not refused (914) and copies every row.
    const again = await call('POST', `${BASE}/tasks/${taskId}/run`);
    expect(again.status, again.text).toBe(200);
    runs.following = again.body['execution_id'] as string;
    const following = await waitFor('the following run to end', async () => {
      const l = await logOf(taskId, runs.following);
      return l && l.end_time !== null ? l : null;
    }, 30_000);
    expect(following.execute_status, following.remarks).toBe('SUCCESS');
    expect(codesOf(following)).not.toContain(914);
    expect(following.data_count).toBe(SLOW_ROWS);
    expect(await targetCount(DST)).toBe(SLOW_ROWS);
    await waitFor('the worker to report the following run', async () => worker.finishedRuns().includes(runs.following), 10_000);
    // Nothing of this task is running any more: it can be deleted (FDI.3030 otherwise).
    expect((await call('DELETE', `${BASE}/tasks/${taskId}`)).status).toBe(204);
  });
});

describe('fdi worker --metrics-port', () => {
  it('serves /healthz, /readyz and a 404 for anything else', async () => {
    expect(await (await fetch(`${metricsUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${metricsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const other = await fetch(`${metricsUrl}/v2/p/fdi/instances/i/tasks`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error_code: 'FDI.1004' });
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('counts the runs this worker executed and the lateness of the fires it took up; the --no-worker API process sees none', async () => {
    expect(runs.cancelled && runs.following, 'the terminate test ran first').toBeTruthy();
    const before = await metricsText(`${metricsUrl}/metrics`);
    // The two runs of the slow task, both executed here.
    expect(sample(before, 'fdi_runs_total{execute_status="CANCELLED"}')).toBe(1);
    expect(sample(before, 'fdi_runs_total{execute_status="SUCCESS"}')).toBe(1);
    expect(sample(before, 'fdi_rows_total')).toBeGreaterThanOrEqual(SLOW_ROWS);
    expect(sample(before, 'fdi_run_duration_seconds_count{execute_status="SUCCESS"}')).toBe(1);
    expect(sample(before, 'fdi_fire_lateness_seconds_count')).toBe(0);
    expect(before).toMatch(/^fdi_queue_depth \d+$/m);
    expect(before).toMatch(/^fdi_process_cpu_seconds_total /m);

    // A scheduled task: its fires are taken up by this worker, each with its lateness.
    const taskId = await createTask('wproc-quick', { table: QUICK_SRC }, QUICK_DST);
    expect((await call('POST', `${BASE}/tasks/${taskId}/dispatches`, { use_quartz_cron: true, cron: '* * * * * ?' })).status).toBe(200);
    const started = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'start', list: [{ task_id: taskId }] });
    expect(started.body, started.text).toMatchObject({ success_count: 1 });
    const fired = await waitFor('two scheduled runs to succeed', async () => {
      const done = (await logs(taskId)).filter((l) => l.execute_status === 'SUCCESS');
      return done.length >= 2 ? done : null;
    }, 30_000);
    const stopped = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'stop', list: [{ task_id: taskId }] });
    expect(stopped.body, stopped.text).toMatchObject({ success_count: 1 });
    await waitFor('the worker to report the scheduled runs', async () => fired.every((l) => worker.finishedRuns().includes(l.id)), 10_000);

    const after = await metricsText(`${metricsUrl}/metrics`);
    expect(sample(after, 'fdi_runs_total{execute_status="SUCCESS"}')).toBeGreaterThanOrEqual(1 + fired.length);
    expect(sample(after, 'fdi_fire_lateness_seconds_count')).toBeGreaterThanOrEqual(fired.length);
    expect(sample(after, 'fdi_rows_total')).toBeGreaterThanOrEqual(sample(before, 'fdi_rows_total') + 2 * fired.length);
    expect(sample(after, 'fdi_runs_total{execute_status="CANCELLED"}')).toBe(1);

    // The API process runs no executions: its /metrics has none of them.
    const api = await metricsText(`${apiUrl}/metrics`);
    expect(api).not.toMatch(/^fdi_runs_total\{/m);
    expect(sample(api, 'fdi_fire_lateness_seconds_count')).toBe(0);
  });

  it('refuses a port that is not one (exit 2, naming the option) and a port already taken (exit 1)', () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [resolve(import.meta.dirname, '../../bin/fdi.mjs'), 'worker', ...args], {
        env: { ...process.env, ...runtimeEnv(prefix, { HOST: '127.0.0.1', ...env }) },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const bad = run(['--metrics-port', 'nine']);
    expect(bad.status, bad.stderr).toBe(2);
    expect(bad.stderr).toContain('--metrics-port');
    const badEnv = run([], { FDI_METRICS_PORT: '70000' });
    expect(badEnv.status, badEnv.stderr).toBe(2);
    expect(badEnv.stderr).toContain('FDI_METRICS_PORT');
    const taken = run(['--metrics-port', String(metricsPort)], { FDI_LOG_LEVEL: 'info' });
    expect(taken.status, taken.stdout + taken.stderr).toBe(1);
    expect(taken.stdout).toContain('cannot serve metrics');
    expect(taken.stdout).not.toContain('worker ready');
  });
});
