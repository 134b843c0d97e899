/**
 * Authentication, project binding, rate limiting, health, metrics and the OpenAPI document, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFireLateness, recordRunMetrics } from '../../api/metrics.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { P1_TOKEN, startTestApi, TEST_TOKEN, type TestApi } from './api-harness.ts';

let api: TestApi;
let p2Task = '';

beforeAll(async () => {
  api = await startTestApi();
  const ds = await api.call('POST', '/v2/p2/fdi/instances/i1/datasources', { body: { datasource_name: 'files', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-api-auth' } } });
  expect(ds.status).toBe(201);
  const t = await api.call('POST', '/v2/p2/fdi/instances/i1/tasks', {
    body: {
      task: { task_name: 'api-auth.p2', task_type: 'TIMING', source_datasource_id: ds.body.datasource_id, target_datasource_id: ds.body.datasource_id },
      task_detail: { sourceSelectedDatasource: { path: 'in', fileName: 'a.csv' }, targetSelectedDatasource: { path: 'out', fileName: 'b.csv' }, mappingRequired: false },
    },
  });
  expect(t.status, t.text).toBe(200);
  p2Task = t.body.task.task_id;
});

afterAll(async () => {
  await api?.close();
});

describe('authentication', () => {
  it('401 FDI.1000 without a token, 401 FDI.1002 with a wrong one, JSON either way', async () => {
    const none = await api.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/json');
    expect(none.body.error_code).toBe('FDI.1000');
    const wrong = await api.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: 'not-a-token' });
    expect(wrong).toMatchObject({ status: 401, body: { error_code: 'FDI.1002' } });
    const basic = await api.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: null, headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(basic).toMatchObject({ status: 401, body: { error_code: 'FDI.1002' } });
  });

  it('accepts X-Auth-Token and Authorization: Bearer', async () => {
    expect((await api.call('GET', '/v2/p1/fdi/instances/i1/tasks')).status).toBe(200);
    const bearer = await api.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: null, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('a token bound to p1 sees p1 and gets 404 (not 403) for p2, whatever the id', async () => {
    expect((await api.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: P1_TOKEN })).status).toBe(200);
    const real = await api.call('GET', `/v2/p2/fdi/instances/i1/tasks/${p2Task}`, { token: P1_TOKEN });
    const fake = await api.call('GET', '/v2/p2/fdi/instances/i1/tasks/api-does-not-exist', { token: P1_TOKEN });
    expect(real.status).toBe(404);
    expect(real.body.error_code).toBe('FDI.3081');
    expect(real.body).toEqual(fake.body); // an existing id and a made-up one look the same
    expect(real.body.error_msg).not.toContain(p2Task);
    const del = await api.call('DELETE', `/v2/p2/fdi/instances/i1/tasks/${p2Task}`, { token: P1_TOKEN });
    expect(del).toMatchObject({ status: 404, body: { error_code: 'FDI.3081' } });
    const batch = await api.call('POST', '/v2/p2/fdi/instances/i1/batch-operation/tasks', { token: P1_TOKEN, body: { action_id: 'stop', list: [{ task_id: p2Task }] } });
    expect(batch.status).toBe(404);
    const ds = await api.call('GET', '/v2/p2/fdi/instances/i1/datasources', { token: P1_TOKEN });
    expect(ds).toMatchObject({ status: 404, body: { error_code: 'FDI.3101' } });
    // still there for a token that may see p2
    expect((await api.call('GET', `/v2/p2/fdi/instances/i1/tasks/${p2Task}`)).status).toBe(200);
  });

  it('the same task id under another project or instance in the path is 404', async () => {
    expect((await api.call('GET', `/v2/p1/fdi/instances/i1/tasks/${p2Task}`)).body.error_code).toBe('FDI.3081');
    expect((await api.call('GET', `/v2/p2/fdi/instances/i2/tasks/${p2Task}`)).body.error_code).toBe('FDI.3081');
  });

  it('health, readiness, metrics and the OpenAPI document answer without a token', async () => {
    expect(await api.call('GET', '/healthz', { token: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.call('GET', '/readyz', { token: null })).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect((await api.call('GET', '/metrics', { token: null })).status).toBe(200);
    expect((await api.call('GET', '/openapi.json', { token: null })).status).toBe(200);
    const docs = await api.call('GET', '/docs', { token: null });
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('Swagger UI');
  });
});

describe('rate limit', () => {
  it('429 FDI.1007 with Retry-After once the bucket is empty, per token', async () => {
    const limited = await startTestApi({ config: { rateLimit: { perSecond: 0.5, burst: 3 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/v2/p1/fdi/instances/i1/tasks')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await limited.call('GET', '/v2/p1/fdi/instances/i1/tasks');
      expect(res.body.error_code).toBe('FDI.1007');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // another token has its own bucket; health checks are not limited
      expect((await limited.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: P1_TOKEN })).status).toBe(200);
      expect((await limited.call('GET', '/healthz', { token: null })).status).toBe(200);
      // wrong tokens are limited by client address, before the 401
      const anon: number[] = [];
      for (let i = 0; i < 4; i++) anon.push((await limited.call('GET', '/v2/p1/fdi/instances/i1/tasks', { token: 'guess' })).status);
      expect(anon).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('readiness', () => {
  it('503 when Redis does not answer', async () => {
    const down = await startTestApi();
    try {
      await down.redis.quit();
      const res = await down.call('GET', '/readyz', { token: null });
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
    } finally {
      await down.close().catch(() => undefined);
    }
  });
});

describe('metrics', () => {
  it('exposes runs by status, rows, bytes, dirty rows, run duration, fire lateness, queue depth and HTTP requests', async () => {
    const log = { execute_status: 'SUCCESS', data_count: 7, dirty_data_count: 2, data_size: 1.5, data_size_unit: 'KB', spend_time: 1200 } as TaskMonitorLog;
    const before = (await api.call('GET', '/metrics', { token: null })).text;
    recordRunMetrics(log);
    recordFireLateness(250);
    const text = (await api.call('GET', '/metrics', { token: null })).text;
    const value = (t: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(t)?.[1] ?? 0);
    expect(value(text, 'fdi_runs_total{execute_status="SUCCESS"}') - value(before, 'fdi_runs_total{execute_status="SUCCESS"}')).toBe(1);
    expect(value(text, 'fdi_rows_total') - value(before, 'fdi_rows_total')).toBe(7);
    expect(value(text, 'fdi_dirty_rows_total') - value(before, 'fdi_dirty_rows_total')).toBe(2);
    expect(value(text, 'fdi_bytes_total') - value(before, 'fdi_bytes_total')).toBe(1536);
    expect(value(text, 'fdi_run_duration_seconds_count{execute_status="SUCCESS"}') - value(before, 'fdi_run_duration_seconds_count{execute_status="SUCCESS"}')).toBe(1);
    expect(value(text, 'fdi_fire_lateness_seconds_count') - value(before, 'fdi_fire_lateness_seconds_count')).toBe(1);
    expect(text).toMatch(/^fdi_queue_depth 0$/m);
    expect(text).toMatch(/^fdi_http_requests_total\{method="GET",route="\/v2\/:project_id\/fdi\/instances\/:instance_id\/tasks",status="200"\} \d+$/m);
  });
});

describe('OpenAPI', () => {
  it('documents every route with the request schemas the server validates with', async () => {
    const doc = (await api.call('GET', '/openapi.json', { token: null })).body;
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/v2/{project_id}/fdi/instances/{instance_id}/datasources',
      '/v2/{project_id}/fdi/instances/{instance_id}/datasources/{datasource_id}/tables',
      '/v2/{project_id}/fdi/instances/{instance_id}/tasks',
      '/v2/{project_id}/fdi/instances/{instance_id}/tasks/{task_id}/dispatches/{dispatch_id}',
      '/v2/{project_id}/fdi/instances/{instance_id}/batch-operation/tasks',
      '/v2/{project_id}/fdi/instances/{instance_id}/task-monitors',
      '/v2/{project_id}/fdi/instances/{instance_id}/tasks/{task_id}/monitor-logs',
      '/v2/{project_id}/fdi/instances/{instance_id}/tasks/{task_id}/monitor-logs/{run_id}/dirty-records',
    ]) {
      expect(paths).toContain(p);
    }
    const create = doc.paths['/v2/{project_id}/fdi/instances/{instance_id}/tasks'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['task', 'task_detail']);
    expect(schema.properties.task.properties.task_name.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$');
    expect(schema.properties.task.properties.task_name['x-fdi-code']).toBe('FDI.3157');
    // answers are documented too, with the spec's field names and the shared error body
    const created = create.responses['200'].content['application/json'].schema;
    expect(created.properties.task.properties.task_type.enum).toEqual(['timing', 'realtime']);
    const logsDoc = doc.paths['/v2/{project_id}/fdi/instances/{instance_id}/tasks/{task_id}/monitor-logs'].get.responses;
    expect(Object.keys(logsDoc).sort()).toEqual(['200', '400', '401', '404', '429', '500']);
    const logItem = logsDoc['200'].content['application/json'].schema.properties.entities.items;
    expect(Object.keys(logItem.properties)).toEqual(expect.arrayContaining(['execute_status', 'position_status', 'detail_logs', 'read_spend_time']));
    expect(logsDoc['404'].content['application/json'].schema.required).toEqual(['error_code', 'error_msg']);
  });
});
