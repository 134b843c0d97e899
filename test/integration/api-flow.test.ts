/**
 * The API end to end over HTTP against real Redis, MariaDB and PostgreSQL: data sources, tables and columns,
 * a timing task with a task_detail in the spec's own shape, a plan, batch start, runs in monitor-logs, run,
 * terminate, dirty records, stop, update, delete.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { eventually, startTestApi, type TestApi } from './api-harness.ts';
import { copyDetail, mysqlContent, pgContent, services } from './api-sql-fixtures.ts';

const BASE = '/v2/p1/fdi/instances/i1';

let api: TestApi;
let myConn: mysql.Connection;
let pgClient: pg.Client;
let mysqlId = '';
let pgId = '';

function taskBody(name: string, detail: object, type = 'TIMING') {
  return {
    task: { task_name: name, task_type: type, source_datasource_id: mysqlId, target_datasource_id: pgId, description: 'api flow test', task_tag: 'api_flow' },
    task_detail: JSON.stringify(detail),
  };
}

async function logs(taskId: string, query = ''): Promise<{ total: number; size: number; entities: TaskMonitorLog[] }> {
  const res = await api.call<{ total: number; size: number; entities: TaskMonitorLog[] }>('GET', `${BASE}/tasks/${taskId}/monitor-logs${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  api = await startTestApi();
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query('DROP TABLE IF EXISTS api_flow_src');
  await myConn.query('CREATE TABLE api_flow_src (id INT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(10,2), note TEXT NULL)');
  await myConn.query("INSERT INTO api_flow_src VALUES (1,'ann',10.50,NULL),(2,'bob',20.00,'x'),(3,'cyd',0.01,NULL),(4,'dee-long-name',4.00,NULL),(5,'eve',5.55,NULL)");
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  await pgClient.query('DROP TABLE IF EXISTS api_flow_dst, api_flow_narrow');
  await pgClient.query('CREATE TABLE api_flow_dst (id int4 PRIMARY KEY, name varchar(64), amount numeric(10,2))');
  await pgClient.query('CREATE TABLE api_flow_narrow (id int4 PRIMARY KEY, name varchar(3), amount numeric(10,2))');
});

afterAll(async () => {
  await api?.close();
  await myConn?.query('DROP TABLE IF EXISTS api_flow_src');
  await myConn?.end();
  await pgClient?.query('DROP TABLE IF EXISTS api_flow_dst, api_flow_narrow');
  await pgClient?.end();
});

describe('data sources', () => {
  it('creates a MySQL and a PostgreSQL data source (201) with secrets masked and stored encrypted', async () => {
    const res = await api.call('POST', `${BASE}/datasources`, {
      body: { datasource_name: 'api-flow-mysql', datasource_type: 'MYSQL', app_id: 'app-0001', content: mysqlContent, description: 'source' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ datasource_name: 'api-flow-mysql', datasource_type: 'MYSQL', app_id: 'app-0001', instance_id: 'i1' });
    expect(res.body.content.password).toBe('******');
    expect(res.body.content.host).toBe(mysqlContent.host);
    mysqlId = res.body.datasource_id;
    expect(mysqlId).toMatch(/^[0-9a-f]{32}$/);

    const raw = JSON.parse((await api.redis.get(`${api.prefix}ds:${mysqlId}`)) ?? 'null');
    expect(raw.record.content.password).toMatch(/^fdi:enc:v1:/);
    expect(raw.record.content.host).toBe(mysqlContent.host);

    const pgRes = await api.call('POST', `${BASE}/datasources`, {
      body: { datasource_name: 'api-flow-pg', datasource_type: 'POSTGRESQL', app_id: 'app-0001', content: pgContent },
    });
    expect(pgRes.status).toBe(201);
    pgId = pgRes.body.datasource_id;
  });

  it('gets and lists them with filters and paging', async () => {
    const one = await api.call('GET', `${BASE}/datasources/${mysqlId}`);
    expect(one.status).toBe(200);
    expect(one.body.content.password).toBe('******');
    const list = await api.call('GET', `${BASE}/datasources?datasource_type=postgresql`);
    expect(list.body).toMatchObject({ total: 1, size: 1 });
    expect(list.body.entities[0].datasource_id).toBe(pgId);
    const byName = await api.call('GET', `${BASE}/datasources?name=FLOW-MY`);
    expect(byName.body.entities.map((d: { datasource_id: string }) => d.datasource_id)).toEqual([mysqlId]);
    const page2 = await api.call('GET', `${BASE}/datasources?limit=1&offset=2`);
    expect(page2.body).toMatchObject({ total: 2, size: 1 });
    expect(await api.call('GET', `/v2/p1/fdi/instances/other/datasources/${mysqlId}`)).toMatchObject({ status: 404, body: { error_code: 'FDI.3101' } });
  });

  it('tests connectivity: true for good settings, FDI.3016 with the driver reason for a wrong password', async () => {
    const ok = await api.call('POST', `${BASE}/datasources/test`, { body: { datasource_name: 'probe', datasource_type: 'MYSQL', content: mysqlContent } });
    expect(ok).toMatchObject({ status: 200, body: { result: true } });
    const bad = await api.call('POST', `${BASE}/datasources/test`, {
      body: { datasource_name: 'probe', datasource_type: 'MYSQL', content: { ...mysqlContent, password: 'definitely-wrong' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('FDI.3016');
    expect(bad.body.error_msg).toMatch(/denied/i);
    expect(bad.body.detail).toMatch(/denied/i);
    // the stored-source form takes the masked password from the store
    const stored = await api.call('POST', `${BASE}/datasources/${mysqlId}/test-connect`, {
      body: { datasource_name: 'api-flow-mysql', datasource_type: 'MYSQL', content: { ...mysqlContent, password: '******' } },
    });
    expect(stored).toMatchObject({ status: 200, body: { result: true } });
  });

  it('lists tables and columns in the FDI shape', async () => {
    const tables = await api.call('GET', `${BASE}/datasources/${mysqlId}/tables?direction_type=SOURCE&filter=api_flow`);
    expect(tables.status).toBe(200);
    expect(tables.body.tables.some((t: string) => t.endsWith('api_flow_src'))).toBe(true);
    expect(tables.body.tables.every((t: string) => t.toLowerCase().includes('api_flow'))).toBe(true);
    const pgTables = await api.call('GET', `${BASE}/datasources/${pgId}/tables`);
    expect(pgTables.body.tables.some((t: string) => t.endsWith('api_flow_dst'))).toBe(true);

    const columns = await api.call('GET', `${BASE}/datasources/${mysqlId}/columns?direction_type=SOURCE&table_name=api_flow_src`);
    expect(columns.status).toBe(200);
    const byName = Object.fromEntries(columns.body.columns.map((c: { field_name: string }) => [c.field_name, c]));
    expect(Object.keys(byName)).toEqual(['id', 'name', 'amount', 'note']);
    expect(byName.id).toMatchObject({ primary: '1', null_able: '0' });
    expect(byName.name).toMatchObject({ field_length: '64', null_able: '1', primary: '0' });
    const pathForm = await api.call('GET', `${BASE}/datasources/${pgId}/tables/api_flow_dst/columns`);
    expect(pathForm.body.columns.map((c: { field_name: string }) => c.field_name)).toEqual(['id', 'name', 'amount']);

    const missing = await api.call('GET', `${BASE}/datasources/${mysqlId}/columns?table_name=api_no_such_table`);
    expect(missing.status).toBe(500);
    expect(missing.body.error_code).toBe('FDI.3126');
  });

  it('updates a data source keeping a masked password', async () => {
    const res = await api.call('PUT', `${BASE}/datasources/${mysqlId}`, {
      body: { datasource_name: 'api-flow-mysql', datasource_type: 'MYSQL', app_id: 'app-0001', content: { ...mysqlContent, password: '******' }, description: 'renamed' },
    });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('renamed');
    expect((await api.store.getDatasourceById(mysqlId))?.content['password']).toBe(mysqlContent.password);
  });
});

describe('a timing task through its life', () => {
  let taskId = '';

  it('creates the task: TaskBasicRsp with lower-case task_type, status stop, task_detail as a string', async () => {
    const res = await api.call('POST', `${BASE}/tasks`, { body: taskBody('api-flow.copy_1', copyDetail('api_flow_src', 'public.api_flow_dst')) });
    expect(res.status).toBe(200);
    const t = res.body.task;
    expect(t).toMatchObject({
      task_name: 'api-flow.copy_1',
      task_type: 'timing',
      status: 'stop',
      project_id: 'p1',
      source_datasource_id: mysqlId,
      target_datasource_id: pgId,
      source_datasource_name: 'api-flow-mysql',
      target_datasource_name: 'api-flow-pg',
      source_app_id: 'app-0001',
      description: 'api flow test',
      task_tag: 'api_flow',
      execute_status: 'UNSTARTED',
    });
    expect(typeof t.created_date).toBe('number');
    expect(typeof res.body.task_detail).toBe('string');
    expect(JSON.parse(res.body.task_detail).sourceSelectedDatasource.sourceTable).toBe('api_flow_src');
    taskId = t.task_id;
  });

  it('refuses a second task with the same name (FDI.3058)', async () => {
    const res = await api.call('POST', `${BASE}/tasks`, { body: taskBody('api-flow.copy_1', copyDetail('api_flow_src', 'public.api_flow_dst')) });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('FDI.3058');
  });

  it('batch start fails for a timing task without a plan (FDI.3083 in failure[])', async () => {
    const res = await api.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'start', list: [{ task_id: taskId }] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success_count: 0, failure_count: 1, success: [] });
    expect(res.body.failure[0]).toMatchObject({ task_id: taskId, task_name: 'api-flow.copy_1', error_code: 'FDI.3083' });
    expect((await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`)).body.error_code).toBe('FDI.3083');
  });

  it('adds a plan (every second, Quartz) and reads it back', async () => {
    const res = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, { body: { use_quartz_cron: true, cron: '* * * * * ?', remark: 'every second' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ task_id: taskId, use_quartz_cron: true, cron: '* * * * * ?', remark: 'every second', time_zone: 'UTC' });
    expect(res.body.period).toBeUndefined();
    const get = await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`);
    expect(get.body).toEqual(res.body);
    const again = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, { body: { use_quartz_cron: true, cron: '0 * * * * ?' } });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe('FDI.3033');
  });

  it('starts through batch start and runs appear in monitor-logs with the documented fields', async () => {
    const res = await api.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'start', list: [{ task_id: taskId }, { task_id: 'api-no-such-task' }] } });
    expect(res.body).toMatchObject({ success_count: 1, failure_count: 1, success: [{ task_id: taskId, task_name: 'api-flow.copy_1' }] });
    expect(res.body.failure[0]).toMatchObject({ task_id: 'api-no-such-task', error_code: 'FDI.3081' });
    expect((await api.call('GET', `${BASE}/tasks/${taskId}`)).body.task.status).toBe('running');

    const twice = await api.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'start', list: [{ task_id: taskId }] } });
    expect(twice.body.failure[0].error_code).toBe('FDI.3139');

    const page = await eventually(async () => {
      const p = await logs(taskId);
      return p.entities.some((l) => l.execute_status === 'SUCCESS') ? p : undefined;
    }, 30_000, 'a successful scheduled run');
    const run = page.entities.find((l) => l.execute_status === 'SUCCESS')!;
    for (const key of ['id', 'start_time', 'dispatch_time', 'end_time', 'execute_status', 'position', 'position_status', 'status', 'dirty_data_count', 'data_count', 'data_size', 'data_size_unit', 'spend_time', 'read_spend_time', 'write_spend_time', 'remarks', 'detail_logs']) {
      expect(run, key).toHaveProperty(key);
    }
    expect(run).toMatchObject({ data_count: 5, dirty_data_count: 0, position_status: 'TASK_END', status: 901 });
    expect(run.dispatch_time % 1000).toBe(0); // a planned instant of the every-second plan
    const codes = run.detail_logs.map((d) => d.status);
    for (const code of [900, 99, 100, 104, 101, 500, 504, 501, 901]) expect(codes).toContain(code);
    expect(run.detail_logs.find((d) => d.status === 100)?.stage).toBe('mysqlreader');
    expect(run.detail_logs.find((d) => d.status === 500)?.stage).toBe('postgresqlwriter');
    for (const d of run.detail_logs) {
      expect(Object.keys(d).sort()).toEqual(
        ['data_count', 'data_size', 'data_size_unit', 'dirty_data_count', 'id', 'position', 'position_status', 'remarks', 'spend_time', 'stage', 'status', 'step_begin_time', 'step_end_time'].sort(),
      );
    }
    const rows = await pgClient.query('SELECT id, name, amount::text AS amount FROM api_flow_dst ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, name: 'ann', amount: '10.50' },
      { id: 2, name: 'bob', amount: '20.00' },
      { id: 3, name: 'cyd', amount: '0.01' },
      { id: 4, name: 'dee-long-name', amount: '4.00' },
      { id: 5, name: 'eve', amount: '5.55' },
    ]);
  });

  it('monitor-logs: newest first, time window, paging from 1, limit capped', async () => {
    await eventually(async () => ((await logs(taskId)).total >= 2 ? true : undefined), 30_000, 'two runs');
    const all = await logs(taskId, '?limit=5000');
    expect(all.size).toBe(all.entities.length);
    const starts = all.entities.map((l) => l.start_time);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    const first = await logs(taskId, '?offset=0&limit=1');
    const second = await logs(taskId, '?offset=2&limit=1');
    expect(first.entities[0]?.id).toBe(all.entities[0]?.id);
    expect(second.entities[0]?.id).toBe(all.entities[1]?.id);
    const oldest = all.entities[all.entities.length - 1]!;
    const window = await logs(taskId, `?begin_time=${oldest.start_time}&end_time=${oldest.start_time}`);
    expect(window.entities.map((l) => l.id)).toContain(oldest.id);
    expect(window.entities.every((l) => l.start_time === oldest.start_time)).toBe(true);
    const reversed = await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs?begin_time=2000&end_time=1000`);
    expect(reversed.body.error_code).toBe('FDI.3033');
  });

  it('shows the task in task-monitors, the task list and the statistics', async () => {
    const monitors = await api.call('GET', `${BASE}/task-monitors?task_name=flow.copy`);
    expect(monitors.status).toBe(200);
    const info = monitors.body.entities.find((e: { task_id: string }) => e.task_id === taskId);
    expect(info).toMatchObject({ task_name: 'api-flow.copy_1', task_type: 'TIMING', status: 1, use_quartz_cron: true, cron: '* * * * * ?' });
    expect(['RUNNING', 'SUCCESS']).toContain(info.execute_status);
    expect(typeof info.last_execute_time).toBe('number');
    expect(info.period).toBeUndefined();
    expect((await api.call('GET', `${BASE}/task-monitors?task_name=FLOW.COPY`)).body.total).toBe(0); // case-sensitive
    expect((await api.call('GET', `${BASE}/task-monitors?execute_status=ERROR`)).body.entities.find((e: { task_id: string }) => e.task_id === taskId)).toBeUndefined();

    const list = await api.call('GET', `${BASE}/tasks?task_type=timing&status=1&datasource_id=${pgId}`);
    expect(list.body.total).toBe(1);
    expect(list.body.entities[0]).toMatchObject({ task_id: taskId, task_type: 'TIMING', status: 1, source_app_id: 'app-0001', task_tag: 'api_flow' });
    expect(typeof list.body.entities[0].created_date).toBe('string');
    expect((await api.call('GET', `${BASE}/tasks?status=0`)).body.entities.find((e: { task_id: string }) => e.task_id === taskId)).toBeUndefined();

    const stats = await api.call('GET', `${BASE}/statistics/tasks`);
    expect(stats.status).toBe(200);
    const c = stats.body.common_task_details;
    expect(c.running_tasks_count + c.completed_tasks_count).toBeGreaterThanOrEqual(1);
    expect(stats.body.cdc_task_details).toEqual({ running_tasks_count: 0, abnormal_tasks_count: 0, terminated_tasks_count: 0, completed_tasks_count: 0 });
  });

  it('modifies the plan of the started task', async () => {
    const plan = (await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`)).body;
    const res = await api.call('PUT', `${BASE}/tasks/${taskId}/dispatches/${plan.dispatch_id}`, { body: { remark: 'still every second' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dispatch_id: plan.dispatch_id, cron: '* * * * * ?', remark: 'still every second', created_date: plan.created_date });
    const wrong = await api.call('PUT', `${BASE}/tasks/${taskId}/dispatches/api-not-the-plan`, { body: { remark: 'x' } });
    expect(wrong.body.error_code).toBe('FDI.3033');
  });

  it('stops through batch stop: no new runs afterwards', async () => {
    const res = await api.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'stop', list: [{ task_id: taskId }] } });
    expect(res.body).toMatchObject({ success_count: 1, failure_count: 0 });
    expect((await api.call('GET', `${BASE}/tasks/${taskId}`)).body.task.status).toBe('stop');
    await api.control.waitIdle(taskId);
    const before = (await logs(taskId)).total;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await logs(taskId)).total).toBe(before);
    expect((await logs(taskId)).entities.every((l) => l.end_time !== null)).toBe(true);
  });

  it('updates the task (full replace) and keeps names unique', async () => {
    const other = await api.call('POST', `${BASE}/tasks`, { body: taskBody('api-flow.other', copyDetail('api_flow_src', 'public.api_flow_dst')) });
    expect(other.status).toBe(200);
    const clash = await api.call('PUT', `${BASE}/tasks/${taskId}`, { body: taskBody('api-flow.other', copyDetail('api_flow_src', 'public.api_flow_dst')) });
    expect(clash.body.error_code).toBe('FDI.3058');
    const res = await api.call('PUT', `${BASE}/tasks/${taskId}`, { body: taskBody('api-flow.copy_renamed', copyDetail('api_flow_src', 'public.api_flow_dst')) });
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({ task_id: taskId, task_name: 'api-flow.copy_renamed', status: 'stop' });
    expect(res.body.task.last_modified_date).toBeGreaterThanOrEqual(res.body.task.created_date);
    expect((await api.call('DELETE', `${BASE}/tasks/${other.body.task.task_id}`)).status).toBe(204);
  });

  it('refuses to delete a data source a task uses (FDI.3121)', async () => {
    const res = await api.call('DELETE', `${BASE}/datasources/${pgId}`);
    expect(res.status).toBe(500);
    expect(res.body.error_code).toBe('FDI.3121');
    expect(res.body.error_msg).toContain('api-flow.copy_renamed');
  });

  it('deletes the task with its plan and logs', async () => {
    const res = await api.call('DELETE', `${BASE}/tasks/${taskId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await api.call('GET', `${BASE}/tasks/${taskId}`)).body.error_code).toBe('FDI.3081');
    expect(await api.store.getPlan(taskId)).toBeNull();
    expect((await api.store.listMonitorLogs(taskId, { offset: 1, limit: 10 })).total).toBe(0);
    expect(await api.redis.keys(`${api.prefix}*${taskId}*`)).toEqual([]);
  });
});

describe('run, terminate and delete while running', () => {
  let slowId = '';

  it('runs a slow task now, refuses a second run and a delete while it runs, terminates it', async () => {
    // One row a second: SLEEP(1) per row of the source.
    const detail = copyDetail('', 'public.api_flow_dst', {}, { isAddSql: true, querySql: 'SELECT id, name, amount FROM api_flow_src WHERE SLEEP(1) = 0', sourceTable: '' });
    const created = await api.call('POST', `${BASE}/tasks`, { body: taskBody('api-flow.slow', detail) });
    expect(created.status).toBe(200);
    slowId = created.body.task.task_id;

    const run = await api.call('POST', `${BASE}/tasks/${slowId}/run`, { headers: { 'content-type': 'application/json' } });
    expect(run.status).toBe(200);
    expect(run.body.message).toBe('success');
    const executionId = run.body.execution_id as string;
    await eventually(async () => (await logs(slowId)).entities.find((l) => l.id === executionId && l.execute_status === 'RUNNING'), 20_000, 'the run to be RUNNING');

    const again = await api.call('POST', `${BASE}/tasks/${slowId}/run`);
    expect(again.status).toBe(500);
    expect(again.body.error_code).toBe('FDI.3030');
    const del = await api.call('DELETE', `${BASE}/tasks/${slowId}`);
    expect(del.status).toBe(500);
    expect(del.body.error_code).toBe('FDI.3030');
    const put = await api.call('PUT', `${BASE}/tasks/${slowId}`, { body: taskBody('api-flow.slow', detail) });
    expect(put.body.error_code).toBe('FDI.3030');

    const term = await api.call('POST', `${BASE}/tasks/${slowId}/terminate`);
    expect(term).toMatchObject({ status: 200, body: { message: 'success' } });
    const log = (await logs(slowId)).entities.find((l) => l.id === executionId)!;
    expect(log.execute_status).toBe('CANCELLED');
    expect(log.position_status).toBe('RUNTIME_CANCEL');
    expect(log.detail_logs.map((d) => d.status)).toContain(16);

    const idle = await api.call('POST', `${BASE}/tasks/${slowId}/terminate`);
    expect(idle.status).toBe(400);
    expect(idle.body.error_code).toBe('FDI.3027');
    expect((await api.call('GET', `${BASE}/tasks/${slowId}`)).body.task.execute_status).toBe('CANCELLED');
    expect((await api.call('DELETE', `${BASE}/tasks/${slowId}`)).status).toBe(204);
  });
});

describe('dirty records of one execution', () => {
  it('counts rows the target refuses and serves them with reason, column and stage', async () => {
    const created = await api.call('POST', `${BASE}/tasks`, { body: taskBody('api-flow.narrow', copyDetail('api_flow_src', 'public.api_flow_narrow')) });
    const taskId = created.body.task.task_id as string;
    const run = await api.call('POST', `${BASE}/tasks/${taskId}/run`);
    const executionId = run.body.execution_id as string;
    await api.control.waitIdle(taskId);
    const log = (await logs(taskId)).entities.find((l) => l.id === executionId)!;
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.dirty_data_count).toBe(1); // 'dee-long-name' does not fit varchar(3)
    expect(log.data_count).toBe(4);

    const one = await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs/${executionId}`);
    expect(one.body.id).toBe(executionId);
    const dirty = await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs/${executionId}/dirty-records?offset=1&limit=10`);
    expect(dirty.status).toBe(200);
    expect(dirty.body).toMatchObject({ total: 1, size: 1 });
    const rec = dirty.body.entities[0];
    expect(rec.run_id).toBe(executionId);
    expect(rec.stage).toBe('postgresqlwriter');
    expect(rec.reason.length).toBeGreaterThan(0);
    expect(JSON.stringify(rec.record)).toContain('dee-long-name');
    const unknownRun = await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs/api-no-such-run/dirty-records`);
    expect(unknownRun).toMatchObject({ status: 404, body: { error_code: 'FDI.1004' } });
  });
});
