/**
 * Timing tasks on the BullMQ runtime with real Redis and the local file connector: a per-second Quartz cron fires
 * on the second grid, one execution per fire; stop removes the scheduler; a changed plan reschedules; a manual
 * run; start without a plan (FDI.3083) and twice (FDI.3139).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, stopTask } from '../../api/routes/task-actions.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { realtimeJobIdOf, schedulerIdOf } from '../../worker/job-keys.ts';
import {
  allLogs,
  codesOf,
  dropPrefix,
  openTestDeployment,
  putDatasource,
  putPlan,
  putTask,
  runEnded,
  sleep,
  uniquePrefix,
  waitFor,
} from '../support/processes.ts';

const prefix = uniquePrefix('fire');
let dir = '';
let dep: Deployment;

const csvToJsonl = (outFile: string) => ({
  sourceSelectedDatasource: { path: '/', file_name: 'in.csv', field_delimiter: ',', skip_header: true, skip_header_rows: 1 },
  targetSelectedDatasource: { path: '/', file_name: outFile, file_type: 'jsonl', write_mode: 'truncate' },
  mappingTable: [
    { sourceColumn: 'id', sourceColumnType: 'VARCHAR', targetColumn: 'id', targetColumnType: 'INT' },
    { sourceColumn: 'name', sourceColumnType: 'VARCHAR', targetColumn: 'name', targetColumnType: 'VARCHAR' },
  ],
  mappingRequired: true,
});

async function newTask(name: string) {
  return putTask(dep.store, { name, type: 'TIMING', source: 'rt-fire-files', target: 'rt-fire-files', detail: csvToJsonl(`${name}.jsonl`) });
}

function ended(logs: TaskMonitorLog[]): TaskMonitorLog[] {
  return logs.filter((l) => l.end_time !== null);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-rt-fire-'));
  await writeFile(join(dir, 'in.csv'), 'id,name\n1,ann\n2,bob\n3,cyd\n');
  dep = await openTestDeployment(prefix, { worker: true, control: true });
  await putDatasource(dep.store, { datasource_id: 'rt-fire-files', datasource_name: 'rt-fire-files', datasource_type: 'FILE', content: { base_path: dir } });
});

afterAll(async () => {
  await dep?.close();
  await dropPrefix(prefix);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a per-second cron task', () => {
  it('fires once per second on the second grid, each fire one successful execution, until it is stopped', async () => {
    const control = dep.control!;
    const task = await newTask('every-second');
    await putPlan(dep.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
    await startTask(dep.store, control, task);
    expect((await dep.store.getTask(task.task_id))?.status).toBe('running');

    const logs = await waitFor('4 finished fires', async () => {
      const done = ended(await allLogs(dep.store, task.task_id));
      return done.length >= 4 ? done : null;
    });
    for (const log of logs) {
      expect(log.execute_status).toBe('SUCCESS');
      expect(log.dispatch_time % 1000).toBe(0);
      expect(log.start_time).toBeGreaterThanOrEqual(log.dispatch_time);
      // Reader and writer overlap: each side in its own order, between dispatch/start and the end.
      const codes = codesOf(log);
      expect(codes.slice(0, 2)).toEqual([900, 99]);
      expect(codes.at(-1)).toBe(901);
      expect(codes.filter((c) => c >= 100 && c < 500)).toEqual([100, 102, 104, 101]);
      expect(codes.filter((c) => c >= 500 && c < 900)).toEqual([500, 502, 504, 501]);
      expect(log.data_count).toBe(3);
    }
    const times = logs.map((l) => l.dispatch_time);
    expect(new Set(times).size).toBe(times.length);
    const out = await readFile(join(dir, 'every-second.jsonl'), 'utf8');
    expect(out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
      { id: 3, name: 'cyd' },
    ]);

    await stopTask(dep.store, control, (await dep.store.getTask(task.task_id))!);
    expect(await control.queue.getJobScheduler(schedulerIdOf(task.task_id))).toBeUndefined();
    const stoppedAt = Date.now();
    // Let any fire already taken up finish, then look for fires planned after the stop: there must be none.
    await sleep(2500);
    const after = (await allLogs(dep.store, task.task_id)).filter((l) => l.dispatch_time > stoppedAt + 1000);
    expect(after).toEqual([]);
  });

  it('reschedules when the plan of a started task changes: later fires follow the new plan', async () => {
    const control = dep.control!;
    const task = await newTask('replanned');
    await putPlan(dep.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
    await startTask(dep.store, control, task);
    await waitFor('a first fire', async () => ended(await allLogs(dep.store, task.task_id)).length >= 1);

    await putPlan(dep.store, task.task_id, { use_quartz_cron: true, cron: '0/3 * * * * ?' });
    await control.reschedule(task.task_id);
    const changedAt = Date.now();
    const scheduler = await control.queue.getJobScheduler(schedulerIdOf(task.task_id));
    expect(scheduler?.next).toBeDefined();
    expect((scheduler!.next as number) % 3000).toBe(0);

    const later = await waitFor('2 fires under the new plan', async () => {
      const fresh = ended(await allLogs(dep.store, task.task_id)).filter((l) => l.dispatch_time > changedAt + 1000);
      return fresh.length >= 2 ? fresh : null;
    });
    for (const log of later) expect(new Date(log.dispatch_time).getUTCSeconds() % 3).toBe(0);
    await stopTask(dep.store, control, (await dep.store.getTask(task.task_id))!);
  });
});

describe('start rules', () => {
  it('refuses a timing task without a plan (FDI.3083) and a second start (FDI.3139)', async () => {
    const control = dep.control!;
    const task = await newTask('no-plan');
    await expect(control.start(task.task_id)).rejects.toMatchObject({ code: 'FDI.3083' });
    expect(await control.queue.getJobScheduler(schedulerIdOf(task.task_id))).toBeUndefined();

    await putPlan(dep.store, task.task_id, { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: Date.now() + 3_600_000 });
    await startTask(dep.store, control, task);
    await expect(control.start(task.task_id)).rejects.toMatchObject({ code: 'FDI.3139' });
    await expect(startTask(dep.store, control, (await dep.store.getTask(task.task_id))!)).rejects.toMatchObject({ code: 'FDI.3139' });
    await stopTask(dep.store, control, (await dep.store.getTask(task.task_id))!);
  });

  it('refuses an unknown task with FDI.3081 and a plan that never fires again with FDI.3002', async () => {
    const control = dep.control!;
    await expect(control.start('no-such-task')).rejects.toMatchObject({ code: 'FDI.3081' });
    const task = await newTask('past-year');
    await putPlan(dep.store, task.task_id, { use_quartz_cron: true, cron: '0 0 0 1 1 ? 2001' });
    await expect(control.start(task.task_id)).rejects.toMatchObject({ code: 'FDI.3002' });
  });
});

describe('manual run', () => {
  it('runs one execution now, under the id it returned, with dispatch_time = the request time', async () => {
    const control = dep.control!;
    const task = await newTask('manual');
    const before = Date.now();
    const runId = await control.runNow(task.task_id);
    const log = await runEnded(dep.store, task.task_id, runId, 'the manual run to end');
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.dispatch_time).toBeGreaterThanOrEqual(before);
    expect(log.dispatch_time).toBeLessThanOrEqual(log.start_time);
    expect(await allLogs(dep.store, task.task_id)).toHaveLength(1);
    // The lock goes right after the log's last save.
    await waitFor('the task lock to be released', async () => !(await control.isRunning(task.task_id)));
  });
});

describe('service start', () => {
  it('gives started tasks back their scheduler or realtime job when Redis lost them, and leaves existing ones alone', async () => {
    // A deployment without a worker, so the restored jobs stay in the queue to be looked at.
    const restorePrefix = uniquePrefix('restore');
    const only = await openTestDeployment(restorePrefix, { worker: false, control: true });
    try {
      const control = only.control!;
      const task = (name: string, type: 'TIMING' | 'REALTIME' = 'TIMING') =>
        putTask(only.store, { name, type, source: 'rt-fire-files', target: 'rt-fire-files', detail: csvToJsonl(`${name}.jsonl`) });
      const lost = await task('lost-scheduler');
      await putPlan(only.store, lost.task_id, { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: Date.now() + 3_600_000 });
      await only.store.putTask({ ...lost, status: 'running' });
      const kept = await task('kept-scheduler');
      await putPlan(only.store, kept.task_id, { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: Date.now() + 7_200_000 });
      await startTask(only.store, control, kept);
      const keptBefore = await control.queue.getJobScheduler(schedulerIdOf(kept.task_id));
      const realtime = await task('lost-realtime', 'REALTIME');
      await only.store.putTask({ ...realtime, status: 'running' });

      expect(await control.restore()).toEqual({ timing: 1, realtime: 1, failed: [] });
      expect(await control.queue.getJobScheduler(schedulerIdOf(lost.task_id))).toMatchObject({ key: schedulerIdOf(lost.task_id) });
      expect(await control.queue.getJobScheduler(schedulerIdOf(kept.task_id))).toEqual(keptBefore);
      expect(await control.queue.getJob(realtimeJobIdOf(realtime.task_id))).toBeDefined();
      // Twice changes nothing.
      expect(await control.restore()).toEqual({ timing: 0, realtime: 0, failed: [] });

      await stopTask(only.store, control, (await only.store.getTask(realtime.task_id))!);
      expect(await control.queue.getJob(realtimeJobIdOf(realtime.task_id))).toBeUndefined();
    } finally {
      await only.close();
      await dropPrefix(restorePrefix);
    }
  });
});
