import { DESCRIPTION_MAX, TASK_NAME_PATTERN, TASK_TAG_PATTERN } from '../../core/normalise/limits.ts';
import { EXECUTE_STATUSES, instanceParams, monitorPaging, taskParams } from './common.ts';
import { batchRsp, pages, responses, statisticsRsp, taskRsp } from './responses.ts';

/** TaskBasicRequestBody (spec tasks.md 4.3.1). Every spelling the spec documents for task_type is accepted. */
export const TASK_TYPE_INPUTS = ['TIMING', 'REALTIME', 'timing', 'realtime', 'Timing', 'Realtime', '1', '2'] as const;

export const taskBasicBody = {
  type: 'object',
  'x-fdi-code': 'FDI.3165',
  required: ['task_name', 'task_type', 'source_datasource_id', 'target_datasource_id'],
  properties: {
    task_name: {
      type: 'string',
      minLength: 3,
      maxLength: 100,
      pattern: TASK_NAME_PATTERN.source,
      'x-fdi-code': 'FDI.3157',
      description: '3–100 characters: letters, digits, `.`, `_`, `-`, starting with a letter or digit.',
    },
    task_type: { type: 'string', enum: TASK_TYPE_INPUTS, 'x-fdi-code': 'FDI.3144', description: '`TIMING` or `REALTIME`.' },
    source_datasource_id: { type: 'string', minLength: 1, maxLength: 64, 'x-fdi-code': { required: 'FDI.3146', minLength: 'FDI.3173', '*': 'FDI.3033' } },
    target_datasource_id: { type: 'string', minLength: 1, maxLength: 64, 'x-fdi-code': { required: 'FDI.3146', minLength: 'FDI.3173', '*': 'FDI.3033' } },
    description: { type: 'string', maxLength: DESCRIPTION_MAX, 'x-fdi-code': 'FDI.3142' },
    task_tag: { type: 'string', pattern: TASK_TAG_PATTERN.source, 'x-fdi-code': 'FDI.3557', description: '4–64 letters, digits, `-`, `_`.' },
  },
} as const;

export const taskBody = {
  type: 'object',
  required: ['task', 'task_detail'],
  properties: {
    task: taskBasicBody,
    task_detail: {
      type: ['string', 'object'],
      minLength: 1,
      'x-fdi-code': 'FDI.3166',
      description: 'RawFormDataRequest: a JSON document, as a string (as the spec sends it) or as an object.',
    },
  },
} as const;

export const createTaskSchema = {
  tags: ['tasks'],
  summary: 'Create a normal task (4.3.1)',
  params: instanceParams,
  body: taskBody,
  response: responses(200, 'The task', taskRsp),
} as const;

export const updateTaskSchema = {
  tags: ['tasks'],
  summary: 'Replace a normal task (4.3.4)',
  params: taskParams,
  body: taskBody,
  response: responses(200, 'The task', taskRsp),
} as const;

export const listTasksSchema = {
  tags: ['tasks'],
  summary: 'List tasks (4.3.2)',
  params: instanceParams,
  querystring: {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 10, 'x-fdi-code': 'FDI.3048' },
      offset: { type: 'integer', minimum: 0, maximum: 20000, default: 1, 'x-fdi-code': 'FDI.3048', description: 'Page number from 1.' },
      task_id: { type: 'string', maxLength: 64 },
      task_name: { type: 'string', maxLength: 64, description: 'Fuzzy (substring) match.' },
      status: { type: 'integer', enum: [0, 1], description: '0 stopped, 1 started.' },
      task_type: { type: 'string', enum: TASK_TYPE_INPUTS, 'x-fdi-code': 'FDI.3144' },
      source_datasource_id: { type: 'string', maxLength: 64 },
      target_datasource_id: { type: 'string', maxLength: 64 },
      datasource_id: { type: 'string', maxLength: 64, description: 'Matches the source or the target.' },
      sort_field: { type: 'string', enum: ['CREATED_DATE', 'STATUS', 'created_date', 'status'], 'x-fdi-code': 'FDI.3049' },
      sort_type: { type: 'string', enum: ['ASC', 'DESC', 'asc', 'desc'], 'x-fdi-code': 'FDI.3049' },
      execute_status: { type: 'string', enum: EXECUTE_STATUSES, 'x-fdi-code': 'FDI.3050' },
      source_app_id: { type: 'string', maxLength: 64 },
      target_app_id: { type: 'string', maxLength: 64 },
      task_tag: { type: 'string', maxLength: 64 },
      task_mode: { type: 'string', enum: ['NORMAL', 'CDC', 'FLOW'] },
    },
  },
  response: responses(200, 'A page of tasks', pages.tasks),
} as const;

