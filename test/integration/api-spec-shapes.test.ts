/**
 * Response shapes field by field against the spec's tables, over HTTP against the real Redis store (and the real
 * MariaDB for the column listing).
 */
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness.ts';
import { mysqlContent, services } from './api-sql-fixtures.ts';

const BASE = '/v2/p1/fdi/instances/spec-shapes';
const TABLE = 'api_spec_shapes_cols';

let api: TestApi;
let myConn: mysql.Connection;
let mysqlId = '';
let taskId = '';

const detail = {
  sourceSelectedDatasource: { sourceTable: TABLE, sourceSelectedColumnList: [{ field_name: 'id', field_type: 'INT', unique: '1' }] },
  targetSelectedDatasource: { targetTable: `${TABLE}_copy`, targetSelectedColumnList: [{ field_name: 'id', field_type: 'INT', unique: '1' }] },
  mappingTable: [{ sourceColumn: 'id', targetColumn: 'id' }],
  mappingRequired: true,
};

beforeAll(async () => {
  api = await startTestApi();
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await myConn.query(`CREATE TABLE ${TABLE} (id INT PRIMARY KEY, amount DECIMAL(10,2) NULL, note VARCHAR(20) NULL)`);
  const ds = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'api-spec-shapes-mysql', datasource_type: 'MYSQL', content: mysqlContent } });
  expect(ds.status, ds.text).toBe(201);
  mysqlId = ds.body.datasource_id;
  const t = await api.call('POST', `${BASE}/tasks`, {
    body: { task: { task_name: 'api-spec-shapes.task', task_type: 'TIMING', source_datasource_id: mysqlId, target_datasource_id: mysqlId }, task_detail: JSON.stringify(detail) },
  });
  expect(t.status, t.text).toBe(200);
  taskId = t.body.task.task_id;
});

afterAll(async () => {
  await myConn?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await myConn?.end();
  await api?.close();
});

describe('ColumnInfo (datasources.md §1.9, 4.1.7)', () => {
  it('answers every field of the table, in its order: is_partition Boolean, decimal_digits null for non-numeric types', async () => {
    for (const path of [`${BASE}/datasources/${mysqlId}/columns?direction_type=SOURCE&table_name=${TABLE}`, `${BASE}/datasources/${mysqlId}/tables/${TABLE}/columns`]) {
      const res = await api.call('GET', path);
      expect(res.status, res.text).toBe(200);
      const columns = res.body.columns as Record<string, unknown>[];
      expect(columns.map((c) => c['field_name'])).toEqual(['id', 'amount', 'note']);
      for (const c of columns) {
        expect(Object.keys(c)).toEqual(['field_name', 'field_type', 'field_length', 'null_able', 'is_partition', 'primary', 'unique', 'decimal_digits']);
        expect(c['is_partition']).toBe(false);
      }
      const [id, amount, note] = columns;
      expect(id).toMatchObject({ primary: '1', unique: '1', null_able: '0' });
      expect(amount).toMatchObject({ field_length: '10', decimal_digits: '2', null_able: '1', primary: '0' });
      expect(note).toMatchObject({ field_length: '20', decimal_digits: null, null_able: '1' });
    }
  });
});

describe('DataSourceRsp (datasources.md §1.5)', () => {
  it('answers app_permission, a list of read/access/delete/modify, on create, get, list and update', async () => {
    const all = ['read', 'access', 'delete', 'modify'];
    const created = await api.call('POST', `${BASE}/datasources`, { body: { datasource_name: 'api-spec-shapes-perm', datasource_type: 'MYSQL', content: mysqlContent } });
    expect(created.status).toBe(201);
    expect(created.body.app_permission).toEqual(all);
    const id = created.body.datasource_id;
    expect((await api.call('GET', `${BASE}/datasources/${id}`)).body.app_permission).toEqual(all);
    const list = await api.call('GET', `${BASE}/datasources?name=api-spec-shapes-perm`);
    expect(list.body.entities.map((e: { app_permission: string[] }) => e.app_permission)).toEqual([all]);
    const updated = await api.call('PUT', `${BASE}/datasources/${id}`, { body: { datasource_name: 'api-spec-shapes-perm', datasource_type: 'MYSQL', content: { ...mysqlContent, password: '******' } } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.app_permission).toEqual(all);
    expect((await api.call('DELETE', `${BASE}/datasources/${id}`)).status).toBe(204);
  });
});

describe('tasks (tasks.md 4.3.2, 4.3.5)', () => {
  it('BriefTaskRespBean has ext_type (null: not a composite task) beside every other field of the table', async () => {
    const res = await api.call('GET', `${BASE}/tasks`);
    expect(res.status).toBe(200);
    const [entity] = res.body.entities as Record<string, unknown>[];
    expect(entity).toMatchObject({ task_id: taskId, task_type: 'TIMING', status: 0, ext_type: null, enterprise_project_id: '0' });
    expect(Object.keys(entity ?? {}).sort()).toEqual(
      ['created_date', 'enterprise_project_id', 'execute_status', 'ext_type', 'last_modified_time', 'source_instance_id', 'status', 'target_instance_id', 'task_id', 'task_name', 'task_type', 'version'].sort(),
    );
    expect(typeof entity?.['created_date']).toBe('string');
    expect(typeof entity?.['last_modified_time']).toBe('number');
  });

  it('TaskBasicRsp carries the extras of the 4.3.5 example: task_mode, enterprise_project_id, *_datasource_type, execute_status, repulling_snapshot', async () => {
    const res = await api.call('GET', `${BASE}/tasks/${taskId}`);
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({
      task_type: 'timing',
      status: 'stop',
      task_mode: 'NORMAL',
      enterprise_project_id: '0',
      source_datasource_type: 'MYSQL',
      target_datasource_type: 'MYSQL',
      execute_status: 'UNSTARTED',
      repulling_snapshot: false,
    });
    expect(typeof res.body.task.created_date).toBe('number');
    expect(typeof res.body.task_detail).toBe('string');
  });
});
