import { describe, expect, it } from 'vitest';
import { DATASOURCE_TYPES, parseDataSourceBody, parseTaskFile } from '../../core/normalise/index.ts';
import { expectFdiError, validBody, withPath, type Body } from '../fixtures/spec/bodies.ts';

const mysql = { datasource_name: 'orders-db', datasource_type: 'MYSQL', app_id: 'app-0001', content: { host: '127.0.0.1', port: '3306', database_name: 'shop', user_name: 'root', password: 'secret', mode: 'default' } };

describe('parseDataSourceBody', () => {
  it('keeps content as given, upper-cases the type, takes the id from the argument', () => {
    const ds = parseDataSourceBody({ ...mysql, datasource_type: 'mysql', description: 'the shop' }, 'ds-1');
    expect(ds).toEqual({
      datasource_id: 'ds-1',
      datasource_name: 'orders-db',
      datasource_type: 'MYSQL',
      app_id: 'app-0001',
      description: 'the shop',
      content: mysql.content,
    });
  });

  it('id: argument, else the body, else a new 32-hex id', () => {
    expect(parseDataSourceBody({ ...mysql, datasource_id: 'own' }, 'arg').datasource_id).toBe('arg');
    expect(parseDataSourceBody({ ...mysql, datasource_id: 'own' }).datasource_id).toBe('own');
    const a = parseDataSourceBody(mysql).datasource_id;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(parseDataSourceBody(mysql).datasource_id).not.toBe(a);
  });

  it('v1 spellings name/type and the FILE type of the local connector', () => {
    const ds = parseDataSourceBody({ name: 'local', type: 'file', content: { path: '/tmp/in.csv' } }, 'f');
    expect(ds.datasource_type).toBe('FILE');
    expect(ds.datasource_name).toBe('local');
    expect(ds.app_id).toBeUndefined();
  });

  it('accepts each of the 40 spec types and FILE', () => {
    expect(DATASOURCE_TYPES).toHaveLength(41);
    for (const type of DATASOURCE_TYPES) {
      expect(parseDataSourceBody({ ...mysql, datasource_type: type.toLowerCase() }, 'x').datasource_type).toBe(type);
    }
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['only spaces', '   '],
    ['256 characters', 'n'.repeat(256)],
    ['&', 'a&b'],
    ['<', 'a<b'],
    ['>', 'a>b'],
    ['"', 'a"b'],
    ["'", "a'b"],
    ['(', 'a(b'],
    [')', 'a)b'],
    ['a number list', [1]],
    ['missing', undefined],
  ])('FDI.3033 datasource_name %s', (_, name) => {
    expectFdiError(() => parseDataSourceBody({ ...mysql, datasource_name: name }), 'FDI.3033', 'datasource_name');
  });

  it('datasource_name limits: 1 and 255 characters, inner spaces', () => {
    expect(parseDataSourceBody({ ...mysql, datasource_name: 'x' }).datasource_name).toBe('x');
    expect(parseDataSourceBody({ ...mysql, datasource_name: 'n'.repeat(255) }).datasource_name).toHaveLength(255);
    expect(parseDataSourceBody({ ...mysql, datasource_name: ' my db ' }).datasource_name).toBe(' my db ');
  });

  it.each<unknown>(['', 'M', '8MYSQL', 'MY SQL', 'my-sql', 'X'.repeat(33), 'DROP TABLE x;--', 3, undefined])('FDI.3443 datasource_type %j', (type) => {
    expectFdiError(() => parseDataSourceBody({ ...mysql, datasource_type: type }), 'FDI.3443', 'datasource_type');
  });

  it.each(['UPMEM', 'customized', 'Oracle19_ee'])('a plugin type %j is a well-formed name (the registry decides whether a connector serves it)', (type) => {
    expect(parseDataSourceBody({ ...mysql, datasource_type: type }).datasource_type).toBe(type.toUpperCase());
  });

  it.each<unknown>([undefined, null, 'host=1', [], ['a'], 5])('FDI.3447 content %j', (content) => {
    expectFdiError(() => parseDataSourceBody({ ...mysql, content }), 'FDI.3447', 'content');
  });

  it('FDI.3033 for content JSON cannot hold, app_id too short, a bad id; FDI.3442 description too long', () => {
    expectFdiError(() => parseDataSourceBody({ ...mysql, content: { port: Number.POSITIVE_INFINITY } }), 'FDI.3033', 'content.port');
    expectFdiError(() => parseDataSourceBody({ ...mysql, app_id: 'abc' }), 'FDI.3033', 'app_id');
    expectFdiError(() => parseDataSourceBody({ ...mysql, datasource_id: 'i'.repeat(65) }), 'FDI.3033', 'datasource_id');
    expectFdiError(() => parseDataSourceBody({ ...mysql, description: 'd'.repeat(1025) }), 'FDI.3442', 'description');
  });

  it('not an object', () => {
    for (const body of [null, undefined, 'mysql', [mysql], 1]) {
      expectFdiError(() => parseDataSourceBody(body), 'FDI.3033', 'datasource');
    }
  });
});

