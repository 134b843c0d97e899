/**
 * Response shapes for the OpenAPI document. They document; they do not filter: the server serialises answers
 * with JSON.stringify (see server.ts), so a field added to a view is never silently dropped.
 */
import { EXECUTE_STATUSES, errorBody } from './common.ts';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const bool = { type: 'boolean' } as const;

const errors = {
  400: { description: 'Invalid input: the message names the field', ...errorBody },
  401: { description: 'No token or a wrong one (FDI.1000 / FDI.1002)', ...errorBody },
  404: { description: 'Unknown id, or an id of a project the token may not use', ...errorBody },
  429: { description: 'Rate limit (FDI.1007), with Retry-After', ...errorBody },
  500: { description: 'FDI.3030 and the other documented 500 codes; FDI.9999 for anything unexpected', ...errorBody },
} as const;

const page = (entity: object) => ({ type: 'object', properties: { total: int, size: int, entities: { type: 'array', items: entity } } }) as const;

export const datasourceRsp = {
  type: 'object',
  properties: {
    datasource_id: str, datasource_name: str, datasource_type: str, app_id: str, instance_id: str,
    create_time: int, update_time: int, description: str,
    content: { type: 'object', additionalProperties: true, description: 'Secrets answered as ******' },
    app_permission: { type: 'array', items: { type: 'string', enum: ['read', 'access', 'delete', 'modify'] } },
  },
} as const;

export const taskBasicRsp = {
  type: 'object',
  properties: {
    task_id: str, task_name: str,
    task_type: { type: 'string', enum: ['timing', 'realtime'] },
    status: { type: 'string', enum: ['stop', 'running'] },
    project_id: str, source_datasource_id: str, target_datasource_id: str,
    source_datasource_name: str, target_datasource_name: str, source_app_id: str, target_app_id: str,
    created_date: int, last_modified_date: int, description: str, task_tag: str,
    task_mode: str, enterprise_project_id: str, source_datasource_type: str, target_datasource_type: str,
    execute_status: { type: 'string', enum: EXECUTE_STATUSES }, repulling_snapshot: bool,
  },
} as const;

export const taskRsp = { type: 'object', properties: { task: taskBasicRsp, task_detail: { type: 'string', description: 'RawFormDataResponse as JSON text' } } } as const;

export const briefTask = {
  type: 'object',
  properties: {
    task_id: str, task_name: str, task_type: { type: 'string', enum: ['TIMING', 'REALTIME'] },
    status: { type: 'integer', enum: [0, 1] }, created_date: str, version: str, last_modified_time: int,
    execute_status: { type: 'string', enum: EXECUTE_STATUSES }, source_app_id: str, target_app_id: str,
    source_instance_id: str, target_instance_id: str, ext_type: { type: 'string', nullable: true }, enterprise_project_id: str, task_tag: str,
  },
} as const;

const counts = { type: 'object', properties: { running_tasks_count: int, abnormal_tasks_count: int, terminated_tasks_count: int, completed_tasks_count: int } } as const;
export const statisticsRsp = { type: 'object', properties: { common_task_details: counts, cdc_task_details: counts } } as const;

const facade = { type: 'object', properties: { task_id: str, task_name: str, error_code: str, error_msg: str } } as const;
export const batchRsp = {
  type: 'object',
  properties: { success_count: int, failure_count: int, success: { type: 'array', items: facade }, failure: { type: 'array', items: facade } },
} as const;

export const dispatchPlanRsp = {
  type: 'object',
  properties: {
    dispatch_id: str, task_id: str, start_datetime: int, period: { type: 'string', enum: ['MIN', 'HOUR', 'DAY', 'WEEK', 'MON'] },
    dispatch_interval: int, created_date: int, last_modified_date: int, remark: str, use_quartz_cron: bool, cron: str, time_zone: str,
  },
} as const;

const step = {
  type: 'object',
  properties: {
    id: str, status: int, position: { type: 'string', enum: ['ADAPTER', 'READER', 'WRITER'] }, position_status: str, stage: str,
    dirty_data_count: int, data_count: int, data_size: num, data_size_unit: str, spend_time: int, remarks: str,
    step_begin_time: int, step_end_time: int,
  },
} as const;

export const monitorLog = {
  type: 'object',
  properties: {
    id: str, task_id: str, start_time: int, dispatch_time: int, end_time: { type: 'integer', nullable: true },
    execute_status: { type: 'string', enum: EXECUTE_STATUSES }, position: str, position_status: str, status: int,
    dirty_data_count: int, data_count: int, data_size: num, data_size_unit: str, spend_time: int,
    read_spend_time: int, write_spend_time: int, remarks: str, detail_logs: { type: 'array', items: step },
  },
} as const;

export const monitorInfo = {
  type: 'object',
  properties: {
    task_id: str, task_name: str, task_type: str, status: int, last_execute_time: int, use_quartz_cron: bool, cron: str,
    period: str, dispatch_interval: int, position: str, execute_status: { type: 'string', enum: EXECUTE_STATUSES },
    source_app_id: str, source_instance_id: str, target_app_id: str, target_instance_id: str,
    ext_type: { type: 'string', nullable: true }, enterprise_project_id: str, task_tag: str,
  },
} as const;

export const dirtyRecord = {
  type: 'object',
  properties: { run_id: str, stage: str, column: str, reason: str, record: { description: 'The record as read' }, time: int },
} as const;

export const columnInfo = {
  type: 'object',
  properties: {
    field_name: str, field_type: str, field_length: str, null_able: { type: 'string', enum: ['0', '1'] }, is_partition: bool,
    primary: { type: 'string', enum: ['0', '1'] }, unique: { type: 'string', enum: ['0', '1'] },
    decimal_digits: { type: 'string', nullable: true, description: 'null for non-numeric types' },
  },
} as const;

/** `response` for a route schema: the success shape plus the error bodies. */
export function responses(status: number, description: string, shape?: object): Record<string, object> {
  return { [status]: shape ? { description, ...shape } : { description }, ...errors };
}

export const pages = {
  datasources: page(datasourceRsp),
  tasks: page(briefTask),
  monitors: page(monitorInfo),
  logs: page(monitorLog),
  dirty: page(dirtyRecord),
} as const;
