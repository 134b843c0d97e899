import type { PlanPeriod } from '../../core/plan.ts';
import { FdiError } from '../../core/fdi-error.ts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, wallClockAt, type WallTime } from '../../core/time-zone.ts';
import { addDays, addMonths } from './calendar.ts';
import { resolveWall } from './zone.ts';

/**
 * Period plans: fire k = 0, 1, 2 … at `start + k × interval × period`.
 * MIN and HOUR are exact durations. DAY, WEEK and MON are calendar steps in the plan's zone that keep the
 * start's wall-clock time across DST; MON counts from the start each time with the day clamped to the
 * month's length (Jan 31 → Feb 28/29 → Mar 31), never cumulatively.
 */

/** v1 limits of `dispatch_interval` per period (spec 11.1.1.7). */
export const PERIOD_INTERVAL_LIMITS: Readonly<Record<PlanPeriod, number>> = {
  MIN: 59,
  HOUR: 23,
  DAY: 30,
  WEEK: 7,
  MON: 12,
};

const PERIOD_SPELLINGS: Readonly<Record<string, PlanPeriod>> = {
  MIN: 'MIN',
  HOUR: 'HOUR',
  DAY: 'DAY',
  WEEK: 'WEEK',
  MON: 'MON',
  MONTH: 'MON',
};

export interface PeriodSchedule {
  readonly period: PlanPeriod;
  readonly interval: number;
  /** Epoch ms of fire k = 0. */
  readonly start: number;
  readonly timeZone: string;
}

/** `MIN`, `HOUR`, `DAY`, `WEEK`, `MON` or `MONTH`, any case; FDI.3002 naming `period` otherwise. */
export function parsePeriod(value: unknown): PlanPeriod {
  const period = typeof value === 'string' ? PERIOD_SPELLINGS[value.trim().toUpperCase()] : undefined;
  if (!period) {
    throw new FdiError('FDI.3002', `period must be one of MIN, HOUR, DAY, WEEK, MON (or MONTH), got ${JSON.stringify(value)}.`, 'period');
  }
  return period;
}

/** An integer within the v1 limit of `period`; FDI.3002 naming `dispatch_interval` otherwise. */
export function parseInterval(value: unknown, period: PlanPeriod): number {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  const limit = PERIOD_INTERVAL_LIMITS[period];
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > limit) {
    throw new FdiError(
      'FDI.3002',
      `dispatch_interval must be an integer from 1 to ${limit} for period ${period}, got ${JSON.stringify(value)}.`,
      'dispatch_interval',
    );
  }
  return number;
}

const FIXED_STEP_MS: Partial<Record<PlanPeriod, number>> = { MIN: MS_PER_MINUTE, HOUR: MS_PER_HOUR };

function calendarStep(schedule: PeriodSchedule, startWall: WallTime, k: number): WallTime {
  const steps = k * schedule.interval;
  switch (schedule.period) {
    case 'DAY':
      return addDays(startWall, steps);
    case 'WEEK':
      return addDays(startWall, 7 * steps);
    default:
      return addMonths(startWall, steps);
  }
}

/** Epoch ms of fire number `k` (k ≥ 0); `startWall` saves reading the start in the zone again. */
export function periodFireAt(
  schedule: PeriodSchedule,
  k: number,
  startWall: WallTime = wallClockAt(schedule.start, schedule.timeZone),
): number {
  const fixed = FIXED_STEP_MS[schedule.period];
  if (fixed !== undefined) return schedule.start + k * schedule.interval * fixed;
  if (k === 0) return schedule.start;
  const wall = calendarStep(schedule, startWall, k);
  // A wall time inside a DST gap fires right after it (02:30 → 03:30), as Quartz's calendar reads it.
  return resolveWall(wall, schedule.timeZone).instant;
}

/** A guess of the first k whose fire is after `after`; off by a step or two at most, corrected by the caller. */
function estimateIndex(schedule: PeriodSchedule, startWall: WallTime, after: number): number {
  const fixed = FIXED_STEP_MS[schedule.period];
  if (fixed !== undefined) return Math.floor((after - schedule.start) / (schedule.interval * fixed)) + 1;
  if (schedule.period === 'MON') {
    const s = startWall;
    const a = wallClockAt(after, schedule.timeZone);
    return Math.floor(((a.year - s.year) * 12 + (a.month - s.month)) / schedule.interval);
  }
  const days = schedule.period === 'WEEK' ? 7 * schedule.interval : schedule.interval;
  return Math.floor((after - schedule.start) / (days * MS_PER_DAY));
}

/** The first fire strictly after `after` (epoch ms): `start` itself while the start is still ahead. */
export function nextPeriodFire(schedule: PeriodSchedule, after: number): number {
  if (after < schedule.start) return schedule.start;
  const startWall = wallClockAt(schedule.start, schedule.timeZone);
  const fireAt = (k: number): number => periodFireAt(schedule, k, startWall);
  let k = Math.max(0, estimateIndex(schedule, startWall, after));
  while (k > 0 && fireAt(k - 1) > after) k--;
  let fire = fireAt(k);
  while (fire <= after) fire = fireAt(++k);
  return fire;
}
