import type { DataSourceRecord } from './datasource.ts';
import type { TaskMonitorLog } from './monitor-log.ts';
import type { DispatchPlan } from './plan.ts';
import type { ExecuteStatus } from './status-codes.ts';
import type { JsonValue } from './values.ts';

/**
 * The durable state of a served deployment (Redis in production; the same Redis as BullMQ, key prefix
 * configurable). Implemented by `core/redis-store.ts`. `fdi run` does not use it.
 */

/** A task as stored: the request body as accepted, plus its switch and bookkeeping. */
export interface TaskRecord {
  task_id: string;
  project_id: string;
  instance_id: string;
  /** TaskBasicRequestBody fields as accepted (task_type upper-case). */
  task: {
    task_name: string;
    task_type: 'TIMING' | 'REALTIME';
    source_datasource_id: string;
    target_datasource_id: string;
    description?: string;
    task_tag?: string;
  };
  /** The task_detail object (decoded from its JSON string). */
  task_detail: { [key: string]: JsonValue };
  /** The started/stopped switch (TaskBasicRsp.status). */
  status: 'stop' | 'running';
  /** The status of the latest execution. */
  execute_status: ExecuteStatus;
  last_execute_time?: number;
  created_date: number;
  last_modified_date: number;
}

/** One dirty record, kept with why and where it went wrong. */
export interface DirtyRecord {
  run_id: string;
  task_id: string;
  /** The plugin that refused or could not convert it (`csvreader`, `mysqlwriter`, `mapping` …). */
  stage: string;
  column?: string;
  reason: string;
  /** The record as read (or its raw text when it could not be read). */
  record: JsonValue;
  time: number;
}

export interface Page<T> {
  total: number;
  entities: T[];
}

export interface Store {
  // data sources (scoped by project + instance)
  putDatasource(projectId: string, instanceId: string, ds: DataSourceRecord): Promise<void>;
  getDatasource(projectId: string, instanceId: string, id: string): Promise<DataSourceRecord | null>;
  /** Any data source by id, whatever project (the worker resolves a task's sources with it). */
  getDatasourceById(id: string): Promise<DataSourceRecord | null>;
  listDatasources(projectId: string, instanceId: string): Promise<DataSourceRecord[]>;
  deleteDatasource(projectId: string, instanceId: string, id: string): Promise<boolean>;

  // tasks
  putTask(task: TaskRecord): Promise<void>;
  getTask(taskId: string): Promise<TaskRecord | null>;
  listTasks(projectId: string, instanceId: string): Promise<TaskRecord[]>;
  /** Task names are unique per project + instance (FDI.3058). */
  findTaskByName(projectId: string, instanceId: string, name: string): Promise<TaskRecord | null>;
  deleteTask(taskId: string): Promise<void>;
  /** Tasks whose switch is `running` (the scheduler restores their schedules at start). */
  listStartedTasks(): Promise<TaskRecord[]>;

  // plans (at most one per task)
  putPlan(plan: DispatchPlan): Promise<void>;
  getPlan(taskId: string): Promise<DispatchPlan | null>;
  deletePlan(taskId: string): Promise<void>;

  // monitor logs, newest first
  saveMonitorLog(log: TaskMonitorLog): Promise<void>;
  getMonitorLog(taskId: string, runId: string): Promise<TaskMonitorLog | null>;
  listMonitorLogs(
    taskId: string,
    query: { beginTime?: number; endTime?: number; offset: number; limit: number },
  ): Promise<Page<TaskMonitorLog>>;
  deleteMonitorLogs(taskId: string): Promise<void>;

  // checkpoints (incremental watermarks, file positions; Kafka keeps its own offsets)
  getCheckpoint(taskId: string): Promise<JsonValue | null>;
  putCheckpoint(taskId: string, checkpoint: JsonValue): Promise<void>;
  deleteCheckpoint(taskId: string): Promise<void>;

  // dirty records of one execution
  addDirtyRecords(records: DirtyRecord[]): Promise<void>;
  listDirtyRecords(taskId: string, runId: string, offset: number, limit: number): Promise<Page<DirtyRecord>>;
}
