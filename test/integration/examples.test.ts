/**
 * Every task file in examples/ runs as shipped, the way the README tells a user to run it: `fdi run <file> --json
 * --state <file>` (realtime ones through the engine, stopped with STOP_REASON once their rows arrived), after the
 * seed the example's docs name (examples/data/seed-*.sql, the CSV uploaded, or the upstream example run first).
 * Each case asserts exit 0 / SUCCESS, the counts, and what landed in the target: rows in the table, messages in
 * the topic, the file on SFTP or on disk.
 *
 * What the test changes in a copy of the file, and nothing else: the connection settings come from
 * test/support/services.ts (the shipped ones are the test services' defaults, checked below), and each case gets
 * its own names (`fdi_example_orders` → `fdi_example_orders_t1a2b3c4d`, `/upload` → `/upload/fdi-example-t1a2b3c4d`),
 * because the Kafka mock cannot delete topics and other suites use the plain names. Tables and SFTP folders are
 * dropped afterwards.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceContent } from '../../core/datasource.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { STOP_REASON } from '../../worker/index.ts';
import { testServices } from '../support/services.ts';
import { codes, harness, runTask, untilOrEnded } from '../support/task-runs.ts';
import { writtenAtLeast } from './sql-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples');
const BIN = join(ROOT, 'bin', 'fdi.mjs');
const services = testServices();
const mysqlUrl = new URL(services.mysqlUrl);
const pgUrl = new URL(services.pgUrl);
const appDb = decodeURIComponent(mysqlUrl.pathname.slice(1)) || 'app';
const work = mkdtempSync(join(tmpdir(), 'fdi-examples-'));
const tags: string[] = [];

const kafka = new Kafka({ clientId: 'fdi-examples-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer();
const sftp = new SftpClient('fdi-examples-test');
let my: mysql.Connection;
let pgc: pg.Client;

// ---------------------------------------------------------------------------------------------------------------
// A case's own copy of examples/

/** One case: its tag, its copy of examples/ and the helpers that run and inspect it. */
interface Case {
  tag: string;
  dir: string;
  /** A name of the examples as this case spells it (`fdi_example_orders` → `fdi_example_orders_<tag>`). */
  name(shipped: string): string;
  /** The case's SFTP folder (the examples' `/upload`). */
  sftpDir: string;
}

/** `fdi_example_x` / `fdi-example-x` names get the tag; `/upload` becomes the case's folder; `app.` the test database. */
function localise(text: string, tag: string): string {
  return text
    .replace(/\bfdi([_-])example(?:\1[A-Za-z0-9]+)+/g, (m: string, sep: string) => `${m}${sep}${tag}`)
    .replace(/"\/upload(?=["/])/g, `"${services.sftp.root}/fdi-example-${tag}`)
    .replace(/"app\.fdi_example/g, `"${appDb}.fdi_example`);
}

/** The settings of a shipped data source, pointed at the test services (the same values unless FDI_TEST_* say otherwise). */
function connect(type: string, content: DataSourceContent): DataSourceContent {
  switch (type) {
    case 'MYSQL': {
      const at = { host: mysqlUrl.hostname, port: mysqlUrl.port || '3306', db: appDb };
      const who = { user_name: decodeURIComponent(mysqlUrl.username), password: decodeURIComponent(mysqlUrl.password) };
      return content['mode'] === 'professional'
        ? { ...content, ...who, url: `jdbc:mysql://${at.host}:${at.port}/${at.db}` }
        : { ...content, ...who, host: at.host, port: at.port, database_name: at.db };
    }
    case 'POSTGRESQL': {
      const at = { host: pgUrl.hostname, port: pgUrl.port || '5432', db: decodeURIComponent(pgUrl.pathname.slice(1)) };
      const who = { user_name: decodeURIComponent(pgUrl.username), password: decodeURIComponent(pgUrl.password) };
      return content['mode'] === 'professional'
        ? { ...content, ...who, url: `jdbc:postgresql://${at.host}:${at.port}/${at.db}` }
        : { ...content, ...who, host: at.host, port: at.port, database_name: at.db };
    }
    case 'KAFKA':
      // The mock broker makes a rejoining group wait session_timeout − 1 s (docs/testing.md): keep it short here.
      return { ...content, broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 };
    case 'FTP':
      return { ...content, host: services.sftp.host, port: String(services.sftp.port), user_name: services.sftp.user, password: services.sftp.password };
    default:
      return content;
  }
}

