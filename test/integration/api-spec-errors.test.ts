/**
 * Error codes the spec documents for particular inputs, over HTTP against the real Redis store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type ApiResponse, type TestApi } from './api-harness.ts';

const BASE = '/v2/p1/fdi/instances/spec-errors';

let api: TestApi;

function expectError(res: ApiResponse, status: number, code: string, mentions: string): void {
  expect({ status: res.status, code: (res.body as { error_code?: string }).error_code }, res.text).toEqual({ status, code });
  expect((res.body as { error_msg: string }).error_msg).toContain(mentions);
}

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('an empty id in the path gets the spec\'s "… ID is empty" code', () => {
  const plan = { use_quartz_cron: true, cron: '0 0 2 * * ?' };

  it('task_id: FDI.3149 "The task ID is empty." (400), as the dispatch examples of 4.3.9/4.3.11 show', async () => {
    expectError(await api.call('POST', `${BASE}/tasks//dispatches`, { body: plan }), 400, 'FDI.3149', 'task_id');
    expectError(await api.call('GET', `${BASE}/tasks//dispatches`), 400, 'FDI.3149', 'task_id');
    expectError(await api.call('PUT', `${BASE}/tasks//dispatches/d1`, { body: plan }), 400, 'FDI.3149', 'task_id');
    expectError(await api.call('POST', `${BASE}/tasks//run`), 400, 'FDI.3149', 'task_id');
    expectError(await api.call('POST', `${BASE}/tasks//terminate`), 400, 'FDI.3149', 'task_id');
    expectError(await api.call('GET', `${BASE}/tasks//monitor-logs`), 400, 'FDI.3149', 'task_id');
  });

  it('datasource_id: FDI.3173 "The data source ID is empty." (400)', async () => {
    expectError(await api.call('GET', `${BASE}/datasources//columns?table_name=t`), 400, 'FDI.3173', 'datasource_id');
    expectError(await api.call('GET', `${BASE}/datasources//tables`), 400, 'FDI.3173', 'datasource_id');
  });

  it('instance_id: FDI.3141 "The instance ID is empty." (400)', async () => {
    expectError(await api.call('GET', '/v2/p1/fdi/instances//tasks'), 400, 'FDI.3141', 'instance_id');
    expectError(await api.call('GET', '/v2/p1/fdi/instances//datasources'), 400, 'FDI.3141', 'instance_id');
  });

  it('an id that is not empty but cannot exist is still the 404 of an unknown one', async () => {
    expectError(await api.call('GET', `${BASE}/tasks/a%3Ab/dispatches`), 404, 'FDI.3081', 'task_id');
    expectError(await api.call('GET', `${BASE}/datasources/a%3Ab`), 404, 'FDI.3101', 'datasource_id');
    expectError(await api.call('GET', `${BASE}/tasks/no-such-task/dispatches`), 404, 'FDI.3081', 'no-such-task');
    expectError(await api.call('GET', '/v2/p1/fdi/instances/a%3Ab/tasks'), 400, 'FDI.3179', 'instance_id');
  });
});

describe('the 400 body of the data-source endpoints has detail (errors-auth.md §2.1b, datasources.md §0)', () => {
  const D = `${BASE}/datasources`;
  const mysql = (content: Record<string, unknown>) => ({ datasource_name: 'api-spec-errors-ds', datasource_type: 'MYSQL', content });
  let id = '';

  beforeAll(async () => {
    const res = await api.call('POST', D, { body: { datasource_name: 'api-spec-errors-files', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-spec-errors' } } });
    expect(res.status, res.text).toBe(201);
    id = res.body.datasource_id;
  });

  function expectDetail(res: ApiResponse, code: string, detailMentions: string): void {
    expect({ status: res.status, code: (res.body as { error_code?: string }).error_code }, res.text).toEqual({ status: 400, code });
    const body = res.body as { error_code: string; error_msg: string; detail?: string };
    expect(Object.keys(body).sort()).toEqual(['detail', 'error_code', 'error_msg']);
    expect(body.detail).toContain(detailMentions);
    expect(body.detail?.length).toBeGreaterThanOrEqual(2);
    expect(body.detail?.length).toBeLessThanOrEqual(512);
  }

  it('create (4.1.1): a schema failure and a connector option failure', async () => {
    expectDetail(await api.call('POST', D, { body: { datasource_type: 'MYSQL', content: {} } }), 'FDI.3033', 'datasource_name');
    expectDetail(await api.call('POST', D, { body: mysql({ host: '127.0.0.1', port: 'not-a-port' }) }), 'FDI.3033', 'content.');
    expectDetail(await api.call('POST', D, { body: '{"datasource_name":' }), 'FDI.3002', 'JSON');
  });

  it('update (4.1.4), tables (4.1.6), columns (4.1.7), test-connect (4.1.8)', async () => {
    expectDetail(await api.call('PUT', `${D}/${id}`, { body: { datasource_name: 'x', content: {} } }), 'FDI.3443', 'datasource_type');
    expectDetail(await api.call('GET', `${D}//tables`), 'FDI.3173', 'datasource_id');
    expectDetail(await api.call('GET', `${D}/${id}/columns`), 'FDI.3033', 'table_name');
    expectDetail(await api.call('POST', `${D}/${id}/test-connect`, { body: { datasource_type: 'FILE', content: {} } }), 'FDI.3033', 'datasource_name');
  });

  it('an FDI code with a reason of its own answers that reason as detail', async () => {
    const res = await api.call('POST', D, { body: { datasource_name: 'api-spec-errors-x', datasource_type: 'NO_SUCH_TYPE', content: {} } });
    expectDetail(res, 'FDI.3443', 'NO_SUCH_TYPE');
    expect(res.body.detail).not.toContain('Invalid data source type.');
  });

  it('the list (table 4-21) and the other families keep the plain body', async () => {
    const list = await api.call('GET', `${D}?limit=x`);
    expect(list.status).toBe(400);
    expect(Object.keys(list.body).sort()).toEqual(['error_code', 'error_msg']);
    const tasks = await api.call('GET', `${BASE}/tasks?limit=x`);
    expect(tasks.status).toBe(400);
    expect(Object.keys(tasks.body).sort()).toEqual(['error_code', 'error_msg']);
    const notFound = await api.call('GET', `${D}/no-such-ds`);
    expect(notFound.status).toBe(404);
    expect(Object.keys(notFound.body).sort()).toEqual(['error_code', 'error_msg']);
  });
});