export const getTaskSchema = { tags: ['tasks'], summary: 'Get a task (4.3.5)', params: taskParams, response: responses(200, 'The task', taskRsp) } as const;
export const deleteTaskSchema = { tags: ['tasks'], summary: 'Delete a task with its plan, schedule and logs (4.3.6)', params: taskParams, response: responses(204, 'Deleted') } as const;
export const runTaskSchema = {
  tags: ['tasks'],
  summary: 'Run one execution now (4.3.7)',
  params: taskParams,
  response: responses(200, 'Started', { type: 'object', properties: { message: { type: 'string' }, execution_id: { type: 'string' } } }),
} as const;
export const terminateTaskSchema = {
  tags: ['tasks'],
  summary: 'Cancel the current execution (4.3.8)',
  params: taskParams,
  response: responses(200, 'Cancelled', { type: 'object', properties: { message: { type: 'string' } } }),
} as const;

export const statisticsSchema = { tags: ['tasks'], summary: 'Count tasks by state (4.3.3)', params: instanceParams, response: responses(200, 'Counts', statisticsRsp) } as const;

export const batchSchema = {
  tags: ['tasks'],
  summary: 'Start or stop up to 10 tasks (4.3.12)',
  params: instanceParams,
  body: {
    type: 'object',
    required: ['action_id', 'list'],
    properties: {
      action_id: { type: 'string', enum: ['start', 'stop'], 'x-fdi-code': 'FDI.3161' },
      list: {
        type: 'array',
        minItems: 1,
        maxItems: 10,
        'x-fdi-code': { required: 'FDI.3150', minItems: 'FDI.3150', type: 'FDI.3150', '*': 'FDI.3033' },
        items: {
          type: 'object',
          required: ['task_id'],
          properties: { task_id: { type: 'string', minLength: 1, maxLength: 64, 'x-fdi-code': 'FDI.3022' } },
        },
      },
    },
  },
  response: responses(200, 'Per-task results', batchRsp),
} as const;

export const taskMonitorsSchema = {
  tags: ['monitoring'],
  summary: 'Monitoring summary of every task (4.2.1)',
  params: instanceParams,
  querystring: {
    type: 'object',
    properties: {
      ...monitorPaging,
      task_name: { type: 'string', maxLength: 100, description: 'Fuzzy and case-sensitive.' },
      execute_status: { type: 'string', enum: [...EXECUTE_STATUSES, ''], 'x-fdi-code': 'FDI.3050' },
    },
  },
  response: responses(200, 'A page of TaskMonitorInfo', pages.monitors),
} as const;

export const monitorLogsSchema = {
  tags: ['monitoring'],
  summary: 'Execution logs of one task, newest first (4.2.2)',
  params: taskParams,
  querystring: {
    type: 'object',
    properties: {
      ...monitorPaging,
      begin_time: { type: 'integer', minimum: 0, maximum: 9999999999999, description: 'start_time ≥ this, epoch ms UTC.' },
      end_time: { type: 'integer', minimum: 0, maximum: 9999999999999, description: 'start_time ≤ this, epoch ms UTC.' },
    },
  },
  response: responses(200, 'A page of TaskMonitorLog, newest first', pages.logs),
} as const;
