/**
 * Every FDI code the API produces, each from a real request over HTTP, and a malformed-input suite: missing
 * fields, wrong types, oversize strings, bad JSON, unknown enum values, injection attempts. Each answer is the
 * documented code and status with `{error_code, error_msg}` naming the field, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConnector } from '../../connectors/sdk/index.ts';
import type { Store } from '../../core/store.ts';
import type { TaskControl } from '../../scheduler/control.ts';
import { startTestApi, type ApiResponse, type TestApi } from './api-harness.ts';

const BASE = '/v2/p1/fdi/instances/i1';

/** A connector that serves realtime tasks only and cannot list tables (for FDI.3060 and FDI.3104). */
const realtimeOnly = defineConnector<{ [key: string]: unknown }>({
  type: 'redis',
  serves: { source: ['REALTIME'], target: ['REALTIME'] },
  parseOptions: (content) => content,
  reader: () => {
    throw new Error('not used');
  },
  writer: () => {
    throw new Error('not used');
  },
});

let api: TestApi;
let fileDs = '';
let redisDs = '';
let taskId = '';

function expectError(res: ApiResponse, status: number, code: string, mentions?: string): void {
  expect({ status: res.status, code: (res.body as { error_code?: string }).error_code }, res.text).toEqual({ status, code });
  const body = res.body as Record<string, unknown>;
  expect(Object.keys(body).filter((k) => k !== 'detail').sort()).toEqual(['error_code', 'error_msg']);
  expect(typeof body['error_msg']).toBe('string');
  expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+/);
  if (mentions) expect(body['error_msg']).toContain(mentions);
}

const task = (over: Record<string, unknown> = {}) => ({
  task_name: 'api-err.task',
  task_type: 'TIMING',
  source_datasource_id: fileDs,
  target_datasource_id: fileDs,
  ...over,
});

const detail = {
  sourceSelectedDatasource: { path: 'in', fileName: 'a.csv', sourceMetaData: [{ index: 0, name: 'id' }] },
  targetSelectedDatasource: { path: 'out', fileName: 'b.csv', meta_data: [{ index: 0, name: 'id' }] },
  mappingRequired: false,
};

beforeAll(async () => {
  api = await startTestApi();
  api.registry.register(realtimeOnly as never);
  const ds = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'api-err-files', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-api-err' } } });
  expect(ds.status).toBe(201);
  fileDs = ds.body.datasource_id;
  const rds = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'api-err-redis', datasource_type: 'REDIS', content: { address: '127.0.0.1:1' } } });
  expect(rds.status).toBe(201);
  redisDs = rds.body.datasource_id;
  const t = await api.call('POST', `${BASE}/tasks`, { body: { task: task(), task_detail: detail } });
  expect(t.status, t.text).toBe(200);
  taskId = t.body.task.task_id;
});

afterAll(async () => {
  await api?.close();
});

