/**
 * Kafka pipelines through the engine (`runExecution`) with FDI-shaped task files: local CSV → Kafka, Kafka →
 * local JSONL (timing, with dirty JSON), Kafka → Kafka realtime (stop drains and commits), and the spec's
 * own realtime Kafka → Kafka pass-through, killed mid-run and started again without losing a record.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { STOP_REASON } from '../../worker/index.ts';
import { kafkaContent } from '../support/datasources.ts';
import { testServices } from '../support/services.ts';
import { codes, harness, runTask, untilOrEnded } from '../support/task-runs.ts';

const services = testServices();
const raw = new Kafka({ clientId: 'kfk-pipeline-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = raw.producer();
let base = '';

const kafkaDs = (): DataSourceRecord => ({
  datasource_id: 'kfk-ds',
  datasource_name: 'kfk-pipeline',
  datasource_type: 'KAFKA',
  content: kafkaContent(),
});
const fileDs = (): DataSourceRecord => ({
  datasource_id: 'kfk-files',
  datasource_name: 'kfk-files',
  datasource_type: 'FILE',
  content: { base_path: base },
});

function unique(label: string): string {
  return `kfk-${label}-${randomUUID().slice(0, 8)}`;
}

/** Resolves once the running log says `n` records were written; the run goes on. */
function writtenAtLeast(n: number): { onProgress: (log: TaskMonitorLog) => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  return { onProgress: (log) => { if (log.data_count >= n) resolve(); }, reached };
}

async function consumeAll(topic: string, expected: number): Promise<{ key: string | null; value: string; headers: Record<string, string> }[]> {
  const consumer = raw.consumer({ groupId: unique('verify'), sessionTimeout: 6000, heartbeatInterval: 1000 });
  const out: { key: string | null; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let done!: () => void;
  const all = new Promise<void>((r) => {
    done = r;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      if (out.length >= expected) done();
    },
  });
  await all;
  await consumer.disconnect();
  return out;
}

async function readJsonl(name: string): Promise<unknown[]> {
  const text = await readFile(join(base, name), 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kfk-pipeline-'));
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await rm(base, { recursive: true, force: true });
});

