import { describe, expect, it } from 'vitest';
import type { PlanPeriod } from '../../core/plan.ts';
import { FdiError } from '../../core/fdi-error.ts';
import {
  nextPeriodFire,
  parseInterval,
  parsePeriod,
  periodFireAt,
  type PeriodSchedule,
} from '../../scheduler/plan/period.ts';

function schedule(period: PlanPeriod, interval: number, start: string, timeZone = 'UTC'): PeriodSchedule {
  return { period, interval, start: Date.parse(start), timeZone };
}

function fires(s: PeriodSchedule, from: string, count: number): string[] {
  const out: string[] = [];
  let after = Date.parse(from);
  for (let i = 0; i < count; i++) {
    after = nextPeriodFire(s, after);
    out.push(new Date(after).toISOString());
  }
  return out;
}

const iso = (values: readonly string[]): string[] => values.map((v) => new Date(v).toISOString());

describe('period plans: start + k × interval × period', () => {
  it('fires at the start first when the start lies ahead (spec 4.3.9 example: daily)', () => {
    const s = schedule('DAY', 1, '2020-11-14T07:38:25.609Z');
    expect(fires(s, '2020-11-13T23:47:10.685Z', 3)).toEqual(
      iso(['2020-11-14T07:38:25.609Z', '2020-11-15T07:38:25.609Z', '2020-11-16T07:38:25.609Z']),
    );
  });

  it('with the start in the past, the next fire is on the grid, not `from`', () => {
    const s = schedule('DAY', 2, '2025-01-01T09:00:00Z');
    expect(fires(s, '2025-01-04T10:30:00Z', 3)).toEqual(
      iso(['2025-01-05T09:00:00Z', '2025-01-07T09:00:00Z', '2025-01-09T09:00:00Z']),
    );
  });

  it('is strictly after `from` when `from` is a fire time, including the start itself', () => {
    const s = schedule('DAY', 2, '2025-01-01T09:00:00Z');
    expect(fires(s, '2025-01-05T09:00:00Z', 1)).toEqual(iso(['2025-01-07T09:00:00Z']));
    expect(fires(s, '2025-01-01T09:00:00Z', 1)).toEqual(iso(['2025-01-03T09:00:00Z']));
    expect(fires(s, '2025-01-01T08:59:59.999Z', 1)).toEqual(iso(['2025-01-01T09:00:00Z']));
  });

  it('MIN and HOUR are exact durations, found directly far from the start', () => {
    // 2020-01-01 → 2025-06-01T12:00 is 2 849 040 minutes = 7 × 407 005 + 5, so the grid is at 12:02, 12:09.
    const minutes = schedule('MIN', 7, '2020-01-01T00:00:00Z');
    expect(fires(minutes, '2025-06-01T12:00:00Z', 2)).toEqual(iso(['2025-06-01T12:02:00Z', '2025-06-01T12:09:00Z']));
    const hours = schedule('HOUR', 5, '2020-01-01T00:30:00Z');
    expect(fires(hours, '2020-01-02T00:00:00Z', 3)).toEqual(
      iso(['2020-01-02T01:30:00Z', '2020-01-02T06:30:00Z', '2020-01-02T11:30:00Z']),
    );
  });

  it('WEEK steps seven days', () => {
    const s = schedule('WEEK', 2, '2025-01-06T08:00:00Z');
    expect(fires(s, '2025-01-06T08:00:00Z', 3)).toEqual(
      iso(['2025-01-20T08:00:00Z', '2025-02-03T08:00:00Z', '2025-02-17T08:00:00Z']),
    );
  });
});

