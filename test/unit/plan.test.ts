import { describe, expect, it } from 'vitest';
import type { DispatchPlan } from '../../core/plan.ts';
import { FdiError } from '../../core/fdi-error.ts';
import {
  DEFAULT_PLAN_TIME_ZONE,
  defaultPlanTimeZone,
  nextFireTime,
  nextFireTimes,
  parseStartDatetime,
  validatePlan,
} from '../../scheduler/plan/index.ts';

function fdiError(fn: () => unknown): FdiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FdiError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

const UTC = { defaultTimeZone: 'UTC' } as const;

describe('validatePlan', () => {
  it('reads the spec 4.3.9 example (ISO start → epoch ms)', () => {
    const plan = validatePlan(
      { use_quartz_cron: false, remark: '123', start_datetime: '2020-11-14T07:38:25.609Z', period: 'DAY', dispatch_interval: 1 },
      UTC,
    );
    expect(plan).toEqual({
      use_quartz_cron: false,
      period: 'DAY',
      dispatch_interval: 1,
      start_datetime: 1605339505609,
      time_zone: 'UTC',
    });
  });

  it('reads the spec 11.1.1.7 cron example and canonicalises the expression', () => {
    const plan = validatePlan({ use_quartz_cron: true, cron: '0 1 * * * ?', start_datetime: '2019-07-13T10:12:32.000Z' }, UTC);
    expect(plan).toEqual({ use_quartz_cron: true, cron: '0 1 * * * ?', start_datetime: 1563012752000, time_zone: 'UTC' });
    expect(validatePlan({ use_quartz_cron: 'true', cron: '0 15 10 ? * mon-fri' }, UTC).cron).toBe('0 15 10 ? * MON-FRI');
  });

  it('accepts every spelling: "true"/true, camelCase, MONTH, numeric strings, epoch ms', () => {
    const plan = validatePlan(
      { useQuartzCron: 'FALSE', period: 'month', dispatchInterval: '3', startDatetime: '1605339505609', timeZone: 'asia/shanghai' },
      UTC,
    );
    expect(plan).toEqual({
      use_quartz_cron: false,
      period: 'MON',
      dispatch_interval: 3,
      start_datetime: 1605339505609,
      time_zone: 'Asia/Shanghai',
    });
    expect(validatePlan({ use_quartz_cron: false, period: 'HOUR', dispatch_interval: 2, start_datetime: 0 }, UTC).start_datetime).toBe(0);
  });

  it('drops the fields that do not apply (spec example: cron next to use_quartz_cron false)', () => {
    const plan = validatePlan(
      { use_quartz_cron: false, cron: '0 */15 * * * ?', period: 'DAY', dispatch_interval: 1, start_datetime: 0 },
      UTC,
    );
    expect(plan.cron).toBeUndefined();
    const cronPlan = validatePlan({ use_quartz_cron: true, cron: '0 0 12 * * ?', period: 'DAY', dispatch_interval: 99 }, UTC);
    expect(cronPlan.period).toBeUndefined();
    expect(cronPlan.dispatch_interval).toBeUndefined();
  });

  it('infers use_quartz_cron from which of cron / period is given, and requires it when ambiguous', () => {
    expect(validatePlan({ cron: '0 0 12 * * ?' }, UTC).use_quartz_cron).toBe(true);
    expect(validatePlan({ period: 'DAY', dispatch_interval: 1, start_datetime: 0 }, UTC).use_quartz_cron).toBe(false);
    expect(fdiError(() => validatePlan({}, UTC)).field).toBe('use_quartz_cron');
    expect(fdiError(() => validatePlan({ cron: '0 0 12 * * ?', period: 'DAY' }, UTC)).field).toBe('use_quartz_cron');
  });

  it('a period plan without start_datetime starts at `now`', () => {
    const plan = validatePlan({ use_quartz_cron: false, period: 'MIN', dispatch_interval: 5 }, { ...UTC, now: 1_700_000_000_000 });
    expect(plan.start_datetime).toBe(1_700_000_000_000);
  });

  it('reads a start without offset in the plan zone', () => {
    const plan = validatePlan(
      { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: '2025-01-31T09:00', time_zone: 'Asia/Shanghai' },
      UTC,
    );
    expect(plan.start_datetime).toBe(Date.parse('2025-01-31T01:00:00Z'));
  });

  it('rejects bad input with FDI.3002 naming the field', () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ use_quartz_cron: 'yes', cron: '0 0 12 * * ?' }, 'use_quartz_cron', 'true or false'],
      [{ use_quartz_cron: true }, 'cron', 'cron is required'],
      [{ use_quartz_cron: true, cron: 12 }, 'cron', 'cron is required'],
      [{ use_quartz_cron: true, cron: '0 0 12 ? * 8' }, 'cron', 'Day-of-Week values must be between 1 and 7'],
      [{ use_quartz_cron: true, cron: `0 0 12 * * ? ${'1'.repeat(260)}` }, 'cron', 'longer than 255'],
      [{ use_quartz_cron: false, dispatch_interval: 1 }, 'period', 'period is required'],
      [{ use_quartz_cron: false, period: 'YEAR', dispatch_interval: 1 }, 'period', 'MIN, HOUR, DAY, WEEK, MON'],
      [{ use_quartz_cron: false, period: 'DAY' }, 'dispatch_interval', 'dispatch_interval is required'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 31 }, 'dispatch_interval', '1 to 30 for period DAY'],
      [{ use_quartz_cron: false, period: 'MONTH', dispatch_interval: 13 }, 'dispatch_interval', '1 to 12 for period MON'],
      [{ use_quartz_cron: false, period: 'MIN', dispatch_interval: 60 }, 'dispatch_interval', '1 to 59 for period MIN'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: 'tomorrow' }, 'start_datetime', 'ISO-8601'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: '2025-02-30T00:00:00Z' }, 'start_datetime', 'no such calendar date'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: '2025-01-01T24:00:00Z' }, 'start_datetime', 'no such time of day'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: -5 }, 'start_datetime', 'epoch milliseconds'],
      [{ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, start_datetime: true }, 'start_datetime', 'ISO-8601'],
      [{ cron: '0 0 12 * * ?', time_zone: 'Mars/Olympus' }, 'time_zone', 'IANA time zone'],
      [{ cron: '0 0 12 * * ?', time_zone: 8 }, 'time_zone', 'IANA time zone'],
      [null, 'body', 'JSON object'],
      [[1], 'body', 'JSON object'],
    ];
    for (const [body, field, reason] of cases) {
      const error = fdiError(() => validatePlan(body, UTC));
      expect(error.code, JSON.stringify(body)).toBe('FDI.3002');
      expect(error.field, JSON.stringify(body)).toBe(field);
      expect(error.message, JSON.stringify(body)).toContain(reason);
    }
  });
});

