/**
 * JSON Schemas shared by the routes: path parameters and paging. `x-fdi-code` names the FDI code a failure of
 * that node answers with (see api/validation.ts).
 */

/** Ids in paths: letters, digits, `.`, `_`, `-` (they become parts of Redis keys, so no `:` or wildcards). */
const ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

/** `emptyCode`: the spec's "… ID is empty" code for an empty segment (`/tasks//dispatches`); `code` for any other bad id. */
const id = (code: string, emptyCode: string = code) =>
  ({ type: 'string', minLength: 1, pattern: ID_PATTERN, 'x-fdi-code': { minLength: emptyCode, '*': code } }) as const;

export const instanceParams = {
  type: 'object',
  required: ['project_id', 'instance_id'],
  properties: {
    project_id: { ...id('FDI.3039'), description: 'Project id.' },
    instance_id: { ...id('FDI.3179', 'FDI.3141'), description: 'Instance id.' },
  },
} as const;

export const taskParams = {
  type: 'object',
  required: ['project_id', 'instance_id', 'task_id'],
  properties: { ...instanceParams.properties, task_id: { ...id('FDI.3081', 'FDI.3149'), description: 'Task id.' } },
} as const;

export const dispatchParams = {
  type: 'object',
  required: ['project_id', 'instance_id', 'task_id', 'dispatch_id'],
  properties: { ...taskParams.properties, dispatch_id: { ...id('FDI.3033'), description: 'Dispatch plan id.' } },
} as const;

export const runParams = {
  type: 'object',
  required: ['project_id', 'instance_id', 'task_id', 'run_id'],
  properties: { ...taskParams.properties, run_id: { ...id('FDI.1004'), description: 'Execution id (TaskMonitorLog.id).' } },
} as const;

export const datasourceParams = {
  type: 'object',
  required: ['project_id', 'instance_id', 'datasource_id'],
  properties: { ...instanceParams.properties, datasource_id: { ...id('FDI.3101', 'FDI.3173'), description: 'Data source id.' } },
} as const;

/** The monitor APIs' paging: offset is the page number from 1 (0 behaves like 1); limit above 999 gives 999. */
export const monitorPaging = {
  offset: { type: 'integer', minimum: 0, maximum: 999999, default: 1, 'x-fdi-code': 'FDI.3048', description: 'Page number, from 1 (0 behaves like 1).' },
  limit: { type: 'integer', minimum: 0, maximum: 999999, default: 10, 'x-fdi-code': 'FDI.3048', description: 'Page size; above 999 only 999 are returned.' },
} as const;

export const EXECUTE_STATUSES = ['UNSTARTED', 'WAITING', 'RUNNING', 'SUCCESS', 'CANCELLED', 'ERROR'] as const;

export const errorBody = {
  type: 'object',
  required: ['error_code', 'error_msg'],
  properties: { error_code: { type: 'string' }, error_msg: { type: 'string' }, detail: { type: 'string' } },
} as const;