describe('monthly plans count from the start with the day clamped', () => {
  it('Jan 31 monthly: Feb 28, Mar 31, Apr 30, May 31 (not cumulative)', () => {
    const s = schedule('MON', 1, '2025-01-31T09:00:00Z');
    expect(fires(s, '2025-01-01T00:00:00Z', 5)).toEqual(
      iso(['2025-01-31T09:00:00Z', '2025-02-28T09:00:00Z', '2025-03-31T09:00:00Z', '2025-04-30T09:00:00Z', '2025-05-31T09:00:00Z']),
    );
  });

  it('Jan 31 monthly in a leap year: Feb 29', () => {
    const s = schedule('MON', 1, '2024-01-31T09:00:00Z');
    expect(fires(s, '2024-02-01T00:00:00Z', 2)).toEqual(iso(['2024-02-29T09:00:00Z', '2024-03-31T09:00:00Z']));
  });

  it('every 2 months from Jan 31', () => {
    const s = schedule('MON', 2, '2025-01-31T00:00:00Z');
    expect(fires(s, '2025-02-01T00:00:00Z', 6)).toEqual(
      iso(['2025-03-31T00:00:00Z', '2025-05-31T00:00:00Z', '2025-07-31T00:00:00Z', '2025-09-30T00:00:00Z', '2025-11-30T00:00:00Z', '2026-01-31T00:00:00Z']),
    );
  });

  it('Feb 29 every 12 months: Feb 28 in common years, Feb 29 again in the next leap year', () => {
    const s = schedule('MON', 12, '2024-02-29T10:00:00Z');
    expect(fires(s, '2024-01-01T00:00:00Z', 5)).toEqual(
      iso(['2024-02-29T10:00:00Z', '2025-02-28T10:00:00Z', '2026-02-28T10:00:00Z', '2027-02-28T10:00:00Z', '2028-02-29T10:00:00Z']),
    );
  });

  it('finds the right month far from a past start', () => {
    const s = schedule('MON', 1, '2000-01-31T06:00:00Z');
    expect(fires(s, '2025-03-15T00:00:00Z', 2)).toEqual(iso(['2025-03-31T06:00:00Z', '2025-04-30T06:00:00Z']));
    expect(fires(s, '2025-03-31T06:00:00Z', 1)).toEqual(iso(['2025-04-30T06:00:00Z']));
  });
});

