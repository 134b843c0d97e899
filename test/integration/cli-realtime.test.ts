/**
 * Ctrl-C on `fdi run` of a realtime task, the way a user runs it: `node bin/fdi.mjs run <task.json> --json`, a
 * realtime Kafka → PostgreSQL task against the test services, signals sent to the child process.
 *
 * - one SIGINT = stop: what was read is written, offsets are committed, SUCCESS (901), exit 0;
 * - a second SIGINT while the stop drains = terminate: 106/505/16, CANCELLED, exit 1;
 * - a SIGINT while the consumer still waits to join its group (a killed member holds the group) ends the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { testServices } from '../support/services.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'fdi.mjs');
const services = testServices();
const pgUrl = new URL(services.pgUrl);
const work = mkdtempSync(join(tmpdir(), 'fdi-cli-realtime-'));
const kafka = new Kafka({ clientId: 'kcli-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer();
const admin = kafka.admin();
const db = new pg.Client({ connectionString: services.pgUrl });
const tables: string[] = [];
/** How long a process may take to end after the signal that ends it; only a process that hangs comes near it. */
const EXIT_BOUND_MS = 30_000;

interface Names {
  tag: string;
  topic: string;
  group: string;
  table: string;
}

function names(): Names {
  const tag = randomUUID().replaceAll('-', '').slice(0, 10);
  const table = `kcli_${tag}`;
  tables.push(table);
  return { tag, topic: `kcli-${tag}`, group: `kcli-group-${tag}`, table };
}

/** A realtime task: JSON `{id, name}` records of the topic upserted by id into an existing table. */
function taskFile(n: Names): string {
  const path = join(work, `${n.tag}.json`);
  writeFileSync(path, JSON.stringify({
    datasources: [
      {
        datasource_id: 'kafka',
        datasource_name: 'kcli-kafka',
        datasource_type: 'KAFKA',
        // A short session keeps the mock's rebalances quick (docs/testing.md).
        content: { broker: services.kafkaBrokers.join(','), session_timeout_ms: 6000, heartbeat_interval_ms: 1000 },
      },
      {
        datasource_id: 'pg',
        datasource_name: 'kcli-pg',
        datasource_type: 'POSTGRESQL',
        content: {
          host: pgUrl.hostname,
          port: pgUrl.port || '5432',
          database_name: decodeURIComponent(pgUrl.pathname.slice(1)),
          user_name: decodeURIComponent(pgUrl.username),
          password: decodeURIComponent(pgUrl.password),
        },
      },
    ],
    task: { task_name: `kcli-${n.tag}`, task_type: 'REALTIME', source_datasource_id: 'kafka', target_datasource_id: 'pg' },
    task_detail: {
      sourceSelectedDatasource: {
        sourceTopicName: n.topic,
        kafka_data_type: 'json',
        consumer_group: n.group,
        offset_reset: 'earliest',
        sourceMetaData: { mode: 'keyValue', dataSource: [{ index: '0', name: 'id', path: 'id' }, { index: '1', name: 'name', path: 'name' }] },
      },
      targetSelectedDatasource: {
        targetTable: `public.${n.table}`,
        targetSelectedColumnList: [
          { field_name: 'id', field_type: 'int4', null_able: '0', unique: '1' },
          { field_name: 'name', field_type: 'text', null_able: '1', unique: '0' },
        ],
      },
      mappingInput: { mode: 'keyValue', dataSource: [{ sourceKey: 'id', targetKey: 'id' }, { sourceKey: 'name', targetKey: 'name' }] },
      mappingRequired: true,
      runtime: { batch_size: 10 },
    },
  }));
  return path;
}

async function produce(topic: string, from: number, to: number): Promise<void> {
  const messages = [];
  for (let id = from; id <= to; id++) messages.push({ key: String(id), value: JSON.stringify({ id, name: `n${id}` }) });
  await producer.send({ topic, acks: -1, messages });
}