describe('task body codes', () => {
  const post = (body: unknown) => api.call('POST', `${BASE}/tasks`, { body });

  it('FDI.3165 task missing or not an object', async () => {
    expectError(await post({ task_detail: detail }), 400, 'FDI.3165', 'task');
    expectError(await post({ task: 'x', task_detail: detail }), 400, 'FDI.3165', 'task');
  });
  it('FDI.3166 task_detail missing, empty or of a wrong type', async () => {
    expectError(await post({ task: task() }), 400, 'FDI.3166', 'task_detail');
    expectError(await post({ task: task(), task_detail: '' }), 400, 'FDI.3166', 'task_detail');
    expectError(await post({ task: task(), task_detail: 5 }), 400, 'FDI.3166', 'task_detail');
  });
  it('FDI.3157 task_name rules, including injection attempts and oversize names', async () => {
    for (const name of ['ab', 'x'.repeat(101), '-starts-with-dash', "x'; DROP TABLE t;--", '<script>alert(1)</script>', '../../etc/passwd', '名字名字', 'a b c', '$(rm -rf /)', 123, null]) {
      expectError(await post({ task: task({ task_name: name }), task_detail: detail }), 400, 'FDI.3157', 'task_name');
    }
    expectError(await post({ task: task({ task_name: undefined }), task_detail: detail }), 400, 'FDI.3157', 'task_name');
  });
  it('FDI.3144 unknown task_type', async () => {
    expectError(await post({ task: task({ task_type: 'DAILY' }), task_detail: detail }), 400, 'FDI.3144', 'task_type');
    expectError(await post({ task: task({ task_type: 2 }), task_detail: detail }), 400, 'FDI.3144', 'task_type');
  });
  it('FDI.3146 / FDI.3173 data-source ids missing or empty', async () => {
    expectError(await post({ task: task({ source_datasource_id: undefined }), task_detail: detail }), 400, 'FDI.3146', 'source_datasource_id');
    expectError(await post({ task: task({ target_datasource_id: '' }), task_detail: detail }), 400, 'FDI.3173', 'target_datasource_id');
  });
  it('FDI.3142 description over 1024, FDI.3557 bad task_tag', async () => {
    expectError(await post({ task: task({ description: 'd'.repeat(1025) }), task_detail: detail }), 400, 'FDI.3142', 'description');
    expectError(await post({ task: task({ task_tag: 'ab' }), task_detail: detail }), 400, 'FDI.3557', 'task_tag');
    expectError(await post({ task: task({ task_tag: 'tag with space' }), task_detail: detail }), 400, 'FDI.3557', 'task_tag');
  });
  it('FDI.3147 unknown data source; the id of another instance does not count', async () => {
    expectError(await post({ task: task({ task_name: 'api-err.nods', source_datasource_id: 'api-no-such-ds' }), task_detail: detail }), 400, 'FDI.3147', 'source_datasource_id');
    const elsewhere = await api.call('POST', '/v2/p1/fdi/instances/i2/tasks', { body: { task: task({ task_name: 'api-err.elsewhere' }), task_detail: detail } });
    expectError(elsewhere, 400, 'FDI.3147');
  });
  it('FDI.3147 an error_handler data source of another project (the worker resolves it by id alone)', async () => {
    const foreign = await api.call('POST', '/v2/p9/fdi/instances/i1/datasources', { body: { datasource_name: 'p9-files', datasource_type: 'FILE', content: { base_path: '/tmp/p9' } } });
    expect(foreign.status).toBe(201);
    const withHandler = { ...detail, error_handler: { datasource_id: foreign.body.datasource_id, path: 'dirty' } };
    expectError(await post({ task: task({ task_name: 'api-err.handler' }), task_detail: withHandler }), 400, 'FDI.3147', 'error_handler');
    const handlerDs = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'api-err-dirty', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-api-dirty' } } });
    const ownHandler = { ...detail, error_handler: { datasource_id: handlerDs.body.datasource_id, path: 'dirty' } };
    const ok = await post({ task: task({ task_name: 'api-err.handler' }), task_detail: ownHandler });
    expect(ok.status, ok.text).toBe(200);
    // the dirty-record destination is in use too
    expectError(await api.call('DELETE', `${BASE}/datasources/${handlerDs.body.datasource_id}`), 500, 'FDI.3121', 'api-err.handler');
    expect((await api.call('DELETE', `${BASE}/tasks/${ok.body.task.task_id}`)).status).toBe(204);
    expect((await api.call('DELETE', `${BASE}/datasources/${handlerDs.body.datasource_id}`)).status).toBe(204);
  });
  it('FDI.3059 / FDI.3060 a connector that cannot serve the task type', async () => {
    expectError(await post({ task: task({ task_name: 'api-err.rt', task_type: 'REALTIME' }), task_detail: detail }), 400, 'FDI.3059', 'source_datasource_id');
    expectError(await post({ task: task({ task_name: 'api-err.tm', source_datasource_id: redisDs }), task_detail: detail }), 400, 'FDI.3060', 'source_datasource_id');
  });
  it('FDI.3058 duplicate name', async () => {
    expectError(await post({ task: task(), task_detail: detail }), 400, 'FDI.3058', 'api-err.task');
  });
  it('task_detail rules of the normaliser arrive with their codes (FDI.3166, FDI.3074)', async () => {
    expectError(await post({ task: task({ task_name: 'api-err.bad-json' }), task_detail: '{"sourceSelectedDatasource": ' }), 400, 'FDI.3166', 'task_detail');
    const sql = { ...detail, sourceSelectedDatasource: { isAddSql: true, querySql: 'SELECT * FROM t WHERE ts > ${{begin}} AND ts <= ${{end}}' } };
    expectError(await post({ task: task({ task_name: 'api-err.sql' }), task_detail: sql }), 400, 'FDI.3074');
  });
});

