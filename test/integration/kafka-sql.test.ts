/**
 * Kafka with the relational connectors, through the engine and FDI task files against the real services:
 * MySQL → Kafka (timing, incremental: a re-run sends nothing twice; an oversized row is dirty), Kafka →
 * PostgreSQL timing (JSON paths, bad JSON and rows PostgreSQL refuses are dirty with their reasons, upsert keeps
 * re-reads idempotent) and realtime (stop drains and commits; bad JSON and a value PostgreSQL refuses are dirty
 * with their reasons while NULLs, UTF-8 text and a JSON object land exactly; a run killed mid-way and started
 * again leaves every record exactly once in the table).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import { STOP_REASON } from '../../worker/index.ts';
import { codes, createSqlScratch, dropSqlScratch, harness, inOrder, mysqlDatasource, pgDatasource, runTask, runUntilWritten, services, step } from './sql-helpers.ts';

const tag = randomUUID().replaceAll('-', '').slice(0, 8);
const db = `kfk_sql_${tag}`;
const raw = new Kafka({ clientId: 'kfk-sql-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = raw.producer();
let my: mysql.Connection;
let pgc: pg.Client;

const kafkaDs = (extra: Record<string, string | number> = {}): DataSourceRecord => ({
  datasource_id: 'kfk-ds',
  datasource_name: 'kfk-sql',
  datasource_type: 'KAFKA',
  content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000, ...extra },
});

function topicName(label: string): string {
  return `kfk-sql-${label}-${randomUUID().slice(0, 8)}`;
}

async function consumeAll(topic: string, expected: number): Promise<{ key: string | null; value: string }[]> {
  const consumer = raw.consumer({ groupId: `kfk-sql-verify-${randomUUID()}`, sessionTimeout: 6000, heartbeatInterval: 1000 });
  const out: { key: string | null; value: string }[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => {
    done = r;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' });
      if (out.length >= expected) done();
    },
  });
  await all;
  await consumer.disconnect();
  return out;
}

async function committedOffsets(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = raw.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await dropSqlScratch(db, { my, pgc });
});

describe('MySQL → Kafka', () => {
  it('sends each row as one exact JSON message keyed by id; an oversized row is dirty; the incremental re-run sends nothing twice', async () => {
    const topic = topicName('m2k');
    await my.query(`CREATE TABLE \`${db}\`.orders (
      id BIGINT PRIMARY KEY, amount DECIMAL(20,4) NOT NULL, big BIGINT NULL, note TEXT NULL, updated DATETIME(3) NOT NULL)`);
    await my.query(`INSERT INTO \`${db}\`.orders VALUES
      (1, 12345678901234.5678, 9223372036854775807, 'first', '2024-03-01 08:00:00.000'),
      (2, 0.1000, NULL, NULL, '2024-03-01 09:00:00.000'),
      (3, 1, 1, REPEAT('x', 5000), '2024-03-01 10:00:00.000')`);
    const h = harness();
    const file = {
      datasources: [mysqlDatasource(db), kafkaDs({ max_message_bytes: 2000 })],
      task: { task_name: `kfk-m2k-${tag}`, task_type: 'TIMING', source_datasource_id: `ds-mysql-${db}`, target_datasource_id: 'kfk-ds' },
      task_detail: {
        sourceSelectedDatasource: {
          isAddSql: false,
          sourceTable: `${db}.orders`,
          orderColumn: 'id',
          need_inc_migration: true,
          sourceDateColumn: 'updated',
          dataTimestamp: 0,
          timeZone: 'GMT+00:00',
          compensation_time: 0,
        },
        targetSelectedDatasource: { topic, targetKafkaKey: 'id', targetKfkColumn: {}, taegetHeaders: { mode: 'keyValue', dataSource: [] } },
        mappingTable: [],
        mappingInput: { mode: 'keyValue', dataSource: [] },
        mappingRequired: false,
        runtime: { batch_size: 2, progress_interval_ms: 100 },
      },
    };
    const first = await runTask(h, file);
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(inOrder(codes(first), [900, 99, 100, 102, 104, 101])).toBe(true);
    expect(inOrder(codes(first), [500, 502, 504, 501, 901])).toBe(true);
    expect(step(first, 500).stage).toBe('kafkawriter');
    expect(first.data_count).toBe(2);
    expect(first.dirty_data_count).toBe(1);
    expect(h.dirty.records).toHaveLength(1);
    expect(h.dirty.records[0]).toMatchObject({ stage: 'kafkawriter', reason: expect.stringMatching(/exceeds max_message_bytes 2000/) });
    expect((h.dirty.records[0]?.record as { id: unknown }).id).toEqual(expect.anything());

    const messages = await consumeAll(topic, 2);
    const byKey = new Map(messages.map((m) => [m.key, JSON.parse(m.value) as Record<string, unknown>]));
    expect([...byKey.keys()].sort()).toEqual(['1', '2']);
    expect(byKey.get('1')).toMatchObject({ amount: '12345678901234.5678', big: '9223372036854775807', note: 'first' });
    expect(String(byKey.get('1')?.['updated'])).toMatch(/^2024-03-01T08:00:00\.000Z$/);
    expect(byKey.get('2')).toMatchObject({ amount: '0.1000', big: null, note: null });

    const second = await runTask(h, file);
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(codes(second)).toContain(105);
    expect(codes(second)).not.toContain(500);
  });
});

describe('Kafka → PostgreSQL', () => {
  const table = `${db}.events`;

  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".events (
      id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, name varchar(5), at timestamptz)`);
  });

  /** A Kafka JSON → PostgreSQL task: each field taken from its path in the message, written to the same column. */
  const kafkaToPg = (
    name: string,
    topic: string,
    taskType: 'TIMING' | 'REALTIME',
    targetTable: string,
    fields: readonly { name: string; type: string; path: string }[],
    runtime: Record<string, unknown> = {},
  ) => ({
    datasources: [kafkaDs(), pgDatasource()],
    task: { task_name: name, task_type: taskType, source_datasource_id: 'kfk-ds', target_datasource_id: 'ds-pg' },
    task_detail: {
      sourceSelectedDatasource: {
        sourceTopicName: topic,
        kafka_data_type: 'json',
        isParse: 'true',
        timeZone: 'GMT+00:00',
        sourceMetaData: { mode: 'keyValue', dataSource: fields.map((f, i) => ({ index: String(i), ...f })) },
      },
      targetSelectedDatasource: { targetTable, targetNeedCreateTable: false, isSupportClearTab: false },
      mappingTable: [],
      mappingInput: { mode: 'keyValue', dataSource: fields.map((f) => ({ sourceKey: f.name, targetKey: f.name })) },
      mappingRequired: true,
      runtime: { progress_interval_ms: 100, ...runtime },
    },
  });

  const file = (name: string, topic: string, taskType: 'TIMING' | 'REALTIME', runtime: Record<string, unknown> = {}) =>
    kafkaToPg(name, topic, taskType, table, [
      { name: 'id', type: 'Integer', path: 'id' },
      { name: 'amount', type: 'String', path: 'order.amount' },
      { name: 'name', type: 'String', path: 'customer.name' },
      { name: 'at', type: 'String', path: 'at' },
    ], runtime);

  const event = (id: number, amount: string, name: string) =>
    JSON.stringify({ id, order: { amount }, customer: { name }, at: '2024-03-01T08:00:00.000Z' });

  async function rows(from: number, to: number): Promise<{ id: string; amount: string; name: string | null }[]> {
    const r = await pgc.query<{ id: string; amount: string; name: string | null }>(
      `SELECT id::text, amount::text, name FROM "${db}".events WHERE id BETWEEN $1 AND $2 ORDER BY id`, [from, to]);
    return r.rows;
  }

  it('timing: values through JSON paths; bad JSON and rows PostgreSQL refuses are dirty with their reasons; a re-run reads nothing again', async () => {
    const topic = topicName('k2p');
    await producer.send({ topic, acks: -1, messages: [
      { partition: 0, value: event(101, '12.50', 'ann') },
      { partition: 0, value: 'not json' },
      { partition: 1, value: event(102, '3', 'bob') },
      { partition: 1, value: event(103, '1.00', 'much too long a name') },
      { partition: 2, value: event(104, 'abc', 'cy') },
    ] });
    const h = harness();
    const f = file(`kfk-k2p-timing-${tag}`, topic, 'TIMING');
    const first = await runTask(h, f);
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(inOrder(codes(first), [900, 99, 100, 102, 104, 101])).toBe(true);
    expect(inOrder(codes(first), [500, 502, 504, 501, 901])).toBe(true);
    expect(step(first, 104)).toMatchObject({ stage: 'kafkareader', data_count: 5 });
    // read = written + dirty
    expect(first.data_count + first.dirty_data_count).toBe(5);
    expect(first.data_count).toBe(2);
    expect(await rows(101, 104)).toEqual([
      { id: '101', amount: '12.50', name: 'ann' },
      { id: '102', amount: '3.00', name: 'bob' },
    ]);
    const dirty = h.dirty.records.map((d) => ({ stage: d.stage, reason: d.reason, record: d.record })).sort((a, b) => a.reason.localeCompare(b.reason));
    expect(dirty).toEqual([
      { stage: 'postgresqlwriter', reason: '22001: value too long for type character varying(5)', record: expect.objectContaining({ id: 103, name: 'much too long a name' }) },
      { stage: 'postgresqlwriter', reason: '22P02: invalid input syntax for type numeric: "abc"', record: expect.objectContaining({ id: 104, amount: 'abc' }) },
      { stage: 'kafkareader', reason: expect.stringMatching(/^partition 0 offset 1: not valid JSON/), record: 'not json' },
    ]);

    const second = await runTask(h, f);
    expect(second.execute_status).toBe('SUCCESS');
    expect(codes(second)).toContain(105);

    // A later change of the same id is an upsert, not a second row.
    await producer.send({ topic, acks: -1, messages: [{ partition: 3, value: event(101, '99.99', 'ann2') }] });
    const third = await runTask(h, f);
    expect(third.data_count).toBe(1);
    expect(await rows(101, 101)).toEqual([{ id: '101', amount: '99.99', name: 'ann2' }]);
  });

  it('realtime: rows arrive while it runs; stop drains, ends SUCCESS and commits the offsets', async () => {
    const topic = topicName('k2p-rt');
    const name = `kfk-k2p-rt-${tag}`;
    const log = await runUntilWritten(harness(), file(name, topic, 'REALTIME'), 3, STOP_REASON, {
      whileRunning: async () => {
        await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: event(201, '1', 'a') }, { partition: 1, value: event(202, '2', 'b') }] });
        await producer.send({ topic, acks: -1, messages: [{ partition: 1, value: event(203, '3', 'c') }] });
      },
    });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(inOrder(codes(log), [100, 102, 500, 502, 504, 501, 901])).toBe(true);
    expect((await rows(201, 203)).map((r) => r.id)).toEqual(['201', '202', '203']);
    expect(await committedOffsets(`fdi-${name}`, topic)).toMatchObject({ 0: '1', 1: '2' });
  });

  it('realtime: bad JSON and a value PostgreSQL refuses are dirty with their reasons; NULLs, UTF-8 and a JSON object land exactly', async () => {
    await pgc.query(`CREATE TABLE "${db}".docs (id bigint PRIMARY KEY, name text, doc jsonb, amount numeric(10,2), at timestamptz(3))`);
    const topic = topicName('k2p-rt-values');
    const name = `kfk-k2p-rt-values-${tag}`;
    const fields = ['id', 'name', 'doc', 'amount', 'at'].map((n) => ({ name: n, type: 'String', path: n }));
    const f = kafkaToPg(name, topic, 'REALTIME', `${db}.docs`, fields);
    const text = 'UTF-8 ✓ 😀 中文 한국어 ünïcödé';
    const doc = { k: [1, 'x', { deep: true }], n: null, u: 'é 😀 中', empty: {}, list: [], d: 0.1 };
    // One partition, so the good records come after the bad ones: once they are written, all five were handled.
    await producer.send({ topic, acks: -1, messages: [
      { partition: 0, value: '{"id": 400, "name": "broken' },
      { partition: 0, value: JSON.stringify({ id: 402, name: 'x', doc: {}, amount: 'abc', at: null }) },
      { partition: 0, value: JSON.stringify({ id: 401, name: text, doc, amount: '12.34', at: '2024-03-01T08:00:00.123Z' }) },
      { partition: 0, value: JSON.stringify({ id: 403, name: null, doc: null, amount: null, at: null }) },
      { partition: 0, value: JSON.stringify({ id: 404 }) },
    ] });
    const h = harness();
    const log = await runUntilWritten(h, f, 3, STOP_REASON);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(2);
    // read = written + dirty
    const read = Math.max(...log.detail_logs.filter((d) => d.position === 'READER').map((d) => d.data_count));
    expect(read).toBe(5);
    expect(read).toBe(log.data_count + log.dirty_data_count);

    const r = await pgc.query(`SELECT id::text, name, doc, amount::text,
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "${db}".docs ORDER BY id`);
    expect(r.rows).toEqual([
      { id: '401', name: text, doc, amount: '12.34', at: '2024-03-01T08:00:00.123Z' },
      { id: '403', name: null, doc: null, amount: null, at: null },
      { id: '404', name: null, doc: null, amount: null, at: null },
    ]);
    // The object is stored as a JSON object (not as a JSON string holding it), equal to what was sent.
    const stored = await pgc.query(`SELECT jsonb_typeof(doc) AS t, doc = $1::jsonb AS same FROM "${db}".docs WHERE id = 401`, [JSON.stringify(doc)]);
    expect(stored.rows[0]).toEqual({ t: 'object', same: true });

    const dirty = h.dirty.records.map((d) => ({ stage: d.stage, reason: d.reason, record: d.record })).sort((a, b) => a.reason.localeCompare(b.reason));
    expect(dirty).toEqual([
      { stage: 'postgresqlwriter', reason: '22P02: invalid input syntax for type numeric: "abc"', record: expect.objectContaining({ id: 402, amount: 'abc' }) },
      { stage: 'kafkareader', reason: expect.stringMatching(/^partition 0 offset 0: not valid JSON/), record: '{"id": 400, "name": "broken' },
    ]);
    // Dirty records are handled records: the offsets move past them too.
    expect(await committedOffsets(`fdi-${name}`, topic)).toMatchObject({ 0: '5' });
  });

  it('realtime: killed mid-run (106/505/16) and started again, every record is in the table exactly once', async () => {
    const topic = topicName('k2p-kill');
    const name = `kfk-k2p-kill-${tag}`;
    const ids = [301, 302, 303, 304, 305, 306];
    await producer.send({ topic, acks: -1, messages: ids.map((id) => ({ partition: 0, value: event(id, String(id), 'k') })) });
    const f = file(name, topic, 'REALTIME', { batch_size: 1 });
    const h = harness();

    const first = await runUntilWritten(h, f, 2, 'terminate');
    expect(first.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(first), [106, 505, 16])).toBe(true);
    expect(first.status).toBe(16);
    const committed = Number((await committedOffsets(`fdi-${name}`, topic))[0]);
    // Nothing is committed beyond what the table holds.
    expect((await rows(301, 306)).length).toBeGreaterThanOrEqual(committed);

    const log = await runUntilWritten(h, f, ids.length - committed, STOP_REASON);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.dirty_data_count).toBe(0);
    expect((await rows(301, 306)).map((r) => r.id)).toEqual(ids.map(String));
    const { rows: counted } = await pgc.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM "${db}".events WHERE id BETWEEN 301 AND 306`);
    expect(counted[0]).toEqual({ n: ids.length, d: ids.length });
    expect(await committedOffsets(`fdi-${name}`, topic)).toMatchObject({ 0: '6' });
  });
});