async function rowCount(table: string): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${table}`);
  return r.rows[0]?.n ?? 0;
}

/** The group's committed offsets summed over the topic's partitions: how many records it has committed. */
async function committed(group: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function until(what: string, probe: () => Promise<boolean> | boolean, run?: FdiRun, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (run?.exitCode() !== undefined) throw new Error(`fdi run ended (${run.exitCode()}) before ${what}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${run ? `\nstderr: ${run.stderr()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface FdiRun {
  child: ChildProcess;
  stderr(): string;
  exitCode(): number | null | undefined;
  /** The exit code and the printed monitor log; fails when the process has not ended within EXIT_BOUND_MS. */
  ended(): Promise<{ code: number | null; log: TaskMonitorLog; stderr: string }>;
}

function fdiRun(file: string): FdiRun {
  const child = spawn(process.execPath, [BIN, 'run', file, '--json', '--state', `${file}.state`], {
    cwd: work,
    env: { ...process.env, FDI_PLUGINS: '' },
  });
  let stdout = '';
  let stderr = '';
  let code: number | null | undefined;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((done) => {
    child.on('close', (c) => {
      code = c;
      done();
    });
  });
  return {
    child,
    stderr: () => stderr,
    exitCode: () => code,
    async ended() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'hung'>((done) => {
        timer = setTimeout(() => done('hung'), EXIT_BOUND_MS);
      });
      const result = await Promise.race([closed, bound]);
      clearTimeout(timer);
      if (result === 'hung') {
        child.kill('SIGKILL');
        throw new Error(`fdi run did not exit within ${EXIT_BOUND_MS} ms of its last signal\nstderr: ${stderr}`);
      }
      try {
        return { code: code ?? null, log: JSON.parse(stdout) as TaskMonitorLog, stderr };
      } catch {
        throw new Error(`fdi run exited ${code} without a JSON log\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
    },
  };
}

const codes = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);