describe('task ids, plans and actions', () => {
  it('FDI.3081 unknown task on every task route; ids with odd characters are simply unknown', async () => {
    for (const [method, path] of [
      ['GET', '/tasks/api-nope'],
      ['PUT', '/tasks/api-nope'],
      ['DELETE', '/tasks/api-nope'],
      ['POST', '/tasks/api-nope/run'],
      ['POST', '/tasks/api-nope/terminate'],
      ['GET', '/tasks/api-nope/dispatches'],
      ['GET', '/tasks/api-nope/monitor-logs'],
      ['GET', '/tasks/*/monitor-logs'],
      ['GET', '/tasks/a%3Ab'],
      ['GET', `/tasks/${'x'.repeat(65)}`],
    ] as const) {
      const body = method === 'PUT' ? { task: task(), task_detail: detail } : undefined;
      expectError(await api.call(method, `${BASE}${path}`, body ? { body } : {}), 404, 'FDI.3081');
    }
  });
  it('FDI.3101 unknown data source', async () => {
    expectError(await api.call('GET', `${BASE}/datasources/api-nope`), 404, 'FDI.3101');
    expectError(await api.call('DELETE', `${BASE}/datasources/api-nope`), 404, 'FDI.3101');
    expectError(await api.call('GET', `${BASE}/datasources/api-nope/tables`), 404, 'FDI.3101');
  });
  it('FDI.3104 a connector that cannot list tables', async () => {
    expectError(await api.call('GET', `${BASE}/datasources/${redisDs}/tables`), 400, 'FDI.3104');
    expectError(await api.call('GET', `${BASE}/datasources/${redisDs}/columns?table_name=t`), 400, 'FDI.3104');
  });
  it('FDI.3083 plan missing; FDI.3002 plan values the plan engine refuses; FDI.3033 plan of a realtime task', async () => {
    expectError(await api.call('GET', `${BASE}/tasks/${taskId}/dispatches`), 400, 'FDI.3083');
    expectError(await api.call('PUT', `${BASE}/tasks/${taskId}/dispatches/x1`, { body: { remark: 'r' } }), 400, 'FDI.3083');
    const url = `${BASE}/tasks/${taskId}/dispatches`;
    expectError(await api.call('POST', url, { body: { use_quartz_cron: false, period: 'YEAR', dispatch_interval: 1 } }), 400, 'FDI.3002', 'period');
    expectError(await api.call('POST', url, { body: { use_quartz_cron: true, cron: '0 0 25 * * ?' } }), 400, 'FDI.3002', 'cron');
    expectError(await api.call('POST', url, { body: { use_quartz_cron: false, period: 'DAY', dispatch_interval: 0 } }), 400, 'FDI.3002', 'dispatch_interval');
    expectError(await api.call('POST', url, { body: { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: '2020-13-45' } }), 400, 'FDI.3002', 'start_datetime');
    expectError(await api.call('POST', url, { body: { use_quartz_cron: true, cron: '0 * * * * ?', time_zone: 'Mars/Olympus' } }), 400, 'FDI.3002', 'time_zone');
    expectError(await api.call('POST', url, { body: { use_quartz_cron: 5 } }), 400, 'FDI.3033', 'use_quartz_cron');
    expectError(await api.call('POST', url, { body: { dispatch_interval: true } }), 400, 'FDI.3033', 'dispatch_interval');
    expectError(await api.call('POST', url, { body: [] }), 400, 'FDI.3002');
  });
  it('period plans: ISO start converted to epoch ms, MONTH accepted as MON', async () => {
    const res = await api.call('POST', `${BASE}/tasks/${taskId}/dispatches`, {
      body: { use_quartz_cron: false, remark: '123', start_datetime: '2020-11-14T07:38:25.609Z', period: 'MONTH', dispatch_interval: 1 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ start_datetime: 1605339505609, period: 'MON', dispatch_interval: 1, remark: '123', use_quartz_cron: false });
    expect(res.body.cron).toBeUndefined();
    // switching the plan to cron in place drops the period fields
    const put = await api.call('PUT', `${BASE}/tasks/${taskId}/dispatches/${res.body.dispatch_id}`, { body: { cron: '0 0 2 ? * 2#1' } });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ use_quartz_cron: true, cron: '0 0 2 ? * 2#1', remark: '123' });
    expect(put.body.period).toBeUndefined();
  });
  it('FDI.3150 empty list, FDI.3161 unknown action, FDI.3022 empty task id, FDI.3033 more than 10', async () => {
    const url = `${BASE}/batch-operation/tasks`;
    expectError(await api.call('POST', url, { body: { action_id: 'start', list: [] } }), 400, 'FDI.3150', 'list');
    expectError(await api.call('POST', url, { body: { action_id: 'start' } }), 400, 'FDI.3150', 'list');
    expectError(await api.call('POST', url, { body: { action_id: 'start', list: 'abc' } }), 400, 'FDI.3150', 'list');
    expectError(await api.call('POST', url, { body: { action_id: 'restart', list: [{ task_id: taskId }] } }), 400, 'FDI.3161', 'action_id');
    expectError(await api.call('POST', url, { body: { list: [{ task_id: taskId }] } }), 400, 'FDI.3161', 'action_id');
    expectError(await api.call('POST', url, { body: { action_id: 'start', list: [{ task_id: '' }] } }), 400, 'FDI.3022', 'list[0].task_id');
    expectError(await api.call('POST', url, { body: { action_id: 'start', list: [{}] } }), 400, 'FDI.3022', 'list[0].task_id');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ task_id: `t${i}` }));
    expectError(await api.call('POST', url, { body: { action_id: 'stop', list: eleven } }), 400, 'FDI.3033', 'list');
  });
  it('stop of a stopped task succeeds; start and stop report per task', async () => {
    const res = await api.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'stop', list: [{ task_id: taskId }] } });
    expect(res.body).toEqual({ success_count: 1, failure_count: 0, success: [{ task_id: taskId, task_name: 'api-err.task' }], failure: [] });
  });
});

