/**
 * Numbers inside JSON documents that a double cannot hold (64-bit ids, long decimals) are copied exactly, as numbers:
 * MySQL JSON → PostgreSQL jsonb, PostgreSQL jsonb → MySQL JSON, Kafka JSON messages → PostgreSQL jsonb, and a MySQL
 * JSON column → Kafka. JSON.parse alone would round 12345678901234567890 to 12345678901234567000.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import { createSqlScratch, dropSqlScratch, harness, mysqlDatasource, pgDatasource, runTask, services, taskFile, uniqueName } from './sql-helpers.ts';

const db = uniqueName('jsonnum');
const raw = new Kafka({ clientId: 'json-exact-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = raw.producer();
let my: mysql.Connection;
let pgc: pg.Client;

/** Documents whose numbers must survive digit for digit (as text: that is how the databases print them back). */
const DOCS = [
  '{"id": 12345678901234567890, "amount": 12345678901234.5678, "small": 1.5, "list": [9007199254740993, -9223372036854775808]}',
  '{"nested": {"deep": {"n": 0.12345678901234567890123}}, "s": "text \\u00e9 😀"}',
  '[1, 2, 18446744073709551615]',
];

const kafkaDs: DataSourceRecord = {
  datasource_id: 'json-kafka',
  datasource_name: 'json-kafka',
  datasource_type: 'KAFKA',
  content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
};

/** The numbers of a JSON text as the text writes them, sorted (jsonb and MySQL JSON reorder the keys). */
function numbersOf(text: string): string[] {
  return [...text.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)].map((m) => m[0]).sort();
}

async function pgDocs(table: string): Promise<string[]> {
  const { rows } = await pgc.query<{ j: string }>(`SELECT j::text AS j FROM "${db}"."${table}" ORDER BY id`);
  return rows.map((r) => r.j);
}

async function mysqlDocs(table: string): Promise<string[]> {
  const [rows] = await my.query<RowDataPacket[]>(`SELECT CAST(j AS CHAR) AS j FROM \`${db}\`.\`${table}\` ORDER BY id`);
  return rows.map((r) => String(r.j));
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await producer.connect();
  await my.query(`CREATE TABLE \`${db}\`.src (id INT PRIMARY KEY, j JSON)`);
  for (const [i, d] of DOCS.entries()) await my.query(`INSERT INTO \`${db}\`.src VALUES (?, ?)`, [i + 1, d]);
  await pgc.query(`CREATE TABLE "${db}".src (id integer PRIMARY KEY, j jsonb)`);
  for (const [i, d] of DOCS.entries()) await pgc.query(`INSERT INTO "${db}".src VALUES ($1, $2)`, [i + 1, d]);
  await pgc.query(`CREATE TABLE "${db}".dst (id integer PRIMARY KEY, j jsonb)`);
  await pgc.query(`CREATE TABLE "${db}".from_kafka (id bigint PRIMARY KEY, j jsonb)`);
  await my.query(`CREATE TABLE \`${db}\`.dst (id INT PRIMARY KEY, j JSON)`);
});

afterAll(async () => {
  await producer.disconnect();
  await dropSqlScratch(db, { my, pgc });
});

describe('long numbers inside JSON documents', () => {
  const expected = DOCS.map(numbersOf);
  const mapping = [{ source: 'id', target: 'id' }, { source: 'j', target: 'j' }];

  it('MySQL JSON → PostgreSQL jsonb', async () => {
    const log = await runTask(harness(), taskFile({
      name: 'json-m2p', source: mysqlDatasource(db), target: pgDatasource(),
      sourceDetail: { sourceTable: `${db}.src` }, targetDetail: { targetTable: `${db}.dst` }, mapping,
    }));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(3);
    expect((await pgDocs('dst')).map(numbersOf)).toEqual(expected);
  });

  it('PostgreSQL jsonb → MySQL JSON', async () => {
    const log = await runTask(harness(), taskFile({
      name: 'json-p2m', source: pgDatasource(), target: mysqlDatasource(db),
      sourceDetail: { sourceTable: `${db}.src` }, targetDetail: { targetTable: `${db}.dst` }, mapping,
    }));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect((await mysqlDocs('dst')).map(numbersOf)).toEqual(expected);
  });

  it('Kafka JSON messages → PostgreSQL jsonb: the id field as an exact bigint, the document with its numbers', async () => {
    const topic = `json-exact-${randomUUID().slice(0, 8)}`;
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { value: '{"id": 9007199254740993, "j": {"big": 12345678901234567890, "list": [0.12345678901234567890123]}}' },
        { value: '{"id": 2, "j": {"small": 1.5}}' },
      ],
    });
    const log = await runTask(harness(), {
      datasources: [kafkaDs, pgDatasource()],
      task: { task_name: 'json-k2p', task_type: 'TIMING', source_datasource_id: 'json-kafka', target_datasource_id: 'ds-pg' },
      task_detail: {
        sourceSelectedDatasource: { sourceTopicName: topic, kafka_data_type: 'json', isParse: 'true', offset_reset: 'earliest' },
        targetSelectedDatasource: { targetTable: `${db}.from_kafka` },
        mappingTable: [],
        mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'id', targetKey: 'id' }, { sourceKey: 'j', targetKey: 'j' }] },
        mappingRequired: true,
      },
    });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(2);
    const { rows } = await pgc.query<{ id: string; j: string }>(`SELECT id::text, j::text FROM "${db}".from_kafka ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['2', '9007199254740993']);
    expect(rows.map((r) => numbersOf(r.j))).toEqual([['1.5'], ['0.12345678901234567890123', '12345678901234567890']]);
  });

  it('a MySQL JSON column → Kafka: the message carries the document with its numbers', async () => {
    const topic = `json-exact-out-${randomUUID().slice(0, 8)}`;
    const log = await runTask(harness(), taskFile({
      name: 'json-m2k', source: mysqlDatasource(db), target: kafkaDs,
      sourceDetail: { sourceTable: `${db}.src`, orderColumn: 'id' },
      targetDetail: { topic, kafka_data_type: 'json' },
      mapping,
    }));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    const consumer = raw.consumer({ groupId: `json-exact-verify-${randomUUID()}`, sessionTimeout: 6000, heartbeatInterval: 1000 });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const all = new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= 3) done();
        },
      });
    });
    await all;
    await consumer.disconnect();
    const byId = values.map((v) => JSON.parse(v) as { id: number }).map((v, i) => ({ id: v.id, text: values[i] ?? '' })).sort((a, b) => a.id - b.id);
    // Each message is {"id":n,"j":<document>}: its numbers are the id and the document's.
    expect(byId.map((m) => numbersOf(m.text))).toEqual(expected.map((nums, i) => [...nums, String(i + 1)].sort()));
  });
});
