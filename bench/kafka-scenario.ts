/**
 * Kafka → PostgreSQL realtime: `fdi run` of a realtime task consumes a topic while this process produces JSON
 * events at a fixed rate. Each event carries the instant it was produced; the target table stamps the instant each
 * row was inserted (`clock_timestamp()`), so end-to-end latency is measured per record on the one machine clock.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type pg from 'pg';
import { writeTaskFile } from './fdi-task.ts';
import { PG_SCHEMA } from './prepare.ts';
import type { ResultRow } from './report.ts';
import type { BenchServices } from './services.ts';
import { percentileSorted } from './stats.ts';

const FDI_BIN = resolve(import.meta.dirname, '../bin/fdi.mjs');
const TABLE = 'k2p_events';
const SCENARIO = 'kafka → postgresql (realtime)';
/** The mock broker waits 3 s on a group's first join; a slow machine gets more. */
const READY_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 60_000;
const TICK_MS = 10;
/** The fetch wait of fdi's Kafka reader (connectors/kafka/reader.ts FETCH_MAX_WAIT_MS), for the limit's consumer. */
const KAFKA_READER_FETCH_WAIT_MS = 1_000;

export interface KafkaScenarioInput {
  services: BenchServices;
  pgc: pg.Client;
  workDir: string;
  /** Records per second the producer sends. */
  rate: number;
  seconds: number;
  log: (line: string) => void;
}

function event(id: number, sentAt: number): string {
  return JSON.stringify({
    id,
    sent_at_ms: sentAt,
    customer: { name: `customer ${id % 997}`, tier: id % 5 === 0 ? 'gold' : 'standard' },
    order: { amount: ((id % 100_000) / 100).toFixed(2), status: ['new', 'paid', 'shipped'][id % 3] },
    note: id % 4 === 0 ? null : `event ${id} with a short note to give it a realistic size`,
  });
}

function taskFile(name: string, topic: string, s: BenchServices): Record<string, unknown> {
  const pg = s.pg;
  const field = (i: number, n: string, path: string) => ({ index: String(i), name: n, type: 'String', path });
  return {
    datasources: [
      {
        datasource_id: 'bench-kafka',
        datasource_name: 'bench kafka',
        datasource_type: 'KAFKA',
        content: { broker: s.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
      },
      {
        datasource_id: 'bench-pg',
        datasource_name: 'bench pg',
        datasource_type: 'POSTGRESQL',
        content: { mode: 'default', host: pg.host, port: String(pg.port), database_name: pg.database, user_name: pg.user, password: pg.password },
      },
    ],
    task: { task_name: name, task_type: 'REALTIME', source_datasource_id: 'bench-kafka', target_datasource_id: 'bench-pg' },
    task_detail: {
      sourceSelectedDatasource: {
        sourceTopicName: topic,
        kafka_data_type: 'json',
        isParse: 'true',
        sourceMetaData: {
          mode: 'keyValue',
          dataSource: [
            field(0, 'id', 'id'),
            field(1, 'sent_at_ms', 'sent_at_ms'),
            field(2, 'customer', 'customer.name'),
            field(3, 'amount', 'order.amount'),
            field(4, 'status', 'order.status'),
            field(5, 'note', 'note'),
          ],
        },
      },
      targetSelectedDatasource: { targetTable: `${PG_SCHEMA}.${TABLE}`, targetNeedCreateTable: false, isSupportClearTab: false },
      mappingTable: [],
      mappingInput: {
        mode: 'keyValue',
        dataSource: ['id', 'sent_at_ms', 'customer', 'amount', 'status', 'note'].map((k) => ({ sourceKey: k, targetKey: k })),
      },
      mappingRequired: true,
    },
  };
}

/** Peak RSS (VmHWM) of a live process, MB; 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends `total` events at `rate` per second, each stamped when its batch is sent. */
async function produceAtRate(producer: Producer, topic: string, total: number, rate: number): Promise<void> {
  const start = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate));
    if (due > sent) {
      const now = Date.now();
      const messages = [];
      for (let id = sent + 1; id <= due; id++) messages.push({ key: String(id), value: event(id, now) });
      await producer.send({ topic, messages });
      sent = due;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
}

/**
 * The limit: a kafkajs consumer alone (no parsing, no database) at the same rate, with the fetch wait fdi's Kafka
 * reader uses. Latency is produced → handed to `eachBatch`; this is what the broker and client give before any work.
 */