describe('data-source body codes', () => {
  const post = (body: unknown) => api.call('POST', `${BASE}/datasources`, { body });
  const ds = (over: Record<string, unknown> = {}) => ({ datasource_name: 'api-err-ds', datasource_type: 'FILE', content: { base_path: '/tmp/x' }, ...over });

  it('FDI.3033 for a missing, oversize or unsafe datasource_name', async () => {
    for (const name of [undefined, '', '   ', 'n'.repeat(256), 'a<b>', "o'hara", '(select 1)', 'x&y', 42]) {
      expectError(await post(ds({ datasource_name: name })), 400, 'FDI.3033', 'datasource_name');
    }
  });
  it('FDI.3443 unknown type or a type no connector serves', async () => {
    expectError(await post(ds({ datasource_type: 'NOSQL' })), 400, 'FDI.3443', 'NOSQL');
    expectError(await post(ds({ datasource_type: 'ORACLE' })), 400, 'FDI.3443', 'ORACLE');
    expectError(await post(ds({ datasource_type: undefined })), 400, 'FDI.3443', 'datasource_type');
  });
  it('FDI.3447 content missing or not an object; FDI.3033 naming content.<field> for the connector options', async () => {
    expectError(await post(ds({ content: undefined })), 400, 'FDI.3447', 'content');
    expectError(await post(ds({ content: 'host=1' })), 400, 'FDI.3447', 'content');
    expectError(await post(ds({ datasource_type: 'MYSQL', content: { port: '3306' } })), 400, 'FDI.3033', 'content.host');
    expectError(await post(ds({ datasource_type: 'MYSQL', content: { host: 'db;rm -rf /', database_name: 'x', user_name: 'u' } })), 400, 'FDI.3033', 'content.host');
  });
  it('FDI.3442 description over 1024, FDI.3435 app_id over 255', async () => {
    expectError(await post(ds({ description: 'd'.repeat(1025) })), 400, 'FDI.3442', 'description');
    expectError(await post(ds({ app_id: 'a'.repeat(256) })), 400, 'FDI.3435', 'app_id');
  });
  it('FDI.3033 changing the type of a data source that tasks use', async () => {
    const res = await api.call('PUT', `${BASE}/datasources/${fileDs}`, { body: ds({ datasource_type: 'KAFKA', content: { broker: '127.0.0.1:9092' } }) });
    expectError(res, 400, 'FDI.3033', 'api-err.task');
    expect((await api.call('GET', `${BASE}/datasources/${fileDs}`)).body.datasource_type).toBe('FILE');
  });
  it('FDI.3033 a masked secret with nothing stored behind it', async () => {
    const res = await api.call('PUT', `${BASE}/datasources/${fileDs}`, { body: ds({ content: { base_path: '/tmp/x', password: '******' } }) });
    expectError(res, 400, 'FDI.3033', 'content.password');
  });
});

