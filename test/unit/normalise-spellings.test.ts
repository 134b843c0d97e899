import { describe, expect, it } from 'vitest';
import { parseTaskBasic, parseTaskBody, parseTaskDetail } from '../../core/normalise/index.ts';
import type { TaskSpec } from '../../core/task-spec.ts';

/** A TaskSpec without rawDetail, which keeps the decoded task_detail as received and so differs by design. */
function model(body: unknown): Omit<TaskSpec, 'rawDetail'> {
  const { rawDetail: _raw, ...rest } = parseTaskBody(body, { taskId: 'same-id' });
  return rest;
}

const task = { task_name: 'spell-test', task_type: 'TIMING', source_datasource_id: 'src', target_datasource_id: 'tgt' };

// Scenario A: relational, incremental, mapping table with properties and constant flags, handlers, runtime.
const relationalCamel = {
  sourceSelectedDatasource: {
    isAddSql: false,
    sourceTable: 'shop.orders',
    sourceSelectedColumnList: [
      { fieldName: 'id', fieldType: 'INT', fieldLength: 11, nullable: false, unique: true },
      { fieldName: 'updated_at', fieldType: 'DATETIME', fieldLength: 19, nullable: true, unique: false },
    ],
    orderColumn: 'id',
    orderType: 'DESC',
    where: [{ andOr: 'OR', fieldName: 'status', fieldType: 'varchar', op: 'inList', value: 'A,B' }],
    needIncMigration: true,
    sourceDateColumn: 'updated_at',
    dataTimestamp: 1700000000000,
    timeZone: 'Asia/Shanghai',
    compensationTime: 60000,
    resetIncrBeginTime: true,
    isParse: true,
  },
  targetSelectedDatasource: {
    targetTable: 'dw.orders',
    targetNeedCreateTable: true,
    isSupportClearTab: false,
    supportPartUpdate: true,
    batchNumber: 'batch_no',
    targetSelectedColumnList: [{ fieldName: 'id', fieldType: 'INT', fieldLength: '11', nullable: false, unique: true }],
  },
  mappingTable: [
    { sourceColumn: 'id', sourceColumnType: 'INT', sourceColumnLength: '11', targetColumn: 'id', targetColumnType: 'INT', targetColumnLength: '11' },
    { sourceColumn: 'ERP', targetColumn: 'origin' },
  ],
  mappingTableProperties: [
    { targetNullable: false, targetUnique: true },
    { targetNullable: true, targetUnique: false },
  ],
  mappingSourceTextOrNot: [{ flag: false }, { flag: true }],
  mappingRequired: true,
  errorHandler: { datasourceId: 'dirty-ds', path: 'dirty/orders', mode: 'OBS', appId: 'app-1', stopTaskWhenObsFailure: true },
  afterImplementation: { actionType: 'KAFKA', datasourceId: 'kafka-ds', topic: 'done', messageContent: 'ok', appId: 'app-1' },
  runtime: { batchSize: 500, channelCapacity: 8, dirtyMaxCount: 10, dirtyMaxRatio: 0.1, dirtyMinSample: 50, integrityCheck: true, parallelism: 2, progressIntervalMs: 1000 },
};

const relationalSnake = {
  source_selected_datasource: {
    is_add_sql: 'false',
    source_table: 'shop.orders',
    source_selected_column_list: [
      { field_name: 'id', field_type: 'INT', field_length: '11', null_able: '0', unique: '1' },
      { field_name: 'updated_at', field_type: 'DATETIME', field_length: '19', null_able: '1', unique: '0' },
    ],
    order_column: 'id',
    order_type: 'desc',
    where: [{ andor: 'or', field_name: 'status', field_type: 'varchar', op: 'inlist', value: 'A,B' }],
    need_inc_migration: 'true',
    source_date_column: 'updated_at',
    data_timestamp: '1700000000000',
    time_zone: 'Asia/Shanghai',
    compensation_time: '60000',
    reset_incr_begin_time: '1',
    is_parse: 'true',
  },
  target_selected_datasource: {
    target_table: 'dw.orders',
    target_need_create_table: 'true',
    is_support_clear_tab: '0',
    support_part_update: 1,
    batch_number: 'batch_no',
    target_selected_column_list: [{ field_name: 'id', field_type: 'INT', field_length: 11, null_able: 0, unique: 1 }],
  },
  mapping_table: [
    { source_column: 'id', source_column_type: 'INT', source_column_length: 11, target_column: 'id', target_column_type: 'INT', target_column_length: 11 },
    { source_column: 'ERP', target_column: 'origin' },
  ],
  mapping_table_properties: [
    { target_nullable: '0', target_unique: '1' },
    { target_nullable: '1', target_unique: '0' },
  ],
  mapping_source_textornot: [false, true],
  mapping_required: 'true',
  error_handler: [{ datasource_id: 'dirty-ds', path: 'dirty/orders', mode: 'obs', app_id: 'app-1', stop_task_when_obs_failure: 'true' }],
  after_implementation: [{ action_type: 'kafka', datasource_id: 'kafka-ds', topic: 'done', message_content: 'ok', app_id: 'app-1' }],
  runtime: { batch_size: '500', channel_capacity: '8', dirty_max_count: '10', dirty_max_ratio: '0.1', dirty_min_sample: '50', integrity_check: 'true', parallelism: '2', progress_interval_ms: '1000' },
};

