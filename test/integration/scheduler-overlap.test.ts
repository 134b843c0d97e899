/**
 * One run at a time per task, terminate, and the WAITING state, on real Redis with a real MySQL source whose
 * query is slow on purpose (`SLEEP` per row) and the local file connector as target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, stopTask } from '../../api/routes/task-actions.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { Store } from '../../core/store.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { sqlContent } from '../support/datasources.ts';
import { allLogs, codesOf, dropPrefix, openTestDeployment, putDatasource, putPlan, putTask, runEnded, uniquePrefix, waitFor } from '../support/processes.ts';
import { testServices } from '../support/services.ts';

const services = testServices();
const prefix = uniquePrefix('overlap');
const TABLE = 'rt_overlap_src';
let dir = '';
let dep: Deployment;
let conn: mysql.Connection;

/**
 * Every row costs `secondsPerRow` of SLEEP on the server. Rows are padded past the server's 16 KB network buffer,
 * which it would otherwise fill before sending anything, so they arrive one by one as they are produced; batches
 * of one row, so the writer starts with the first.
 */
function slowDetail(outFile: string, secondsPerRow: number) {
  return {
    sourceSelectedDatasource: {
      isAddSql: true,
      querySql: `SELECT id, REPEAT(name, 40000) AS name FROM ${TABLE} WHERE SLEEP(${secondsPerRow}) = 0`,
      sourceSelectedColumnList: [
        { field_name: 'id', field_type: 'INT', field_length: '11', null_able: '0', unique: '1' },
        { field_name: 'name', field_type: 'TEXT', field_length: '65535', null_able: '1', unique: '0' },
      ],
    },
    targetSelectedDatasource: { path: '/', file_name: outFile, file_type: 'jsonl', write_mode: 'truncate' },
    mappingTable: [
      { sourceColumn: 'id', sourceColumnType: 'INT', targetColumn: 'id', targetColumnType: 'INT' },
      { sourceColumn: 'name', sourceColumnType: 'TEXT', targetColumn: 'name', targetColumnType: 'TEXT' },
    ],
    mappingRequired: true,
    runtime: { batch_size: 1 },
  };
}

async function slowTask(name: string, secondsPerRow: number) {
  return putTask(dep.store, { name, type: 'TIMING', source: 'rt-overlap-mysql', target: 'rt-overlap-files', detail: slowDetail(`${name}.jsonl`, secondsPerRow) });
}

async function finished(taskId: string, runId: string): Promise<TaskMonitorLog> {
  return runEnded(dep.store, taskId, runId, undefined, 30_000);
}

