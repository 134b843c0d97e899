/**
 * Dispatch-plan bodies in every spelling the spec documents (tasks.md §1.B, §3, §6.2–6.3), answered in one
 * canonical shape, over HTTP against the real Redis store: the API is the only place a client meets these.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';

const BASE = '/v2/p1/fdi/instances/spec-plans';

const detail = {
  sourceSelectedDatasource: { path: 'in', fileName: 'a.csv', sourceMetaData: [{ index: 0, name: 'id' }] },
  targetSelectedDatasource: { path: 'out', fileName: 'b.csv', meta_data: [{ index: 0, name: 'id' }] },
  mappingRequired: false,
};

let api: TestApi;
let dsId = '';
let seq = 0;

async function newTask(): Promise<string> {
  const res = await api.call('POST', `${BASE}/tasks`, {
    body: { task: { task_name: `spec-plans.t${++seq}`, task_type: 'TIMING', source_datasource_id: dsId, target_datasource_id: dsId }, task_detail: detail },
  });
  expect(res.status, res.text).toBe(200);
  return res.body.task.task_id;
}

beforeAll(async () => {
  api = await startTestApi();
  const ds = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'spec-plans-files', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-spec-plans' } } });
  expect(ds.status, ds.text).toBe(201);
  dsId = ds.body.datasource_id;
});

afterAll(async () => {
  await api?.close();
});

const PLAN_KEYS_CRON = ['created_date', 'cron', 'dispatch_id', 'last_modified_date', 'task_id', 'time_zone', 'use_quartz_cron'];

describe('plan bodies in every documented spelling, one canonical answer', () => {
  it('use_quartz_cron "true" (a string) with a cron: a cron plan; a stray period MONTH is dropped', async () => {
    const taskId = await newTask();
    const res = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, { body: { use_quartz_cron: 'true', cron: '0 0 2 * * ?', period: 'MONTH' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ task_id: taskId, use_quartz_cron: true, cron: '0 0 2 * * ?', time_zone: 'UTC' });
    expect(Object.keys(res.body).sort()).toEqual(PLAN_KEYS_CRON);
    expect(typeof res.body.created_date).toBe('number');
    expect((await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`)).body).toEqual(res.body);
  });

  it('use_quartz_cron "false" with the cron of the 4.2.1 example beside a period: a period plan, MONTH answered as MON', async () => {
    const taskId = await newTask();
    const res = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, {
      body: { use_quartz_cron: 'false', cron: '0 */15 * * * ?', period: 'MONTH', dispatch_interval: '2', start_datetime: '2020-11-14T07:38:25.609Z' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ use_quartz_cron: false, period: 'MON', dispatch_interval: 2, start_datetime: 1605339505609 });
    expect(res.body.cron).toBeUndefined();
    const monitors = await api.call('GET', `${BASE}/task-monitors?task_name=${encodeURIComponent(`spec-plans.t${seq}`)}`);
    expect(monitors.body.entities).toHaveLength(1);
    expect(monitors.body.entities[0]).toMatchObject({ use_quartz_cron: false, period: 'MON', dispatch_interval: 2 });
    expect(monitors.body.entities[0].cron).toBeUndefined();
  });

  it('camelCase spellings (useQuartzCron, dispatchInterval, startDatetime) and a lower-case period', async () => {
    const taskId = await newTask();
    const res = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, { body: { useQuartzCron: false, period: 'week', dispatchInterval: 1, startDatetime: 1605597966246 } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ use_quartz_cron: false, period: 'WEEK', dispatch_interval: 1, start_datetime: 1605597966246 });
  });

  it('PUT with the 4.3.11 example body: the whole plan echoed back, read-only fields included, start_datetime in epoch ms', async () => {
    const taskId = await newTask();
    const created = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, { body: { use_quartz_cron: true, cron: '0 1 * * * ?' } });
    expect(created.status, created.text).toBe(200);
    const { dispatch_id, created_date } = created.body;
    const echo = {
      dispatch_id,
      task_id: taskId,
      start_datetime: 1605597966246,
      period: 'DAY',
      dispatch_interval: 1,
      created_date: 1605570764692,
      last_modified_date: 1605570764692,
      remark: '123',
      use_quartz_cron: false,
    };
    const res = await api.call('PUT', `${BASE}/tasks/${taskId}/dispatches/${dispatch_id}`, { body: echo });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ dispatch_id, task_id: taskId, start_datetime: 1605597966246, period: 'DAY', dispatch_interval: 1, remark: '123', use_quartz_cron: false });
    expect(res.body.cron).toBeUndefined();
    // read-only fields are the server's, not the echo's
    expect(res.body.created_date).toBe(created_date);
    expect(res.body.last_modified_date).not.toBe(1605570764692);
    expect((await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`)).body).toEqual(res.body);
  });
});
