import type { FastifyInstance } from 'fastify';
import { FdiError } from '../../core/fdi-error.ts';
import { newId } from '../../core/normalise/ids.ts';
import { parseTaskBody, parseTaskType } from '../../core/normalise/index.ts';
import type { ExecuteStatus } from '../../core/status-codes.ts';
import type { Store, TaskRecord } from '../../core/store.ts';
import type { TaskSpec } from '../../core/task-spec.ts';
import type { ConnectorRegistry } from '../../connectors/registry/index.ts';
import { assertServes } from '../connector-access.ts';
import type { ApiDeps } from '../deps.ts';
import { pageOf, TASK_LIST_PAGING } from '../paging.ts';
import { createTaskSchema, deleteTaskSchema, getTaskSchema, listTasksSchema, statisticsSchema, updateTaskSchema } from '../schemas/tasks.ts';
import { scopedTask, taskContext, taskContexts } from '../task-state.ts';
import { briefTask, pageEnvelope, taskResponse } from '../views.ts';
import type { InstanceParams, TaskParams } from './params.ts';

interface ListQuery {
  limit?: number;
  offset?: number;
  task_id?: string;
  task_name?: string;
  status?: 0 | 1;
  task_type?: string;
  source_datasource_id?: string;
  target_datasource_id?: string;
  datasource_id?: string;
  sort_field?: string;
  sort_type?: string;
  execute_status?: ExecuteStatus;
  source_app_id?: string;
  target_app_id?: string;
  task_tag?: string;
  task_mode?: string;
}

/** The `task` part of a record, from the normalised spec. */
function basicOf(spec: TaskSpec): TaskRecord['task'] {
  const basic: TaskRecord['task'] = {
    task_name: spec.taskName,
    task_type: spec.taskType,
    source_datasource_id: spec.sourceDatasourceId,
    target_datasource_id: spec.targetDatasourceId,
  };
  if (spec.description !== undefined) basic.description = spec.description;
  if (spec.taskTag !== undefined) basic.task_tag = spec.taskTag;
  return basic;
}

/** Both data sources exist in this project + instance and their connectors serve this task type. */
async function checkDatasources(store: Store, registry: ConnectorRegistry, p: InstanceParams, spec: TaskSpec): Promise<void> {
  const ends = [
    { id: spec.sourceDatasourceId, end: 'source', field: 'task.source_datasource_id' },
    { id: spec.targetDatasourceId, end: 'target', field: 'task.target_datasource_id' },
  ] as const;
  for (const { id, end, field } of ends) {
    const ds = await store.getDatasource(p.project_id, p.instance_id, id);
    if (!ds) throw new FdiError('FDI.3147', `[${field}] "${id}" does not exist in this project and instance.`, field);
    assertServes(registry, ds, end, spec.taskType, field);
  }
  // The worker resolves these by id alone: a task may only name data sources of its own project and instance.
  const others = [
    { id: spec.errorHandler?.datasourceId, field: 'task_detail.error_handler.datasource_id' },
    { id: spec.afterImplementation?.datasourceId, field: 'task_detail.afterImplementation.datasourceId' },
  ];
  for (const { id, field } of others) {
    if (id && !(await store.getDatasource(p.project_id, p.instance_id, id))) {
      throw new FdiError('FDI.3147', `[${field}] "${id}" does not exist in this project and instance.`, field);
    }
  }
}

async function assertNameFree(store: Store, p: InstanceParams, name: string, taskId: string): Promise<void> {
  const other = await store.findTaskByName(p.project_id, p.instance_id, name);
  if (other && other.task_id !== taskId) throw new FdiError('FDI.3058', `[task.task_name] "${name}" is used by task ${other.task_id}.`, 'task.task_name');
}