describe('query, path and transport codes', () => {
  it('FDI.3048 bad paging, FDI.3049 bad sort, FDI.3050 bad execute_status, FDI.3144 bad task_type filter', async () => {
    expectError(await api.call('GET', `${BASE}/task-monitors?limit=abc`), 400, 'FDI.3048', 'limit');
    expectError(await api.call('GET', `${BASE}/task-monitors?offset=-1`), 400, 'FDI.3048', 'offset');
    expectError(await api.call('GET', `${BASE}/tasks?limit=0`), 400, 'FDI.3048', 'limit');
    expectError(await api.call('GET', `${BASE}/tasks?limit=1001`), 400, 'FDI.3048', 'limit');
    expectError(await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs?limit=1.5`), 400, 'FDI.3048', 'limit');
    expectError(await api.call('GET', `${BASE}/tasks?sort_field=NAME`), 400, 'FDI.3049', 'sort_field');
    expectError(await api.call('GET', `${BASE}/datasources?sort_type=UP`), 400, 'FDI.3049', 'sort_type');
    expectError(await api.call('GET', `${BASE}/tasks?execute_status=DONE`), 400, 'FDI.3050', 'execute_status');
    expectError(await api.call('GET', `${BASE}/task-monitors?execute_status=running`), 400, 'FDI.3050', 'execute_status');
    expectError(await api.call('GET', `${BASE}/tasks?task_type=daily`), 400, 'FDI.3144', 'task_type');
    expectError(await api.call('GET', `${BASE}/tasks?status=2`), 400, 'FDI.3033', 'status');
    expectError(await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs?begin_time=yesterday`), 400, 'FDI.3033', 'begin_time');
  });
  it('limit above 999 on the monitor APIs returns 999 at most, not an error', async () => {
    const res = await api.call('GET', `${BASE}/task-monitors?limit=5000`);
    expect(res.status).toBe(200);
  });
  it('injection attempts in query filters are plain text', async () => {
    const res = await api.call('GET', `${BASE}/tasks?task_name=${encodeURIComponent("' OR 1=1 --")}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
    const star = await api.call('GET', `${BASE}/task-monitors?task_name=*`);
    expect(star.body.total).toBe(0);
  });
  it('FDI.3039 / FDI.3179 malformed project and instance ids', async () => {
    expectError(await api.call('GET', '/v2/p%3A1/fdi/instances/i1/tasks'), 400, 'FDI.3039', 'project_id');
    expectError(await api.call('GET', '/v2/p1/fdi/instances/i*1/tasks'), 400, 'FDI.3179', 'instance_id');
  });
  it('FDI.3002 for a body that is not JSON or not an object, and for prototype poisoning', async () => {
    const url = `${BASE}/tasks`;
    for (const text of ['{', '{"task":', '[1,2', 'NaN', "{'task': 1}", '{"a":1}}']) {
      expectError(await api.call('POST', url, { body: text }), 400, 'FDI.3002');
    }
    for (const text of ['null', '"str"', '[]', '42']) expectError(await api.call('POST', url, { body: text }), 400, 'FDI.3002');
    expectError(await api.call('POST', url, { body: '' , headers: { 'content-type': 'application/json' } }), 400, 'FDI.3002');
    expectError(await api.call('POST', url, { body: '{"__proto__":{"polluted":true},"task":{}}' }), 400, 'FDI.3002');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
  it('FDI.1006 a body that is not JSON by its Content-Type; FDI.1005 a body over the limit', async () => {
    expectError(await api.call('POST', `${BASE}/tasks`, { body: 'task_name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'FDI.1006');
    const huge = JSON.stringify({ task: task(), task_detail: 'x'.repeat(2 * 1024 * 1024) });
    expectError(await api.call('POST', `${BASE}/tasks`, { body: huge }), 413, 'FDI.1005');
  });
  it('FDI.1004 unknown routes and unknown executions, in the same error shape', async () => {
    expectError(await api.call('GET', '/v2/p1/fdi/instances/i1/nothing-here'), 404, 'FDI.1004', '/nothing-here');
    expectError(await api.call('PATCH', `${BASE}/tasks/${taskId}`), 404, 'FDI.1004');
    expectError(await api.call('GET', '/v3/whatever', { token: null }), 404, 'FDI.1004');
    expectError(await api.call('GET', `${BASE}/tasks/${taskId}/monitor-logs/api-no-run`), 404, 'FDI.1004', 'api-no-run');
  });
});

/** A scheduler that fails every call the way a lost Redis connection would. */
class FailingControl implements TaskControl {
  constructor(private readonly running: boolean) {}
  async start(): Promise<void> {
    throw new Error('scheduler unavailable');
  }
  async stop(): Promise<void> {
    throw new Error('scheduler unavailable');
  }
  async runNow(): Promise<string> {
    throw new Error('scheduler unavailable');
  }
  async terminate(): Promise<boolean> {
    throw new Error('scheduler unavailable');
  }
  async reschedule(): Promise<void> {}
  async isRunning(): Promise<boolean> {
    if (this.running) throw new TypeError('Cannot read properties of undefined (secret internals)');
    return false;
  }
  async queueDepth(): Promise<number> {
    return 0;
  }
}

describe('when the scheduler fails', () => {
  let broken: TestApi;
  let timingId = '';
  let realtimeId = '';

  beforeAll(async () => {
    broken = await startTestApi({ control: () => new FailingControl(false) });
    const ds = await broken.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'files', datasource_type: 'FILE', content: { base_path: '/tmp/fdi-api-err' } } });
    const k = await broken.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'kafka', datasource_type: 'KAFKA', content: { broker: '127.0.0.1:1' } } });
    expect(k.status, k.text).toBe(201);
    const t = await broken.call('POST', `${BASE}/tasks`, { body: { task: { ...task(), source_datasource_id: ds.body.datasource_id, target_datasource_id: ds.body.datasource_id }, task_detail: detail } });
    timingId = t.body.task.task_id;
    const rt = await broken.call('POST', `${BASE}/tasks`, {
      body: {
        task: { task_name: 'api-err.rt', task_type: 'REALTIME', source_datasource_id: k.body.datasource_id, target_datasource_id: k.body.datasource_id },
        task_detail: { sourceSelectedDatasource: { sourceTopicName: 'api-err-in' }, targetSelectedDatasource: { targetTopicName: 'api-err-out' }, mappingRequired: false },
      },
    });
    expect(rt.status, rt.text).toBe(200);
    realtimeId = rt.body.task.task_id;
    await broken.call('POST', `${BASE}/tasks/${timingId}/dispatches`, { body: { use_quartz_cron: true, cron: '0 0 0 * * ?' } });
  });

  afterAll(async () => {
    await broken?.close();
  });

  it('FDI.3018 / FDI.3017 start failures, per task', async () => {
    const res = await broken.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'start', list: [{ task_id: timingId }, { task_id: realtimeId }] } });
    expect(res.body.failure.map((f: { error_code: string }) => f.error_code)).toEqual(['FDI.3018', 'FDI.3017']);
    expect(res.body.failure[0].error_msg).toContain('scheduler unavailable');
    expect((await broken.call('GET', `${BASE}/tasks/${timingId}`)).body.task.status).toBe('stop');
  });

  it('FDI.3020 / FDI.3019 stop failures, FDI.3028 delete of a started task whose schedule cannot be removed', async () => {
    for (const id of [timingId, realtimeId]) {
      const rec = (await broken.store.getTask(id))!;
      await broken.store.putTask({ ...rec, status: 'running' });
    }
    const res = await broken.call('POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'stop', list: [{ task_id: timingId }, { task_id: realtimeId }] } });
    expect(res.body.failure.map((f: { error_code: string }) => f.error_code)).toEqual(['FDI.3020', 'FDI.3019']);
    expectError(await broken.call('DELETE', `${BASE}/tasks/${timingId}`), 400, 'FDI.3028', 'scheduler unavailable');
    expect(await broken.store.getTask(timingId)).not.toBeNull();
    // a stopped task is deleted even so (its stop is only a safety net)
    const rec = (await broken.store.getTask(timingId))!;
    const copy = await broken.call('POST', `${BASE}/tasks`, { body: { task: { ...rec.task, task_name: 'api-err.copy' }, task_detail: rec.task_detail } });
    expect(copy.status, copy.text).toBe(200);
    expect((await broken.call('DELETE', `${BASE}/tasks/${copy.body.task.task_id}`)).status).toBe(204);
  });

  it('FDI.3026 run failure, FDI.3027 terminate failure', async () => {
    expectError(await broken.call('POST', `${BASE}/tasks/${timingId}/run`), 400, 'FDI.3026', 'scheduler unavailable');
    expectError(await broken.call('POST', `${BASE}/tasks/${timingId}/terminate`), 400, 'FDI.3027', 'scheduler unavailable');
  });

  it('FDI.9999 for an unexpected error, without its message or stack', async () => {
    const crashing = await startTestApi({ control: (_store: Store) => new FailingControl(true) });
    try {
      const ds = await crashing.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'files', datasource_type: 'FILE', content: { base_path: '/tmp/x' } } });
      const t = await crashing.call('POST', `${BASE}/tasks`, { body: { task: { ...task(), source_datasource_id: ds.body.datasource_id, target_datasource_id: ds.body.datasource_id }, task_detail: detail } });
      const res = await crashing.call('POST', `${BASE}/tasks/${t.body.task.task_id}/run`);
      expectError(res, 500, 'FDI.9999');
      expect(res.text).not.toContain('secret internals');
    } finally {
      await crashing.close();
    }
  });
});