// Scenario B: Kafka source with metadata → file target with headers; mappingInput pairs.
const streamingA = {
  sourceSelectedDatasource: {
    sourceTopicName: 'events',
    kafkaDataType: 'JSON',
    isParse: 'true',
    consumerGroup: 'g1',
    offsetReset: 'LATEST',
    sourceMetaData: { mode: 'keyValue', dataSource: [{ index: 0, name: 'id', type: 'Integer', format: '', path: 'a.id' }] },
  },
  targetSelectedDatasource: {
    path: '/out',
    writeMode: 'append',
    fileContentType: 'TEXTFILE',
    fileType: 'CSV',
    fileNamePrefix: 'events_',
    nullFormat: '',
    addHeader: true,
    fileContentCharset: 'GBK',
    fieldDelimiter: '|',
    metaData: [{ dataSource: [{ index: '0', name: 'id' }] }],
    topic: 'mirror',
    targetKafkaKey: 'id',
    taegetHeaders: { mode: 'keyValue', dataSource: [{ key: 'source', value: 'fdi' }] },
  },
  mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'id', targetKey: 'id' }] },
  mappingRequired: true,
};

const streamingB = {
  source_selected_datasource: {
    source_topic_name: 'events',
    kafka_data_type: 'json',
    is_parse: true,
    consumer_group: 'g1',
    offset_reset: 'latest',
    extend_meta_data: [{ dataSource: [{ index: '0', name: 'id', type: 'Integer', path: 'a.id' }] }],
  },
  target_selected_datasource: {
    path: '/out',
    write_mode: 'append',
    file_content_type: 'textFile',
    file_type: 'csv',
    file_name_prefix: 'events_',
    null_format: '',
    add_header: 'true',
    file_content_charset: 'GBK',
    field_delimiter: '|',
    meta_data: [{ index: 0, name: 'id' }],
    topic: 'mirror',
    target_kafka_key: 'id',
    target_headers: { source: 'fdi' },
  },
  mapping_input: [{ mode: 'keyValue', data_source: [{ source_key: 'id', target_key: 'id' }] }],
  mapping_required: 1,
};

