import type { DataSourceRecord } from '../core/datasource.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { STATUS, type ExecuteStatus } from '../core/status-codes.ts';
import type { Store, TaskRecord } from '../core/store.ts';
import type { TaskContext } from './views.ts';

/**
 * A task's execute_status is that of its latest execution (the spec: "任务最近一次执行状态"). Before any
 * execution: WAITING when the task is started (waiting for its first fire), else UNSTARTED.
 */
export function deriveExecuteStatus(task: TaskRecord, lastLog: TaskMonitorLog | null): ExecuteStatus {
  if (lastLog) return lastLog.execute_status;
  if (task.execute_status !== 'UNSTARTED') return task.execute_status;
  return task.status === 'running' ? 'WAITING' : 'UNSTARTED';
}

/**
 * The latest execution's log. A fire rejected with 914 because the previous run still goes never executed, so it
 * does not hide the run that holds the task: while a long run goes, the task stays RUNNING, not ERROR.
 */
export async function latestLog(store: Store, taskId: string): Promise<TaskMonitorLog | null> {
  const page = await store.listMonitorLogs(taskId, { offset: 1, limit: REJECTED_FIRES_LOOKED_PAST + 1 });
  return page.entities.find((log) => log.status !== STATUS.REJECTED_PREVIOUS_RUNNING) ?? page.entities[0] ?? null;
}

/** How many 914 entries in a row the task status looks past to find the execution that caused them. */
const REJECTED_FIRES_LOOKED_PAST = 50;

/** The task if it exists in this project + instance; FDI.3081 (404) otherwise, so ids of others do not leak. */
export async function scopedTask(store: Store, projectId: string, instanceId: string, taskId: string): Promise<TaskRecord> {
  const task = await store.getTask(taskId);
  if (!task || task.project_id !== projectId || task.instance_id !== instanceId) {
    throw new FdiError('FDI.3081', `task_id "${taskId}" does not exist in this project and instance.`, 'task_id');
  }
  return task;
}

export async function taskContext(store: Store, task: TaskRecord, withPlan = false): Promise<TaskContext> {
  const [lastLog, source, target, plan] = await Promise.all([
    latestLog(store, task.task_id),
    store.getDatasource(task.project_id, task.instance_id, task.task.source_datasource_id),
    store.getDatasource(task.project_id, task.instance_id, task.task.target_datasource_id),
    withPlan ? store.getPlan(task.task_id) : Promise.resolve(null),
  ]);
  return { executeStatus: deriveExecuteStatus(task, lastLog), lastLog, source, target, plan };
}

/** Contexts of many tasks of one project + instance, reading its data sources once. */
export async function taskContexts(
  store: Store,
  projectId: string,
  instanceId: string,
  tasks: readonly TaskRecord[],
  withPlan = false,
): Promise<Map<string, TaskContext>> {
  const datasources = new Map<string, DataSourceRecord>();
  for (const ds of await store.listDatasources(projectId, instanceId)) datasources.set(ds.datasource_id, ds);
  const entries = await Promise.all(
    tasks.map(async (task): Promise<[string, TaskContext]> => {
      const [lastLog, plan] = await Promise.all([
        latestLog(store, task.task_id),
        withPlan ? store.getPlan(task.task_id) : Promise.resolve(null),
      ]);
      return [
        task.task_id,
        {
          executeStatus: deriveExecuteStatus(task, lastLog),
          lastLog,
          source: datasources.get(task.task.source_datasource_id) ?? null,
          target: datasources.get(task.task.target_datasource_id) ?? null,
          plan,
        },
      ];
    }),
  );
  return new Map(entries);
}