/** A member of `group` in another process, SIGKILLed once it has joined: it stays in the group until its session expires. */
async function killedMember(topic: string, group: string, sessionMs: number): Promise<void> {
  const code = `
    import { Kafka, logLevel } from 'kafkajs';
    const kafka = new Kafka({ clientId: 'kcli-ghost', brokers: ${JSON.stringify(services.kafkaBrokers)}, logLevel: logLevel.NOTHING });
    const c = kafka.consumer({ groupId: ${JSON.stringify(group)}, sessionTimeout: ${sessionMs}, heartbeatInterval: 1000 });
    c.on(c.events.GROUP_JOIN, () => console.log('joined'));
    await c.connect();
    await c.subscribe({ topics: [${JSON.stringify(topic)}], fromBeginning: true });
    await c.run({ eachMessage: async () => {} });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('joined')) done();
    });
    child.on('exit', (c) => fail(new Error(`the member process exited (${c}) before joining: ${stderr}`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  await Promise.all([producer.connect(), admin.connect(), db.connect()]);
});

afterAll(async () => {
  for (const t of tables) await db.query(`DROP TABLE IF EXISTS public.${t}`);
  await Promise.all([producer.disconnect(), admin.disconnect(), db.end()]);
  rmSync(work, { recursive: true, force: true });
});

async function createTable(n: Names): Promise<void> {
  await db.query(`CREATE TABLE public.${n.table} (id int4 PRIMARY KEY, name text)`);
}

describe('fdi run of a realtime task: Ctrl-C', () => {
  it('once: stop — the rows read are written, offsets committed, SUCCESS, exit 0; the next run reads only what is new', { timeout: 120_000 }, async () => {
    const n = names();
    await createTable(n);
    const file = taskFile(n);
    await produce(n.topic, 1, 3);

    const first = fdiRun(file);
    await until('the 3 rows in the table', async () => (await rowCount(n.table)) === 3, first);
    first.child.kill('SIGINT');
    const r1 = await first.ended();
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stderr).toMatch(/Ctrl-C: stopping \(Ctrl-C again to terminate\)/);
    expect(r1.stderr).not.toMatch(/terminating/);
    expect(r1.log).toMatchObject({ execute_status: 'SUCCESS', status: 901, data_count: 3, dirty_data_count: 0 });
    expect(codes(r1.log)).toEqual(expect.arrayContaining([100, 102, 500, 502, 504, 501, 901]));
    expect(codes(r1.log)).not.toEqual(expect.arrayContaining([106]));
    expect(codes(r1.log)).not.toContain(505);
    expect(codes(r1.log)).not.toContain(16);
    expect(await committed(n.group, n.topic)).toBe(3);

    // The same file again, same group: only the new record is read.
    await produce(n.topic, 4, 4);
    const second = fdiRun(file);
    await until('row 4 in the table', async () => (await rowCount(n.table)) === 4, second);
    second.child.kill('SIGINT');
    const r2 = await second.ended();
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.log).toMatchObject({ execute_status: 'SUCCESS', status: 901, data_count: 1, dirty_data_count: 0 });
    expect(await committed(n.group, n.topic)).toBe(4);
    expect((await db.query(`SELECT id, name FROM public.${n.table} ORDER BY id`)).rows).toEqual(
      [1, 2, 3, 4].map((id) => ({ id, name: `n${id}` })),
    );
  });

  it('twice: the second Ctrl-C terminates the draining stop — 106/505/16, CANCELLED, exit 1; nothing committed that is not written', { timeout: 120_000 }, async () => {
    const n = names();
    await createTable(n);
    const file = taskFile(n);
    await produce(n.topic, 1, 3);
    const run = fdiRun(file);
    const locker = new pg.Client({ connectionString: services.pgUrl });
    await locker.connect();
    try {
      await until('the 3 rows in the table', async () => (await rowCount(n.table)) === 3, run);

      // The table locked, the next batch's write waits: the stop has something to drain that cannot finish.
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE public.${n.table} IN ACCESS EXCLUSIVE MODE`);
      await produce(n.topic, 4, 5);
      await until('the writer to wait for the lock', async () => {
        const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`, [`public.${n.table}`]);
        return (r.rows[0]?.n ?? 0) > 0;
      }, run);

      run.child.kill('SIGINT');
      await until('the stop to be announced', () => /Ctrl-C: stopping \(Ctrl-C again to terminate\)/.test(run.stderr()), run);
      run.child.kill('SIGINT');
      await until('the terminate to be announced', () => /Ctrl-C: terminating the run/.test(run.stderr()), run);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    const r = await run.ended();
    expect(r.code, r.stderr).toBe(1);
    expect(r.log).toMatchObject({ execute_status: 'CANCELLED', status: 16 });
    expect(codes(r.log)).toEqual(expect.arrayContaining([106, 505, 16]));
    expect(codes(r.log)).not.toContain(901);
    // At least once: every committed record is in the table (what is not committed is read again next time).
    const inTable = await rowCount(n.table);
    expect(inTable).toBeGreaterThanOrEqual(3);
    expect(await committed(n.group, n.topic)).toBeLessThanOrEqual(inTable);
    expect(await committed(n.group, n.topic)).toBeGreaterThanOrEqual(3);
  });

  it('while the consumer still waits to join its group (a killed member holds it): Ctrl-C ends the process, SUCCESS, exit 0', { timeout: 120_000 }, async () => {
    const n = names();
    await createTable(n);
    await produce(n.topic, 1, 2);
    // The killed member stays in the group for a minute: the run's join waits for it.
    await killedMember(n.topic, n.group, 60_000);
    const run = fdiRun(taskFile(n));
    // The progress line comes once the run is going (its reader open, the join under way); nothing can be read yet.
    await until('the first progress line', () => /running: read 0/.test(run.stderr()), run);
    run.child.kill('SIGINT');
    const r = await run.ended();
    expect(r.code, r.stderr).toBe(0);
    expect(r.log).toMatchObject({ execute_status: 'SUCCESS', data_count: 0, dirty_data_count: 0 });
    expect(codes(r.log)).not.toContain(16);
    expect(await rowCount(n.table)).toBe(0);
    expect(await committed(n.group, n.topic)).toBe(0);
  });
});
