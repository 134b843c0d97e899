/**
 * How late scheduled fires start on the BullMQ runtime: `node bin/run-ts.mjs bench/fire-lateness.ts [seconds] [tasks] [workers]`.
 *
 * Starts `tasks` per-second Quartz tasks (local CSV → JSONL, 3 rows) on the test Redis with `workers` worker
 * deployments in this process, lets them fire for `seconds`, and reports, from the monitor logs, the lateness of
 * each fire: pickup (the 900 step: a worker took the job) and start (start_time, the 99 step) against dispatch_time
 * (the planned instant), plus fires expected versus run. Nothing here asserts: it measures.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTask, stopTask } from '../api/routes/task-actions.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import type { Deployment } from '../scheduler/deployment.ts';
import { allLogs, dropPrefix, openTestDeployment, putDatasource, putPlan, putTask, sleep, uniquePrefix } from '../test/support/processes.ts';

const seconds = Number(process.argv[2] ?? 30);
const taskCount = Number(process.argv[3] ?? 4);
const workerCount = Number(process.argv[4] ?? 2);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}

function summary(label: string, values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const cells = [percentile(s, 50), percentile(s, 95), percentile(s, 99), s.at(-1) ?? Number.NaN].map((v) => `${Math.round(v)}`.padStart(6));
  return `${label.padEnd(22)}${String(s.length).padStart(6)}${s.length ? `${String(Math.round(s[0] as number)).padStart(6)}` : '     -'}${cells.join('')}`;
}

async function main(): Promise<void> {
  const prefix = uniquePrefix('bench-fires');
  const dir = await mkdtemp(join(tmpdir(), 'fdi-bench-fires-'));
  await writeFile(join(dir, 'in.csv'), 'id,name\n1,ann\n2,bob\n3,cyd\n');
  const control = await openTestDeployment(prefix, { worker: false, control: true, env: { FDI_LOG_LEVEL: 'error' } });
  const workers: Deployment[] = [];
  for (let i = 0; i < workerCount; i++) workers.push(await openTestDeployment(prefix, { worker: true, control: false }));
  try {
    await putDatasource(control.store, { datasource_id: 'bench-files', datasource_name: 'bench-files', datasource_type: 'FILE', content: { base_path: dir } });
    const tasks = [];
    for (let i = 0; i < taskCount; i++) {
      const task = await putTask(control.store, {
        name: `bench-fire-${i}`,
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
      await putPlan(control.store, task.task_id, { use_quartz_cron: true, cron: '* * * * * ?' });
      tasks.push(task);
    }
    const from = Date.now();
    for (const t of tasks) await startTask(control.store, control.control!, t);
    await sleep(seconds * 1000);
    for (const t of tasks) await stopTask(control.store, control.control!, (await control.store.getTask(t.task_id))!);
    const to = Date.now();
    await sleep(2000);

    const logs: TaskMonitorLog[] = (await Promise.all(tasks.map((t) => allLogs(control.store, t.task_id)))).flat();
    const planned = logs.filter((l) => l.dispatch_time > from && l.dispatch_time <= to);
    const pickup = planned.map((l) => (l.detail_logs[0]?.step_end_time ?? l.start_time) - l.dispatch_time);
    const start = planned.map((l) => l.start_time - l.dispatch_time);
    const expected = tasks.length * Math.floor((to - from) / 1000);
    const ok = planned.filter((l) => l.execute_status === 'SUCCESS').length;

    process.stdout.write(`fire lateness, ms — ${taskCount} per-second task(s), ${workerCount} worker(s), ${seconds} s, Redis ${process.env['FDI_TEST_REDIS_URL'] ?? 'of the test services'}\n`);
    process.stdout.write(`${''.padEnd(22)}${'fires'.padStart(6)}${'min'.padStart(6)}${'p50'.padStart(6)}${'p95'.padStart(6)}${'p99'.padStart(6)}${'max'.padStart(6)}\n`);
    process.stdout.write(`${summary('taken up (900)', pickup)}\n${summary('started (99)', start)}\n`);
    process.stdout.write(`fires expected ≈ ${expected}, run ${planned.length} (SUCCESS ${ok}); distinct instants ${new Set(planned.map((l) => `${l.task_id}@${l.dispatch_time}`)).size}\n`);
  } finally {
    for (const w of workers) await w.close();
    await control.close();
    await dropPrefix(prefix);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
