/**
 * Closing a realtime Kafka reader whose group join is still in progress: a member of the group that was killed
 * (no LeaveGroup) makes the broker hold every join until that member's session expires. kafkajs used to restart a
 * realtime consumer whose join the close had cut, so the reader came back after close() and kept its process
 * alive (kafkajs#1462/#1571). Here close() must resolve while the join still waits, and afterwards nothing of the
 * reader may log, reconnect or keep a socket open. (A new member of the group cannot show it: librdkafka's mock
 * holds every join of such a group until the rebalance timeout, 60 s, however short the sessions.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaConnector, KafkaReader, type KafkaOptions } from '../../connectors/kafka/index.ts';
import { STOP_REASON, type ConnectorLogger, type DataSourceRecord, type ReaderContext } from '../../connectors/sdk/index.ts';
import { testServices } from '../support/services.ts';
import { taskSpec } from '../support/task-spec.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const services = testServices();
/** The killed member's session: the reader's join cannot finish before it expires. */
const GHOST_SESSION_MS = 30_000;
/**
 * How long after close() the test watches for the reader coming back: kafkajs restarts a crashed consumer after
 * its initial retry time (300 ms here, connectors/kafka/client.ts), with at most doubling jitter.
 */
const RESTART_WATCH_MS = 3_000;
const record: DataSourceRecord = {
  datasource_id: 'kclose-ds',
  datasource_name: 'kclose-test',
  datasource_type: 'KAFKA',
  content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
};
const options: KafkaOptions = kafkaConnector.parseOptions(record.content);
const raw = new Kafka({ clientId: 'kclose-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = raw.producer();

const unique = (label: string): string => `kclose-${label}-${randomUUID().slice(0, 8)}`;

/**
 * A member of `group` in another process, SIGKILLed once it has joined: it stays in the group, unannounced,
 * until its session expires.
 */
async function killedMember(topic: string, group: string): Promise<void> {
  const code = `
    import { Kafka, logLevel } from 'kafkajs';
    const kafka = new Kafka({ clientId: 'kclose-ghost', brokers: ${JSON.stringify(services.kafkaBrokers)}, logLevel: logLevel.NOTHING });
    const c = kafka.consumer({ groupId: ${JSON.stringify(group)}, sessionTimeout: ${GHOST_SESSION_MS}, heartbeatInterval: 1000 });
    c.on(c.events.GROUP_JOIN, () => console.log('joined'));
    await c.connect();
    await c.subscribe({ topics: [${JSON.stringify(topic)}], fromBeginning: true });
    await c.run({ eachMessage: async () => {} });`;
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((done, fail) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('joined')) done();
    });
    child.on('exit', (code) => fail(new Error(`the member process exited (${code}) before joining: ${stderr}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** Every line the reader logs, with whether close() had resolved when it came. */
function recordingLogger(): { log: ConnectorLogger; lines: { msg: string; afterClose: boolean }[]; markClosed(): void } {
  const lines: { msg: string; afterClose: boolean }[] = [];
  let closed = false;
  const line = (msg: string): void => {
    lines.push({ msg, afterClose: closed });
  };
  return { log: { debug: line, info: line, warn: line, error: line }, lines, markClosed: () => (closed = true) };
}

function readerCtx(topic: string, group: string, signal: AbortSignal, log: ConnectorLogger): ReaderContext<KafkaOptions> {
  return {
    task: taskSpec({
      taskId: unique('task'),
      taskName: 'kclose',
      taskType: 'REALTIME',
      sourceDatasourceId: record.datasource_id,
      targetDatasourceId: record.datasource_id,
      source: { topic, consumerGroup: group },
    }),
    datasource: { record, options },
    signal,
    log,
    runId: `run-${randomUUID()}`,
    dispatchTime: Date.now(),
    resumed: false,
    checkpoint: null,
  };
}

/** TCP sockets keeping this process alive. */
const liveSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
});

describe('a realtime Kafka reader closed while it joins its group', () => {
  for (const how of ['terminate', 'stop'] as const) {
    it(`${how} during the join: close resolves, the consumer never comes back, no socket is left`, async () => {
      const topic = unique(how);
      const group = unique(`${how}-group`);
      await producer.send({ topic, acks: -1, messages: [{ value: '{"n":1}', partition: 0 }, { value: '{"n":2}', partition: 1 }] });
      await killedMember(topic, group);
      const baseline = liveSockets();

      const abort = new AbortController();
      const recorder = recordingLogger();
      const reader = new KafkaReader(readerCtx(topic, group, abort.signal, recorder.log));
      await reader.open();
      const iterator = reader.batches()[Symbol.asyncIterator]();
      const next = iterator.next();
      // The join is under way; it cannot finish before the killed member's session expires.
      await new Promise((r) => setTimeout(r, 1500));
      abort.abort(how === 'stop' ? STOP_REASON : 'terminate');
      // Nothing was handed over: the join never finished, so there was nothing to read.
      expect(await next).toEqual({ done: true, value: undefined });
      await reader.close();
      recorder.markClosed();
      await reader.close(); // idempotent: the same, finished shutdown
      await until('the reader\'s sockets to close', () => liveSockets() <= baseline, 5_000);

      // Past the moment a crashed consumer restarts: still no socket, and not a line from the reader or kafkajs
      // (a restart logs "Restarting the consumer", its connection attempts fail loudly).
      await new Promise((r) => setTimeout(r, RESTART_WATCH_MS));
      expect(liveSockets()).toBeLessThanOrEqual(baseline);
      expect(recorder.lines.filter((l) => l.afterClose).map((l) => l.msg)).toEqual([]);
      expect(recorder.lines.map((l) => l.msg).filter((m) => /joined group|restart/i.test(m))).toEqual([]);
    });
  }
});