describe('spelling variants produce identical TaskSpecs', () => {
  it('relational: camelCase + native types vs snake_case + strings, lower-case enums, lists for objects', () => {
    const camel = model({ task, task_detail: relationalCamel });
    const snake = model({ task, task_detail: relationalSnake });
    expect(snake).toEqual(camel);
    // and what they both say, precisely
    expect(camel.source.incremental).toEqual({ dateColumn: 'updated_at', dataTimestamp: 1700000000000, timeZone: 'Asia/Shanghai', compensationMs: 60000, resetBeginTime: true });
    expect(camel.source.orderType).toBe('DESC');
    expect(camel.source.where).toEqual([{ andOr: 'OR', field: 'status', fieldType: 'varchar', op: 'inList', value: 'A,B' }]);
    expect(camel.source.selectedColumns).toEqual([
      { name: 'id', type: 'INT', length: '11', nullable: false, unique: true },
      { name: 'updated_at', type: 'DATETIME', length: '19', nullable: true, unique: false },
    ]);
    expect(camel.target).toMatchObject({ targetNeedCreateTable: true, isSupportClearTab: false, supportPartUpdate: true, batchNumber: 'batch_no' });
    expect(camel.mapping.columns).toEqual([
      { source: 'id', sourceType: 'INT', sourceLength: '11', target: 'id', targetType: 'INT', targetLength: '11', constant: false, targetNullable: false, targetUnique: true },
      { source: 'ERP', target: 'origin', constant: true, targetNullable: true, targetUnique: false },
    ]);
    expect(camel.errorHandler).toEqual({ datasourceId: 'dirty-ds', path: 'dirty/orders', mode: 'OBS', appId: 'app-1', stopTaskWhenFailure: true });
    expect(camel.afterImplementation).toEqual({ actionType: 'KAFKA', datasourceId: 'kafka-ds', topic: 'done', messageContent: 'ok', appId: 'app-1' });
    expect(camel.runtime).toEqual({ batchSize: 500, channelCapacity: 8, dirtyMaxCount: 10, dirtyMaxRatio: 0.1, dirtyMinSample: 50, integrityCheck: true, parallelism: 2, progressIntervalMs: 1000, textBatchSize: 5000, textTransfer: true });
    expect(camel.source.extra).toEqual({});
    expect(camel.target.extra).toEqual({});
  });

  it('streaming: sourceMetaData object vs extend_meta_data list, taegetHeaders vs a header map, mappingInput object vs list', () => {
    const a = model({ task, task_detail: streamingA });
    const b = model({ task, task_detail: streamingB });
    expect(b).toEqual(a);
    expect(a.source).toMatchObject({ topic: 'events', kafkaDataType: 'json', isParse: true, consumerGroup: 'g1', offsetReset: 'latest' });
    expect(a.source.metaData).toEqual([{ index: 0, name: 'id', type: 'Integer', path: 'a.id' }]);
    expect(a.target).toMatchObject({
      path: '/out', writeMode: 'append', fileContentType: 'textFile', fileType: 'csv', fileNamePrefix: 'events_',
      nullFormat: '', addHeader: true, fileContentCharset: 'GBK', fieldDelimiter: '|', topic: 'mirror', kafkaKey: 'id',
    });
    expect(a.target.metaData).toEqual([{ index: 0, name: 'id' }]);
    expect(a.target.kafkaHeaders).toEqual([{ key: 'source', value: 'fdi' }]);
    expect(a.mapping.columns).toEqual([{ source: 'id', target: 'id', constant: false }]);
  });

  it('targetHeaders as a list of {keys, value} pairs equals taegetHeaders (sic)', () => {
    const withList = { ...streamingA, targetSelectedDatasource: { ...streamingA.targetSelectedDatasource, taegetHeaders: undefined, targetHeaders: [{ keys: 'source', value: 'fdi' }] } };
    expect(model({ task, task_detail: withList })).toEqual(model({ task, task_detail: streamingA }));
  });

  it('task_type TIMING, timing, "2" and 2; REALTIME, realtime, "1" and 1', () => {
    const timing = ['TIMING', 'timing', 'Timing', '2', 2].map((t) => model({ task: { ...task, task_type: t }, task_detail: relationalCamel }));
    for (const m of timing) expect(m).toEqual(timing[0]);
    expect(timing[0]!.taskType).toBe('TIMING');
    const passThrough = { ...streamingA, mappingRequired: false, mappingInput: undefined };
    const realtime = ['REALTIME', 'realtime', '1', 1].map((t) => model({ task: { ...task, task_type: t }, task_detail: passThrough }));
    for (const m of realtime) expect(m).toEqual(realtime[0]);
    expect(realtime[0]!.taskType).toBe('REALTIME');
  });

  it('task_detail as an object, a JSON string, a string of a string, and the v1 raw_form_data wrapper', () => {
    const json = JSON.stringify(relationalCamel);
    const forms: unknown[] = [relationalCamel, json, JSON.stringify(json), { raw_form_data: json }, { rawFormData: relationalCamel }, { task_id: 'x', raw_form_data: json }];
    const specs = forms.map((detail) => parseTaskBody({ task, task_detail: detail }, { taskId: 'same-id' }));
    for (const s of specs) expect(s).toEqual(specs[0]);
    expect(specs[0]!.rawDetail).toEqual(relationalCamel);
  });

  it('the envelope in camelCase too (taskName, taskType, sourceDatasourceId …)', () => {
    const camelTask = { taskName: 'spell-test', taskType: 'timing', sourceDatasourceId: 'src', targetDatasourceId: 'tgt' };
    expect(model({ task: camelTask, taskDetail: relationalCamel })).toEqual(model({ task, task_detail: relationalCamel }));
  });

  it('booleans: true/"true"/"TRUE"/1/"1"/"yes" and false/"false"/0/"0"/"no"; empty string is the default', () => {
    const flag = (v: unknown) => model({ task, task_detail: { ...relationalCamel, targetSelectedDatasource: { ...relationalCamel.targetSelectedDatasource, isSupportClearTab: v } } }).target.isSupportClearTab;
    for (const v of [true, 'true', 'TRUE', ' true ', 1, '1', 'yes']) expect(flag(v)).toBe(true);
    for (const v of [false, 'false', 0, '0', 'no', '', null]) expect(flag(v)).toBe(false);
  });

  it('mappingTable wins over mappingInput when both have rows', () => {
    const both = { ...relationalCamel, mappingInput: { dataSource: [{ sourceKey: 'x', targetKey: 'y' }] } };
    expect(model({ task, task_detail: both }).mapping).toEqual(model({ task, task_detail: relationalCamel }).mapping);
  });
});

describe('parseTaskBasic and parseTaskDetail on their own', () => {
  it('the envelope in its canonical shape: upper-case type, empty optional fields left out, other fields ignored', () => {
    expect(parseTaskBasic({ ...task, task_type: 'timing', description: '', task_tag: '', status: 'stop', task_id: 'x' })).toEqual(task);
    expect(parseTaskBasic({ ...task, task_type: '1', description: 'd', task_tag: 'tag-1' })).toEqual({ ...task, task_type: 'REALTIME', description: 'd', task_tag: 'tag-1' });
  });
  it('parseTaskDetail with a parsed envelope equals parseTaskBody', () => {
    const basic = parseTaskBasic(task);
    expect(parseTaskDetail(JSON.stringify(relationalCamel), basic, 'same-id')).toEqual(parseTaskBody({ task, task_detail: relationalCamel }, { taskId: 'same-id' }));
  });
});