describe('DST: DAY/WEEK/MON keep the wall-clock time, MIN/HOUR are absolute', () => {
  it('daily 09:00 Europe/Berlin across spring-forward and fall-back', () => {
    const spring = schedule('DAY', 1, '2025-03-29T09:00:00+01:00', 'Europe/Berlin');
    expect(fires(spring, '2025-03-29T09:00:00+01:00', 2)).toEqual(
      iso(['2025-03-30T09:00:00+02:00', '2025-03-31T09:00:00+02:00']),
    );
    const fall = schedule('DAY', 1, '2025-10-25T09:00:00+02:00', 'Europe/Berlin');
    expect(fires(fall, '2025-10-25T09:00:00+02:00', 2)).toEqual(
      iso(['2025-10-26T09:00:00+01:00', '2025-10-27T09:00:00+01:00']),
    );
  });

  it('daily 02:30 America/New_York: on the spring-forward day it fires right after the gap (03:30 EDT)', () => {
    const s = schedule('DAY', 1, '2025-03-08T02:30:00-05:00', 'America/New_York');
    expect(fires(s, '2025-03-08T02:30:00-05:00', 2)).toEqual(
      iso(['2025-03-09T03:30:00-04:00', '2025-03-10T02:30:00-04:00']),
    );
  });

  it('daily 01:30 America/New_York: on the fall-back day it fires once, at 01:30 EST', () => {
    const s = schedule('DAY', 1, '2025-11-01T01:30:00-04:00', 'America/New_York');
    expect(fires(s, '2025-11-01T01:30:00-04:00', 2)).toEqual(
      iso(['2025-11-02T01:30:00-05:00', '2025-11-03T01:30:00-05:00']),
    );
  });

  it('weekly Monday 09:00 New York keeps 09:00 after the clocks go back', () => {
    const s = schedule('WEEK', 1, '2025-10-27T09:00:00-04:00', 'America/New_York');
    expect(fires(s, '2025-10-27T09:00:00-04:00', 2)).toEqual(
      iso(['2025-11-03T09:00:00-05:00', '2025-11-10T09:00:00-05:00']),
    );
  });

  it('monthly keeps the wall-clock time across DST', () => {
    const s = schedule('MON', 1, '2025-02-15T12:00:00+01:00', 'Europe/Berlin');
    expect(fires(s, '2025-02-15T12:00:00+01:00', 1)).toEqual(iso(['2025-03-15T12:00:00+01:00']));
    expect(fires(s, '2025-03-15T12:00:00+01:00', 1)).toEqual(iso(['2025-04-15T12:00:00+02:00']));
  });

  it('HOUR in Europe/Berlin counts real hours across spring-forward', () => {
    const s = schedule('HOUR', 1, '2025-03-30T00:30:00+01:00', 'Europe/Berlin');
    expect(fires(s, '2025-03-30T00:00:00+01:00', 4)).toEqual(
      iso(['2025-03-30T00:30:00+01:00', '2025-03-30T01:30:00+01:00', '2025-03-30T03:30:00+02:00', '2025-03-30T04:30:00+02:00']),
    );
  });

  it('MIN in America/New_York counts real minutes through the repeated hour', () => {
    const s = schedule('MIN', 30, '2025-11-02T00:30:00-04:00', 'America/New_York');
    expect(fires(s, '2025-11-02T00:30:00-04:00', 4)).toEqual(
      iso(['2025-11-02T01:00:00-04:00', '2025-11-02T01:30:00-04:00', '2025-11-02T01:00:00-05:00', '2025-11-02T01:30:00-05:00']),
    );
  });

  it('DAY in New York: fire k is k days of wall clock from the start even when far away', () => {
    const s = schedule('DAY', 3, '2024-01-01T08:15:00-05:00', 'America/New_York');
    // 2024-01-01 + 3k days: 2025-07-01 is day 547 = 3 × 182 + 1, so the grid has 2025-06-30 and 2025-07-03.
    expect(fires(s, '2025-07-01T00:00:00Z', 2)).toEqual(iso(['2025-07-03T08:15:00-04:00', '2025-07-06T08:15:00-04:00']));
    expect(periodFireAt(s, 182)).toBe(Date.parse('2025-06-30T08:15:00-04:00'));
  });
});

describe('period and dispatch_interval validation', () => {
  it('accepts MON and MONTH in any case', () => {
    expect(parsePeriod('MON')).toBe('MON');
    expect(parsePeriod('MONTH')).toBe('MON');
    expect(parsePeriod('month')).toBe('MON');
    expect(parsePeriod(' Day ')).toBe('DAY');
    expect(parsePeriod('min')).toBe('MIN');
  });

  it('rejects an unknown period with FDI.3002 naming period', () => {
    for (const bad of ['YEAR', '', 5, null]) {
      try {
        parsePeriod(bad);
        expect.fail(`${String(bad)} accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(FdiError);
        expect((e as FdiError).code).toBe('FDI.3002');
        expect((e as FdiError).field).toBe('period');
      }
    }
  });

  const LIMITS: ReadonlyArray<readonly [PlanPeriod, number]> = [
    ['MIN', 59],
    ['HOUR', 23],
    ['DAY', 30],
    ['WEEK', 7],
    ['MON', 12],
  ];

  it.each(LIMITS)('%s accepts 1..%i and rejects 0 and limit + 1', (period, limit) => {
    expect(parseInterval(1, period)).toBe(1);
    expect(parseInterval(limit, period)).toBe(limit);
    expect(parseInterval(String(limit), period)).toBe(limit);
    for (const bad of [0, limit + 1, 1.5, '2x', -1, null]) {
      try {
        parseInterval(bad, period);
        expect.fail(`${String(bad)} accepted for ${period}`);
      } catch (e) {
        expect(e).toBeInstanceOf(FdiError);
        expect((e as FdiError).code).toBe('FDI.3002');
        expect((e as FdiError).field).toBe('dispatch_interval');
        expect((e as FdiError).message).toContain(`1 to ${limit} for period ${period}`);
      }
    }
  });
});
