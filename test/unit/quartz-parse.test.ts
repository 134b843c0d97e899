import { describe, expect, it } from 'vitest';
import { FdiError } from '../../core/fdi-error.ts';
import { parseQuartzCron } from '../../scheduler/plan/quartz.ts';

function parseError(expr: string): FdiError {
  try {
    parseQuartzCron(expr);
  } catch (e) {
    if (e instanceof FdiError) return e;
    throw e;
  }
  throw new Error(`"${expr}" was accepted`);
}

/** Invalid expressions with (part of) the reason Quartz gives; most from CronExpressionTest. */
const INVALID: ReadonlyArray<readonly [string, string]> = [
  // testQuartz621: both day fields set
  ['0 0 * * * *', 'Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.'],
  ['0 0 * 4 * *', 'Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.'],
  ['0 0 * * * 4', 'Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.'],
  ['0 0 12 1 * MON', 'Support for specifying both a day-of-week AND a day-of-month parameter is not implemented.'],
  ['0 0 12 ? * ?', "'?' can only be specified for Day-of-Month -OR- Day-of-Week."],
  // value ranges
  ['0 0 12 ? * 8', 'Day-of-Week values must be between 1 and 7'],
  ['0 0 12 ? * 0', 'Day-of-Week values must be between 1 and 7'],
  ['0 0 12 32 * ?', 'Day of month values must be between 1 and 31'],
  ['0 0 12 0 * ?', 'Day of month values must be between 1 and 31'],
  ['0 0 24 * * ?', 'Hour values must be between 0 and 23'],
  ['60 * * * * ?', 'Minute and Second values must be between 0 and 59'],
  ['0 60 * * * ?', 'Minute and Second values must be between 0 and 59'],
  ['0 0 12 * 13 ?', 'Month values must be between 1 and 12'],
  ['0 0 12 * 0 ?', 'Month values must be between 1 and 12'],
  ['0 0 12 * * ? 1969', 'Year values must be between 1970 and 2099'],
  ['0 0 12 * * ? 2100', 'Year values must be between 1970 and 2099'],
  ['0 0 12 * * ? 2030-2025', 'Start year must be less than stop year'],
  // testQuartz574: month names
  ['* * * * Foo ? ', "Invalid Month value: 'FOO'"],
  ['* * * * Jan-Foo ? ', "Invalid Month value: 'FOO'"],
  ['0 0 12 ? * FUN', "Invalid Day-of-Week value: 'FUN'"],
  // '#' and 'L'
  ['0 0 12 ? * 6#6', "A numeric value between 1 and 5 must follow the '#' option"],
  ['0 0 12 ? * 6#0', "A numeric value between 1 and 5 must follow the '#' option"],
  ['0 0 12 ? * 1#2,3#1', 'Support for specifying multiple "nth" days is not implemented.'],
  ['0 0 12 ? * 6#3,2', "'#' cannot be combined with other days of the week"],
  ['0 43 9 1,5,29,L * ?', "Support for specifying 'L' and 'LW' with other days of the month is not implemented"],
  ['0 43 9 ? * SAT,SUN,L', "Support for specifying 'L' with other days of the week is not implemented"],
  ['0 43 9 ? * 6,7,L', "Support for specifying 'L' with other days of the week is not implemented"],
  ['0 0 12 ? * 8L', 'Day-of-Week values must be between 1 and 7'],
  ['0 0 12 L-31 * ?', 'Offset from last day must be <= 30'],
  ['0 0 12 L- * ?', "'L-' must be followed by the number of days before the last day"],
  ['0 0 L * * ?', "'L' option is not valid here"],
  // testQtz96: W
  ['0/5 * * 32W 1 ?', "The 'W' option does not make sense with values larger than 31"],
  ['0 0 12 1W,15 * ?', "'W' can only follow a single day of the month"],
  ['0 0 12 1-5W * ?', "'W' can only follow a single day of the month"],
  ['0 0 12 ? * 5W', "'W' option is not valid here"],
  // Issue #58: increments
  ['/120 0 8-18 ? * 2-6', 'Increment > 60 : 120'],
  ['0/120 0 8-18 ? * 2-6', 'Increment > 60 : 120'],
  ['0 /120 8-18 ? * 2-6', 'Increment > 60 : 120'],
  ['0 0 /120 ? * 2-6', 'Increment > 24 : 120'],
  ['0 0 0/120 ? * 2-6', 'Increment > 24 : 120'],
  ['0 0 0 /120 * ?', 'Increment > 31 : 120'],
  ['0 0 0 ? /120 2-6', 'Increment > 12 : 120'],
  ['0 0 0 ? 0/120 2-6', 'Increment > 12 : 120'],
  ['0 0 0 ? * /120', 'Increment > 7 : 120'],
  ['/ 0 8-18 ? * 2-6', "'/' must be followed by an integer."],
  ['0/ 0 8-18 ? * 2-6', "'/' must be followed by an integer."],
  ['0 / 8-18 ? * 2-6', "'/' must be followed by an integer."],
  ['0 0 0/ ? * 2-6', "'/' must be followed by an integer."],
  ['0 0 0 ? * 0/', "'/' must be followed by an integer."],
  ['0/0 * * * * ?', "the increment after '/' must be at least 1"],
  // field count, '?', stray characters Quartz 2.3 would silently ignore
  ['0 15 10 * * ? 2005 *', 'too many fields'],
  ['0 0 12 * *', 'Unexpected end of expression'],
  ['', 'Unexpected end of expression'],
  ['? 0 12 * * ?', "'?' can only be specified for Day-of-Month or Day-of-Week."],
  ['0 0 12 ?5 * MON', "'?' must be the whole field"],
  ['0 0 12 ? * 5X', "Illegal characters for this position: '5X'"],
  ['0 0 MON ? * 2', "Illegal characters for this position: 'MON'"],
  ['0 0 12 ? * MON/2', 'an increment after a name is ignored by Quartz'],
  ['0 0 12 ? * 1-FRI', 'a range must use names on both ends or numbers on both ends'],
  ['0 0 12 1,,2 * ?', 'empty value in the list'],
  ['0 0 12 5- * ?', "range '5-' has no end"],
];

