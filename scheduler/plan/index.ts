import type { DispatchPlan } from '../../core/plan.ts';
import { FdiError } from '../../core/fdi-error.ts';
import { nextPeriodFire, parseInterval, parsePeriod, type PeriodSchedule } from './period.ts';
import { compileQuartzCron, nextQuartzFire } from './quartz.ts';
import { parseStartDatetime } from './start-datetime.ts';
import { canonicalTimeZone } from '../../core/time-zone.ts';

export { parseQuartzCron, nextQuartzFire, compileQuartzCron } from './quartz.ts';
export type { QuartzCron } from './quartz.ts';
export { PERIOD_INTERVAL_LIMITS, nextPeriodFire, periodFireAt, type PeriodSchedule } from './period.ts';
export { parseStartDatetime } from './start-datetime.ts';
export { canonicalTimeZone } from '../../core/time-zone.ts';
export { formatInZone } from './zone.ts';

/** The fields of a dispatch plan that decide when it fires; a DispatchPlan is one. */
export type PlanTiming = Pick<
  DispatchPlan,
  'use_quartz_cron' | 'cron' | 'period' | 'dispatch_interval' | 'start_datetime' | 'time_zone'
>;

/** Plan time zone when neither the plan nor `FDI_TIME_ZONE` names one. */
export const DEFAULT_PLAN_TIME_ZONE = 'UTC';
export const PLAN_TIME_ZONE_ENV = 'FDI_TIME_ZONE';

/** `FDI_TIME_ZONE` from the environment (canonical IANA name), else UTC. */
export function defaultPlanTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[PLAN_TIME_ZONE_ENV]?.trim();
  if (!configured) return DEFAULT_PLAN_TIME_ZONE;
  const zone = canonicalTimeZone(configured);
  if (!zone) {
    throw new FdiError('FDI.3002', `${PLAN_TIME_ZONE_ENV}=${JSON.stringify(configured)} is not an IANA time zone (e.g. Asia/Shanghai, UTC).`, PLAN_TIME_ZONE_ENV);
  }
  return zone;
}

export interface ValidatePlanOptions {
  /** Zone for a plan that names none; default `defaultPlanTimeZone()`. */
  readonly defaultTimeZone?: string;
  /** Start of a period plan that gives no `start_datetime`; default Date.now(). */
  readonly now?: number;
}

const SPELLINGS = {
  use_quartz_cron: ['use_quartz_cron', 'useQuartzCron'],
  cron: ['cron'],
  period: ['period'],
  dispatch_interval: ['dispatch_interval', 'dispatchInterval'],
  start_datetime: ['start_datetime', 'startDatetime', 'startDateTime'],
  time_zone: ['time_zone', 'timeZone'],
} as const;

