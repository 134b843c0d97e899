/**
 * Query parameters as the spec documents them, over HTTP against the real Redis store: every query string is
 * declared with a minimum length of 0 (tasks.md 4.3.2, 4.2.1, 4.2.2; datasources.md §1.6), so an empty value is
 * a parameter not given, and the data-source list turns a negative offset into 0 (datasources.md §1.6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';

const BASE = '/v2/p1/fdi/instances/spec-query';

const detail = {
  sourceSelectedDatasource: { path: 'in', fileName: 'a.csv', sourceMetaData: [{ index: 0, name: 'id' }] },
  targetSelectedDatasource: { path: 'out', fileName: 'b.csv', meta_data: [{ index: 0, name: 'id' }] },
  mappingRequired: false,
};

let api: TestApi;
const taskIds: string[] = [];
const datasourceIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  for (const name of ['spec-query-a', 'spec-query-b']) {
    const ds = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: name, datasource_type: 'FILE', content: { base_path: '/tmp/fdi-spec-query' } } });
    expect(ds.status, ds.text).toBe(201);
    datasourceIds.push(ds.body.datasource_id);
  }
  for (const name of ['spec-query.alpha', 'spec-query.beta']) {
    const t = await api.call('POST', `${BASE}/tasks`, {
      body: { task: { task_name: name, task_type: 'TIMING', source_datasource_id: datasourceIds[0], target_datasource_id: datasourceIds[0] }, task_detail: detail },
    });
    expect(t.status, t.text).toBe(200);
    taskIds.push(t.body.task.task_id);
  }
});

afterAll(async () => {
  await api?.close();
});

describe('an empty query parameter is one not given', () => {
  it('GET /tasks: every documented filter, sort and paging parameter may be empty (4.3.2)', async () => {
    const all = await api.call('GET', `${BASE}/tasks`);
    expect(all.status).toBe(200);
    const empty = ['limit', 'offset', 'task_id', 'task_name', 'status', 'task_type', 'source_datasource_id', 'target_datasource_id', 'datasource_id', 'sort_field', 'sort_type', 'execute_status', 'source_app_id', 'target_app_id', 'task_tag', 'task_mode'];
    const res = await api.call('GET', `${BASE}/tasks?${empty.map((k) => `${k}=`).join('&')}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(all.body);
    expect(res.body.total).toBe(2);
  });

  it('GET /tasks: an empty parameter next to a real one leaves the real one in force', async () => {
    const res = await api.call('GET', `${BASE}/tasks?task_mode=&task_name=beta&execute_status=&status=`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.entities.map((e: { task_id: string }) => e.task_id)).toEqual([taskIds[1]]);
    expect(res.body.total).toBe(1);
  });

  it('GET /task-monitors: empty offset, limit, task_name and execute_status (4.2.1)', async () => {
    const all = await api.call('GET', `${BASE}/task-monitors`);
    const res = await api.call('GET', `${BASE}/task-monitors?offset=&limit=&task_name=&execute_status=`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(all.body);
  });

  it('GET /tasks/{id}/monitor-logs: empty offset, limit, begin_time and end_time (4.2.2)', async () => {
    const res = await api.call('GET', `${BASE}/tasks/${taskIds[0]}/monitor-logs?offset=&limit=&begin_time=&end_time=`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ total: 0, size: 0, entities: [] });
  });

  it('GET /datasources: empty paging, type, sort, name and app_id (datasources.md §1.6)', async () => {
    const all = await api.call('GET', `${BASE}/datasources`);
    const res = await api.call('GET', `${BASE}/datasources?limit=&offset=&datasource_type=&sort_field=&sort_type=&name=&app_id=`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(all.body);
    expect(res.body.total).toBe(2);
  });

  it('a required parameter sent empty is missing: FDI.3033 naming it', async () => {
    const res = await api.call('GET', `${BASE}/datasources/${datasourceIds[0]}/columns?table_name=`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 'FDI.3033' });
    expect(res.body.error_msg).toContain('[table_name]');
  });

  it('a value that is present but wrong is still refused', async () => {
    const res = await api.call('GET', `${BASE}/tasks?execute_status=DONE`);
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('FDI.3050');
  });
});

describe('data-source list offset (datasources.md §1.6)', () => {
  it('a negative offset is turned into 0, i.e. the first page', async () => {
    const first = await api.call('GET', `${BASE}/datasources?limit=1&offset=1`);
    for (const offset of [-1, -999999]) {
      const res = await api.call('GET', `${BASE}/datasources?limit=1&offset=${offset}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual(first.body);
      expect(res.body).toMatchObject({ total: 2, size: 1 });
    }
    const second = await api.call('GET', `${BASE}/datasources?limit=1&offset=2`);
    expect(second.body.entities[0].datasource_id).not.toBe(first.body.entities[0].datasource_id);
  });

  it('an offset that is not an integer is still FDI.3048', async () => {
    const res = await api.call('GET', `${BASE}/datasources?offset=-1.5`);
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('FDI.3048');
  });

  it('the monitor APIs, which document no such rule, keep refusing a negative offset', async () => {
    const res = await api.call('GET', `${BASE}/task-monitors?offset=-1`);
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('FDI.3048');
  });
});