/** Normal tasks (spec tasks.md 4.3.1–4.3.6, 4.3.3). */
export function taskRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, control, registry } = deps;
  const now = deps.now ?? Date.now;
  const base = '/v2/:project_id/fdi/instances/:instance_id';
  const config = { resource: 'task' } as const;

  app.post<{ Params: InstanceParams; Body: unknown }>(`${base}/tasks`, { schema: createTaskSchema, config }, async (req) => {
    const spec = parseTaskBody(req.body, { taskId: newId() });
    await checkDatasources(store, registry, req.params, spec);
    await assertNameFree(store, req.params, spec.taskName, spec.taskId);
    const t = now();
    const record: TaskRecord = {
      task_id: spec.taskId,
      project_id: req.params.project_id,
      instance_id: req.params.instance_id,
      task: basicOf(spec),
      task_detail: spec.rawDetail,
      status: 'stop',
      execute_status: 'UNSTARTED',
      created_date: t,
      last_modified_date: t,
    };
    await store.putTask(record);
    return taskResponse(record, await taskContext(store, record));
  });

  app.get<{ Params: InstanceParams; Querystring: ListQuery }>(`${base}/tasks`, { schema: listTasksSchema, config }, async (req) => {
    const q = req.query;
    const tasks = await store.listTasks(req.params.project_id, req.params.instance_id);
    const contexts = await taskContexts(store, req.params.project_id, req.params.instance_id, tasks);
    const type = q.task_type ? parseTaskType(q.task_type, 'task_type') : undefined;
    const name = q.task_name?.toLowerCase();
    const selected = tasks.filter((t) => {
      const ctx = contexts.get(t.task_id);
      return (
        (!q.task_id || t.task_id === q.task_id) &&
        (!name || t.task.task_name.toLowerCase().includes(name)) &&
        (q.status === undefined || (t.status === 'running' ? 1 : 0) === q.status) &&
        (!type || t.task.task_type === type) &&
        (!q.source_datasource_id || t.task.source_datasource_id === q.source_datasource_id) &&
        (!q.target_datasource_id || t.task.target_datasource_id === q.target_datasource_id) &&
        (!q.datasource_id || t.task.source_datasource_id === q.datasource_id || t.task.target_datasource_id === q.datasource_id) &&
        (!q.execute_status || ctx?.executeStatus === q.execute_status) &&
        (!q.source_app_id || ctx?.source?.app_id === q.source_app_id) &&
        (!q.target_app_id || ctx?.target?.app_id === q.target_app_id) &&
        (!q.task_tag || t.task.task_tag === q.task_tag) &&
        (!q.task_mode || q.task_mode === 'NORMAL')
      );
    });
    const byStatus = q.sort_field?.toUpperCase() === 'STATUS';
    const dir = q.sort_type?.toUpperCase() === 'ASC' ? 1 : -1;
    selected.sort((a, b) => {
      const primary = byStatus ? (a.status === b.status ? 0 : a.status === 'running' ? 1 : -1) : a.created_date - b.created_date;
      return primary * dir || (b.created_date - a.created_date) || a.task_id.localeCompare(b.task_id);
    });
    const page = pageOf(selected, q.offset, q.limit, TASK_LIST_PAGING);
    return pageEnvelope(selected.length, page.map((t) => briefTask(t, contexts.get(t.task_id) ?? emptyContext(t))));
  });

  app.get<{ Params: InstanceParams }>(`${base}/statistics/tasks`, { schema: statisticsSchema, config }, async (req) => {
    const tasks = await store.listTasks(req.params.project_id, req.params.instance_id);
    const contexts = await taskContexts(store, req.params.project_id, req.params.instance_id, tasks);
    const counts = { running_tasks_count: 0, abnormal_tasks_count: 0, terminated_tasks_count: 0, completed_tasks_count: 0 };
    for (const ctx of contexts.values()) {
      if (ctx.executeStatus === 'RUNNING' || ctx.executeStatus === 'WAITING') counts.running_tasks_count++;
      else if (ctx.executeStatus === 'ERROR') counts.abnormal_tasks_count++;
      else if (ctx.executeStatus === 'CANCELLED') counts.terminated_tasks_count++;
      else if (ctx.executeStatus === 'SUCCESS') counts.completed_tasks_count++;
    }
    const none = { running_tasks_count: 0, abnormal_tasks_count: 0, terminated_tasks_count: 0, completed_tasks_count: 0 };
    return { common_task_details: counts, cdc_task_details: none };
  });

  app.get<{ Params: TaskParams }>(`${base}/tasks/:task_id`, { schema: getTaskSchema, config }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    return taskResponse(task, await taskContext(store, task));
  });

  app.put<{ Params: TaskParams; Body: unknown }>(`${base}/tasks/:task_id`, { schema: updateTaskSchema, config }, async (req) => {
    const existing = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    if (await control.isRunning(existing.task_id)) {
      throw new FdiError('FDI.3030', 'An execution of this task is running; wait for it to end or terminate it.', 'task_id');
    }
    const spec = parseTaskBody(req.body, { taskId: existing.task_id });
    if (existing.status === 'running' && spec.taskType !== existing.task.task_type) {
      throw new FdiError('FDI.3030', '[task.task_type] a started task cannot change its type; stop it first.', 'task.task_type');
    }
    await checkDatasources(store, registry, req.params, spec);
    await assertNameFree(store, req.params, spec.taskName, spec.taskId);
    const latest = (await store.getTask(existing.task_id)) ?? existing;
    const record: TaskRecord = { ...latest, task: basicOf(spec), task_detail: spec.rawDetail, last_modified_date: now() };
    await store.putTask(record);
    if (record.status === 'running' && record.task.task_type === 'TIMING') await control.reschedule(record.task_id);
    return taskResponse(record, await taskContext(store, record));
  });

  app.delete<{ Params: TaskParams }>(`${base}/tasks/:task_id`, { schema: deleteTaskSchema, config }, async (req, reply) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    if (await control.isRunning(task.task_id)) {
      throw new FdiError('FDI.3030', 'An execution of this task is running; terminate it before deleting the task.', 'task_id');
    }
    try {
      // Also for a stopped task: a schedule left behind by a half-done start must not outlive the task.
      await control.stop(task.task_id);
    } catch (e) {
      if (task.status === 'running') {
        throw new FdiError('FDI.3028', `Its schedule could not be removed: ${e instanceof Error ? e.message : String(e)}`, 'task_id');
      }
      req.log.warn({ err: e, task_id: task.task_id }, 'delete: stopping a stopped task failed; deleting it anyway');
    }
    await store.deleteTask(task.task_id);
    return reply.code(204).send();
  });
}

function emptyContext(t: TaskRecord) {
  return { executeStatus: t.execute_status, lastLog: null, source: null, target: null, plan: null };
}