describe('default plan time zone', () => {
  it('is FDI_TIME_ZONE when set, else UTC', () => {
    expect(DEFAULT_PLAN_TIME_ZONE).toBe('UTC');
    expect(defaultPlanTimeZone({})).toBe('UTC');
    expect(defaultPlanTimeZone({ FDI_TIME_ZONE: '' })).toBe('UTC');
    expect(defaultPlanTimeZone({ FDI_TIME_ZONE: 'europe/berlin' })).toBe('Europe/Berlin');
    const error = fdiError(() => defaultPlanTimeZone({ FDI_TIME_ZONE: 'Nowhere/Special' }));
    expect(error.field).toBe('FDI_TIME_ZONE');
  });

  it('applies to a plan that names no zone', () => {
    const plan = validatePlan({ cron: '0 0 12 * * ?' }, { defaultTimeZone: 'America/New_York' });
    expect(plan.time_zone).toBe('America/New_York');
    expect(nextFireTime(plan, new Date('2025-07-01T00:00:00Z'))?.toISOString()).toBe('2025-07-01T16:00:00.000Z');
  });
});

describe('start_datetime', () => {
  it('accepts ISO-8601 with Z, with an offset, without one (plan zone), date only, and epoch ms', () => {
    expect(parseStartDatetime('2020-11-14T07:38:25.609Z', 'UTC')).toBe(1605339505609);
    expect(parseStartDatetime('2020-11-14T15:38:25.609+08:00', 'UTC')).toBe(1605339505609);
    expect(parseStartDatetime('2020-11-14T15:38:25.609+0800', 'UTC')).toBe(1605339505609);
    expect(parseStartDatetime('2020-11-14 15:38:25.609', 'Asia/Shanghai')).toBe(1605339505609);
    expect(parseStartDatetime('2025-03-30', 'Europe/Berlin')).toBe(Date.parse('2025-03-29T23:00:00Z'));
    expect(parseStartDatetime(1605339505609, 'UTC')).toBe(1605339505609);
    expect(parseStartDatetime(' 1605339505609 ', 'UTC')).toBe(1605339505609);
  });

  it('reads a wall time in a DST gap forward and a repeated one as the second occurrence', () => {
    expect(parseStartDatetime('2025-03-30T02:30', 'Europe/Berlin')).toBe(Date.parse('2025-03-30T03:30:00+02:00'));
    expect(parseStartDatetime('2025-10-26T02:30', 'Europe/Berlin')).toBe(Date.parse('2025-10-26T02:30:00+01:00'));
  });
});

