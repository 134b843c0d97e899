import type { FastifyInstance } from 'fastify';
import type { FdiErrorCode } from '../../core/error-codes.ts';
import { FdiError, isFdiError } from '../../core/fdi-error.ts';
import type { Store, TaskRecord } from '../../core/store.ts';
import type { TaskControl } from '../../scheduler/control.ts';
import type { ApiDeps } from '../deps.ts';
import { batchSchema, runTaskSchema, terminateTaskSchema } from '../schemas/tasks.ts';
import { scopedTask } from '../task-state.ts';
import type { InstanceParams, TaskParams } from './params.ts';

interface TaskBeanFacade {
  task_id: string;
  task_name: string;
  error_code?: string;
  error_msg?: string;
}

function failureOf(e: unknown, fallback: FdiErrorCode): FdiError {
  if (isFdiError(e)) return e;
  return new FdiError(fallback, e instanceof Error ? e.message : String(e));
}

/** Sets the started/stopped switch on the freshest copy of the record (the runtime may have written it). */
async function setSwitch(store: Store, task: TaskRecord, status: TaskRecord['status']): Promise<void> {
  const latest = (await store.getTask(task.task_id)) ?? task;
  if (latest.status !== status) await store.putTask({ ...latest, status });
}

/** Start: a timing task needs a plan (FDI.3083, checked here before the scheduler is asked); twice is FDI.3139. */
export async function startTask(store: Store, control: TaskControl, task: TaskRecord): Promise<void> {
  if (task.status === 'running') throw new FdiError('FDI.3139', `Task "${task.task.task_name}" is already started.`, 'task_id');
  if (task.task.task_type === 'TIMING' && !(await store.getPlan(task.task_id))) {
    throw new FdiError('FDI.3083', `Task "${task.task.task_name}" has no dispatch plan; create one with POST …/tasks/${task.task_id}/dispatches.`, 'task_id');
  }
  try {
    await control.start(task.task_id);
  } catch (e) {
    throw failureOf(e, task.task.task_type === 'TIMING' ? 'FDI.3018' : 'FDI.3017');
  }
  await setSwitch(store, task, 'running');
}

/** Stop: removes the schedule (a realtime run drains first). Stopping a stopped task succeeds. */
export async function stopTask(store: Store, control: TaskControl, task: TaskRecord): Promise<void> {
  if (task.status === 'stop') return;
  try {
    await control.stop(task.task_id);
  } catch (e) {
    throw failureOf(e, task.task.task_type === 'TIMING' ? 'FDI.3020' : 'FDI.3019');
  }
  await setSwitch(store, task, 'stop');
}

/** Run now, terminate, batch start/stop (spec tasks.md 4.3.7, 4.3.8, 4.3.12). */
export function taskActionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, control } = deps;
  const base = '/v2/:project_id/fdi/instances/:instance_id';
  const config = { resource: 'task' } as const;

  app.post<{ Params: TaskParams }>(`${base}/tasks/:task_id/run`, { schema: runTaskSchema, config }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    if (await control.isRunning(task.task_id)) {
      throw new FdiError('FDI.3030', 'An execution of this task is already running.', 'task_id');
    }
    let executionId: string;
    try {
      executionId = await control.runNow(task.task_id);
    } catch (e) {
      throw failureOf(e, 'FDI.3026');
    }
    return { message: 'success', execution_id: executionId };
  });

  app.post<{ Params: TaskParams }>(`${base}/tasks/:task_id/terminate`, { schema: terminateTaskSchema, config }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    let cancelled: boolean;
    try {
      cancelled = await control.terminate(task.task_id);
    } catch (e) {
      throw failureOf(e, 'FDI.3027');
    }
    if (!cancelled) throw new FdiError('FDI.3027', 'No execution of this task is running.', 'task_id');
    return { message: 'success' };
  });

  app.post<{ Params: InstanceParams; Body: { action_id: 'start' | 'stop'; list: { task_id: string }[] } }>(
    `${base}/batch-operation/tasks`,
    { schema: batchSchema, config },
    async (req) => {
      const { action_id, list } = req.body;
      const success: TaskBeanFacade[] = [];
      const failure: TaskBeanFacade[] = [];
      for (const { task_id } of list) {
        let name = '';
        try {
          const task = await scopedTask(store, req.params.project_id, req.params.instance_id, task_id);
          name = task.task.task_name;
          if (action_id === 'start') await startTask(store, control, task);
          else await stopTask(store, control, task);
          success.push({ task_id, task_name: name });
        } catch (e) {
          const err = failureOf(e, action_id === 'start' ? 'FDI.3018' : 'FDI.3020');
          if (err.http >= 500 && !isFdiError(e)) req.log.error({ err: e, task_id }, 'batch operation failed');
          failure.push({ task_id, task_name: name, error_code: err.code, error_msg: err.message });
        }
      }
      return { success_count: success.length, failure_count: failure.length, success, failure };
    },
  );
}
