import type { DataSourceRecord } from '../datasource.ts';
import type { TaskSpec } from '../task-spec.ts';
import { isAbsent, listItems, optString } from './coerce.ts';
import { coded, describe, invalid } from './errors.ts';
import { Fields, isPlainObject } from './fields.ts';
import { parseDataSourceBody } from './datasource.ts';
import { DATASOURCE_ID_MAX } from './limits.ts';
import { parseTaskBasic } from './task-basic.ts';
import { parseTaskDetail } from './task-detail.ts';

/** The `fdi run` file: the task and every data source it names. */
export interface TaskFile {
  datasources: DataSourceRecord[];
  task: TaskSpec;
}

/**
 * `{"datasources": [records with datasource_id], "task": {…}, "task_detail": string | object}`. The task id is
 * `task.task_id` when given, else the task name (so a second run of the same file finds the same checkpoint).
 * Every data source the task refers to (source, target, error_handler, afterImplementation) must be in
 * `datasources`: FDI.3147 naming the id otherwise.
 */
export function parseTaskFile(json: unknown): TaskFile {
  if (!isPlainObject(json)) {
    throw invalid('task file', `must be a JSON object {datasources, task, task_detail}, got ${describe(json)}`);
  }
  const f = new Fields(json, '');
  const dsAt = f.get('datasources');
  const dsField = f.fieldOf(dsAt, 'datasources');
  if (dsAt === undefined) throw invalid(dsField, 'is required: the list of data sources the task uses');
  if (!Array.isArray(dsAt.value)) throw invalid(dsField, `must be a list, got ${describe(dsAt.value)}`);
  const datasources: DataSourceRecord[] = [];
  const byId = new Map<string, DataSourceRecord>();
  for (const item of listItems(dsAt.value, dsField)) {
    const idAt = isPlainObject(item.value) ? new Fields(item.value, item.field).get('datasource_id') : undefined;
    const idField = idAt?.field ?? `${item.field}.datasource_id`;
    if (isPlainObject(item.value) && isAbsent(idAt?.value)) throw coded('FDI.3173', idField, 'is empty');
    const record = parseDataSourceBody(item.value, undefined, item.field);
    if (byId.has(record.datasource_id)) throw invalid(idField, `data source "${record.datasource_id}" is listed twice`);
    byId.set(record.datasource_id, record);
    datasources.push(record);
  }

  const taskAt = f.get('task');
  const taskField = f.fieldOf(taskAt, 'task');
  const basic = parseTaskBasic(taskAt?.value, taskField);
  const detailAt = f.get('task_detail');
  if (detailAt === undefined) throw coded('FDI.3166', 'task_detail', 'is missing');
  const ownId = isPlainObject(taskAt?.value) ? new Fields(taskAt.value, taskField).get('task_id') : undefined;
  const taskId = optString(ownId?.value, ownId?.field ?? `${taskField}.task_id`, { max: DATASOURCE_ID_MAX }) ?? basic.task_name;
  const task = parseTaskDetail(detailAt.value, basic, taskId);

  const refs: [string, string | undefined][] = [
    [`${taskField}.source_datasource_id`, task.sourceDatasourceId],
    [`${taskField}.target_datasource_id`, task.targetDatasourceId],
    ['task_detail.error_handler.datasource_id', task.errorHandler?.datasourceId],
    ['task_detail.afterImplementation.datasourceId', task.afterImplementation?.datasourceId],
  ];
  for (const [field, id] of refs) {
    if (id !== undefined && !byId.has(id)) {
      throw coded('FDI.3147', field, `no data source with id "${id}" in datasources`);
    }
  }
  return { datasources, task };
}