describe('nextFireTime / nextFireTimes', () => {
  const stored: DispatchPlan = {
    dispatch_id: 'a0f7fa9897da423dadbe8391d7ea7a43',
    task_id: '15366328208d4d77b76532fe9f4006a6',
    use_quartz_cron: false,
    period: 'DAY',
    dispatch_interval: 1,
    start_datetime: 1605339505609,
    time_zone: 'UTC',
    create_time: 1605311230685,
    update_time: 1605311230685,
  };

  it('evaluates a stored DispatchPlan', () => {
    expect(nextFireTimes(stored, new Date(1605311230685), 2).map((d) => d.toISOString())).toEqual([
      '2020-11-14T07:38:25.609Z',
      '2020-11-15T07:38:25.609Z',
    ]);
  });

  it('nextFireTime is strictly after `after`', () => {
    expect(nextFireTime(stored, new Date(1605339505609))?.toISOString()).toBe('2020-11-15T07:38:25.609Z');
  });

  it('a cron plan with a start fires no earlier than the start (Quartz CronTrigger startTime)', () => {
    const plan = validatePlan({ use_quartz_cron: true, cron: '0 0 * * * ?', start_datetime: '2025-01-01T05:30:00Z' }, UTC);
    expect(nextFireTimes(plan, new Date('2025-01-01T00:00:00Z'), 2).map((d) => d.toISOString())).toEqual([
      '2025-01-01T06:00:00.000Z',
      '2025-01-01T07:00:00.000Z',
    ]);
    const onTheHour = validatePlan({ cron: '0 0 * * * ?', start_datetime: '2025-01-01T05:00:00Z' }, UTC);
    expect(nextFireTime(onTheHour, new Date('2025-01-01T00:00:00Z'))?.toISOString()).toBe('2025-01-01T05:00:00.000Z');
  });

  it('returns fewer fires, or null, when the plan runs out', () => {
    const plan = validatePlan({ cron: '0 0 0 1 JAN ? 2026' }, UTC);
    expect(nextFireTimes(plan, new Date('2025-06-01T00:00:00Z'), 5).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(nextFireTime(plan, new Date('2026-01-01T00:00:00Z'))).toBeNull();
    expect(nextFireTimes(plan, new Date('2025-06-01T00:00:00Z'), 0)).toEqual([]);
    expect(() => nextFireTimes(plan, new Date(), -1)).toThrow(RangeError);
  });

  it('rejects a stored plan that cannot fire', () => {
    expect(fdiError(() => nextFireTime({ use_quartz_cron: true, time_zone: 'UTC' }, new Date())).field).toBe('cron');
    expect(fdiError(() => nextFireTime({ use_quartz_cron: false, period: 'DAY', dispatch_interval: 1, time_zone: 'UTC' }, new Date())).field).toBe(
      'start_datetime',
    );
    expect(fdiError(() => nextFireTime({ ...stored, time_zone: 'Bad/Zone' }, new Date())).field).toBe('time_zone');
  });
});
