/**
 * Misfires: fires that came due while no worker ran. Under `fire_once` (the default) the task runs once when a
 * worker comes back, with dispatch_time = the missed instant, and the schedule goes on from the present (no burst);
 * under `skip` the missed fire is dropped and the next one runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTask, stopTask } from '../../api/routes/task-actions.ts';
import type { Deployment } from '../../scheduler/deployment.ts';
import { allLogs, dropPrefix, openTestDeployment, putDatasource, putPlan, putTask, sleep, uniquePrefix, waitFor } from '../support/processes.ts';

let dir = '';
const opened: { dep: Deployment; prefix: string }[] = [];

async function open(prefix: string, worker: boolean, env: Record<string, string> = {}): Promise<Deployment> {
  const dep = await openTestDeployment(prefix, { worker, control: !worker, env });
  opened.push({ dep, prefix });
  return dep;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-rt-misfire-'));
  await writeFile(join(dir, 'in.csv'), 'id\n1\n');
});

afterAll(async () => {
  for (const { dep, prefix } of opened) {
    await dep.close();
    await dropPrefix(prefix);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A per-second task started while no worker runs; returns once fires have been missed for `downMs`. */
async function startWithoutWorkers(prefix: string, downMs: number) {
  const control = await open(prefix, false);
  await putDatasource(control.store, { datasource_id: 'rt-mf-files', datasource_name: 'rt-mf-files', datasource_type: 'FILE', content: { base_path: dir } });
  const task = await putTask(control.store, {
    name: 'missed',
    type: 'TIMING',
    source: 'rt-mf-files',
    target: 'rt-mf-files',
    detail: {
      sourceSelectedDatasource: { path: '/', file_name: 'in.csv', skip_header: true, skip_header_rows: 1 },
      targetSelectedDatasource: { path: '/', file_name: `${prefix.replaceAll(':', '')}.jsonl`, file_type: 'jsonl', write_mode: 'truncate' },
      mappingTable: [{ sourceColumn: 'id', targetColumn: 'id' }],
      mappingRequired: true,
    },
  });
  await putPlan(control.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
  const startedAt = Date.now();
  await startTask(control.store, control.control!, task);
  await sleep(downMs);
  return { control, task, startedAt };
}

describe('misfire policy', () => {
  it('fire_once: one catch-up run for the missed fires, then the schedule from the present', async () => {
    const prefix = uniquePrefix('misfire-once');
    const { control, task, startedAt } = await startWithoutWorkers(prefix, 3500);
    const workerUp = Date.now();
    await open(prefix, true);
    const logs = await waitFor('the catch-up and 2 fires after it', async () => {
      const l = (await allLogs(control.store, task.task_id)).filter((x) => x.end_time !== null);
      return l.filter((x) => x.dispatch_time > workerUp).length >= 2 ? l : null;
    });
    await stopTask(control.store, control.control!, (await control.store.getTask(task.task_id))!);
    const missed = logs.filter((l) => l.dispatch_time <= workerUp - 1000);
    expect(missed).toHaveLength(1);
    // The catch-up is the first fire that was due: the first second of the grid after the start.
    expect(missed[0]!.dispatch_time % 1000).toBe(0);
    expect(missed[0]!.dispatch_time).toBeGreaterThan(startedAt);
    expect(missed[0]!.dispatch_time).toBeLessThanOrEqual(startedAt + 2000);
    // Any run that did not succeed, whole (its steps' remarks say why).
    expect(logs.filter((l) => l.execute_status !== 'SUCCESS')).toEqual([]);
  });

  it('skip: the missed fire does not run; the next fires do', async () => {
    const prefix = uniquePrefix('misfire-skip');
    const { control, task } = await startWithoutWorkers(prefix, 3500);
    const workerUp = Date.now();
    await open(prefix, true, { FDI_MISFIRE_POLICY: 'skip', FDI_MISFIRE_THRESHOLD_MS: '500' });
    const logs = await waitFor('2 fires after the worker came up', async () => {
      const l = (await allLogs(control.store, task.task_id)).filter((x) => x.end_time !== null);
      return l.filter((x) => x.dispatch_time > workerUp).length >= 2 ? l : null;
    });
    await stopTask(control.store, control.control!, (await control.store.getTask(task.task_id))!);
    expect(logs.filter((l) => l.dispatch_time <= workerUp - 1000)).toEqual([]);
  });
});
