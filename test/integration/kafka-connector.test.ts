/**
 * The Kafka reader and writer against the real broker (librdkafka's mock cluster behind the fixed-port front):
 * message format, offsets committed only through `commit`, timing windows, realtime stop and resume.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaConnector, KafkaReader, KafkaWriter, type KafkaOptions } from '../../connectors/kafka/index.ts';
import { STOP_REASON } from '../../connectors/sdk/index.ts';
import type {
  ConnectorLogger,
  DataSourceRecord,
  ReaderContext,
  Row,
  SourceBatch,
  SourceSpec,
  TargetSpec,
  TaskSpec,
  TaskType,
} from '../../connectors/sdk/index.ts';
import { testServices } from '../support/services.ts';
import { taskSpec } from '../support/task-spec.ts';

const services = testServices();
const silent: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };
const record: DataSourceRecord = {
  datasource_id: 'kfk-ds',
  datasource_name: 'kfk-test',
  datasource_type: 'KAFKA',
  // A short session keeps the mock's rebalances quick (it waits session timeout − 1 s).
  content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
};
const options: KafkaOptions = kafkaConnector.parseOptions(record.content);
const raw = new Kafka({ clientId: 'kfk-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = raw.producer();

function topicName(label: string): string {
  return `kfk-${label}-${randomUUID().slice(0, 8)}`;
}

function task(taskType: TaskType, src: Partial<SourceSpec>, tgt: Partial<TargetSpec> = {}): TaskSpec {
  return taskSpec({
    taskId: `kfk-task-${randomUUID().slice(0, 8)}`,
    taskName: 'kfk-test',
    taskType,
    sourceDatasourceId: record.datasource_id,
    targetDatasourceId: record.datasource_id,
    source: src,
    target: tgt,
    runtime: { batchSize: 50 },
  });
}

function readerCtx(spec: TaskSpec, signal: AbortSignal = new AbortController().signal): ReaderContext<KafkaOptions> {
  return {
    task: spec,
    datasource: { record, options },
    signal,
    log: silent,
    runId: `run-${randomUUID()}`,
    dispatchTime: Date.now(),
    resumed: false,
    checkpoint: null,
  };
}

async function produce(topic: string, values: (string | null)[], partition?: number): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: values.map((value, i) => ({ value, key: `k${i}`, ...(partition === undefined ? {} : { partition }) })),
  });
}

/** One timing run: every batch, then commit of the last checkpoint (as the engine does after the writer flushed). */
async function timingRun(spec: TaskSpec, commit = true): Promise<SourceBatch[]> {
  const reader = new KafkaReader(readerCtx(spec));
  const batches: SourceBatch[] = [];
  try {
    await reader.open();
    for await (const b of reader.batches()) batches.push(b);
    const last = batches.at(-1)?.checkpoint;
    if (commit && last !== undefined) await reader.commit(last);
  } finally {
    await reader.close();
  }
  return batches;
}

const rowsOf = (batches: SourceBatch[]): Row[] => batches.flatMap((b) => b.records);

beforeAll(async () => {
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
});