export async function runKafkaLimit(input: KafkaScenarioInput): Promise<ResultRow> {
  const { rate, seconds, log } = input;
  const total = rate * seconds;
  const topic = `fdibench-k2p-limit-${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ clientId: 'fdi-bench', brokers: input.services.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `fdibench-${topic}`, maxWaitTimeInMs: KAFKA_READER_FETCH_WAIT_MS, sessionTimeout: 6000, heartbeatInterval: 1000 });
  const latencies: number[] = [];
  let warm = false;
  let last = 0;
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: '0', value: event(0, Date.now()) }] });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          const sent = Number(/"sent_at_ms":(\d+)/.exec(m.value?.toString() ?? '')?.[1]);
          if (m.key?.toString() === '0') warm = true;
          else {
            latencies.push(now - sent);
            last = now;
          }
        }
      },
    });
    await waitUntil('the kafkajs consumer to join', READY_TIMEOUT_MS, async () => warm);
    log(`kafka limit: producing ${total.toLocaleString('en-US')} events at ${rate}/s to a bare kafkajs consumer`);
    const first = Date.now();
    await produceAtRate(producer, topic, total, rate);
    await waitUntil(`all ${total} events consumed`, DRAIN_TIMEOUT_MS, async () => latencies.length >= total);
    latencies.sort((a, b) => a - b);
    const spanS = (last - first) / 1000;
    return {
      scenario: SCENARIO,
      tool: `limit: kafkajs consumer alone`,
      seconds: spanS,
      rowsPerSecond: total / spanS,
      p50Ms: percentileSorted(latencies, 50),
      p99Ms: percentileSorted(latencies, 99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      note: `same broker, rate and fetch wait (${KAFKA_READER_FETCH_WAIT_MS} ms); no parsing, no database`,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

export async function runKafkaScenario(input: KafkaScenarioInput): Promise<ResultRow> {
  const { pgc, rate, seconds, log } = input;
  const tool = `fdi run, ${rate.toLocaleString('en-US')} records/s for ${seconds} s`;
  const total = rate * seconds;
  const tag = randomUUID().slice(0, 8);
  const topic = `fdibench-k2p-${tag}`;
  const name = `fdibench-k2p-${tag}`;
  const taskPath = join(input.workDir, 'bench-kafka-to-postgresql.task.json');
  const statePath = join(input.workDir, 'bench-kafka-to-postgresql.state.json');
  await pgc.query(`CREATE SCHEMA IF NOT EXISTS "${PG_SCHEMA}"`);
  await pgc.query(`DROP TABLE IF EXISTS "${PG_SCHEMA}"."${TABLE}"`);
  await pgc.query(`CREATE TABLE "${PG_SCHEMA}"."${TABLE}" (
    id bigint PRIMARY KEY, sent_at_ms bigint NOT NULL, customer varchar(80), amount numeric(12,2), status varchar(16), note text,
    received_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  writeTaskFile(taskPath, taskFile(name, topic, input.services));
  rmSync(statePath, { force: true });

  const kafka = new Kafka({ clientId: 'fdi-bench', brokers: input.services.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  // The warm-up event creates the topic and tells when the consumer group is in place.
  await producer.send({ topic, messages: [{ key: '0', value: event(0, Date.now()) }] });
  const child = spawn(process.execPath, [FDI_BIN, 'run', taskPath, '--json', '--quiet', '--state', statePath, '--dirty', join(input.workDir, 'k2p.dirty.jsonl')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  let exited = false;
  const exit = new Promise<number | null>((r) => child.once('close', (code) => {
    exited = true;
    r(code);
  }));
  let peak = 0;
  const poll = setInterval(() => {
    if (child.pid) peak = Math.max(peak, peakRssMb(child.pid));
  }, 200);
  const count = async (): Promise<number> => Number((await pgc.query<{ n: string }>(`SELECT count(*) AS n FROM "${PG_SCHEMA}"."${TABLE}"`)).rows[0]?.n);
  try {
    await waitUntil('the consumer to join and write the warm-up event', READY_TIMEOUT_MS, async () => {
      if (exited) throw new Error(`fdi run ended before it consumed anything: ${stderr.trim()}`);
      return (await count()) >= 1;
    });
    log(`kafka: consumer ready, producing ${total.toLocaleString('en-US')} events at ${rate}/s`);
    await produceAtRate(producer, topic, total, rate);
    await waitUntil(`all ${total} events in PostgreSQL`, DRAIN_TIMEOUT_MS, async () => {
      if (exited) throw new Error(`fdi run ended while consuming: ${stderr.trim()}`);
      return (await count()) >= total + 1;
    });
    if (child.pid) peak = Math.max(peak, peakRssMb(child.pid));
  } finally {
    clearInterval(poll);
    // SIGTERM ends the run (for a realtime task a stop: drain and commit); every event is already in the table.
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exit;
    clearTimeout(killer);
    await producer.disconnect();
  }

  const { rows } = await pgc.query<{ n: string; p50: number; p99: number; max: number; span_ms: number }>(
    `WITH l AS (SELECT extract(epoch FROM received_at) * 1000 - sent_at_ms AS ms, received_at, sent_at_ms FROM "${PG_SCHEMA}"."${TABLE}" WHERE id > 0)
     SELECT count(*) AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
            max(ms) AS max, extract(epoch FROM max(received_at)) * 1000 - min(sent_at_ms) AS span_ms FROM l`,
  );
  const r = rows[0];
  if (!r || Number(r.n) !== total) throw new Error(`PostgreSQL holds ${r?.n} of the ${total} events`);
  const spanS = Number(r.span_ms) / 1000;
  await pgc.query(`DROP TABLE IF EXISTS "${PG_SCHEMA}"."${TABLE}"`);
  return {
    scenario: SCENARIO,
    tool,
    seconds: spanS,
    rowsPerSecond: total / spanS,
    peakRssMb: peak,
    p50Ms: Number(r.p50),
    p99Ms: Number(r.p99),
    maxMs: Number(r.max),
    note: `every event once; latency = produced → inserted in PostgreSQL`,
  };
}
