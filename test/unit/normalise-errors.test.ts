import { describe, expect, it } from 'vitest';
import { parseTaskBasic, parseTaskBody } from '../../core/normalise/index.ts';
import { expectFdiError, incrementalBody, validBody, withPath, withPaths, type Body } from '../fixtures/spec/bodies.ts';

const S = 'task_detail.sourceSelectedDatasource';
const T = 'task_detail.targetSelectedDatasource';
const parse = (body: unknown) => () => parseTaskBody(body, { taskId: 't1' });

describe('the valid base bodies parse', () => {
  it('full and incremental', () => {
    expect(parseTaskBody(validBody(), { taskId: 't1' }).source.incremental).toBeUndefined();
    expect(parseTaskBody(incrementalBody(), { taskId: 't1' }).source.incremental?.dateColumn).toBe('updated_at');
  });
});

describe('FDI.3165 task missing', () => {
  it.each<[string, unknown]>([
    ['no body', undefined],
    ['null body', null],
    ['an array body', [validBody()]],
    ['no task', withPath(validBody(), 'task', undefined)],
    ['task null', withPath(validBody(), 'task', null)],
    ['task a string', withPath(validBody(), 'task', 'orders-sync')],
    ['task a list', withPath(validBody(), 'task', [])],
  ])('%s', (_, body) => {
    expectFdiError(parse(body), 'FDI.3165', 'task');
  });
  it('parseTaskBasic alone', () => {
    expectFdiError(() => parseTaskBasic(undefined), 'FDI.3165', 'task');
  });
});