/** The slow MySQL source and the folder the runs write to, as the tasks here name them. */
async function putSources(store: Store): Promise<void> {
  await putDatasource(store, {
    datasource_id: 'rt-overlap-mysql',
    datasource_name: 'rt-overlap-mysql',
    datasource_type: 'MYSQL',
    content: sqlContent(services.mysqlUrl),
  });
  await putDatasource(store, { datasource_id: 'rt-overlap-files', datasource_name: 'rt-overlap-files', datasource_type: 'FILE', content: { base_path: dir } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-rt-overlap-'));
  conn = await mysql.createConnection(services.mysqlUrl);
  await conn.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await conn.query(`CREATE TABLE ${TABLE} (id INT PRIMARY KEY, name VARCHAR(64))`);
  await conn.query(`INSERT INTO ${TABLE} VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f'),(7,'g'),(8,'h')`);
  dep = await openTestDeployment(prefix, { worker: true, control: true });
  await putSources(dep.store);
});

afterAll(async () => {
  await dep?.close();
  await dropPrefix(prefix);
  await conn?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await conn?.end();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one run at a time', () => {
  it('rejects fires that come while the previous run goes on: 914, ERROR, each in its own log entry; the run itself succeeds', async () => {
    const control = dep.control!;
    const task = await slowTask('overlapping', 0.5);
    await putPlan(dep.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
    await startTask(dep.store, control, task);

    const first = await waitFor('a run that succeeded with rejected fires during it', async () => {
      const logs = await allLogs(dep.store, task.task_id);
      const ok = logs.find((l) => l.execute_status === 'SUCCESS');
      if (!ok) return null;
      const during = logs.filter((l) => l.status === 914 && l.dispatch_time > ok.dispatch_time && l.dispatch_time < (ok.end_time ?? 0));
      return during.length >= 2 ? { ok, during } : null;
    }, 30_000);
    await stopTask(dep.store, control, (await dep.store.getTask(task.task_id))!);

    expect(first.ok.data_count).toBe(8);
    for (const rejected of first.during) {
      expect(rejected.id).not.toBe(first.ok.id);
      expect(rejected.execute_status).toBe('ERROR');
      expect(rejected.position_status).toBe('RUNTIME_ERR');
      expect(codesOf(rejected)).toEqual([900, 914]);
      expect(rejected.detail_logs.at(-1)?.remarks).toContain(first.ok.id);
      expect(rejected.dispatch_time % 1000).toBe(0);
      expect(rejected.end_time).not.toBeNull();
    }
    expect(new Set(first.during.map((l) => l.dispatch_time)).size).toBe(first.during.length);
  });

  it('rejects a manual run while a run goes on (914) and lets it go once the task is free', async () => {
    const control = dep.control!;
    const task = await slowTask('manual-overlap', 0.3);
    const firstId = await control.runNow(task.task_id);
    await waitFor('the first run to hold the task', () => control.isRunning(task.task_id));
    const secondId = await control.runNow(task.task_id);
    const second = await finished(task.task_id, secondId);
    expect(second.status).toBe(914);
    expect(second.execute_status).toBe('ERROR');
    const first = await finished(task.task_id, firstId);
    expect(first.execute_status).toBe('SUCCESS');
    // The lock goes right after the log's last save.
    await waitFor('the task lock to be released', async () => !(await control.isRunning(task.task_id)));
    const third = await finished(task.task_id, await control.runNow(task.task_id));
    expect(third.execute_status).toBe('SUCCESS');
  });
});

describe('terminate', () => {
  it('cancels the running execution: CANCELLED with 106, 505 and 16; the lock is released', async () => {
    const control = dep.control!;
    const task = await slowTask('terminated', 0.5);
    const runId = await control.runNow(task.task_id);
    await waitFor('the run to be writing', async () => {
      const l = await dep.store.getMonitorLog(task.task_id, runId);
      return l && codesOf(l).includes(502);
    });
    expect(await control.terminate(task.task_id)).toBe(true);
    const log = await finished(task.task_id, runId);
    expect(log.execute_status).toBe('CANCELLED');
    expect(log.position_status).toBe('RUNTIME_CANCEL');
    expect(log.status).toBe(16);
    const codes = codesOf(log);
    expect(codes).toContain(106);
    expect(codes).toContain(505);
    expect(codes.at(-1)).toBe(16);
    expect(log.data_count).toBeLessThan(8);
    // The lock goes right after the log's last save.
    await waitFor('the task lock to be released', async () => !(await control.isRunning(task.task_id)));
    expect(await control.terminate(task.task_id)).toBe(false);
  });
});

describe('waiting for a worker slot', () => {
  it('shows a run that waits for a free slot as WAITING with 906/908, and the same log goes on when it runs', async () => {
    // A worker of its own with one slot; the first run holds it for about 3 s.
    const onePrefix = uniquePrefix('waiting');
    const single = await openTestDeployment(onePrefix, { worker: true, control: true, env: { FDI_WORKER_CONCURRENCY: '1', FDI_WAITING_AFTER_MS: '500' } });
    try {
      await putSources(single.store);
      const busy = await putTask(single.store, { name: 'busy', type: 'TIMING', source: 'rt-overlap-mysql', target: 'rt-overlap-files', detail: slowDetail('busy.jsonl', 0.4) });
      const queued = await putTask(single.store, { name: 'queued', type: 'TIMING', source: 'rt-overlap-mysql', target: 'rt-overlap-files', detail: slowDetail('queued.jsonl', 0) });
      const control = single.control!;
      await control.runNow(busy.task_id);
      await waitFor('the busy run to hold the only slot', () => control.isRunning(busy.task_id));
      const queuedRun = await control.runNow(queued.task_id);

      const waiting = await waitFor('a WAITING log for the queued run', async () => {
        const l = await single.store.getMonitorLog(queued.task_id, queuedRun);
        return l?.execute_status === 'WAITING' ? l : null;
      });
      expect(codesOf(waiting)).toEqual([900, 906, 908]);
      expect(waiting.end_time).toBeNull();

      const done = await runEnded(single.store, queued.task_id, queuedRun, 'the queued run to end', 30_000);
      expect(done.execute_status).toBe('SUCCESS');
      expect(codesOf(done).slice(0, 4)).toEqual([900, 906, 908, 99]);
      expect(done.detail_logs[1]?.remarks).toMatch(/waited \d+ ms for a free worker slot/);
      expect(await allLogs(single.store, queued.task_id)).toHaveLength(1);
    } finally {
      await single.close();
      await dropPrefix(onePrefix);
    }
  });
});
