import type { FastifyInstance } from 'fastify';
import { FdiError } from '../../core/fdi-error.ts';
import { newId } from '../../core/normalise/ids.ts';
import type { DispatchPlan } from '../../core/plan.ts';
import type { TaskRecord } from '../../core/store.ts';
import { validatePlan } from '../../scheduler/plan/index.ts';
import type { ApiDeps } from '../deps.ts';
import { createDispatchSchema, getDispatchSchema, updateDispatchSchema } from '../schemas/dispatches.ts';
import { scopedTask } from '../task-state.ts';
import { dispatchPlanRsp } from '../views.ts';
import type { TaskParams } from './params.ts';

type PlanBody = { [key: string]: unknown };

const TIMING_KEYS = ['use_quartz_cron', 'useQuartzCron', 'cron', 'period', 'dispatch_interval', 'dispatchInterval', 'start_datetime', 'startDatetime', 'startDateTime', 'time_zone', 'timeZone'];

function assertTiming(task: TaskRecord): void {
  if (task.task.task_type !== 'TIMING') {
    throw FdiError.invalidField('task_type', 'dispatch plans belong to TIMING tasks; this task is REALTIME');
  }
}

function remarkOf(body: PlanBody): string | undefined {
  const r = body['remark'];
  return typeof r === 'string' && r !== '' ? r : undefined;
}

/**
 * A modify body may give only what changes: the stored plan's timing fields fill in the rest. A body that names
 * a cron or a period says which kind of plan it wants, so the stored flag and the stored cron or period are not
 * carried over then (only the interval of a period plan that changes its period).
 */
function mergeWithStored(stored: DispatchPlan, body: PlanBody): PlanBody {
  const given = (k: string) => body[k] !== undefined && body[k] !== null && body[k] !== '';
  const base: PlanBody = { time_zone: stored.time_zone };
  const flagGiven = given('use_quartz_cron') || given('useQuartzCron');
  const kindNamed = given('cron') || given('period');
  if (!flagGiven && !kindNamed) base['use_quartz_cron'] = stored.use_quartz_cron;
  if (stored.start_datetime !== undefined) base['start_datetime'] = stored.start_datetime;
  if (!kindNamed) {
    if (stored.use_quartz_cron) base['cron'] = stored.cron;
    else {
      base['period'] = stored.period;
      base['dispatch_interval'] = stored.dispatch_interval;
    }
  } else if (given('period') && !given('dispatch_interval') && !given('dispatchInterval') && !stored.use_quartz_cron) {
    base['dispatch_interval'] = stored.dispatch_interval;
  }
  const overlay: PlanBody = {};
  for (const k of TIMING_KEYS) if (given(k)) overlay[k] = body[k];
  return { ...base, ...overlay };
}

/** Dispatch plans of timing tasks (spec tasks.md 4.3.9–4.3.11): one per task, modified in place. */
export function dispatchRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, control, config } = deps;
  const now = deps.now ?? Date.now;
  const base = '/v2/:project_id/fdi/instances/:instance_id/tasks/:task_id/dispatches';
  const routeConfig = { resource: 'task' } as const;

  app.post<{ Params: TaskParams; Body: PlanBody }>(base, { schema: createDispatchSchema, config: routeConfig }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    assertTiming(task);
    const existing = await store.getPlan(task.task_id);
    if (existing) {
      throw FdiError.invalidField('dispatch_id', `the task already has dispatch plan ${existing.dispatch_id}; modify it with PUT …/dispatches/${existing.dispatch_id}`);
    }
    const t = now();
    const timing = validatePlan(req.body, { defaultTimeZone: config.defaultTimeZone, now: t });
    const plan: DispatchPlan = { ...timing, dispatch_id: newId(), task_id: task.task_id, create_time: t, update_time: t };
    const remark = remarkOf(req.body);
    if (remark !== undefined) plan.remark = remark;
    await store.putPlan(plan);
    if (task.status === 'running') await control.reschedule(task.task_id);
    return dispatchPlanRsp(plan);
  });

  app.get<{ Params: TaskParams }>(base, { schema: getDispatchSchema, config: routeConfig }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    const plan = await store.getPlan(task.task_id);
    if (!plan) throw new FdiError('FDI.3083', `Task "${task.task.task_name}" has no dispatch plan.`, 'task_id');
    return dispatchPlanRsp(plan);
  });

  app.put<{ Params: TaskParams & { dispatch_id: string }; Body: PlanBody }>(`${base}/:dispatch_id`, { schema: updateDispatchSchema, config: routeConfig }, async (req) => {
    const task = await scopedTask(store, req.params.project_id, req.params.instance_id, req.params.task_id);
    assertTiming(task);
    const stored = await store.getPlan(task.task_id);
    if (!stored) throw new FdiError('FDI.3083', `Task "${task.task.task_name}" has no dispatch plan; create one with POST.`, 'task_id');
    if (stored.dispatch_id !== req.params.dispatch_id) {
      throw FdiError.invalidField('dispatch_id', `"${req.params.dispatch_id}" is not the plan of this task (its plan is ${stored.dispatch_id})`);
    }
    const t = now();
    const timing = validatePlan(mergeWithStored(stored, req.body), { defaultTimeZone: config.defaultTimeZone, now: t });
    const plan: DispatchPlan = { ...timing, dispatch_id: stored.dispatch_id, task_id: task.task_id, create_time: stored.create_time, update_time: t };
    const remark = req.body['remark'] === undefined ? stored.remark : remarkOf(req.body);
    if (remark !== undefined) plan.remark = remark;
    await store.putPlan(plan);
    if (task.status === 'running') await control.reschedule(task.task_id);
    return dispatchPlanRsp(plan);
  });
}