describe('parseTaskFile', () => {
  const file = (): Body => ({
    datasources: [
      { ...mysql, datasource_id: 'src-1' },
      { datasource_id: 'tgt-1', datasource_name: 'warehouse', datasource_type: 'POSTGRESQL', content: { host: '127.0.0.1' } },
    ],
    ...validBody(),
  });

  it('parses the data sources and the task; the task id is the task name unless task_id is given', () => {
    const parsed = parseTaskFile(file());
    expect(parsed.datasources.map((d) => [d.datasource_id, d.datasource_type])).toEqual([['src-1', 'MYSQL'], ['tgt-1', 'POSTGRESQL']]);
    expect(parsed.task.taskId).toBe('orders-sync');
    expect(parsed.task.sourceDatasourceId).toBe('src-1');
    expect(parseTaskFile(withPath(file(), 'task.task_id', 'fixed-id')).task.taskId).toBe('fixed-id');
  });

  it('task_detail as a JSON string', () => {
    const f = file();
    const asString = withPath(f, 'task_detail', JSON.stringify(f.task_detail));
    expect(parseTaskFile(asString)).toEqual(parseTaskFile(f));
  });

  it('FDI.3147 naming the id when a referenced data source is not in the file', () => {
    const err = expectFdiError(() => parseTaskFile(withPath(file(), 'task.target_datasource_id', 'nowhere')), 'FDI.3147', 'task.target_datasource_id');
    expect(err.message).toContain('nowhere');
    expectFdiError(() => parseTaskFile(withPath(file(), 'task.source_datasource_id', 'gone')), 'FDI.3147', 'task.source_datasource_id');
    const withHandler = withPath(file(), 'task_detail.error_handler', { datasource_id: 'dirty-ds', path: 'dirty.jsonl' });
    expectFdiError(() => parseTaskFile(withHandler), 'FDI.3147', 'task_detail.error_handler.datasource_id');
    const withAfter = withPath(file(), 'task_detail.afterImplementation', { actionType: 'KAFKA', datasourceId: 'k', topic: 't', messageContent: 'm' });
    expectFdiError(() => parseTaskFile(withAfter), 'FDI.3147', 'task_detail.afterImplementation.datasourceId');
  });

  it('FDI.3173 for a data source without datasource_id; FDI.3033 for a duplicate', () => {
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources[1].datasource_id', undefined)), 'FDI.3173', 'datasources[1].datasource_id');
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources[1].datasource_id', 'src-1')), 'FDI.3033', 'datasources[1].datasource_id');
  });

  it('errors inside a data source name its place in the list', () => {
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources[0].datasource_type', 'NO PE')), 'FDI.3443', 'datasources[0].datasource_type');
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources[1].content', 'x')), 'FDI.3447', 'datasources[1].content');
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources[0]', 'mysql')), 'FDI.3033', 'datasources[0]');
  });

  it('missing parts', () => {
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources', undefined)), 'FDI.3033', 'datasources');
    expectFdiError(() => parseTaskFile(withPath(file(), 'datasources', { id: 1 })), 'FDI.3033', 'datasources');
    expectFdiError(() => parseTaskFile(withPath(file(), 'task', undefined)), 'FDI.3165', 'task');
    expectFdiError(() => parseTaskFile(withPath(file(), 'task_detail', undefined)), 'FDI.3166', 'task_detail');
    expectFdiError(() => parseTaskFile([file()]), 'FDI.3033', 'task file');
  });
});
