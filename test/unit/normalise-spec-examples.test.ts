import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME_OPTIONS } from '../../core/defaults.ts';
import { parseTaskBody, parseTaskFile } from '../../core/normalise/index.ts';
import type { TaskSpec } from '../../core/task-spec.ts';
import { loadSpecFixture } from '../fixtures/spec/load.ts';

function parseFixture(name: string, taskId = 'task-under-test'): TaskSpec {
  const fx = loadSpecFixture(name);
  return parseTaskBody({ task: fx.task, task_detail: fx.task_detail }, { taskId });
}

const col = (name: string, type: string, length: string, nullable: boolean, unique: boolean) => ({ name, type, length, nullable, unique });

describe('task-detail.md §4 examples', () => {
  it('4.1 MySQL → MySQL incremental: table source, window, mapping with properties, error_handler', () => {
    const spec = parseFixture('digest-4.1-mysql-to-mysql-incremental.json');
    expect(spec.taskId).toBe('task-under-test');
    expect(spec.taskName).toBe('orders-mysql2mysql');
    expect(spec.taskType).toBe('TIMING');
    expect(spec.sourceDatasourceId).toBe('<src-mysql-ds-id>');
    expect(spec.targetDatasourceId).toBe('<tgt-mysql-ds-id>');
    const columns = [
      col('id', 'INT', '11', false, true),
      col('amount', 'DECIMAL', '10', true, false),
      col('updated_at', 'DATETIME', '19', true, false),
    ];
    expect(spec.source).toEqual({
      isAddSql: false,
      sourceTable: 'shop.orders',
      selectedColumns: columns,
      orderColumn: 'id',
      orderType: 'ASC',
      where: [],
      incremental: {
        dateColumn: 'updated_at',
        dataTimestamp: 1700000000000,
        timeZone: 'GMT+08:00',
        compensationMs: 0,
        resetBeginTime: false,
      },
      isParse: true,
      metaData: [],
      extra: { whereOptions: [] },
    });
    expect(spec.source.querySql).toBeUndefined();
    expect(spec.target).toEqual({
      targetNeedCreateTable: false,
      isSupportClearTab: false,
      targetTable: 'dw.orders',
      selectedColumns: columns,
      supportPartUpdate: false,
      metaData: [],
      kafkaHeaders: [],
      extra: {},
    });
    expect(spec.mapping).toEqual({
      required: true,
      columns: [
        { source: 'id', target: 'id', sourceType: 'INT', sourceLength: '11', targetType: 'INT', targetLength: '11', constant: false, targetNullable: false, targetUnique: true },
        { source: 'amount', target: 'amount', sourceType: 'DECIMAL', sourceLength: '10', targetType: 'DECIMAL', targetLength: '10', constant: false, targetNullable: true, targetUnique: false },
        { source: 'updated_at', target: 'updated_at', sourceType: 'DATETIME', sourceLength: '19', targetType: 'DATETIME', targetLength: '19', constant: false, targetNullable: true, targetUnique: false },
      ],
    });
    expect(spec.errorHandler).toEqual({ mode: 'OBS', datasourceId: '<obs-ds-id>', path: 'fdi-dirty/orders', appId: '<app-id>', stopTaskWhenFailure: false });
    expect(spec.afterImplementation).toBeUndefined();
    expect(spec.runtime).toEqual(DEFAULT_RUNTIME_OPTIONS);
    expect(spec.rawDetail).toEqual(loadSpecFixture('digest-4.1-mysql-to-mysql-incremental.json').task_detail);
  });

  it('4.2 PostgreSQL → MySQL: the where filter and isSupportClearTab', () => {
    const spec = parseFixture('digest-4.2-postgresql-to-mysql-filter.json');
    expect(spec.source.sourceTable).toBe('public.customers');
    expect(spec.source.incremental).toBeUndefined();
    expect(spec.source.where).toEqual([{ andOr: 'AND', field: 'status', fieldType: 'varchar', op: 'equal', value: 'ACTIVE' }]);
    expect(spec.target.isSupportClearTab).toBe(true);
    expect(spec.target.targetTable).toBe('crm.customers');
    expect(spec.mapping.columns.map((c) => [c.source, c.sourceType, c.target, c.targetType])).toEqual([
      ['id', 'int4', 'id', 'INT'],
      ['name', 'varchar', 'name', 'VARCHAR'],
      ['status', 'varchar', 'status', 'VARCHAR'],
    ]);
  });

  it('4.3 Kafka → MySQL realtime: topic, json, sourceMetaData object, mappingInput pairs', () => {
    const spec = parseFixture('digest-4.3-kafka-to-mysql-realtime.json');
    expect(spec.taskType).toBe('REALTIME');
    expect(spec.source.topic).toBe('order-events');
    expect(spec.source.kafkaDataType).toBe('json');
    expect(spec.source.isParse).toBe(true);
    expect(spec.source.incremental).toBeUndefined();
    expect(spec.source.metaData).toEqual([
      { index: 0, name: 'id', type: 'Integer', path: 'id' },
      { index: 1, name: 'amount', type: 'String', path: 'amount' },
    ]);
    // not incremental: the zone is kept for the connector, untouched
    expect(spec.source.extra).toEqual({ timeZone: 'GMT+08:00' });
    expect(spec.target.targetTable).toBe('shop.order_events');
    expect(spec.mapping).toEqual({
      required: true,
      columns: [
        { source: 'id', target: 'id', constant: false },
        { source: 'amount', target: 'amount', constant: false },
      ],
    });
  });

  it('4.4 SFTP CSV → PostgreSQL: file keys, extend_meta_data list, header rows', () => {
    const spec = parseFixture('digest-4.4-sftp-csv-to-postgresql.json');
    expect(spec.source).toEqual({
      isAddSql: false,
      selectedColumns: [],
      where: [],
      path: '/data/FDI',
      fileName: 'customers.csv',
      fileNameCharset: 'UTF-8',
      fileContentCharset: 'UTF-8',
      maxFileSizeMb: 100,
      fieldDelimiter: ',',
      nullFormat: '',
      skipHeader: true,
      skipHeaderRows: 1,
      batchNum: 100000,
      isParse: true,
      metaData: [
        { index: 0, name: 'id', type: 'Integer' },
        { index: 1, name: 'name', type: 'String' },
      ],
      extra: {},
    });
    expect(spec.target.targetTable).toBe('public.customers');
    expect(spec.target.selectedColumns[0]).toEqual(col('id', 'int4', '10', false, true));
    expect(spec.mapping.columns.map((c) => `${c.source}>${c.target}`)).toEqual(['id>id', 'name>name']);
  });

  it('4.5 MySQL → Kafka: pass-through (mappingRequired false), topic, empty headers, targetKfkColumn kept', () => {
    const spec = parseFixture('digest-4.5-mysql-to-kafka.json');
    expect(spec.mapping).toEqual({ required: false, columns: [] });
    expect(spec.target.topic).toBe('orders-out');
    expect(spec.target.kafkaKey).toBeUndefined();
    expect(spec.target.kafkaHeaders).toEqual([]);
    expect(spec.target.extra).toEqual({ targetKfkColumn: {} });
    expect(spec.source.sourceTable).toBe('shop.orders');
  });

  it('4.6 API → MySQL incremental: window without a date column, API keys kept in extra, afterImplementation', () => {
    const spec = parseFixture('digest-4.6-api-to-mysql-incremental-paging.json');
    expect(spec.source.incremental).toEqual({
      dateColumn: '',
      dataTimestamp: 1606807799782,
      timeZone: 'GMT+08:00',
      compensationMs: 0,
      resetBeginTime: false,
    });
    expect(spec.source.metaData.map((m) => m.name)).toEqual(['name', 'age']);
    expect(spec.source.extra.pagingEndType).toBe('paging-list');
    expect(spec.source.extra.sourceParams).toEqual([{ keys: 'pageNum', value: '1' }, { keys: 'pageSize', value: '10' }]);
    expect(spec.source.extra.rootPath).toBe('data');
    expect(spec.afterImplementation).toEqual({ actionType: 'KAFKA', appId: '<app-id>', datasourceId: '<kafka-ds-id>', topic: 'fdi-done', messageContent: 'success' });
    expect(spec.errorHandler).toBeUndefined();
  });
});

