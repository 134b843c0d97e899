/**
 * The product end to end: a real `fdi serve` process (API + BullMQ scheduler + worker) configured only through
 * its environment, driven over HTTP as docs/api.md's curl walkthrough does, against real Redis, MariaDB and
 * PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { eventually } from './api-harness.ts';
import { copyDetail, mysqlContent, pgContent, services } from './api-sql-fixtures.ts';

const TOKEN = randomBytes(24).toString('hex');
const PREFIX = `fdi-test-serve-${randomBytes(4).toString('hex')}:`;
const BASE = '/v2/p1/fdi/instances/i1';

let child: ChildProcess;
let output = '';
let baseUrl = '';
let myConn: mysql.Connection;
let pgClient: pg.Client;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = { 'x-auth-token': TOKEN };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text, text };
}

async function logs(taskId: string): Promise<TaskMonitorLog[]> {
  const res = await call('GET', `${BASE}/tasks/${taskId}/monitor-logs?limit=100`);
  expect(res.status, res.text).toBe(200);
  return res.body.entities as TaskMonitorLog[];
}

beforeAll(async () => {
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query('DROP TABLE IF EXISTS api_serve_src');
  await myConn.query('CREATE TABLE api_serve_src (id INT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(10,2))');
  await myConn.query("INSERT INTO api_serve_src VALUES (1,'ann',1.00),(2,'bob',2.00),(3,'cyd',3.00)");
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  await pgClient.query('DROP TABLE IF EXISTS api_serve_dst');
  await pgClient.query('CREATE TABLE api_serve_dst (id int4 PRIMARY KEY, name varchar(64), amount numeric(10,2))');

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const root = resolve(import.meta.dirname, '../..');
  child = spawn(process.execPath, [resolve(root, 'bin/fdi.mjs'), 'serve', '--port', String(port)], {
    cwd: root,
    env: {
      ...process.env,
      REDIS_URL: services.redisUrl,
      FDI_KEY_PREFIX: PREFIX,
      FDI_SECRET_KEY: randomBytes(32).toString('base64'),
      FDI_API_TOKENS: TOKEN,
      HOST: '127.0.0.1',
      FDI_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`fdi serve exited with ${child.exitCode}:\n${output}`);
      try {
        return (await fetch(`${baseUrl}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'fdi serve to be ready',
  );
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  const redis = new Redis(services.redisUrl);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await myConn?.query('DROP TABLE IF EXISTS api_serve_src');
  await myConn?.end();
  await pgClient?.query('DROP TABLE IF EXISTS api_serve_dst');
  await pgClient?.end();
});

describe('fdi serve', () => {
  let src = '';
  let dst = '';
  let taskId = '';

  it('refuses requests without the configured token', async () => {
    const res = await fetch(`${baseUrl}${BASE}/tasks`);
    expect(res.status).toBe(401);
  });

  it('creates data sources and a timing task, plans it, starts it: scheduled runs copy the rows', async () => {
    const a = await call('POST', `${BASE}/datasources`, { datasource_name: 'serve-mysql', datasource_type: 'MYSQL', content: mysqlContent });
    const b = await call('POST', `${BASE}/datasources`, { datasource_name: 'serve-pg', datasource_type: 'POSTGRESQL', content: pgContent });
    expect([a.status, b.status], a.text + b.text).toEqual([201, 201]);
    src = a.body.datasource_id;
    dst = b.body.datasource_id;

    const t = await call('POST', `${BASE}/tasks`, {
      task: { task_name: 'serve.copy', task_type: 'TIMING', source_datasource_id: src, target_datasource_id: dst },
      task_detail: JSON.stringify(copyDetail('api_serve_src', 'public.api_serve_dst')),
    });
    expect(t.status, t.text).toBe(200);
    taskId = t.body.task.task_id;
    expect((await call('POST', `${BASE}/tasks/${taskId}/dispatches`, { use_quartz_cron: true, cron: '* * * * * ?' })).status).toBe(200);
    const start = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'start', list: [{ task_id: taskId }] });
    expect(start.body, start.text).toMatchObject({ success_count: 1, failure_count: 0 });

    const run = await eventually(async () => (await logs(taskId)).find((l) => l.execute_status === 'SUCCESS'), 45_000, 'a scheduled run to succeed');
    expect(run).toMatchObject({ data_count: 3, dirty_data_count: 0, status: 901, position_status: 'TASK_END' });
    expect(run.detail_logs.map((d) => d.status)).toEqual(expect.arrayContaining([900, 99, 100, 101, 500, 501, 901]));
    const rows = await pgClient.query('SELECT id, name FROM api_serve_dst ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
      { id: 3, name: 'cyd' },
    ]);
  });

  it('reports the runs in /metrics', async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const runs = Number(/^fdi_runs_total\{execute_status="SUCCESS"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(Number(/^fdi_rows_total (\d+)$/m.exec(text)?.[1] ?? 0)).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^fdi_fire_lateness_seconds_count [1-9]\d*$/m);
  });

  it('stops through batch stop, then runs once by hand and terminates a slow run', async () => {
    const stop = await call('POST', `${BASE}/batch-operation/tasks`, { action_id: 'stop', list: [{ task_id: taskId }] });
    expect(stop.body).toMatchObject({ success_count: 1 });
    expect((await call('GET', `${BASE}/tasks/${taskId}`)).body.task.status).toBe('stop');

    const slowDetail = copyDetail('', 'public.api_serve_dst', {}, { isAddSql: true, querySql: 'SELECT id, name, amount FROM api_serve_src WHERE SLEEP(2) = 0', sourceTable: '' });
    const slow = await call('POST', `${BASE}/tasks`, {
      task: { task_name: 'serve.slow', task_type: 'TIMING', source_datasource_id: src, target_datasource_id: dst },
      task_detail: slowDetail,
    });
    expect(slow.status, slow.text).toBe(200);
    const slowId = slow.body.task.task_id as string;
    const run = await call('POST', `${BASE}/tasks/${slowId}/run`);
    expect(run.status, run.text).toBe(200);
    await eventually(async () => (await logs(slowId)).find((l) => l.id === run.body.execution_id && l.execute_status === 'RUNNING'), 30_000, 'the manual run to be RUNNING');
    const del = await call('DELETE', `${BASE}/tasks/${slowId}`);
    expect(del.body.error_code).toBe('FDI.3030');
    expect((await call('POST', `${BASE}/tasks/${slowId}/terminate`)).body).toEqual({ message: 'success' });
    const cancelled = await eventually(async () => (await logs(slowId)).find((l) => l.id === run.body.execution_id && l.execute_status === 'CANCELLED'), 30_000, 'the run to be CANCELLED');
    expect(cancelled.position_status).toBe('RUNTIME_CANCEL');
    await eventually(async () => (await call('DELETE', `${BASE}/tasks/${slowId}`)).status === 204, 30_000, 'the task lock to be released');
  });

  it('deletes the task and exits cleanly on SIGTERM', async () => {
    expect((await call('DELETE', `${BASE}/tasks/${taskId}`)).status).toBe(204);
    expect((await call('GET', `${BASE}/tasks/${taskId}/monitor-logs`)).body.error_code).toBe('FDI.3081');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, output).toBe(0);
  });
});