describe('kafka pipelines through runExecution', () => {
  it('local CSV → Kafka (timing): one JSON message per row, key and headers from fields, every monitor step', async () => {
    const topic = unique('csv2kafka');
    await writeFile(join(base, 'orders.csv'), 'id,customer,amount\n1,ann,12.50\n2,bob,3.00\n3,cy,7\n');
    const log = await runTask(harness(), {
      datasources: [fileDs(), kafkaDs()],
      task: { task_name: 'kfk-csv-to-kafka', task_type: 'TIMING', source_datasource_id: 'kfk-files', target_datasource_id: 'kfk-ds' },
      task_detail: {
        sourceSelectedDatasource: { path: '/', file_name: 'orders.csv', field_delimiter: ',', skip_header: true },
        targetSelectedDatasource: {
          topic,
          targetKafkaKey: 'id',
          targetKfkColumn: {},
          taegetHeaders: { mode: 'keyValue', dataSource: [{ key: 'customer', value: '${customer}' }, { key: 'origin', value: 'fdi' }] },
        },
        mappingTable: [],
        mappingInput: { mode: 'keyValue', dataSource: [] },
        mappingRequired: false,
      },
    });
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(codes(log)).toEqual(expect.arrayContaining([900, 99, 100, 102, 104, 101, 500, 502, 504, 501, 901]));
    expect(log.detail_logs.find((d) => d.status === 500)?.stage).toBe('kafkawriter');
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(0);

    const messages = await consumeAll(topic, 3);
    const byKey = new Map(messages.map((m) => [m.key, m]));
    expect(JSON.parse(byKey.get('1')?.value ?? '')).toEqual({ id: '1', customer: 'ann', amount: '12.50' });
    expect(byKey.get('2')?.headers).toEqual({ customer: 'bob', origin: 'fdi' });
    expect([...byKey.keys()].sort()).toEqual(['1', '2', '3']);
  });

  it('Kafka → local JSONL (timing): JSON paths through mappingInput, bad JSON dirty with its reason, read = written + dirty, nothing read twice', async () => {
    const topic = unique('kafka2file');
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { partition: 0, value: JSON.stringify({ id: 1, order: { total: '10.00' } }) },
        { partition: 0, value: '{"id": 2, "order": ' },
        { partition: 1, value: JSON.stringify({ id: 3, order: { total: '4.5' } }) },
      ],
    });
    const h = harness();
    const file = {
      datasources: [kafkaDs(), fileDs()],
      task: { task_name: 'kfk-kafka-to-file', task_type: 'TIMING', source_datasource_id: 'kfk-ds', target_datasource_id: 'kfk-files' },
      task_detail: {
        sourceSelectedDatasource: {
          sourceTopicName: topic,
          kafka_data_type: 'json',
          isParse: 'true',
          sourceMetaData: { mode: 'keyValue', dataSource: [
            { index: '0', name: 'id', type: 'Integer', path: 'id' },
            { index: '1', name: 'total', type: 'String', path: 'order.total' },
          ] },
        },
        targetSelectedDatasource: { path: '/', file_name: `${topic}.jsonl`, file_type: 'jsonl', file_content_type: 'textFile' },
        mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'id', targetKey: 'order_id' }, { sourceKey: 'total', targetKey: 'total' }] },
        mappingRequired: true,
      },
    };
    const first = await runTask(h, file);
    expect(first.execute_status, first.remarks).toBe('SUCCESS');
    expect(first.detail_logs.find((d) => d.status === 104)).toMatchObject({ stage: 'kafkareader', data_count: 3, dirty_data_count: 1 });
    expect(first.data_count).toBe(2);
    expect(first.dirty_data_count).toBe(1);
    expect(h.dirty.records).toHaveLength(1);
    expect(h.dirty.records[0]).toMatchObject({ stage: 'kafkareader', record: '{"id": 2, "order": ' });
    expect(h.dirty.records[0]?.reason).toMatch(/^partition 0 offset 1: not valid JSON/);
    const rows = (await readJsonl(`${topic}.jsonl`)) as { order_id: unknown; total: unknown }[];
    expect(rows.sort((a, b) => Number(a.order_id) - Number(b.order_id))).toEqual([
      { order_id: 1, total: '10.00' },
      { order_id: 3, total: '4.5' },
    ]);

    const second = await runTask(h, file);
    expect(second.execute_status).toBe('SUCCESS');
    expect(codes(second)).toContain(105);
    expect(codes(second)).not.toContain(500);
  });

  it('Kafka → Kafka (realtime, parsed): records arrive while it runs; stop drains, ends SUCCESS and commits the offsets', async () => {
    const topic = unique('realtime-from');
    const out = unique('realtime-to');
    const h = harness();
    const stop = new AbortController();
    const progress = writtenAtLeast(3);
    const running = runTask(h, {
      datasources: [kafkaDs()],
      task: { task_name: 'kfk-realtime-parsed', task_type: 'REALTIME', source_datasource_id: 'kfk-ds', target_datasource_id: 'kfk-ds' },
      task_detail: {
        sourceSelectedDatasource: {
          sourceTopicName: topic,
          kafka_data_type: 'json',
          isParse: true,
          sourceMetaData: { mode: 'keyValue', dataSource: [{ index: 0, name: 'n', path: 'body.n' }] },
        },
        targetSelectedDatasource: { topic: out, targetKafkaKey: 'n' },
        mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'n', targetKey: 'n' }] },
        mappingRequired: true,
        runtime: { progress_interval_ms: 100 },
      },
    }, { signal: stop.signal, onProgress: progress.onProgress });
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: '{"body":{"n":1}}' }, { partition: 2, value: '{"body":{"n":2}}' }] });
    await producer.send({ topic, acks: -1, messages: [{ partition: 2, value: '{"body":{"n":3}}' }] });
    await untilOrEnded(progress.reached, running);
    stop.abort(STOP_REASON);
    const log = await running;
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(3);
    expect(codes(log)).toEqual(expect.arrayContaining([100, 102, 500, 502, 504, 501, 901]));
    const arrived = await consumeAll(out, 3);
    expect(arrived.map((m) => [m.key, JSON.parse(m.value)]).sort()).toEqual([['1', { n: 1 }], ['2', { n: 2 }], ['3', { n: 3 }]]);

    const admin = raw.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'fdi-kfk-realtime-parsed', topics: [topic] });
    await admin.disconnect();
    expect(Object.fromEntries((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]))).toMatchObject({ 0: '1', 2: '2' });
  });

  it('Kafka → Kafka pass-through (realtime, the spec example): killed mid-run (106/505/16), started again, every record arrives', async () => {
    const from = unique('pass-from');
    const to = unique('pass-to');
    const h = harness();
    const file = {
      datasources: [kafkaDs()],
      task: { task_name: unique('kfk-pass'), task_type: 'REALTIME', source_datasource_id: 'kfk-ds', target_datasource_id: 'kfk-ds' },
      task_detail: {
        sourceSelectedDatasource: { sourceTopicName: from, kafka_data_type: 'json', isParse: 'false', sourceMeta: '' },
        targetSelectedDatasource: { topic: to, targetKafkaKey: '', targetKfkColumn: {}, taegetHeaders: { mode: 'keyValue', dataSource: [] }, isParse: 'false' },
        mappingTable: [],
        mappingTableProperties: [],
        mappingRequired: false,
        runtime: { progress_interval_ms: 100, batch_size: 1 },
      },
    };
    await producer.send({ topic: from, acks: -1, messages: [1, 2, 3].map((n) => ({ partition: 0, key: `k${n}`, value: `{"n":${n}}`, headers: { h: `v${n}` } })) });

    const kill = new AbortController();
    const progress = writtenAtLeast(2);
    const killed = runTask(h, file, { signal: kill.signal, onProgress: progress.onProgress });
    await untilOrEnded(progress.reached, killed);
    kill.abort('terminate');
    const first = await killed;
    expect(first.execute_status).toBe('CANCELLED');
    expect(codes(first)).toEqual(expect.arrayContaining([106, 505, 16]));
    expect(first.position_status).toBe('RUNTIME_CANCEL');

    await producer.send({ topic: from, acks: -1, messages: [{ partition: 0, key: 'k4', value: '{"n":4}', headers: { h: 'v4' } }] });
    const stop = new AbortController();
    const rest = writtenAtLeast(1);
    const second = runTask(h, file, { signal: stop.signal, onProgress: (log) => {
      rest.onProgress(log);
      if (log.data_count + first.data_count >= 4) stop.abort(STOP_REASON);
    } });
    const log = await second;
    expect(log.execute_status, log.remarks).toBe('SUCCESS');

    // At least once: every record is in the target topic, as it came (key, value, headers).
    const arrived = await consumeAll(to, 4);
    const distinct = new Map(arrived.map((m) => [m.key, m]));
    expect([...distinct.keys()].sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(distinct.get('k3')).toEqual({ key: 'k3', value: '{"n":3}', headers: { h: 'v3' } });
  });

  it('Kafka → SFTP (timing): offsets are committed only once the file is published; a failed run leaves them for the next', async () => {
    const topic = unique('kafka2sftp');
    const folder = `${services.sftp.root}/${unique('sftp')}`;
    const sftpDs: DataSourceRecord = {
      datasource_id: 'kfk-sftp',
      datasource_name: 'kfk-sftp',
      datasource_type: 'FTP',
      content: { ftp_protocol: 'sftp', host: services.sftp.host, port: services.sftp.port, user_name: services.sftp.user, password: services.sftp.password },
    };
    await producer.send({ topic, acks: -1, messages: [
      { partition: 0, value: '{"a":"1","b":"x"}' },
      { partition: 0, value: '{"a":"2","b":"y"}' },
      { partition: 0, value: '{"a":"3","b":"has|pipe"}' },
    ] });
    const h = harness();
    const file = (dirtyMax: number) => ({
      datasources: [kafkaDs(), sftpDs],
      task: { task_name: 'kfk-kafka-to-sftp', task_type: 'TIMING', source_datasource_id: 'kfk-ds', target_datasource_id: 'kfk-sftp' },
      task_detail: {
        sourceSelectedDatasource: { sourceTopicName: topic, kafka_data_type: 'json', isParse: true, consumer_group: `${topic}-group` },
        targetSelectedDatasource: { path: folder, file_name: 'out.txt', file_type: 'txt', field_delimiter: '|', file_content_type: 'textFile' },
        mappingRequired: false,
        runtime: { batch_size: 1, dirty_max_count: dirtyMax },
      },
    });
    // A txt file cannot carry a value holding its delimiter: the third record is dirty and crosses the limit of 0.
    const failed = await runTask(h, file(0));
    expect(failed.execute_status).toBe('ERROR');
    expect(failed.status).toBe(506);
    const admin = raw.admin();
    await admin.connect();
    const before = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    expect(before[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('-1');

    const ok = await runTask(h, file(1));
    expect(ok.execute_status, ok.remarks).toBe('SUCCESS');
    expect(ok.data_count).toBe(2);
    const after = await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
    await admin.disconnect();
    expect(after[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('3');

    const client = new SftpClient('kfk-sftp-verify');
    await client.connect({ host: services.sftp.host, port: services.sftp.port, username: services.sftp.user, password: services.sftp.password });
    try {
      expect(String(await client.get(`${folder}/out.txt`))).toBe('1|x\n2|y\n');
      expect((await client.list(folder)).map((f) => f.name)).toEqual(['out.txt']);
    } finally {
      await client.rmdir(folder, true).catch(() => undefined);
      await client.end();
    }
  });

  it('a broker that does not answer is 911 for the reader and 912 for the writer, with the driver message', async () => {
    const dead: DataSourceRecord = { ...kafkaDs(), datasource_id: 'kfk-dead', content: { broker: '127.0.0.1:1', connection_timeout_ms: 300 } };
    await writeFile(join(base, 'one.csv'), 'a\n1\n');
    const asReader = await runTask(harness(), {
      datasources: [dead, fileDs()],
      task: { task_name: 'kfk-dead-reader', task_type: 'TIMING', source_datasource_id: 'kfk-dead', target_datasource_id: 'kfk-files' },
      task_detail: { sourceSelectedDatasource: { sourceTopicName: 'kfk-none' }, targetSelectedDatasource: { path: '/', file_name: 'x.jsonl', file_type: 'jsonl' }, mappingRequired: false },
    });
    expect(asReader.execute_status).toBe('ERROR');
    expect(asReader.status).toBe(911);
    expect(asReader.detail_logs.find((d) => d.status === 911)?.remarks).toMatch(/ECONNREFUSED|Connection error/);

    const asWriter = await runTask(harness(), {
      datasources: [fileDs(), dead],
      task: { task_name: 'kfk-dead-writer', task_type: 'TIMING', source_datasource_id: 'kfk-files', target_datasource_id: 'kfk-dead' },
      task_detail: { sourceSelectedDatasource: { path: '/', file_name: 'one.csv', skip_header: true }, targetSelectedDatasource: { topic: 'kfk-none' }, mappingRequired: false },
    });
    expect(asWriter.execute_status).toBe('ERROR');
    expect(asWriter.status).toBe(912);
    expect(asWriter.detail_logs.find((d) => d.status === 912)?.remarks).toMatch(/ECONNREFUSED|Connection error/);
    expect(await readdir(base)).not.toContain('x.jsonl');
  });
});
