import type { FastifyInstance } from 'fastify';
import { FdiError } from '../../core/fdi-error.ts';
import type { ExecuteStatus } from '../../core/status-codes.ts';
import type { JsonValue } from '../../core/values.ts';
import type { ApiDeps } from '../deps.ts';
import { effectiveLimit, pageOf } from '../paging.ts';
import { runParams } from '../schemas/common.ts';
import { monitorLog, pages, responses } from '../schemas/responses.ts';
import { monitorLogsSchema, taskMonitorsSchema } from '../schemas/tasks.ts';
import { scopedTask, taskContexts } from '../task-state.ts';
import { pageEnvelope, taskMonitorInfo } from '../views.ts';
import type { InstanceParams, TaskParams } from './params.ts';

const pagingQuery = monitorLogsSchema.querystring.properties;

const dirtyRecordsSchema = {
  tags: ['monitoring'],
  summary: 'Dirty records of one execution, in the order they were found (beyond the spec)',
  params: runParams,
  querystring: { type: 'object', properties: { offset: pagingQuery.offset, limit: pagingQuery.limit } },
  response: responses(200, 'A page of dirty records', pages.dirty),
} as const;

const oneLogSchema = { tags: ['monitoring'], summary: 'One execution log (beyond the spec)', params: runParams, response: responses(200, 'The execution', monitorLog) } as const;

/** Monitoring (spec tasks.md 4.2.1, 4.2.2) and, beyond the spec, one execution and its dirty records. */
export function monitorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store } = deps;
  const base = '/v2/:project_id/fdi/instances/:instance_id';
  const config = { resource: 'task' } as const;

  app.get<{ Params: InstanceParams; Querystring: { offset?: number; limit?: number; task_name?: string; execute_status?: ExecuteStatus | '' } }>(
    `${base}/task-monitors`,
    { schema: taskMonitorsSchema, config },
    async (req) => {
      const q = req.query;
      const tasks = await store.listTasks(req.params.project_id, req.params.instance_id);
      const contexts = await taskContexts(store, req.params.project_id, req.params.instance_id, tasks, true);
      const rows = tasks
        .filter((t) => !q.task_name || t.task.task_name.includes(q.task_name))
        .map((t) => ({ t, ctx: contexts.get(t.task_id) }))
        .filter((r) => !q.execute_status || r.ctx?.executeStatus === q.execute_status);
      const lastRun = (r: (typeof rows)[number]) => r.ctx?.lastLog?.start_time ?? -1;
      rows.sort((a, b) => lastRun(b) - lastRun(a) || b.t.created_date - a.t.created_date || a.t.task_id.localeCompare(b.t.task_id));
      const page = pageOf(rows, q.offset, q.limit).flatMap((r) => (r.ctx ? [taskMonitorInfo(r.t, r.ctx)] : []));
      return pageEnvelope(rows.length, page);
    },
  );

  app.get<{ Params: TaskParams; Querystring: { offset?: number; limit?: number; begin_time?: number; end_time?: number } }>(
    `${base}/tasks/:task_id/monitor-logs`,
    { schema: monitorLogsSchema, config },
    async (req) => {
      const q = req.query;
      const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
      if (q.begin_time !== undefined && q.end_time !== undefined && q.begin_time > q.end_time) {
        throw FdiError.invalidField('begin_time', `${q.begin_time} is after end_time ${q.end_time}`);
      }
      const query: { offset: number; limit: number; beginTime?: number; endTime?: number } = {
        offset: q.offset ?? 1,
        limit: effectiveLimit(q.limit),
      };
      if (q.begin_time !== undefined) query.beginTime = q.begin_time;
      if (q.end_time !== undefined) query.endTime = q.end_time;
      const page = await store.listMonitorLogs(task.task_id, query);
      return pageEnvelope(page.total, page.entities);
    },
  );

  app.get<{ Params: TaskParams & { run_id: string } }>(`${base}/tasks/:task_id/monitor-logs/:run_id`, { schema: oneLogSchema, config }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    const log = await store.getMonitorLog(task.task_id, req.params.run_id);
    if (!log) throw new FdiError('FDI.1004', `Task ${task.task_id} has no execution ${req.params.run_id}.`, 'run_id');
    return log;
  });

  app.get<{ Params: TaskParams & { run_id: string }; Querystring: { offset?: number; limit?: number } }>(
    `${base}/tasks/:task_id/monitor-logs/:run_id/dirty-records`,
    { schema: dirtyRecordsSchema, config },
    async (req) => {
      const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
      const page = await store.listDirtyRecords(task.task_id, req.params.run_id, req.query.offset ?? 1, effectiveLimit(req.query.limit));
      if (page.total === 0 && !(await store.getMonitorLog(task.task_id, req.params.run_id))) {
        throw new FdiError('FDI.1004', `Task ${task.task_id} has no execution ${req.params.run_id}.`, 'run_id');
      }
      return pageEnvelope(
        page.total,
        page.entities.map((r) => {
          const out: { [key: string]: JsonValue } = { run_id: r.run_id, stage: r.stage, reason: r.reason, record: r.record, time: r.time };
          if (r.column !== undefined) out['column'] = r.column;
          return out;
        }),
      );
    },
  );
}