interface ShippedFile {
  datasources: { datasource_id: string; datasource_type: string; content: DataSourceContent }[];
  task: { task_name: string; task_type: string };
  task_detail: unknown;
}

function shipped(file: string): ShippedFile {
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as ShippedFile;
}

/** A copy of examples/ (task files and data, no outputs) for one case, names and settings localised. */
function newCase(): Case {
  const tag = `t${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  tags.push(tag);
  const dir = join(work, tag);
  cpSync(EXAMPLES, dir, { recursive: true, filter: (src) => !/[/\\](out|\.fdi|plugins)([/\\]|$)/.test(src) && !src.endsWith('.dirty.jsonl') });
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const file = JSON.parse(localise(readFileSync(join(dir, f), 'utf8'), tag)) as ShippedFile;
    file.datasources = file.datasources.map((d) => ({ ...d, content: connect(d.datasource_type, d.content) }));
    writeFileSync(join(dir, f), JSON.stringify(file, null, 2));
  }
  for (const f of readdirSync(join(dir, 'data')).filter((n) => n.endsWith('.sql'))) {
    writeFileSync(join(dir, 'data', f), localise(readFileSync(join(dir, 'data', f), 'utf8'), tag));
  }
  return {
    tag,
    dir,
    name: (s) => localise(`"${s}`, tag).slice(1),
    sftpDir: `${services.sftp.root}/fdi-example-${tag}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running

interface CliRun {
  code: number | null;
  log: TaskMonitorLog;
  stderr: string;
}

/** `fdi run <file> --json --state <case>/state/<file>`: the same state file for every run of that example in the case. */
function cli(c: Case, file: string): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'run', join(c.dir, file), '--json', '--state', join(c.dir, 'state', file)], {
      cwd: c.dir,
      env: { ...process.env, FDI_PLUGINS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      try {
        done({ code, log: JSON.parse(stdout) as TaskMonitorLog, stderr });
      } catch {
        fail(new Error(`fdi run ${file} exited ${code} without a JSON log\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

/** Runs an example and expects what every successful run shows: exit 0, SUCCESS, status 901 (or 105 when nothing was read). */
async function succeeds(c: Case, file: string): Promise<TaskMonitorLog> {
  const r = await cli(c, file);
  expect(r.code, `${file}: ${r.log.remarks}\n${r.stderr}`).toBe(0);
  expect(r.log.execute_status).toBe('SUCCESS');
  expect(r.log.task_id).toBe(c.name(shipped(file).task.task_name));
  expect(codes(r.log).slice(0, 2)).toEqual([900, 99]);
  expect(codes(r.log).at(-1)).toBe(r.log.data_count + r.log.dirty_data_count === 0 ? 105 : 901);
  // The Kafka writer names its partitioner, so kafkajs has no "switched default partitioner" warning to print.
  expect(r.stderr).not.toMatch(/partitioner/i);
  return r.log;
}

/** A realtime example through the engine: started, fed by `feed`, stopped (drain + commit) once `rows` were written. */
async function realtime(c: Case, file: string, rows: number, feed: () => Promise<void>): Promise<TaskMonitorLog> {
  const task = JSON.parse(readFileSync(join(c.dir, file), 'utf8')) as Record<string, unknown>;
  const stop = new AbortController();
  const progress = writtenAtLeast(rows);
  const running = runTask(harness(), task, { signal: stop.signal, onProgress: progress.onProgress });
  try {
    await feed();
    await untilOrEnded(progress.reached, running);
  } catch (err) {
    stop.abort('terminate');
    await running.catch(() => undefined);
    throw err;
  }
  stop.abort(STOP_REASON);
  const log = await running;
  expect(log.execute_status, log.remarks).toBe('SUCCESS');
  expect(codes(log).at(-1)).toBe(901);
  return log;
}

/**
 * `fdi run` of a realtime example, the way docs/examples.md tells a user: it runs until Ctrl-C. SIGINT is sent once
 * `arrived()` says the rows are in the target (polled); a realtime run's first Ctrl-C is a stop (drain, commit).
 */
function cliUntilArrived(c: Case, file: string, feed: () => Promise<void>, arrived: () => Promise<boolean>): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, 'run', join(c.dir, file), '--json', '--state', join(c.dir, 'state', file)], {
    cwd: c.dir,
    env: { ...process.env, FDI_PLUGINS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code));
  });
  let ended = false;
  void closed.finally(() => (ended = true));
  return (async () => {
    try {
      await feed();
      while (!(await arrived())) {
        if (ended) throw new Error(`fdi run ${file} ended before the rows arrived\nstdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      child.kill('SIGINT');
    }
    const code = await closed;
    try {
      return { code, log: JSON.parse(stdout) as TaskMonitorLog, stderr };
    } catch {
      throw new Error(`fdi run ${file} exited ${code} without a JSON log\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
  })();
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding and looking

async function seedMysql(c: Case): Promise<void> {
  await my.query(readFileSync(join(c.dir, 'data', 'seed-mysql.sql'), 'utf8'));
}

async function seedPostgresql(c: Case): Promise<void> {
  await pgc.query(readFileSync(join(c.dir, 'data', 'seed-postgresql.sql'), 'utf8'));
}

/** Puts examples/data/customers.csv into the case's SFTP folder as `name`. */
async function uploadCustomers(c: Case, name: string): Promise<void> {
  await sftp.mkdir(c.sftpDir, true);
  await sftp.put(readFileSync(join(EXAMPLES, 'data', 'customers.csv')), `${c.sftpDir}/${name}`);
}

async function sftpFiles(c: Case): Promise<string[]> {
  return (await sftp.list(c.sftpDir)).map((f) => f.name).sort();
}

async function sftpText(path: string): Promise<string> {
  return String(await sftp.get(path));
}

interface Message {
  key: string | null;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Every message on `topic`, after checking the topic holds exactly `expected` of them. */
async function topicMessages(topic: string, expected: number): Promise<Message[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  expect(ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(expected);
  const consumer = kafka.consumer({ groupId: `fdi-examples-verify-${randomUUID()}`, sessionTimeout: 6000, heartbeatInterval: 1000 });
  const out: Message[] = [];
  let all!: () => void;
  const done = new Promise<void>((r) => (all = r));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? null, value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>, headers });
        if (out.length >= expected) all();
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => Number(a.key) - Number(b.key));
}

async function committed(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function pgRows(sql: string): Promise<Record<string, unknown>[]> {
  return (await pgc.query<Record<string, unknown>>(sql)).rows;
}

async function myRows(sql: string): Promise<Record<string, unknown>[]> {
  const [rows] = await my.query(sql);
  return rows as Record<string, unknown>[];
}

/** The seeded orders as mysql-to-kafka.json sends them: pass-through JSON, exact decimals and ids as text, UTC times. */
const SEEDED_ORDERS = [
  { id: '1', customer: 'Zhang Wei', amount: '120.50', status: 'PAID', details: { channel: 'web', items: 2 }, updated_at: '2024-02-01T01:00:00.000Z' },
  { id: '2', customer: "Siobhán O'Brien", amount: '15.00', status: 'DRAFT', details: null, updated_at: '2024-02-01T01:00:00.000Z' },
  { id: '3', customer: 'Jürgen Müller', amount: '99.99', status: 'SHIPPED', details: { channel: 'shop', items: [1, 2] }, updated_at: '2024-02-02T02:30:00.000Z' },
  { id: '4', customer: 'Ana Souza', amount: '4200.00', status: 'PAID', details: null, updated_at: '2024-02-03T10:45:00.250Z' },
  { id: '5', customer: '田中 さくら 😀', amount: '7.25', status: 'DELETED', details: null, updated_at: '2024-02-04T00:00:00.000Z' },
  { id: '6', customer: 'Olusegun Adeyemi', amount: '310.40', status: 'SHIPPED', details: { gift: true }, updated_at: '2024-02-05T04:00:00.000Z' },
];

// ---------------------------------------------------------------------------------------------------------------
// The cases: one per example file

interface ExampleCase {
  file: string;
  /** What is seeded before the run, as the example's description tells a user. */
  seed: string;
  /** What the run proves. */
  proves: string;
  run(c: Case): Promise<void>;
}

const CASES: ExampleCase[] = [
  {
    file: 'csv-to-jsonl.json',
    seed: 'nothing: examples/data/customers.csv ships with it',
    proves: '6 customers typed into out/customers.jsonl (test/unit/cli.test.ts checks every value)',
    async run(c) {
      const log = await succeeds(c, 'csv-to-jsonl.json');
      expect(log.data_count).toBe(6);
      expect(jsonl(join(c.dir, 'out', 'customers.jsonl')).map((r) => r['id'])).toEqual([1, 2, 3, 4, 5, 6]);
    },
  },
  {
    file: 'csv-with-bad-row.json',
    seed: 'nothing: examples/data/customers-bad-age.csv ships with it',
    proves: 'SUCCESS with 3 written and the "forty" row dirty in the dirty file (test/unit/cli.test.ts checks the record)',
    async run(c) {
      const log = await succeeds(c, 'csv-with-bad-row.json');
      expect([log.data_count, log.dirty_data_count]).toEqual([3, 1]);
      expect(readFileSync(join(c.dir, 'out', 'customers-checked.csv'), 'utf8').split('\n')).toHaveLength(5);
      expect(jsonl(join(c.dir, 'customers-bad-row.dirty.jsonl'))).toMatchObject([{ column: 'age', record: { id: '2', age: 'forty' } }]);
    },
  },
  {
    file: 'csv-to-kafka.json',
    seed: 'nothing',
    proves: 'one JSON message per customer on the topic, keyed by id, with the source and city headers',
    async run(c) {
      const log = await succeeds(c, 'csv-to-kafka.json');
      expect(log.data_count).toBe(6);
      const messages = await topicMessages(c.name('fdi-example-customers'), 6);
      expect(messages.map((m) => m.key)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(messages[4]).toEqual({
        key: '5',
        value: { id: '5', name: '田中 さくら', email: 'sakura@example.jp', city: '東京', age: '27', signup_date: '2023-08-30', note: 'VIP' },
        headers: { source: 'customers.csv', city: '東京' },
      });
      expect(messages[3]?.value['note']).toBe('Two-line note:\nrenewal in Q3');
    },
  },
  {
    file: 'kafka-to-jsonl.json',
    seed: 'csv-to-kafka.json run first (as its description says)',
    proves: 'the topic up to its end in out/customers-from-kafka.jsonl with the mapped names; the next run reads nothing again',
    async run(c) {
      await succeeds(c, 'csv-to-kafka.json');
      const log = await succeeds(c, 'kafka-to-jsonl.json');
      expect(log.data_count).toBe(6);
      const out = join(c.dir, 'out', 'customers-from-kafka.jsonl');
      const rows = jsonl(out).sort((a, b) => Number(a['customer_id']) - Number(b['customer_id']));
      expect(rows.map((r) => Object.keys(r).sort())).toEqual(Array(6).fill(['city', 'customer_id', 'name']));
      expect(rows[1]).toEqual({ customer_id: '2', name: "O'Brien, Siobhán", city: 'Dublin' });
      const again = await succeeds(c, 'kafka-to-jsonl.json');
      expect(again.data_count).toBe(0);
      expect(codes(again)).toContain(105);
      expect(jsonl(out)).toHaveLength(6);
    },
  },
  {
    file: 'csv-to-sftp.json',
    seed: 'nothing',
    proves: '/upload/customers_<yyyyMMdd>.csv holds the customers byte for byte, and no part file is left',
    async run(c) {
      const log = await succeeds(c, 'csv-to-sftp.json');
      expect(log.data_count).toBe(6);
      const files = await sftpFiles(c);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^customers_\d{8}\.csv$/);
      expect(await sftpText(`${c.sftpDir}/${files[0]}`)).toBe(readFileSync(join(EXAMPLES, 'data', 'customers.csv'), 'utf8'));
    },
  },
  {
    file: 'sftp-csv-to-jsonl.json',
    seed: 'examples/data/customers.csv uploaded as /upload/customers_20240101.csv',
    proves: 'every matching file downloaded into out/customers-from-sftp.jsonl, header names as fields',
    async run(c) {
      await uploadCustomers(c, 'customers_20240101.csv');
      const log = await succeeds(c, 'sftp-csv-to-jsonl.json');
      expect(log.data_count).toBe(6);
      const rows = jsonl(join(c.dir, 'out', 'customers-from-sftp.jsonl'));
      expect(rows.map((r) => r['name'])).toEqual(["Zhang Wei", "O'Brien, Siobhán", 'Jürgen Müller', 'Ana Souza', '田中 さくら', 'Olusegun Adeyemi']);
      expect(rows[2]).toMatchObject({ id: '3', age: null, note: 'Said "call me after 5"' });
    },
  },
  {
    file: 'mysql-to-postgresql.json',
    seed: 'examples/data/seed-mysql.sql',
    proves: 'the 4 orders that are not DRAFT/DELETED in a created table; the state file makes the 2nd run read nothing and the 3rd only the changed row',
    async run(c) {
      await seedMysql(c);
      const first = await succeeds(c, 'mysql-to-postgresql.json');
      expect(first.data_count).toBe(4);
      const table = `public.${c.name('fdi_example_orders')}`;
      const select = `SELECT id::int, customer, amount::text, status, details, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.MS') AS updated_at, length(batch_no) AS batch FROM ${table} ORDER BY id`;
      expect(await pgRows(select)).toEqual([
        { id: 1, customer: 'Zhang Wei', amount: '120.50', status: 'PAID', details: { channel: 'web', items: 2 }, updated_at: '2024-02-01 09:00:00.000', batch: 15 },
        { id: 3, customer: 'Jürgen Müller', amount: '99.99', status: 'SHIPPED', details: { channel: 'shop', items: [1, 2] }, updated_at: '2024-02-02 10:30:00.000', batch: 15 },
        { id: 4, customer: 'Ana Souza', amount: '4200.00', status: 'PAID', details: null, updated_at: '2024-02-03 18:45:00.250', batch: 15 },
        { id: 6, customer: 'Olusegun Adeyemi', amount: '310.40', status: 'SHIPPED', details: { gift: true }, updated_at: '2024-02-05 12:00:00.000', batch: 15 },
      ]);
      const second = await succeeds(c, 'mysql-to-postgresql.json');
      expect(codes(second)).toContain(105);

      // A change stamped 60 s ago (committed late, as a long transaction does) is still after the last window's end
      // (its run's now − compensation_time), so the next run takes it. The task's zone is GMT+08:00.
      await my.query(`SET time_zone = '+08:00'`);
      await my.query(`UPDATE \`${appDb}\`.${c.name('fdi_example_orders')} SET amount = 130.00, updated_at = NOW(6) - INTERVAL 60 SECOND WHERE id = 1`);
      const third = await succeeds(c, 'mysql-to-postgresql.json');
      expect(third.data_count).toBe(1);
      expect(await pgRows(`SELECT id::int, amount::text FROM ${table} ORDER BY id`)).toEqual([
        { id: 1, amount: '130.00' }, { id: 3, amount: '99.99' }, { id: 4, amount: '4200.00' }, { id: 6, amount: '310.40' },
      ]);
    },
  },
  {
    file: 'mysql-query-to-postgresql.json',
    seed: 'examples/data/seed-mysql.sql',
    proves: 'your own incremental SELECT; the 2 names too long for varchar(12) refused by PostgreSQL and kept in the error_handler table with run, reason and record; the 2nd run reads nothing',
    async run(c) {
      await seedMysql(c);
      const log = await succeeds(c, 'mysql-query-to-postgresql.json');
      expect([log.data_count, log.dirty_data_count]).toEqual([3, 2]);
      expect(await pgRows(`SELECT order_id::int AS id, customer, amount_cents::int AS cents, status FROM public.${c.name('fdi_example_order_cents')} ORDER BY order_id`)).toEqual([
        { id: 1, customer: 'Zhang Wei', cents: 12050, status: 'PAID' },
        { id: 4, customer: 'Ana Souza', cents: 420000, status: 'PAID' },
        { id: 5, customer: '田中 さくら 😀', cents: 725, status: 'DELETED' },
      ]);
      const dirty = await pgRows(`SELECT run_id, task_id, stage, reason, record::jsonb AS record FROM public.${c.name('fdi_example_dirty_rows')} ORDER BY record::jsonb->>'id'`);
      expect(dirty).toEqual([3, 6].map((id) => ({
        run_id: log.id,
        task_id: log.task_id,
        stage: 'postgresqlwriter',
        reason: '22001: value too long for type character varying(12)',
        record: { id: String(id), customer: SEEDED_ORDERS[id - 1]?.customer, amount_cents: { 3: '9999', 6: '31040' }[id], status: 'SHIPPED', updated_at: SEEDED_ORDERS[id - 1]?.updated_at },
      })));
      expect(codes(await succeeds(c, 'mysql-query-to-postgresql.json'))).toContain(105);
    },
  },
  {
    file: 'postgresql-to-mysql.json',
    seed: 'examples/data/seed-postgresql.sql',
    proves: 'the 4 ACTIVE customers in a created MySQL table, times in UTC; a 2nd run clears and writes them again',
    async run(c) {
      await seedPostgresql(c);
      for (let i = 0; i < 2; i++) {
        const log = await succeeds(c, 'postgresql-to-mysql.json');
        expect(log.data_count).toBe(4);
      }
      expect(await myRows(`SELECT id, name, DATE_FORMAT(signed_up, '%Y-%m-%d %H:%i:%s.%f') AS signed_up FROM \`${appDb}\`.${c.name('fdi_example_customers')} ORDER BY id`)).toEqual([
        { id: 1, name: 'Zhang Wei', signed_up: '2023-04-11 01:30:00.000000' },
        { id: 3, name: 'Jürgen Müller', signed_up: null },
        { id: 4, name: 'Ana Souza', signed_up: '2023-07-07 17:00:00.000000' },
        { id: 6, name: 'Olusegun Adeyemi 😀', signed_up: '2023-09-14 07:15:30.500000' },
      ]);
    },
  },
  {
    file: 'mysql-to-kafka.json',
    seed: 'examples/data/seed-mysql.sql',
    proves: 'one exact JSON message per order, keyed by id, with the status header; the 2nd run sends nothing (state file)',
    async run(c) {
      await seedMysql(c);
      const log = await succeeds(c, 'mysql-to-kafka.json');
      expect(log.data_count).toBe(6);
      const again = await succeeds(c, 'mysql-to-kafka.json');
      expect(codes(again)).toContain(105);
      const messages = await topicMessages(c.name('fdi-example-orders'), 6);
      expect(messages.map((m) => m.value)).toEqual(SEEDED_ORDERS);
      expect(messages.map((m) => m.key)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(messages.map((m) => m.headers)).toEqual(SEEDED_ORDERS.map((o) => ({ source: 'mysql', status: o.status })));
    },
  },
  {
    file: 'kafka-to-postgresql.json',
    seed: 'examples/data/seed-mysql.sql, then mysql-to-kafka.json',
    proves: 'the topic up to its end upserted by id into a created table (a JSON path, jsonb, timestamptz); a re-run reads nothing; a later change of an order updates its row',
    async run(c) {
      await seedMysql(c);
      await succeeds(c, 'mysql-to-kafka.json');
      const log = await succeeds(c, 'kafka-to-postgresql.json');
      expect(log.data_count).toBe(6);
      const table = `public.${c.name('fdi_example_orders_from_kafka')}`;
      const rows = await pgRows(`SELECT order_id::int AS id, customer, amount::text, status, channel, details,
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at FROM ${table} ORDER BY order_id`);
      expect(rows).toEqual(SEEDED_ORDERS.map((o) => ({
        ...o,
        id: Number(o.id),
        channel: (o.details as { channel?: string } | null)?.channel ?? null,
      })));
      expect(codes(await succeeds(c, 'kafka-to-postgresql.json'))).toContain(105);

      await producer.send({ topic: c.name('fdi-example-orders'), acks: -1, messages: [
        { key: '3', value: JSON.stringify({ ...SEEDED_ORDERS[2], status: 'RETURNED', amount: '0.00' }) },
      ] });
      const third = await succeeds(c, 'kafka-to-postgresql.json');
      expect(third.data_count).toBe(1);
      expect(await pgRows(`SELECT order_id::int AS id, amount::text, status FROM ${table} WHERE order_id = 3`)).toEqual([{ id: 3, amount: '0.00', status: 'RETURNED' }]);
      expect(await pgRows(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 6 }]);
    },
  },
  {
    file: 'kafka-to-postgresql-realtime.json',
    seed: 'examples/data/seed-mysql.sql; mysql-to-kafka.json runs while the realtime task runs',
    proves: 'the orders arrive in the created table while the task runs; stop drains and commits every offset; under fdi run, Ctrl-C stops it the same way (SUCCESS, exit 0, every offset committed)',
    async run(c) {
      await seedMysql(c);
      const log = await realtime(c, 'kafka-to-postgresql-realtime.json', 6, async () => {
        await succeeds(c, 'mysql-to-kafka.json');
      });
      expect(log.data_count).toBe(6);
      const table = `public.${c.name('fdi_example_orders_live')}`;
      expect(await pgRows(`SELECT order_id::int AS id, amount::text, channel FROM ${table} ORDER BY order_id`)).toEqual(
        SEEDED_ORDERS.map((o) => ({ id: Number(o.id), amount: o.amount, channel: (o.details as { channel?: string } | null)?.channel ?? null })),
      );
      expect(await committed(c.name('fdi-example-orders-to-postgresql-live'), c.name('fdi-example-orders'))).toBe(6);

      // The same file under `fdi run` (a case of its own): it runs until Ctrl-C, which stops it: what was read is
      // written and committed, SUCCESS.
      const viaCli = newCase();
      await seedMysql(viaCli);
      const live = `public.${viaCli.name('fdi_example_orders_live')}`;
      const r = await cliUntilArrived(viaCli, 'kafka-to-postgresql-realtime.json', async () => {
        await succeeds(viaCli, 'mysql-to-kafka.json');
      }, async () => {
        const found = await pgc.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = $1`, [live.slice('public.'.length)]);
        return found.rows[0]?.n === 1 && (await pgRows(`SELECT 1 FROM ${live}`)).length === 6;
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.log).toMatchObject({ execute_status: 'SUCCESS', status: 901, data_count: 6, dirty_data_count: 0 });
      expect(codes(r.log)).toEqual(expect.arrayContaining([100, 102, 500, 502, 504, 501, 901]));
      expect(r.stderr).toMatch(/Ctrl-C: stopping \(Ctrl-C again to terminate\)/);
      expect(await committed(viaCli.name('fdi-example-orders-to-postgresql-live'), viaCli.name('fdi-example-orders'))).toBe(6);
    },
  },
  {
    file: 'kafka-to-mysql-realtime.json',
    seed: 'examples/data/seed-mysql.sql (creates the target table); mysql-to-kafka.json runs while the realtime task runs',
    proves: 'the spec\'s realtime shape: orders upserted into the existing table, ISO times converted to DATETIME; stop commits every offset',
    async run(c) {
      await seedMysql(c);
      const log = await realtime(c, 'kafka-to-mysql-realtime.json', 6, async () => {
        await succeeds(c, 'mysql-to-kafka.json');
      });
      expect([log.data_count, log.dirty_data_count]).toEqual([6, 0]);
      const rows = await myRows(`SELECT CAST(id AS CHAR) AS id, amount, status, DATE_FORMAT(changed_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS changed_at
        FROM \`${appDb}\`.${c.name('fdi_example_order_events')} ORDER BY id`);
      expect(rows).toEqual(SEEDED_ORDERS.map((o) => ({ id: o.id, amount: o.amount, status: o.status, changed_at: o.updated_at.replace(/(\.\d{3})Z$/, '$1000Z') })));
      expect(await committed(c.name('fdi-example-orders-to-mysql-live'), c.name('fdi-example-orders'))).toBe(6);
    },
  },
  {
    file: 'sftp-csv-to-postgresql.json',
    seed: 'examples/data/customers.csv uploaded as /upload/customers_20240101.csv',
    proves: 'the customers typed (INT, DATE, TEXT) into a created table; a re-run reads the file again and upserts, no duplicates',
    async run(c) {
      await uploadCustomers(c, 'customers_20240101.csv');
      const table = `public.${c.name('fdi_example_customers_from_sftp')}`;
      for (let i = 0; i < 2; i++) {
        const log = await succeeds(c, 'sftp-csv-to-postgresql.json');
        expect([log.data_count, log.dirty_data_count]).toEqual([6, 0]);
      }
      expect(await pgRows(`SELECT id, name, city, age, signup_date::text, note FROM ${table} ORDER BY id`)).toEqual([
        { id: 1, name: 'Zhang Wei', city: '北京', age: 34, signup_date: '2023-04-11', note: 'Prefers email, not phone' },
        { id: 2, name: "O'Brien, Siobhán", city: 'Dublin', age: 29, signup_date: '2023-05-02', note: null },
        { id: 3, name: 'Jürgen Müller', city: 'München', age: null, signup_date: '2023-06-19', note: 'Said "call me after 5"' },
        { id: 4, name: 'Ana Souza', city: 'São Paulo', age: 41, signup_date: '2023-07-07', note: 'Two-line note:\nrenewal in Q3' },
        { id: 5, name: '田中 さくら', city: '東京', age: 27, signup_date: '2023-08-30', note: 'VIP' },
        { id: 6, name: 'Olusegun Adeyemi', city: 'Lagos', age: 52, signup_date: '2023-09-14', note: null },
      ]);
    },
  },
  {
    file: 'mysql-to-sftp-csv.json',
    seed: 'examples/data/seed-mysql.sql',
    proves: 'the orders that are not drafts in /upload/orders_<yyyyMMdd>.csv, exactly, with a header; a re-run replaces the file',
    async run(c) {
      await seedMysql(c);
      const expected = [
        'order_id,customer,amount,status,details,updated_at',
        '1,Zhang Wei,120.50,PAID,"{""channel"":""web"",""items"":2}",2024-02-01T01:00:00.000Z',
        '3,Jürgen Müller,99.99,SHIPPED,"{""channel"":""shop"",""items"":[1,2]}",2024-02-02T02:30:00.000Z',
        '4,Ana Souza,4200.00,PAID,,2024-02-03T10:45:00.250Z',
        '5,田中 さくら 😀,7.25,DELETED,,2024-02-04T00:00:00.000Z',
        '6,Olusegun Adeyemi,310.40,SHIPPED,"{""gift"":true}",2024-02-05T04:00:00.000Z',
        '',
      ].join('\n');
      for (let i = 0; i < 2; i++) {
        const log = await succeeds(c, 'mysql-to-sftp-csv.json');
        expect(log.data_count).toBe(5);
        const files = await sftpFiles(c);
        expect(files).toHaveLength(1);
        expect(files[0]).toMatch(/^orders_\d{8}\.csv$/);
        expect(await sftpText(`${c.sftpDir}/${files[0]}`)).toBe(expected);
      }
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  my = await mysql.createConnection({
    host: mysqlUrl.hostname,
    port: Number(mysqlUrl.port || 3306),
    user: decodeURIComponent(mysqlUrl.username),
    password: decodeURIComponent(mysqlUrl.password),
    database: appDb,
    multipleStatements: true,
    charset: 'UTF8MB4_UNICODE_CI',
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  });
  pgc = new pg.Client({ connectionString: services.pgUrl });
  await pgc.connect();
  await producer.connect();
  await sftp.connect({ host: services.sftp.host, port: services.sftp.port, username: services.sftp.user, password: services.sftp.password });
});

afterAll(async () => {
  for (const tag of tags) {
    const mine = await myRows(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'fdi\\_example\\_%\\_${tag}'`);
    for (const { t } of mine) await my.query(`DROP TABLE IF EXISTS \`${String(t)}\``);
    const theirs = await pgRows(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'fdi\\_example\\_%\\_${tag}'`);
    for (const { t } of theirs) await pgc.query(`DROP TABLE IF EXISTS public."${String(t)}"`);
    const folder = `${services.sftp.root}/fdi-example-${tag}`;
    if (await sftp.exists(folder)) await sftp.rmdir(folder, true);
  }
  await sftp.end();
  await producer.disconnect();
  await my.end();
  await pgc.end();
  rmSync(work, { recursive: true, force: true });
});

describe('examples/', () => {
  it('every examples/*.json has a case here', () => {
    const files = readdirSync(EXAMPLES).filter((n) => n.endsWith('.json')).sort();
    expect(CASES.map((c) => c.file).sort()).toEqual(files);
  });

  it('every example points at the test services\' defaults (docs/testing.md), so it runs after `scripts/test-services.sh up`', () => {
    for (const c of CASES) {
      for (const d of shipped(c.file).datasources) {
        const where = `${c.file} ${d.datasource_id}`;
        const k = d.content;
        switch (d.datasource_type) {
          case 'MYSQL':
            if (k['mode'] === 'professional') expect(k['url'], where).toBe('jdbc:mysql://127.0.0.1:33306/app');
            else expect({ host: k['host'], port: k['port'], db: k['database_name'] }, where).toEqual({ host: '127.0.0.1', port: '33306', db: 'app' });
            expect({ user: k['user_name'], password: k['password'] }, where).toEqual({ user: 'app', password: 'app' });
            break;
          case 'POSTGRESQL':
            if (k['mode'] === 'professional') expect(k['url'], where).toBe('jdbc:postgresql://127.0.0.1:55432/app');
            else expect({ host: k['host'], port: k['port'], db: k['database_name'] }, where).toEqual({ host: '127.0.0.1', port: '55432', db: 'app' });
            expect({ user: k['user_name'], password: k['password'] }, where).toEqual({ user: 'postgres', password: '' });
            break;
          case 'KAFKA':
            expect(k['broker'], where).toBe('127.0.0.1:19092');
            break;
          case 'FTP':
            expect(k, where).toEqual({ ftp_protocol: 'sftp', host: '127.0.0.1', port: '2222', user_name: 'sftptest', password: 'sftppass' });
            break;
          case 'FILE':
            expect(existsSync(join(EXAMPLES, String(k['base_path']))) || k['base_path'] === 'out', where).toBe(true);
            break;
          default:
            throw new Error(`${where}: no check for ${d.datasource_type}`);
        }
      }
    }
  });

  for (const example of CASES) {
    it(`${example.file}: ${example.proves} (seed: ${example.seed})`, async () => {
      await example.run(newCase());
    });
  }
});