describe('parseQuartzCron rejects what Quartz rejects', () => {
  it.each(INVALID)('%s', (expr, reason) => {
    const error = parseError(expr);
    expect(error.code).toBe('FDI.3002');
    expect(error.field).toBe('cron');
    expect(error.http).toBe(400);
    expect(error.message).toContain(reason);
  });

  it('names the field and the offending item', () => {
    const error = parseError('0 0 12 ? * 8');
    expect(error.message).toContain("field 6 (day-of-week) '8'");
    expect(error.message).toContain('"0 0 12 ? * 8"');
    expect(parseError('0 0 25 * * ?').message).toContain("field 3 (hour) '25'");
    expect(parseError('0 0 12 * * ? 1969').message).toContain("field 7 (year) '1969'");
  });
});

describe('parseQuartzCron reads valid expressions', () => {
  it('normalises case and spacing', () => {
    expect(parseQuartzCron('  0 15 10 ? * mon-fri ').expression).toBe('0 15 10 ? * MON-FRI');
    expect(parseQuartzCron('0\t0 12  *  * ?').expression).toBe('0 0 12 * * ?');
  });

  it('expands fields into sorted values', () => {
    const cron = parseQuartzCron('0/15 5,1,3 22-2 ? NOV-FEB FRI-MON 2030/10');
    expect(cron.seconds).toEqual([0, 15, 30, 45]);
    expect(cron.minutes).toEqual([1, 3, 5]);
    expect(cron.hours).toEqual([0, 1, 2, 22, 23]);
    expect(cron.months).toEqual([1, 2, 11, 12]);
    expect(cron.dayOfMonth).toBeNull();
    expect(cron.dayOfWeek).toEqual({ kind: 'days', days: [1, 2, 6, 7] });
    expect(cron.years).toEqual([2030, 2040, 2050, 2060, 2070, 2080, 2090]);
  });

  it('reads the special day rules', () => {
    expect(parseQuartzCron('0 0 12 L * ?').dayOfMonth).toEqual({ kind: 'last', offset: 0, nearestWeekday: false });
    expect(parseQuartzCron('0 0 12 LW * ?').dayOfMonth).toEqual({ kind: 'last', offset: 0, nearestWeekday: true });
    expect(parseQuartzCron('0 0 12 L-3W * ?').dayOfMonth).toEqual({ kind: 'last', offset: 3, nearestWeekday: true });
    expect(parseQuartzCron('0 0 12 15W * ?').dayOfMonth).toEqual({ kind: 'nearestWeekday', day: 15 });
    expect(parseQuartzCron('0 0 12 ? * L').dayOfWeek).toEqual({ kind: 'days', days: [7] });
    expect(parseQuartzCron('0 0 12 ? * FRIL').dayOfWeek).toEqual({ kind: 'last', day: 6 });
    expect(parseQuartzCron('0 0 12 ? * FRI#2').dayOfWeek).toEqual({ kind: 'nth', day: 6, nth: 2 });
    expect(parseQuartzCron('0 0 12 * * ?').years).toBe('any');
    expect(parseQuartzCron('0 0 12 * * ? *').years).toBe('any');
  });
});