describe('reference (Chinese seed) task_detail examples', () => {
  it('4.3.1 v2 create request: double-encoded string, string numbers, API source, mappingInput, error_handler object', () => {
    const fx = loadSpecFixture('seed-v2-create-request.json');
    expect(typeof fx.task_detail).toBe('string');
    const spec = parseTaskBody({ task: fx.task, task_detail: fx.task_detail });
    expect(spec.taskId).toMatch(/^[0-9a-f]{32}$/);
    expect(spec.taskName).toBe('fdi_task_v2mysql-tomysql');
    expect(spec.description).toBe('mysql');
    expect(spec.taskTag).toBe('fdi_autotest');
    expect(spec.source.incremental).toEqual({
      dateColumn: '',
      dataTimestamp: 1606807799782,
      timeZone: 'GMT+08:00',
      compensationMs: 0, // "0" as a string in the example
      resetBeginTime: false,
    });
    expect(spec.source.isParse).toBe(true); // "true" as a string
    expect(spec.source.metaData).toEqual([
      { index: 0, name: 'name', type: 'String' },
      { index: 1, name: 'age', type: 'Integer' },
    ]);
    expect(spec.source.extra.bodyRaw).toBe('{"pageNum":"1","pageSize":"10"}');
    expect(spec.target.targetTable).toBe('CDCMODEL.NODE');
    expect(spec.target.selectedColumns).toHaveLength(26);
    expect(spec.target.selectedColumns[0]).toEqual(col('NODE_ID', 'VARCHAR2', '64', false, true));
    expect(spec.target.selectedColumns.find((c) => c.name === 'ROOT_PASSWORD_OVERDUE_TIME')).toEqual(
      col('ROOT_PASSWORD_OVERDUE_TIME', 'TIMESTAMP(6)', '0', true, false),
    );
    expect(spec.mapping).toEqual({
      required: true,
      columns: [
        { source: 'name', target: 'RES_SUBNET_IP_BETA', constant: false },
        { source: 'age', target: 'METRIC_DATA', constant: false },
      ],
    });
    expect(spec.errorHandler).toEqual({
      path: 'data1',
      datasourceId: '79c4caaa3e1441dfb0351038fcf5f281',
      mode: 'OBS',
      appId: '73965e3c-72b2-40c3-8335-2154ebd6c23a',
      stopTaskWhenFailure: false,
    });
    expect(spec.afterImplementation).toEqual({
      actionType: 'KAFKA',
      appId: '73965e3c-72b2-40c3-8335-2154ebd6c23a',
      datasourceId: 'a87a31a6288e4698865be122ae485dc0',
      topic: 'lgytest99',
      messageContent: 'success',
    });
    expect(spec.rawDetail).toEqual(JSON.parse(fx.task_detail as string));
  });

  it('4.3.1 v2 create response: lower-case task_type, task-level keys, 4 mapped columns, empty dataTimestamp ignored', () => {
    const spec = parseFixture('seed-v2-create-response.json', 'ignored');
    expect(spec.taskId).toBe('ignored');
    expect(spec.taskType).toBe('TIMING');
    expect(spec.description).toBe('crate task');
    expect(spec.source.sourceTable).toBe('mydb.tb_tmp01');
    expect(spec.source.orderColumn).toBeUndefined(); // "" in the example
    expect(spec.source.orderType).toBe('ASC');
    expect(spec.source.incremental).toBeUndefined();
    expect(spec.source.extra.dataTimestamp).toBe('');
    expect(spec.source.metaData).toEqual([]); // sourceMetaData {"dataSource": []}, extend_meta_data []
    expect(spec.target.targetTable).toBe('mydb.tb_tmp01_target');
    expect(spec.target.batchNumber).toBeUndefined();
    expect(spec.target.extra).toEqual({ instanceId: '02a7726e-1fc2-44b5-ae96-84a2b5f0e660', batch_number_style: 'UUID' });
    expect(spec.mapping.columns).toEqual(
      ['id', 'name', 'deptId', 'age'].map((n, i) => ({
        source: n,
        target: n,
        sourceType: i === 1 ? 'VARCHAR' : 'INT',
        sourceLength: i === 1 ? '25' : '11',
        targetType: i === 1 ? 'VARCHAR' : 'INT',
        targetLength: i === 1 ? '25' : '11',
        constant: false,
        targetNullable: true,
        targetUnique: false,
      })),
    );
    expect(spec.rawDetail.taskType).toBe(2);
    expect(spec.rawDetail.needMQS).toBe(false);
  });

  it('4.3.4 v2 update response: server-cased "Int"/"Varchar" kept as given', () => {
    const spec = parseFixture('seed-v2-update-response.json');
    expect(spec.mapping.columns.map((c) => c.sourceType)).toEqual(['Int', 'Varchar', 'Int', 'Int']);
    expect(spec.mapping.columns.map((c) => c.targetType)).toEqual(['INT', 'VARCHAR', 'INT', 'INT']);
  });

  it('4.3.5 v2 get response: key column read from unique "1" / null_able "0"', () => {
    const spec = parseFixture('seed-v2-get-response.json');
    expect(spec.source.selectedColumns).toEqual([col('id', 'INT', '11', false, true), col('name', 'VARCHAR', '255', true, false)]);
    expect(spec.target.selectedColumns.map((c) => c.name)).toEqual(['id', 'name', 'bunum']);
    expect(spec.mapping.columns.map((c) => [c.target, c.targetUnique, c.targetNullable])).toEqual([
      ['id', true, false],
      ['name', false, true],
    ]);
  });

  it('11.1.1.3 v1 modify: {raw_form_data} wrapper, task_type "2", 8 columns and 8 mapping rows', () => {
    const fx = loadSpecFixture('seed-v1-modify-request.json');
    expect(Object.keys(fx.task_detail as object)).toEqual(['raw_form_data']);
    const spec = parseFixture('seed-v1-modify-request.json');
    expect(spec.taskType).toBe('TIMING');
    expect(spec.taskName).toBe('fdi_task_test01');
    expect(spec.description).toBe('test');
    expect(spec.source.sourceTable).toBe('fditest.test1');
    expect(spec.source.selectedColumns.map((c) => c.name)).toEqual(['weight', 'height', 'birthday', 'date1', 'job', 'sex', 'age', 'id']);
    expect(spec.target.targetTable).toBe('fditest.test1');
    expect(spec.mapping.columns).toHaveLength(8);
    expect(spec.mapping.columns[3]).toMatchObject({ source: 'date1', target: 'date1', sourceType: 'DATETIME', targetLength: '19' });
    expect(spec.rawDetail.taskName).toBe('fdi_task_wangs01');
  });

  it('11.1.1.4 v1 query (API → MySQL): fieldName/fieldType/nullable columns, metadata without index, renamed pairs', () => {
    const spec = parseFixture('seed-v1-query-api-mysql.json');
    expect(spec.taskType).toBe('TIMING');
    expect(spec.target.targetTable).toBe('xulu.device');
    expect(spec.target.selectedColumns[0]).toEqual(col('device_id', 'VARCHAR', '255', false, true));
    expect(spec.target.selectedColumns).toHaveLength(10);
    expect(spec.source.metaData[0]).toEqual({ index: 0, name: 'stream_name', type: 'string', path: '[i].channels[i].stream_name' });
    expect(spec.source.metaData[8]).toEqual({ index: 8, name: 'tcp_priority', type: 'string', path: '[i].channels[i].tcp_priority' });
    expect(spec.source.extra.bodyRaw).toEqual({});
    expect(spec.source.extra.pageNumLimit).toBe('0');
    expect(spec.mapping.columns.find((c) => c.source === 'updated_at')).toEqual({ source: 'updated_at', target: 'update_at', constant: false });
    expect(spec.mapping.columns).toHaveLength(10);
  });

  it('11.1.1.12 v1 import (Kafka → Kafka realtime): task_type 1, pass-through, taegetHeaders, merged data-source record in extra', () => {
    const spec = parseFixture('seed-v1-import-kafka-kafka.json');
    expect(spec.taskType).toBe('REALTIME');
    expect(spec.source.topic).toBe('topic-11');
    expect(spec.source.kafkaDataType).toBe('json');
    expect(spec.source.isParse).toBe(false);
    expect(spec.source.incremental).toBeUndefined();
    expect(spec.source.extra.datasource_name).toBe('fdi_ds_KAFKA');
    expect(spec.source.extra.content).toMatchObject({ broker: '192.168.19.31:9092,192.168.22.98:9092,192.168.16.131:9092', ssl: false });
    expect(spec.target.topic).toBe('topic-22');
    expect(spec.target.kafkaKey).toBeUndefined();
    expect(spec.target.kafkaHeaders).toEqual([]);
    expect(spec.target.extra.isParse).toBe('false');
    expect(spec.mapping).toEqual({ required: false, columns: [] });
  });

  it('11.1.1.13 v1 export (MySQL → MySQL): task_type 2 as a number, fid key column, 4 mapping rows', () => {
    const spec = parseFixture('seed-v1-export-mysql-mysql.json');
    expect(spec.taskType).toBe('TIMING');
    expect(spec.source.sourceTable).toBe('testfdi.CT_BAS_MANAGEORG');
    expect(spec.source.selectedColumns).toHaveLength(26);
    expect(spec.source.selectedColumns.find((c) => c.unique)).toEqual(col('fid', 'VARCHAR', '80', false, true));
    expect(spec.source.extra.type).toBe('MYSQL');
    expect(spec.mapping.columns.map((c) => c.source)).toEqual(['fdisplayname_l2', 'fdisplayname_l3', 'cftb', 'cffz']);
    expect(spec.target.targetTable).toBe('testfdi.CT_BAS_MANAGEORG');
  });
});

describe('the task files shipped in examples/', () => {
  const dir = new URL('../../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it.each(files)('%s parses', (name) => {
    const parsed = parseTaskFile(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
    expect(parsed.datasources.length).toBeGreaterThan(0);
    const ids = parsed.datasources.map((d) => d.datasource_id);
    expect(ids).toContain(parsed.task.sourceDatasourceId);
    expect(ids).toContain(parsed.task.targetDatasourceId);
  });
});
