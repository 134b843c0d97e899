/**
 * Response shapes, with the spec's field names and enum spellings: TaskBasicRsp (task_type lower-case, status
 * `stop`/`running`), BriefTaskRespBean (TIMING/REALTIME, status 0/1, created_date as a string), TaskMonitorInfo,
 * DataSourceRsp (secrets masked) and DispatchPlan.
 */
import type { ColumnInfo } from '../connectors/sdk/index.ts';
import { MASKED_SECRET, type DataSourceRecord } from '../core/datasource.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import type { DispatchPlan } from '../core/plan.ts';
import { mapSecrets } from '../core/secret-box.ts';
import type { ExecuteStatus } from '../core/status-codes.ts';
import type { TaskRecord } from '../core/store.ts';
import type { JsonValue } from '../core/values.ts';

/** What the API knows about a task beyond its record: its latest execution and its data sources. */
export interface TaskContext {
  executeStatus: ExecuteStatus;
  lastLog: TaskMonitorLog | null;
  source: DataSourceRecord | null;
  target: DataSourceRecord | null;
  plan: DispatchPlan | null;
}

type Json = { [key: string]: JsonValue };

function withOptional(out: Json, key: string, value: JsonValue | undefined): Json {
  if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/**
 * TaskBasicRsp (4.3.1/4.3.5), plus the extras the 4.3.5 example shows (all but the instance names: this worker
 * has no named instances). `repulling_snapshot` belongs to composite tasks; a normal task answers false.
 */
export function taskBasicRsp(t: TaskRecord, ctx: TaskContext): Json {
  const out: Json = {
    task_id: t.task_id,
    task_name: t.task.task_name,
    task_type: t.task.task_type.toLowerCase(),
    status: t.status,
    project_id: t.project_id,
    source_datasource_id: t.task.source_datasource_id,
    target_datasource_id: t.task.target_datasource_id,
  };
  withOptional(out, 'source_datasource_name', ctx.source?.datasource_name);
  withOptional(out, 'target_datasource_name', ctx.target?.datasource_name);
  withOptional(out, 'source_app_id', ctx.source?.app_id);
  withOptional(out, 'target_app_id', ctx.target?.app_id);
  out['created_date'] = t.created_date;
  out['last_modified_date'] = t.last_modified_date;
  withOptional(out, 'description', t.task.description);
  withOptional(out, 'task_tag', t.task.task_tag);
  out['task_mode'] = 'NORMAL';
  out['enterprise_project_id'] = '0';
  withOptional(out, 'source_datasource_type', ctx.source?.datasource_type);
  withOptional(out, 'target_datasource_type', ctx.target?.datasource_type);
  out['execute_status'] = ctx.executeStatus;
  out['repulling_snapshot'] = false;
  return out;
}

/** `{task, task_detail}` with task_detail as the JSON string the spec answers. */
export function taskResponse(t: TaskRecord, ctx: TaskContext): Json {
  return { task: taskBasicRsp(t, ctx), task_detail: JSON.stringify(t.task_detail) };
}

/** BriefTaskRespBean (4.3.2). */
export function briefTask(t: TaskRecord, ctx: TaskContext): Json {
  const out: Json = {
    task_id: t.task_id,
    task_name: t.task.task_name,
    task_type: t.task.task_type,
    status: t.status === 'running' ? 1 : 0,
    created_date: String(t.created_date),
    version: '1',
    last_modified_time: t.last_modified_date,
    execute_status: ctx.executeStatus,
    source_instance_id: t.instance_id,
    target_instance_id: t.instance_id,
    ext_type: null,
    enterprise_project_id: '0',
  };
  withOptional(out, 'source_app_id', ctx.source?.app_id);
  withOptional(out, 'target_app_id', ctx.target?.app_id);
  withOptional(out, 'task_tag', t.task.task_tag);
  return out;
}

/** TaskMonitorInfo (4.2.1): plan fields only for timing tasks, cron or period/interval as the plan has. */
export function taskMonitorInfo(t: TaskRecord, ctx: TaskContext): Json {
  const out: Json = {
    task_id: t.task_id,
    task_name: t.task.task_name,
    task_type: t.task.task_type,
    status: t.status === 'running' ? 1 : 0,
  };
  const lastExecute = ctx.lastLog?.start_time ?? t.last_execute_time;
  if (lastExecute !== undefined) out['last_execute_time'] = lastExecute;
  if (t.task.task_type === 'TIMING' && ctx.plan) {
    out['use_quartz_cron'] = ctx.plan.use_quartz_cron;
    if (ctx.plan.use_quartz_cron) withOptional(out, 'cron', ctx.plan.cron);
    else {
      withOptional(out, 'period', ctx.plan.period);
      withOptional(out, 'dispatch_interval', ctx.plan.dispatch_interval);
    }
  }
  out['position'] = ctx.lastLog?.position ?? 'ADAPTER';
  out['execute_status'] = ctx.executeStatus;
  withOptional(out, 'source_app_id', ctx.source?.app_id);
  out['source_instance_id'] = t.instance_id;
  withOptional(out, 'target_app_id', ctx.target?.app_id);
  out['target_instance_id'] = t.instance_id;
  out['ext_type'] = null;
  out['enterprise_project_id'] = '0';
  withOptional(out, 'task_tag', t.task.task_tag);
  return out;
}

/** DataSourceRsp.app_permission values (datasources.md §1.5). */
const APP_PERMISSIONS = ['read', 'access', 'delete', 'modify'] as const;

/** DataSourceRsp (4.1.1/4.1.3): every secret answered as `******`. */
export function datasourceRsp(ds: DataSourceRecord, instanceId: string): Json {
  const out: Json = {
    datasource_id: ds.datasource_id,
    datasource_name: ds.datasource_name,
    datasource_type: ds.datasource_type,
    instance_id: instanceId,
    content: mapSecrets(ds.content, () => MASKED_SECRET) as Json,
  };
  withOptional(out, 'app_id', ds.app_id);
  withOptional(out, 'create_time', ds.create_time);
  withOptional(out, 'update_time', ds.update_time);
  withOptional(out, 'description', ds.description);
  // Any token that may see a data source may also use, change and delete it.
  out['app_permission'] = [...APP_PERMISSIONS];
  return out;
}

/**
 * ColumnInfo (4.1.7) with every field of the spec's table, in its order: a connector that says nothing of
 * partitions has none (`is_partition: false`), and `decimal_digits` is null where the connector gives none (the
 * spec: null for non-numeric types).
 */
export function columnInfoRsp(c: ColumnInfo): Json {
  return {
    field_name: c.field_name,
    field_type: c.field_type,
    field_length: c.field_length,
    null_able: c.null_able,
    is_partition: false,
    primary: c.primary,
    unique: c.unique,
    decimal_digits: c.decimal_digits ?? null,
  };
}

/** DispatchPlan (4.3.9): cron plans without period/interval, period plans without cron. */
export function dispatchPlanRsp(p: DispatchPlan): Json {
  const out: Json = { dispatch_id: p.dispatch_id, task_id: p.task_id };
  withOptional(out, 'start_datetime', p.start_datetime);
  if (p.use_quartz_cron) withOptional(out, 'cron', p.cron);
  else {
    withOptional(out, 'period', p.period);
    withOptional(out, 'dispatch_interval', p.dispatch_interval);
  }
  out['created_date'] = p.create_time;
  out['last_modified_date'] = p.update_time;
  withOptional(out, 'remark', p.remark);
  out['use_quartz_cron'] = p.use_quartz_cron;
  out['time_zone'] = p.time_zone;
  return out;
}

/** `{total, size, entities}`, the spec's paged envelope. */
export function pageEnvelope<T>(total: number, entities: T[]): { total: number; size: number; entities: T[] } {
  return { total, size: entities.length, entities };
}