describe('kafka connector against the real broker', () => {
  it('tests connectivity and lists topics', async () => {
    const topic = topicName('list');
    await produce(topic, ['{}']);
    const ds = { record, options };
    await expect(kafkaConnector.test!(ds)).resolves.toBeUndefined();
    expect(await kafkaConnector.listTables!(ds)).toContain(topic);
  });

  it('fails to open with the driver message when no broker answers', async () => {
    const closedPort = { ...record, content: { broker: '127.0.0.1:1', connection_timeout_ms: 500 } };
    const ctx = { ...readerCtx(task('TIMING', { topic: 'kfk-none' })), datasource: { record: closedPort, options: kafkaConnector.parseOptions(closedPort.content) } };
    const reader = new KafkaReader(ctx);
    await expect(reader.open()).rejects.toThrow(/ECONNREFUSED|Connection error|connect/i);
    await reader.close();
  });

  it('timing: reads up to the high watermarks, maps JSON paths, keeps bad JSON as unreadable, resumes after the commit', async () => {
    const topic = topicName('timing');
    await produce(topic, [
      JSON.stringify({ id: 1, order: { amount: '12.50', items: [{ sku: 'A' }] } }),
      'not json {',
      // Written as text: a JS number could not even hold this id.
      '{"id": 9007199254740993, "order": {"amount": 0.1, "items": []}}',
    ], 0);
    await produce(topic, [JSON.stringify({ id: 2, order: { amount: '3', items: [{ sku: 'B' }] } })], 1);
    const spec = task('TIMING', {
      topic,
      kafkaDataType: 'json',
      metaData: [
        { index: 0, name: 'id', path: 'id' },
        { index: 1, name: 'amount', path: 'order.amount' },
        { index: 2, name: 'sku', path: 'order.items[0].sku' },
      ],
    });

    const first = await timingRun(spec);
    const rows = rowsOf(first).sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
    expect(rows).toEqual([
      { id: 1, amount: '12.50', sku: 'A' },
      { id: 2, amount: '3', sku: 'B' },
      { id: '9007199254740993', amount: 0.1, sku: null },
    ]);
    const unreadable = first.flatMap((b) => b.unreadable ?? []);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.raw).toBe('not json {');
    expect(unreadable[0]?.reason).toMatch(/^partition 0 offset 1: not valid JSON/);
    expect(first.at(-1)?.checkpoint).toEqual({ topic, partitions: { '0': 3, '1': 1, '2': 0, '3': 0 } });

    // Committed: the next run reads nothing; new records after that are read once.
    expect(rowsOf(await timingRun(spec))).toEqual([]);
    await produce(topic, [JSON.stringify({ id: 3, order: { amount: '1', items: [] } })], 2);
    expect(rowsOf(await timingRun(spec))).toEqual([{ id: 3, amount: '1', sku: null }]);
  });

  it('timing: a run that did not commit is read again by the next run (nothing lost)', async () => {
    const topic = topicName('nocommit');
    await produce(topic, ['{"n":1}', '{"n":2}'], 0);
    const spec = task('TIMING', { topic });
    expect(rowsOf(await timingRun(spec, false))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(rowsOf(await timingRun(spec, true))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(rowsOf(await timingRun(spec, true))).toEqual([]);
  });

  it('timing: a group without offsets (expired) starts from the stored checkpoint, not from the beginning', async () => {
    const topic = topicName('fallback');
    await produce(topic, ['{"n":1}', '{"n":2}', '{"n":3}'], 0);
    const spec = task('TIMING', { topic });
    const reader = new KafkaReader({ ...readerCtx(spec), checkpoint: { topic, partitions: { '0': 2 } } });
    const batches: SourceBatch[] = [];
    try {
      await reader.open();
      expect(await reader.count()).toBe(1);
      for await (const b of reader.batches()) batches.push(b);
    } finally {
      await reader.close();
    }
    expect(rowsOf(batches)).toEqual([{ n: 3 }]);
  });

  it('pass-through reads the whole message: key, value, partition, offset, timestamp, headers', async () => {
    const topic = topicName('passthrough');
    await producer.send({ topic, acks: -1, messages: [{ partition: 3, key: 'key-1', value: 'raw text, not JSON', headers: { h: 'v' } }] });
    const rows = rowsOf(await timingRun(task('TIMING', { topic, isParse: false })));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: 'key-1', value: 'raw text, not JSON', partition: 3, offset: '0', headers: { h: 'v' } });
    expect(rows[0]?.['timestamp']).toBeInstanceOf(Date);
  });

  it('writer: JSON values with exact types, key from a field, headers with ${field}, acknowledged before write returns', async () => {
    const topic = topicName('writer');
    const spec = task('TIMING', {}, {
      topic,
      kafkaKey: 'id',
      kafkaHeaders: [{ key: 'source', value: 'fdi' }, { key: 'order', value: 'order-${id}' }],
    });
    const warnings: string[] = [];
    const writer = new KafkaWriter({ ...readerCtx(spec), log: { ...silent, warn: (m) => warnings.push(m) } });
    await writer.open();
    // The fixed-port front grants producer ids: no fallback to a non-idempotent producer.
    expect(warnings.filter((w) => /idempotent/.test(w))).toEqual([]);
    const when = new Date('2026-01-02T03:04:05.678Z');
    const result = await writer.write([
      { id: 7, amount: '12345678901234.5678', big: 9007199254740993n, at: when, note: null, tags: ['a'] },
      { id: 8, amount: '1.00', big: 1n, at: when, note: 'x', tags: [] },
    ]);
    await writer.flush();
    await writer.close();
    expect(result.rejected).toEqual([]);

    const rows = rowsOf(await timingRun(task('TIMING', { topic, isParse: false })));
    const byKey = new Map(rows.map((r) => [r['key'], r]));
    expect(JSON.parse(String(byKey.get('7')?.['value']))).toEqual({
      id: 7, amount: '12345678901234.5678', big: '9007199254740993', at: '2026-01-02T03:04:05.678Z', note: null, tags: ['a'],
    });
    expect(byKey.get('8')?.['headers']).toEqual({ source: 'fdi', order: 'order-8' });
  });

  it('writer: a record over max_message_bytes is rejected with its reason, the rest are written', async () => {
    const topic = topicName('toolarge');
    const small = { ...record, content: { ...record.content, max_message_bytes: 1000 } };
    const spec = task('TIMING', {}, { topic });
    const writer = new KafkaWriter({ ...readerCtx(spec), datasource: { record: small, options: kafkaConnector.parseOptions(small.content) } });
    await writer.open();
    const result = await writer.write([{ n: 1 }, { n: 2, blob: 'x'.repeat(2000) }, { n: 3 }]);
    await writer.close();
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(1);
    expect(result.rejected[0]?.reason).toMatch(/exceeds max_message_bytes 1000/);
    const rows = rowsOf(await timingRun(task('TIMING', { topic })));
    expect(rows.map((r) => r['n']).sort()).toEqual([1, 3]);
  });

  it('realtime: reads records as they arrive, commits only what is committed, drains on stop', async () => {
    const topic = topicName('realtime');
    await produce(topic, ['{"n":1}'], 0);
    const spec = task('REALTIME', { topic });
    const stop = new AbortController();
    const reader = new KafkaReader(readerCtx(spec, stop.signal));
    await reader.open();
    const seen: Row[] = [];
    let lastCheckpoint: SourceBatch['checkpoint'];
    const iterator = reader.batches()[Symbol.asyncIterator]();
    try {
      const first = await iterator.next();
      expect(first.done).toBe(false);
      seen.push(...(first.value as SourceBatch).records);
      await reader.commit((first.value as SourceBatch).checkpoint!);

      await produce(topic, ['{"n":2}', '{"n":3}'], 1);
      while (seen.length < 3) {
        const next = await iterator.next();
        expect(next.done).toBe(false);
        seen.push(...(next.value as SourceBatch).records);
        lastCheckpoint = (next.value as SourceBatch).checkpoint;
      }
      stop.abort(STOP_REASON);
      expect((await iterator.next()).done).toBe(true);
      await reader.commit(lastCheckpoint!);
    } finally {
      await reader.close();
    }
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    const admin = raw.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: `fdi-${spec.taskId}`, topics: [topic] });
    await admin.disconnect();
    const committed = Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
    expect(committed).toMatchObject({ 0: '1', 1: '2' });
  });

  it('realtime: a run killed before its commit loses nothing; the next run resumes from the last commit', async () => {
    const topic = topicName('resume');
    await produce(topic, ['{"n":1}', '{"n":2}'], 0);
    const spec = task('REALTIME', { topic });

    // Run 1 commits n=1 only (as if n=2's batch was not yet written), then is killed.
    const kill = new AbortController();
    const first = new KafkaReader(readerCtx({ ...spec, runtime: { ...spec.runtime, batchSize: 1 } }, kill.signal));
    await first.open();
    const it1 = first.batches()[Symbol.asyncIterator]();
    const b1 = (await it1.next()).value as SourceBatch;
    expect(b1.records).toEqual([{ n: 1 }]);
    await first.commit(b1.checkpoint!);
    const b2 = (await it1.next()).value as SourceBatch;
    expect(b2.records).toEqual([{ n: 2 }]);
    kill.abort('terminate');
    expect((await it1.next()).done).toBe(true);
    await first.close();

    // Run 2 starts from the commit: n=2 again, nothing before it.
    const stop = new AbortController();
    const second = new KafkaReader(readerCtx(spec, stop.signal));
    await second.open();
    const it2 = second.batches()[Symbol.asyncIterator]();
    const again = (await it2.next()).value as SourceBatch;
    stop.abort(STOP_REASON);
    await second.close();
    expect(again.records).toEqual([{ n: 2 }]);
  });
});
