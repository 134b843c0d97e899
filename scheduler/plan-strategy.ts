/**
 * A dispatch plan inside a BullMQ job scheduler. BullMQ's own patterns are cron-parser's, which is not Quartz and
 * knows no period plans; so the scheduler's `pattern` carries the plan itself (encoded), and a custom
 * `repeatStrategy`, given to the Queue and to every Worker, decodes it and asks `scheduler/plan` for the next fire.
 */
import type { RepeatStrategy } from 'bullmq';
import { FdiError } from '../core/fdi-error.ts';
import { compilePlan, type CompiledPlan, type PlanTiming } from './plan/index.ts';

const PATTERN_PREFIX = 'fdi-plan:v1:';
/** Compiled plans kept by pattern (a process evaluates the same few plans over and over). */
const CACHE_LIMIT = 1000;

export function encodePlanPattern(plan: PlanTiming): string {
  const timing: PlanTiming = {
    use_quartz_cron: plan.use_quartz_cron,
    time_zone: plan.time_zone,
    ...(plan.cron !== undefined ? { cron: plan.cron } : {}),
    ...(plan.period !== undefined ? { period: plan.period } : {}),
    ...(plan.dispatch_interval !== undefined ? { dispatch_interval: plan.dispatch_interval } : {}),
    ...(plan.start_datetime !== undefined ? { start_datetime: plan.start_datetime } : {}),
  };
  return PATTERN_PREFIX + Buffer.from(JSON.stringify(timing), 'utf8').toString('base64url');
}

export function decodePlanPattern(pattern: string): PlanTiming {
  if (!pattern.startsWith(PATTERN_PREFIX)) throw new Error(`not an fdi plan pattern: ${JSON.stringify(pattern.slice(0, 40))}`);
  return JSON.parse(Buffer.from(pattern.slice(PATTERN_PREFIX.length), 'base64url').toString('utf8')) as PlanTiming;
}

const compiled = new Map<string, CompiledPlan>();

function compiledFor(pattern: string): CompiledPlan {
  let plan = compiled.get(pattern);
  if (!plan) {
    plan = compilePlan(decodePlanPattern(pattern));
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(pattern, plan);
  }
  return plan;
}

/** The first fire strictly after `after`, or null when the plan never fires again. */
export function nextFireOfPattern(pattern: string, after: number): number | null {
  return compiledFor(pattern).next(after);
}

/**
 * BullMQ calls this with `millis` = max(now, the planned instant of the fire being taken up): the next fire is the
 * first one after it. So a fire that was due while no worker ran is run once when a worker comes back, and the
 * schedule goes on from the present (no burst of missed fires).
 */
export const planRepeatStrategy: RepeatStrategy = (millis, opts) => {
  const pattern = opts.pattern;
  if (!pattern) return undefined;
  const next = nextFireOfPattern(pattern, millis);
  return next === null ? undefined : next;
};

/** Checks that a plan can be armed now: it compiles and has a fire to come (FDI.3002 otherwise). */
export function assertPlanFires(plan: PlanTiming, now = Date.now()): number {
  const next = compilePlan(plan).next(now);
  if (next === null) throw new FdiError('FDI.3002', 'the dispatch plan has no fire time in the future.', 'cron');
  return next;
}