describe('FDI.3166 task_detail missing, empty or invalid', () => {
  it.each<[string, unknown, string]>([
    ['missing', undefined, 'task_detail'],
    ['empty string', '', 'task_detail'],
    ['blank string', '  \n ', 'task_detail'],
    ['null', null, 'task_detail'],
    ['a number', 42, 'task_detail'],
    ['a list', [{}], 'task_detail'],
    ['JSON of a list', '[1,2]', 'task_detail'],
    ['empty object', {}, 'task_detail'],
    ['JSON of an empty object', '{}', 'task_detail'],
    ['v1 wrapper with an empty raw_form_data', { raw_form_data: '' }, 'task_detail.raw_form_data'],
    ['v1 wrapper with bad JSON', { raw_form_data: '{"a":' }, 'task_detail.raw_form_data'],
  ])('%s', (_, detail, field) => {
    expectFdiError(parse(withPath(validBody(), 'task_detail', detail)), 'FDI.3166', field);
  });

  it.each<[string, number, number, number]>([
    ['{"sourceSelectedDatasource": {"a": 1,, "b": 2}}', 37, 1, 38],
    ['{"a": tru}', 6, 1, 7],
    ['{"a":\n  {"b": [1, 2}\n}', 19, 2, 14],
    ['{"a": 1', 7, 1, 8],
    ['{"a": "x\ty"}', 8, 1, 9],
    ['{"a": 1} trailing', 9, 1, 10],
    ['{a: 1}', 1, 1, 2],
    ['{"a": 01}', 7, 1, 8],
  ])('bad JSON %j: position %i', (text, position, line, column) => {
    const err = expectFdiError(parse(withPath(validBody(), 'task_detail', text)), 'FDI.3166', 'task_detail');
    expect(err.message).toContain(`at position ${position} (line ${line}, column ${column})`);
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe('FDI.3157 task_name', () => {
  it.each(['ab', 'x'.repeat(101), '_starts-with-underscore', '.dot', 'has space', 'semi;colon', '中文任务名', ''])('%j', (name) => {
    expectFdiError(parse(withPath(validBody(), 'task.task_name', name)), 'FDI.3157', 'task.task_name');
  });
  it('missing or not a string', () => {
    expectFdiError(parse(withPath(validBody(), 'task.task_name', undefined)), 'FDI.3157', 'task.task_name');
    expectFdiError(parse(withPath(validBody(), 'task.task_name', 12345)), 'FDI.3157', 'task.task_name');
  });
  it('the limits themselves are accepted', () => {
    for (const name of ['abc', `a${'b'.repeat(99)}`, '1.a_b-c']) {
      expect(parseTaskBody(withPath(validBody(), 'task.task_name', name), { taskId: 't' }).taskName).toBe(name);
    }
  });
});

describe('FDI.3144 task_type', () => {
  it.each<unknown>(['SCHEDULED', 'cdc', '3', 0, '', true, undefined, null])('%j', (type) => {
    expectFdiError(parse(withPath(validBody(), 'task.task_type', type)), 'FDI.3144', 'task.task_type');
  });
});

describe('FDI.3146 source or target info empty', () => {
  it.each<[string, unknown]>([
    ['sourceSelectedDatasource', undefined],
    ['sourceSelectedDatasource', {}],
    ['sourceSelectedDatasource', 'mysql'],
    ['sourceSelectedDatasource', []],
    ['targetSelectedDatasource', undefined],
    ['targetSelectedDatasource', {}],
    ['targetSelectedDatasource', null],
  ])('%s = %j', (key, value) => {
    expectFdiError(parse(withPath(validBody(), `task_detail.${key}`, value)), 'FDI.3146', `task_detail.${key}`);
  });
});

describe('FDI.3173 data source id empty', () => {
  it.each<[string, unknown]>([
    ['source_datasource_id', undefined],
    ['source_datasource_id', ''],
    ['source_datasource_id', '   '],
    ['target_datasource_id', undefined],
    ['target_datasource_id', null],
  ])('%s = %j', (key, value) => {
    expectFdiError(parse(withPath(validBody(), `task.${key}`, value)), 'FDI.3173', `task.${key}`);
  });
  it('longer than 64 characters is FDI.3033', () => {
    expectFdiError(parse(withPath(validBody(), 'task.source_datasource_id', 'x'.repeat(65))), 'FDI.3033', 'task.source_datasource_id');
  });
});

describe('FDI.3145 mapping empty or invalid', () => {
  const noMapping = (b: Body) => withPaths(b, { 'task_detail.mappingTable': [], 'task_detail.mappingInput': undefined });
  it('required but empty', () => {
    expectFdiError(parse(noMapping(validBody())), 'FDI.3145', 'task_detail.mappingTable');
    expectFdiError(parse(withPath(noMapping(validBody()), 'task_detail.mappingInput', { mode: 'keyValue', dataSource: [] })), 'FDI.3145', 'task_detail.mappingTable');
  });
  it('required is the default', () => {
    expectFdiError(parse(withPath(noMapping(validBody()), 'task_detail.mappingRequired', undefined)), 'FDI.3145', 'task_detail.mappingTable');
  });
  it('a row without sourceColumn or targetColumn, or not an object', () => {
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTable[1].sourceColumn', '')), 'FDI.3145', 'task_detail.mappingTable[1].sourceColumn');
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTable[0].targetColumn', undefined)), 'FDI.3145', 'task_detail.mappingTable[0].targetColumn');
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTable[0]', 'id')), 'FDI.3145', 'task_detail.mappingTable[0]');
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTable', 'id,amount')), 'FDI.3145', 'task_detail.mappingTable');
  });
  it('a target column mapped twice', () => {
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTable[1].targetColumn', 'id')), 'FDI.3145', 'task_detail.mappingTable');
  });
  it('a mappingInput pair without a key', () => {
    const body = withPath(noMapping(validBody()), 'task_detail.mappingInput', { dataSource: [{ sourceKey: 'a', targetKey: 'a' }, { sourceKey: 'b' }] });
    expectFdiError(parse(body), 'FDI.3145', 'task_detail.mappingInput.dataSource[1].targetKey');
  });
  it('bad flags and properties', () => {
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingSourceTextOrNot', [{ flag: 'maybe' }])), 'FDI.3145', 'task_detail.mappingSourceTextOrNot[0].flag');
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingTableProperties', [{}, { targetUnique: 'key' }])), 'FDI.3145', 'task_detail.mappingTableProperties[1].targetUnique');
    expectFdiError(parse(withPath(validBody(), 'task_detail.mappingRequired', 'sometimes')), 'FDI.3145', 'task_detail.mappingRequired');
  });
  it('pass-through may be empty', () => {
    const spec = parseTaskBody(withPath(noMapping(validBody()), 'task_detail.mappingRequired', 'false'), { taskId: 't' });
    expect(spec.mapping).toEqual({ required: false, columns: [] });
  });
});

describe('FDI.3142 description', () => {
  it('over 1024 characters', () => {
    expectFdiError(parse(withPath(validBody(), 'task.description', 'd'.repeat(1025))), 'FDI.3142', 'task.description');
  });
  it('1024 is accepted', () => {
    expect(parseTaskBody(withPath(validBody(), 'task.description', 'd'.repeat(1024)), { taskId: 't' }).description).toHaveLength(1024);
  });
  it('not a string is FDI.3033', () => {
    expectFdiError(parse(withPath(validBody(), 'task.description', { text: 'x' })), 'FDI.3033', 'task.description');
  });
});

describe('FDI.3557 task_tag', () => {
  it.each<unknown>(['abc', 'x'.repeat(65), 'has space', 'dot.tag', 7])('%j', (tag) => {
    expectFdiError(parse(withPath(validBody(), 'task.task_tag', tag)), 'FDI.3557', 'task.task_tag');
  });
  it('4 and 64 characters are accepted; empty is no tag', () => {
    expect(parseTaskBody(withPath(validBody(), 'task.task_tag', 'ab-_'), { taskId: 't' }).taskTag).toBe('ab-_');
    expect(parseTaskBody(withPath(validBody(), 'task.task_tag', 'x'.repeat(64)), { taskId: 't' }).taskTag).toHaveLength(64);
    expect(parseTaskBody(withPath(validBody(), 'task.task_tag', ''), { taskId: 't' }).taskTag).toBeUndefined();
  });
});

describe('custom SQL: FDI.3073, FDI.3051, FDI.3071, FDI.3074', () => {
  const sql = (body: Body, query: unknown) => withPaths(body, { [`${S}.isAddSql`]: true, [`${S}.querySql`]: query });
  it('FDI.3073 isAddSql with an empty or missing SQL', () => {
    expectFdiError(parse(sql(validBody(), '')), 'FDI.3073', `${S}.querySql`);
    expectFdiError(parse(sql(validBody(), '   ')), 'FDI.3073', `${S}.querySql`);
    expectFdiError(parse(sql(validBody(), undefined)), 'FDI.3073', `${S}.querySql`);
  });
  it('FDI.3051 SQL over 20000 characters', () => {
    const long = `SELECT * FROM t WHERE note = '${'x'.repeat(20_000)}'`;
    expectFdiError(parse(sql(validBody(), long)), 'FDI.3051', `${S}.querySql`);
    const exact = `SELECT 1 -- ${'x'.repeat(20_000 - 12)}`;
    expect(exact).toHaveLength(20_000);
    expect(parseTaskBody(sql(validBody(), exact), { taskId: 't' }).source.querySql).toBe(exact);
  });
  it('FDI.3071 incremental SQL without both placeholders', () => {
    for (const q of ['SELECT * FROM t', 'SELECT * FROM t WHERE u >= ${{begin}}', 'SELECT * FROM t WHERE u < ${{end}}']) {
      expectFdiError(parse(sql(incrementalBody(), q)), 'FDI.3071', `${S}.querySql`);
    }
    const ok = 'SELECT * FROM t WHERE u >= ${{begin}} AND u < ${{end}}';
    const spec = parseTaskBody(sql(incrementalBody(), ok), { taskId: 't' });
    expect(spec.source.querySql).toBe(ok);
    expect(spec.source.isAddSql).toBe(true);
  });
  it('FDI.3074 non-incremental SQL with a placeholder', () => {
    expectFdiError(parse(sql(validBody(), 'SELECT * FROM t WHERE u >= ${{begin}}')), 'FDI.3074', `${S}.querySql`);
    expectFdiError(parse(sql(validBody(), 'SELECT * FROM t WHERE u < ${{end}}')), 'FDI.3074', `${S}.querySql`);
  });
  it('a querySql without isAddSql is not used', () => {
    const spec = parseTaskBody(withPath(validBody(), `${S}.querySql`, 'SELECT 1'), { taskId: 't' });
    expect(spec.source.querySql).toBeUndefined();
  });
});

describe('FDI.3063 compensation_time', () => {
  it.each<unknown>([-1, '-5', 'abc', 1.5, '10ms', true, { ms: 1 }])('%j', (value) => {
    expectFdiError(parse(withPath(incrementalBody(), `${S}.compensation_time`, value)), 'FDI.3063', `${S}.compensation_time`);
  });
  it('milliseconds as a number or a string; absent is 0', () => {
    expect(parseTaskBody(withPath(incrementalBody(), `${S}.compensation_time`, '60000'), { taskId: 't' }).source.incremental?.compensationMs).toBe(60000);
    expect(parseTaskBody(withPath(incrementalBody(), `${S}.compensation_time`, undefined), { taskId: 't' }).source.incremental?.compensationMs).toBe(0);
  });
});

describe('FDI.3033 other bad fields', () => {
  it.each<[string, string, unknown, string?]>([
    ['dataTimestamp missing when incremental', `${S}.dataTimestamp`, undefined],
    ['dataTimestamp empty when incremental', `${S}.dataTimestamp`, ''],
    ['dataTimestamp negative', `${S}.dataTimestamp`, -1],
    ['dataTimestamp not a number', `${S}.dataTimestamp`, '2024-01-01'],
    ['timeZone missing when incremental', `${S}.timeZone`, undefined],
    ['timeZone invalid', `${S}.timeZone`, 'Mars/Olympus'],
    ['timeZone offset out of range', `${S}.timeZone`, 'GMT+19:00'],
    ['sourceDateColumn missing for a table source', `${S}.sourceDateColumn`, undefined],
    ['need_inc_migration not a boolean', `${S}.need_inc_migration`, 'perhaps'],
    ['reset_incr_begin_time not a boolean', `${S}.reset_incr_begin_time`, 'soon'],
  ])('%s', (_, field, value) => {
    expectFdiError(parse(withPath(incrementalBody(), field, value)), 'FDI.3033', field);
  });

  it('incremental on a realtime task', () => {
    expectFdiError(parse(withPath(incrementalBody(), 'task.task_type', 'REALTIME')), 'FDI.3033', `${S}.need_inc_migration`);
  });

  it.each<[string, string, unknown]>([
    ['orderType not ASC/DESC', `${S}.orderType`, 'UP'],
    ['isAddSql not a boolean', `${S}.isAddSql`, 'sql'],
    ['isParse not a boolean', `${S}.isParse`, 'maybe'],
    ['oversize table name', `${S}.sourceTable`, 't'.repeat(256)],
    ['column without a name', `${S}.sourceSelectedColumnList[1].field_name`, ''],
    ['column unique not a flag', `${S}.sourceSelectedColumnList[0].unique`, 'primary'],
    ['max_file_size negative', `${S}.max_file_size`, -1],
    ['skip_header_rows negative', `${S}.skip_header_rows`, '-2'],
    ['batch_num above 1500000 when parsed', `${S}.batch_num`, 1_500_001],
    ['unknown charset', `${S}.file_content_charset`, 'UTF-9'],
    ['kafka_data_type unknown', `${S}.kafka_data_type`, 'avro'],
    ['offset_reset unknown', `${S}.offset_reset`, 'middle'],
    ['targetNeedCreateTable not a boolean', `${T}.targetNeedCreateTable`, 'yes please'],
    ['file_content_type unknown', `${T}.file_content_type`, 'pdfFile'],
    ['add_header not a boolean', `${T}.add_header`, 'first'],
    ['target column listed twice', `${T}.targetSelectedColumnList[1].field_name`, 'id'],
  ])('%s', (_, field, value) => {
    expectFdiError(parse(withPath(validBody(), field, value)), 'FDI.3033', field);
  });

  it('batch_num above 20000 when passed through', () => {
    const body = withPaths(validBody(), { [`${S}.isParse`]: false, [`${S}.batch_num`]: 20_001 });
    expectFdiError(parse(body), 'FDI.3033', `${S}.batch_num`);
  });

  it('batchNumber column that is also a mapping target', () => {
    expectFdiError(parse(withPath(validBody(), `${T}.batchNumber`, 'amount')), 'FDI.3033', `${T}.batchNumber`);
  });

  describe('where', () => {
    const where = (cond: Record<string, unknown>) => withPath(validBody(), `${S}.where`, [{ andor: 'and', field_name: 'status', ...cond }]);
    it.each<[string, Record<string, unknown>, string]>([
      ['unknown op', { op: 'like', value: 'x' }, `${S}.where[0].op`],
      ['missing op', { value: 'x' }, `${S}.where[0].op`],
      ['missing value for equal', { op: 'equal' }, `${S}.where[0].value`],
      ['missing minValue for between', { op: 'between', maxValue: '9' }, `${S}.where[0].minValue`],
      ['missing maxValue for notBetween', { op: 'notBetween', minValue: '1' }, `${S}.where[0].maxValue`],
      ['andor neither and nor or', { op: 'isNull', andor: 'xor' }, `${S}.where[0].andor`],
      ['missing field_name', { op: 'isNull', field_name: '' }, `${S}.where[0].field_name`],
    ])('%s', (_, cond, field) => {
      expectFdiError(parse(where(cond)), 'FDI.3033', field);
    });
    it('every documented op is accepted, in any case', () => {
      const ops = ['equal', 'NOTEQUAL', 'less', 'lessEqual', 'more', 'moreequal', 'isNull', 'notNull', 'between', 'notBetween', 'inList', 'notInList'];
      const conditions = ops.map((op) => ({ andor: 'or', field_name: 'f', op, value: '1', minValue: '1', maxValue: '2' }));
      const spec = parseTaskBody(withPath(validBody(), `${S}.where`, conditions), { taskId: 't' });
      expect(spec.source.where.map((w) => w.op)).toEqual([
        'equal', 'notEqual', 'less', 'lessEqual', 'more', 'moreEqual', 'isNull', 'notNull', 'between', 'notBetween', 'inList', 'notInList',
      ]);
      expect(spec.source.where.every((w) => w.andOr === 'OR')).toBe(true);
    });
  });

  describe('error_handler and afterImplementation', () => {
    it('more than one error_handler', () => {
      const body = withPath(validBody(), 'task_detail.error_handler', [{ datasource_id: 'a', mode: 'OBS' }, { datasource_id: 'b', mode: 'OBS' }]);
      expectFdiError(parse(body), 'FDI.3033', 'task_detail.error_handler');
    });
    it('afterImplementation without a topic', () => {
      const body = withPath(validBody(), 'task_detail.afterImplementation', { actionType: 'KAFKA', datasourceId: 'k', messageContent: 'done' });
      expectFdiError(parse(body), 'FDI.3033', 'task_detail.afterImplementation.topic');
    });
    it('an all-empty object is no afterImplementation', () => {
      const body = withPath(validBody(), 'task_detail.afterImplementation', { actionType: '', datasourceId: '', topic: '', messageContent: '' });
      expect(parseTaskBody(body, { taskId: 't' }).afterImplementation).toBeUndefined();
    });
  });

  describe('runtime', () => {
    it.each<[string, unknown]>([
      ['batch_size', 0],
      ['batch_size', 100_001],
      ['channel_capacity', 1001],
      ['dirty_max_count', -1],
      ['dirty_max_ratio', 1.5],
      ['dirty_max_ratio', 'half'],
      ['dirty_min_sample', -3],
      ['integrity_check', 'always'],
      ['parallelism', 0],
      ['parallelism', 17],
      ['parallelism', 1.5],
      ['progress_interval_ms', 5],
      ['batchsise', 10],
    ])('%s = %j', (key, value) => {
      expectFdiError(parse(withPath(validBody(), 'task_detail.runtime', { [key]: value })), 'FDI.3033', `task_detail.runtime.${key}`);
    });
    it('not an object', () => {
      expectFdiError(parse(withPath(validBody(), 'task_detail.runtime', 500)), 'FDI.3033', 'task_detail.runtime');
    });
  });

  it('a value JSON cannot hold in an object task_detail', () => {
    expectFdiError(parse(withPath(validBody(), `${S}.note`, () => 1)), 'FDI.3033', `${S}.note`);
    expectFdiError(parse(withPath(validBody(), `${S}.when`, new Date(0))), 'FDI.3033', `${S}.when`);
    expectFdiError(parse(withPath(validBody(), `${S}.ratio`, Number.NaN)), 'FDI.3033', `${S}.ratio`);
  });
});

describe('timeZone of a full (non-incremental) task', () => {
  it('is checked, and kept in extra as sent', () => {
    expectFdiError(parse(withPath(validBody(), `${S}.timeZone`, 'Nowhere/Land')), 'FDI.3033', `${S}.timeZone`);
    expectFdiError(parse(withPath(validBody(), `${S}.time_zone`, 'GMT+99')), 'FDI.3033', `${S}.time_zone`);
    const spec = parseTaskBody(withPath(validBody(), `${S}.time_zone`, 'UTC+8'), { taskId: 't' });
    expect(spec.source.incremental).toBeUndefined();
    expect(spec.source.extra).toEqual({ time_zone: 'UTC+8' });
  });
});
