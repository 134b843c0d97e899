/**
 * `fdi worker` processes sharing one Redis: two workers never run the same fire twice; a worker killed with SIGKILL
 * in the middle of a realtime Kafka → PostgreSQL task loses nothing (a second worker resumes from the committed
 * offsets, 108/507, the vanished run closed with 915); SIGTERM hands a realtime run over to another worker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, stopTask } from '../../api/routes/task-actions.ts';
import type { TaskRecord } from '../../core/store.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { kafkaContent, sqlContent } from '../support/datasources.ts';
import {
  allLogs,
  codesOf,
  dropPrefix,
  openTestDeployment,
  putDatasource,
  putPlan,
  putTask,
  runEnded,
  uniquePrefix,
  waitFor,
  FdiProcess,
} from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('workers');
let dir = '';
let control: Deployment;
let pgClient: pg.Client;
let myConn: mysql.Connection;
const MY_TABLE = 'rt_w_slow_src';
let producer: Producer;
const workers: FdiProcess[] = [];
const tables: string[] = [];

async function worker(env: Record<string, string> = {}): Promise<FdiProcess> {
  const w = await FdiProcess.worker(prefix, env);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-rt-workers-'));
  await writeFile(join(dir, 'in.csv'), 'id,name\n1,ann\n2,bob\n');
  control = await openTestDeployment(prefix, { worker: false, control: true });
  await putDatasource(control.store, { datasource_id: 'rt-w-files', datasource_name: 'rt-w-files', datasource_type: 'FILE', content: { base_path: dir } });
  await putDatasource(control.store, {
    datasource_id: 'rt-w-pg',
    datasource_name: 'rt-w-pg',
    datasource_type: 'POSTGRESQL',
    content: sqlContent(services.pgUrl),
  });
  await putDatasource(control.store, {
    datasource_id: 'rt-w-kafka',
    datasource_name: 'rt-w-kafka',
    datasource_type: 'KAFKA',
    content: kafkaContent(),
  });
  await putDatasource(control.store, {
    datasource_id: 'rt-w-mysql',
    datasource_name: 'rt-w-mysql',
    datasource_type: 'MYSQL',
    content: sqlContent(services.mysqlUrl),
  });
  myConn = await mysql.createConnection(services.mysqlUrl);
  await myConn.query(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  await myConn.query(`CREATE TABLE ${MY_TABLE} (id INT PRIMARY KEY, name VARCHAR(16))`);
  await myConn.query(`INSERT INTO ${MY_TABLE} VALUES ${Array.from({ length: 12 }, (_, i) => `(${i + 1},'r${i + 1}')`).join(',')}`);
  pgClient = new pg.Client({ connectionString: services.pgUrl });
  await pgClient.connect();
  producer = new Kafka({ clientId: 'rt-workers-test', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await control?.close();
  await dropPrefix(prefix);
  await producer?.disconnect();
  for (const t of tables) await pgClient?.query(`DROP TABLE IF EXISTS ${t}`);
  await myConn?.query(`DROP TABLE IF EXISTS ${MY_TABLE}`);
  await myConn?.end();
  await pgClient?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two worker processes', () => {
  it('run every fire of two per-second tasks exactly once between them', async () => {
    const a = await worker();
    const b = await worker();
    const tasks: TaskRecord[] = [];
    for (const name of ['twice-a', 'twice-b']) {
      const task = await putTask(control.store, {
        name,
        type: 'TIMING',
        source: 'rt-w-files',
        target: 'rt-w-files',
        detail: {
          sourceSelectedDatasource: { path: '/', file_name: 'in.csv', skip_header: true, skip_header_rows: 1 },
          targetSelectedDatasource: { path: '/', file_name: `${name}.jsonl`, file_type: 'jsonl', write_mode: 'truncate' },
          mappingTable: [
            { sourceColumn: 'id', targetColumn: 'id' },
            { sourceColumn: 'name', targetColumn: 'name' },
          ],
          mappingRequired: true,
        },
      });
      await putPlan(control.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
      await startTask(control.store, control.control!, task);
      tasks.push(task);
    }
    const logs = await waitFor('6 finished fires of each task', async () => {
      const per = await Promise.all(tasks.map(async (t) => (await allLogs(control.store, t.task_id)).filter((l) => l.end_time !== null)));
      return per.every((l) => l.length >= 6) ? per.flat() : null;
    }, 40_000);
    for (const t of tasks) await stopTask(control.store, control.control!, (await control.store.getTask(t.task_id))!);
    // Let a fire taken up just before the stop finish, then count again.
    await waitFor('no execution in progress', async () => (await Promise.all(tasks.map((t) => control.control!.isRunning(t.task_id)))).every((r) => !r));
    const all = (await Promise.all(tasks.map((t) => allLogs(control.store, t.task_id)))).flat();
    expect(all.length).toBeGreaterThanOrEqual(logs.length);

    for (const log of all) expect(log.execute_status, log.remarks).toBe('SUCCESS');
    const perFire = new Map<string, number>();
    for (const log of all) perFire.set(`${log.task_id}@${log.dispatch_time}`, (perFire.get(`${log.task_id}@${log.dispatch_time}`) ?? 0) + 1);
    expect([...perFire.values()].every((n) => n === 1)).toBe(true);

    // Who ran what: each run by exactly one process, and both processes took part.
    await waitFor('both workers to report their runs', async () => a.finishedRuns().length + b.finishedRuns().length >= all.length);
    const byA = new Set(a.finishedRuns());
    const byB = new Set(b.finishedRuns());
    expect([...byA].filter((id) => byB.has(id))).toEqual([]);
    expect(new Set([...byA, ...byB])).toEqual(new Set(all.map((l) => l.id)));
    expect(byA.size).toBeGreaterThan(0);
    expect(byB.size).toBeGreaterThan(0);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('a realtime Kafka → PostgreSQL task', () => {
  const BATCH_SIZE = 20;
  const realtimeDetail = (topic: string, table: string) => ({
    sourceSelectedDatasource: {
      sourceTopicName: topic,
      kafka_data_type: 'json',
      isParse: 'true',
      offset_reset: 'earliest',
      sourceMetaData: {
        mode: 'keyValue',
        dataSource: [
          { index: '0', name: 'id', type: 'Integer', path: 'id' },
          { index: '1', name: 'name', type: 'String', path: 'name' },
        ],
      },
    },
    targetSelectedDatasource: {
      targetNeedCreateTable: false,
      targetTable: table,
      targetSelectedColumnList: [
        { field_name: 'id', field_type: 'int4', field_length: '10', null_able: '0', unique: '1' },
        { field_name: 'name', field_type: 'text', field_length: '0', null_able: '1', unique: '0' },
      ],
      supportPartUpdate: false,
    },
    mappingInput: {
      mode: 'keyValue',
      dataSource: [
        { sourceKey: 'id', targetKey: 'id' },
        { sourceKey: 'name', targetKey: 'name' },
      ],
    },
    mappingRequired: true,
    runtime: { batch_size: BATCH_SIZE, progress_interval_ms: 500 },
  });

  /** The offsets a consumer group has committed on a topic, summed over its partitions (none committed = 0). */
  async function committedOffsets(groupId: string, topic: string): Promise<number> {
    const admin = new Kafka({ clientId: 'rt-workers-test-admin', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async function produce(topic: string, from: number, to: number): Promise<void> {
    for (let i = from; i <= to; i += 20) {
      const batch = [];
      for (let id = i; id <= Math.min(to, i + 19); id++) batch.push({ key: String(id), value: JSON.stringify({ id, name: `n${id}` }) });
      await producer.send({ topic, acks: -1, messages: batch });
    }
  }

  async function rowCount(table: string): Promise<{ rows: number; distinct: number; min: number; max: number }> {
    const r = await pgClient.query<{ rows: string; distinct: string; min: number; max: number }>(
      `SELECT count(*) AS rows, count(DISTINCT id) AS distinct, min(id) AS min, max(id) AS max FROM ${table}`,
    );
    const row = r.rows[0]!;
    return { rows: Number(row.rows), distinct: Number(row.distinct), min: row.min, max: row.max };
  }

  async function newRealtimeTask(label: string) {
    const topic = `rt-w-${label}-${randomUUID().slice(0, 8)}`;
    const table = `rt_w_${label}_${randomUUID().slice(0, 8)}`;
    tables.push(table);
    // The key the writer upserts on: a record delivered again after the kill (read but not yet committed) lands
    // on its own row instead of adding one, and is not refused as dirty either.
    await pgClient.query(`CREATE TABLE ${table} (id int4 PRIMARY KEY, name text)`);
    const task = await putTask(control.store, {
      name: `rt-w-${label}-${randomUUID().slice(0, 6)}`,
      type: 'REALTIME',
      source: 'rt-w-kafka',
      target: 'rt-w-pg',
      detail: realtimeDetail(topic, table),
    });
    return { task, topic, table };
  }

  it('survives SIGKILL of its worker: a second worker resumes from the committed offsets (108/507); nothing is lost', async () => {
    const { task, topic, table } = await newRealtimeTask('kill');
    await produce(topic, 1, 200);
    const first = await worker();
    await startTask(control.store, control.control!, task);
    await waitFor('the first worker to have written rows', async () => (await rowCount(table)).rows >= 40, 30_000);
    const runByFirst = await waitFor('the first run id', async () => (await control.control!.isRunning(task.task_id)) && (await allLogs(control.store, task.task_id))[0]);
    first.kill('SIGKILL');
    await first.exited;
    // What the first run got done before it died: the rows in the target (nothing writes them now) and the
    // offsets its consumer group committed (only ever after the rows of a batch were written). Read the offsets
    // just before the second worker starts, so a commit still on its way when the process died has landed.
    const writtenByFirst = (await rowCount(table)).rows;
    expect(writtenByFirst).toBeGreaterThanOrEqual(40);
    await produce(topic, 201, 400);
    const committedByFirst = await committedOffsets(`fdi-${task.task_id}`, topic);
    // Written but not committed: at most the one batch whose commit the kill cut off.
    expect(committedByFirst).toBeGreaterThan(0);
    expect(committedByFirst).toBeLessThanOrEqual(writtenByFirst);
    expect(writtenByFirst - committedByFirst).toBeLessThanOrEqual(BATCH_SIZE);

    const second = await worker();
    const resumed = await waitFor('a resumed run', async () => {
      const logs = await allLogs(control.store, task.task_id);
      return logs.find((l) => l.id !== runByFirst.id && codesOf(l).includes(108)) ?? null;
    }, 40_000);
    expect(codesOf(resumed)).toEqual(expect.arrayContaining([900, 99, 108]));
    await produce(topic, 401, 500);
    await waitFor('every record in the target', async () => (await rowCount(table)).distinct >= 500, 40_000);

    const vanished = await control.store.getMonitorLog(task.task_id, runByFirst.id);
    expect(vanished?.execute_status).toBe('ERROR');
    expect(vanished?.status).toBe(915);
    expect(vanished?.detail_logs.at(-1)?.remarks).toContain(resumed.id);

    await stopTask(control.store, control.control!, (await control.store.getTask(task.task_id))!);
    const ended = await runEnded(control.store, task.task_id, resumed.id, 'the resumed run to end');
    expect(ended.execute_status, ended.remarks).toBe('SUCCESS');
    expect(codesOf(ended)).toEqual(expect.arrayContaining([108, 507, 901]));
    expect(ended.dirty_data_count).toBe(0);
    // The target upserts, so its rows alone cannot tell a resume from a re-read from offset 0: the resumed run's
    // own count can. It started at the committed offsets, so it wrote what lay past them (re-delivering at most
    // the batch that was written but not committed), not all 500; together with the first run, everything.
    expect(ended.data_count).toBeLessThanOrEqual(500 - committedByFirst);
    expect(ended.data_count).toBeLessThanOrEqual(500 - writtenByFirst + BATCH_SIZE);
    expect(writtenByFirst + ended.data_count).toBeGreaterThanOrEqual(500);
    const counts = await rowCount(table);
    expect(counts).toEqual({ rows: 500, distinct: 500, min: 1, max: 500 });
    const names = await pgClient.query<{ bad: string }>(`SELECT count(*) AS bad FROM ${table} WHERE name <> 'n' || id`);
    expect(Number(names.rows[0]?.bad)).toBe(0);
    // The worker logs "run finished" just after it has written the end of the log: wait for the line.
    await waitFor('the second worker to report the resumed run', async () => second.finishedRuns().includes(resumed.id), 10_000);
    expect(second.finishedRuns()).toContain(resumed.id);
    await second.stop();
  });
});

describe('a timing run whose worker is killed', () => {
  it('is resumed by another worker as the same dispatch (same dispatch_time, 108/507); the vanished run ends with 915', async () => {
    const table = `rt_w_timing_${randomUUID().slice(0, 8)}`;
    tables.push(table);
    await pgClient.query(`CREATE TABLE ${table} (id int4 PRIMARY KEY, name text)`);
    const task = await putTask(control.store, {
      name: 'rt-w-killed-timing',
      type: 'TIMING',
      source: 'rt-w-mysql',
      target: 'rt-w-pg',
      detail: {
        // Slow on purpose (SLEEP per row, rows padded past the server's network buffer so they arrive one by one).
        sourceSelectedDatasource: {
          isAddSql: true,
          querySql: `SELECT id, CONCAT(name, REPEAT(' ', 40000)) AS name FROM ${MY_TABLE} WHERE SLEEP(0.4) = 0`,
          sourceSelectedColumnList: [{ field_name: 'id', field_type: 'INT' }, { field_name: 'name', field_type: 'TEXT' }],
        },
        targetSelectedDatasource: {
          targetTable: table,
          targetSelectedColumnList: [
            { field_name: 'id', field_type: 'int4', null_able: '0', unique: '1' },
            { field_name: 'name', field_type: 'text', null_able: '1', unique: '0' },
          ],
        },
        mappingTable: [{ sourceColumn: 'id', targetColumn: 'id' }, { sourceColumn: 'name', targetColumn: 'name' }],
        mappingRequired: true,
        runtime: { batch_size: 1 },
      },
    });
    const first = await worker();
    const runId = await control.control!.runNow(task.task_id);
    const planned = (await waitFor('the run to be writing', async () => {
      const l = await control.store.getMonitorLog(task.task_id, runId);
      return l && codesOf(l).includes(502) ? l : null;
    })).dispatch_time;
    first.kill('SIGKILL');
    await first.exited;
    const second = await worker();

    const resumed = await waitFor('the resumed run to end', async () => {
      const l = (await allLogs(control.store, task.task_id)).find((x) => x.id !== runId && x.end_time !== null);
      return l ?? null;
    }, 40_000);
    expect(resumed.execute_status, resumed.remarks).toBe('SUCCESS');
    expect(resumed.dispatch_time).toBe(planned);
    expect(codesOf(resumed)).toEqual(expect.arrayContaining([900, 99, 108, 507, 901]));
    // The worker logs "run finished" just after it has written the end of the log: wait for the line.
    await waitFor('the second worker to report the resumed run', async () => second.finishedRuns().includes(resumed.id), 10_000);
    expect(second.finishedRuns()).toContain(resumed.id);
    const vanished = await control.store.getMonitorLog(task.task_id, runId);
    expect(vanished).toMatchObject({ status: 915, execute_status: 'ERROR' });
    expect(vanished?.remarks).toContain(resumed.id);
    const rows = await pgClient.query<{ id: number; name: string }>(`SELECT id, trim(name) AS name FROM ${table} ORDER BY id`);
    expect(rows.rows).toEqual(Array.from({ length: 12 }, (_, i) => ({ id: i + 1, name: `r${i + 1}` })));
    await second.stop();
  });
});