/** The value under any documented spelling of `field`; null, undefined and '' count as absent. */
function pick(body: Record<string, unknown>, field: keyof typeof SPELLINGS): unknown {
  for (const key of SPELLINGS[field]) {
    const value = body[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new FdiError('FDI.3002', `${field} must be true or false, got ${JSON.stringify(value)}.`, field);
}

export function parseTimeZone(value: unknown, field = 'time_zone'): string {
  const zone = typeof value === 'string' ? canonicalTimeZone(value) : null;
  if (!zone) {
    throw new FdiError('FDI.3002', `${field} must be an IANA time zone such as Asia/Shanghai or UTC, got ${JSON.stringify(value)}.`, field);
  }
  return zone;
}

/**
 * Reads the timing part of a plan body (create/modify dispatch plan, v1 or v2) in any documented spelling
 * and returns it in canonical shape. Fields that do not apply (a `cron` next to `use_quartz_cron: false`)
 * are dropped. FDI.3002 naming the field on bad input.
 */
export function validatePlan(input: unknown, options: ValidatePlanOptions = {}): PlanTiming {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FdiError('FDI.3002', 'the dispatch plan must be a JSON object.', 'body');
  }
  const body = input as Record<string, unknown>;
  const time_zone =
    pick(body, 'time_zone') === undefined
      ? parseTimeZone(options.defaultTimeZone ?? defaultPlanTimeZone(), 'default time zone')
      : parseTimeZone(pick(body, 'time_zone'));

  const cron = pick(body, 'cron');
  const period = pick(body, 'period');
  const flag = pick(body, 'use_quartz_cron');
  let useCron: boolean;
  if (flag !== undefined) {
    useCron = parseBoolean(flag, 'use_quartz_cron');
  } else if ((cron === undefined) === (period === undefined)) {
    throw new FdiError('FDI.3002', 'use_quartz_cron is required: true with a cron expression, or false with period and dispatch_interval.', 'use_quartz_cron');
  } else {
    useCron = cron !== undefined;
  }

  const start = pick(body, 'start_datetime');
  if (useCron) {
    if (typeof cron !== 'string') {
      throw new FdiError('FDI.3002', `cron is required when use_quartz_cron is true and must be a Quartz expression such as "0 0 12 * * ?", got ${JSON.stringify(cron)}.`, 'cron');
    }
    if (cron.length > 255) throw new FdiError('FDI.3002', 'cron is longer than 255 characters.', 'cron');
    const plan: PlanTiming = { use_quartz_cron: true, cron: compileQuartzCron(cron).expression, time_zone };
    if (start !== undefined) plan.start_datetime = parseStartDatetime(start, time_zone);
    return plan;
  }
  if (period === undefined) {
    throw new FdiError('FDI.3002', 'period is required when use_quartz_cron is false (MIN, HOUR, DAY, WEEK or MON).', 'period');
  }
  const canonicalPeriod = parsePeriod(period);
  const interval = pick(body, 'dispatch_interval');
  if (interval === undefined) {
    throw new FdiError('FDI.3002', 'dispatch_interval is required when use_quartz_cron is false.', 'dispatch_interval');
  }
  return {
    use_quartz_cron: false,
    period: canonicalPeriod,
    dispatch_interval: parseInterval(interval, canonicalPeriod),
    start_datetime: start === undefined ? (options.now ?? Date.now()) : parseStartDatetime(start, time_zone),
    time_zone,
  };
}

/** A plan ready to evaluate: `next(after)` is the first fire strictly after `after` (epoch ms), or null. */
export interface CompiledPlan {
  readonly timeZone: string;
  next(after: number): number | null;
}

/** Checks a stored plan once and returns its fire-time function; FDI.3002 when it cannot fire. */
export function compilePlan(plan: PlanTiming): CompiledPlan {
  const timeZone = parseTimeZone(plan.time_zone);
  if (plan.use_quartz_cron) {
    if (!plan.cron) throw new FdiError('FDI.3002', 'the plan uses a Quartz cron but has no cron expression.', 'cron');
    const cron = compileQuartzCron(plan.cron);
    // Like a Quartz CronTrigger with a start time: no fire before start_datetime.
    const notBefore = plan.start_datetime;
    return {
      timeZone,
      next: (after) => nextQuartzFire(cron, notBefore === undefined ? after : Math.max(after, notBefore - 1), timeZone),
    };
  }
  if (plan.start_datetime === undefined) {
    throw new FdiError('FDI.3002', 'a period plan needs start_datetime.', 'start_datetime');
  }
  const period = parsePeriod(plan.period);
  const schedule: PeriodSchedule = {
    period,
    interval: parseInterval(plan.dispatch_interval, period),
    start: parseStartDatetime(plan.start_datetime, timeZone),
    timeZone,
  };
  return { timeZone, next: (after) => nextPeriodFire(schedule, after) };
}

/** The first fire strictly after `after`, or null when the plan never fires again. */
export function nextFireTime(plan: PlanTiming, after: Date): Date | null {
  const next = compilePlan(plan).next(after.getTime());
  return next === null ? null : new Date(next);
}

/** Up to `count` fires strictly after `from`, ascending; fewer when the plan runs out (a past year field). */
export function nextFireTimes(plan: PlanTiming, from: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const compiled = compilePlan(plan);
  const fires: Date[] = [];
  let after = from.getTime();
  while (fires.length < count) {
    const next = compiled.next(after);
    if (next === null) break;
    fires.push(new Date(next));
    after = next;
  }
  return fires;
}
