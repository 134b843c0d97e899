/**
 * Scheduler: `tasks` started timing tasks on per-minute Quartz plans, all due at the same second (the worst case:
 * every fire of a minute at once), run by two in-process worker deployments on the test Redis. Measures, from the
 * monitor logs, how late each fire was taken up (the 900 step against dispatch_time) and how much Redis the
 * deployment's keys take once the tasks are started and after the fires (MEMORY USAGE summed over its prefix).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startTask, stopTask } from '../api/routes/task-actions.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import type { TaskRecord } from '../core/store.ts';
import type { Deployment } from '../scheduler/deployment.ts';
import { allLogs, dropPrefix, openTestDeployment, putDatasource, putPlan, putTask, sleep, uniquePrefix } from '../test/support/processes.ts';
import type { ResultRow } from './report.ts';
import { percentileSorted } from './stats.ts';

export interface SchedulerScenarioInput {
  redisUrl: string;
  tasks: number;
  /** Fires of each task to measure (one a minute). */
  minutes: number;
  workers: number;
  log: (line: string) => void;
}

const SCENARIO = 'scheduler (BullMQ, Redis)';
/** Time to start every task before the first fire. */
const LEAD_MS_PER_TASK = 15;
const LEAD_MIN_MS = 8_000;

async function prefixMemory(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) total += Number((await redis.memory('USAGE', key)) ?? 0);
    } while (cursor !== '0');
    return total;
  } finally {
    redis.disconnect();
  }
}

export async function runSchedulerScenario(input: SchedulerScenarioInput): Promise<ResultRow> {
  const { tasks: taskCount, minutes, log } = input;
  const tool = `${taskCount} per-minute tasks, ${input.workers} workers`;
  const prefix = uniquePrefix('bench-sched');
  const dir = await mkdtemp(join(tmpdir(), 'fdi-bench-sched-'));
  await writeFile(join(dir, 'in.csv'), 'id,name\n1,ann\n2,bob\n3,cyd\n');
  const control = await openTestDeployment(prefix, { worker: false, control: true, env: { FDI_LOG_LEVEL: 'error' } });
  const workers: Deployment[] = [];
  const started: TaskRecord[] = [];
  try {
    for (let i = 0; i < input.workers; i++) workers.push(await openTestDeployment(prefix, { worker: true, control: false, env: { FDI_LOG_LEVEL: 'error' } }));
    const ctl = control.control;
    if (!ctl) throw new Error('the control deployment has no TaskControl');
    await putDatasource(control.store, { datasource_id: 'bench-files', datasource_name: 'bench-files', datasource_type: 'FILE', content: { base_path: dir } });
    // Every plan fires at the same second of the minute, chosen so that all tasks are started before the first fire.
    const firstFire = Math.ceil((Date.now() + Math.max(LEAD_MIN_MS, taskCount * LEAD_MS_PER_TASK)) / 1000) * 1000;
    const second = new Date(firstFire).getUTCSeconds();
    for (let i = 0; i < taskCount; i++) {
      const task = await putTask(control.store, {
        name: `bench-sched-${i}`,
        type: 'TIMING',
        source: 'bench-files',
        target: 'bench-files',
        detail: {
          sourceSelectedDatasource: { path: '/', file_name: 'in.csv', skip_header: true, skip_header_rows: 1 },
          targetSelectedDatasource: { path: '/', file_name: `out-${i}.jsonl`, file_type: 'jsonl', write_mode: 'truncate' },
          mappingTable: [{ sourceColumn: 'id', targetColumn: 'id' }, { sourceColumn: 'name', targetColumn: 'name' }],
          mappingRequired: true,
        },
      });
      await putPlan(control.store, task.task_id, { use_quartz_cron: true, cron: `${second} * * * * ?`, time_zone: 'UTC' });
      await startTask(control.store, ctl, task);
      started.push(task);
    }
    if (Date.now() >= firstFire) throw new Error(`starting ${taskCount} tasks took past the first fire; raise LEAD_MS_PER_TASK`);
    const memoryStarted = await prefixMemory(input.redisUrl, prefix);
    log(`scheduler: ${taskCount} tasks started (Redis ${(memoryStarted / 1e6).toFixed(1)} MB); first fire at ${new Date(firstFire).toISOString()}`);
    const lastFire = firstFire + (minutes - 1) * 60_000;
    await sleep(lastFire - Date.now() + 1000);

    // Wait until every fire of the window has been taken up and finished (or give up after a minute).
    const collect = async (): Promise<TaskMonitorLog[]> =>
      (await Promise.all(started.map((t) => allLogs(control.store, t.task_id)))).flat().filter((l) => l.dispatch_time >= firstFire && l.dispatch_time <= lastFire);
    const expected = taskCount * minutes;
    let logs = await collect();
    for (let waited = 0; waited < 60_000 && logs.filter((l) => l.end_time !== null).length < expected; waited += 1000) {
      await sleep(1000);
      logs = await collect();
    }
    for (const t of started) await stopTask(control.store, ctl, (await control.store.getTask(t.task_id)) ?? t);
    const memoryAfter = await prefixMemory(input.redisUrl, prefix);

    const lateness = logs.map((l) => (l.detail_logs[0]?.step_end_time ?? l.start_time) - l.dispatch_time).sort((a, b) => a - b);
    const ok = logs.filter((l) => l.execute_status === 'SUCCESS').length;
    const distinct = new Set(logs.map((l) => `${l.task_id}@${l.dispatch_time}`)).size;
    const note = `${distinct}/${expected} fires ran once (SUCCESS ${ok}); Redis ${(memoryStarted / 1e6).toFixed(1)} MB started, ${(memoryAfter / 1e6).toFixed(1)} MB after with logs`;
    return {
      scenario: SCENARIO,
      tool,
      p50Ms: percentileSorted(lateness, 50),
      p99Ms: percentileSorted(lateness, 99),
      maxMs: lateness.at(-1) ?? Number.NaN,
      note: distinct === expected && logs.length === expected ? note : `FAILED: not every fire ran once: ${note}, ${logs.length} logs`,
    };
  } finally {
    for (const w of workers) await w.close().catch(() => undefined);
    await control.close().catch(() => undefined);
    await dropPrefix(prefix);
    await rm(dir, { recursive: true, force: true });
  }
}
