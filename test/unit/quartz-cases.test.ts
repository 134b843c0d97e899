import { describe, expect, it } from 'vitest';
import { nextQuartzFire, parseQuartzCron } from '../../scheduler/plan/quartz.ts';
import { formatInZone } from '../../scheduler/plan/zone.ts';

/**
 * Quartz cron case table. Expressions come from the Quartz CronTrigger tutorial / CronTrigger javadoc
 * examples, the CronExpression javadoc, and Quartz's own CronExpressionTest (testLastDayOffset, QUARTZ-571,
 * QTZ-259, the isSatisfiedBy checks). Expected instants were worked out by hand from the calendar (and
 * Python's zoneinfo for the DST transitions), not produced by the code under test.
 */
interface Case {
  readonly source: string;
  readonly expr: string;
  readonly tz?: string;
  readonly from: string;
  /** The expected fires, in order; the case asks for `count` (default: as many as expected). */
  readonly expect: readonly string[];
  readonly count?: number;
}

const FROM = '2025-01-01T00:00:00Z'; // a Wednesday

const CASES: readonly Case[] = [
  // --- CronTrigger tutorial / javadoc examples -------------------------------------------------------
  { source: 'tutorial', expr: '0 0 12 * * ?', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-01-02T12:00:00Z', '2025-01-03T12:00:00Z'] },
  { source: 'tutorial', expr: '0 15 10 ? * *', from: FROM, expect: ['2025-01-01T10:15:00Z', '2025-01-02T10:15:00Z', '2025-01-03T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 * * ?', from: '2025-01-01T10:15:00Z', expect: ['2025-01-02T10:15:00Z', '2025-01-03T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 * * ? *', from: '2025-01-01T10:14:59Z', expect: ['2025-01-01T10:15:00Z', '2025-01-02T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 * * ? 2005', from: '2004-12-31T10:15:00Z', expect: ['2005-01-01T10:15:00Z', '2005-01-02T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 * * ? 2005', from: '2005-12-30T12:00:00Z', expect: ['2005-12-31T10:15:00Z'], count: 3 },
  { source: 'tutorial', expr: '0 * 14 * * ?', from: FROM, expect: ['2025-01-01T14:00:00Z', '2025-01-01T14:01:00Z', '2025-01-01T14:02:00Z'] },
  { source: 'tutorial', expr: '0 * 14 * * ?', from: '2025-01-01T14:59:00Z', expect: ['2025-01-02T14:00:00Z'] },
  { source: 'tutorial', expr: '0 0/5 14 * * ?', from: '2025-01-01T14:50:00Z', expect: ['2025-01-01T14:55:00Z', '2025-01-02T14:00:00Z', '2025-01-02T14:05:00Z'] },
  { source: 'tutorial', expr: '0 0/5 14,18 * * ?', from: '2025-01-01T14:55:00Z', expect: ['2025-01-01T18:00:00Z', '2025-01-01T18:05:00Z', '2025-01-01T18:10:00Z'] },
  { source: 'tutorial', expr: '0 0-5 14 * * ?', from: '2025-01-01T14:04:00Z', expect: ['2025-01-01T14:05:00Z', '2025-01-02T14:00:00Z', '2025-01-02T14:01:00Z'] },
  { source: 'tutorial', expr: '0 10,44 14 ? 3 WED', from: FROM, expect: ['2025-03-05T14:10:00Z', '2025-03-05T14:44:00Z', '2025-03-12T14:10:00Z'] },
  { source: 'tutorial', expr: '0 10,44 14 ? 3 WED', from: '2025-03-26T14:44:00Z', expect: ['2026-03-04T14:10:00Z'] },
  { source: 'tutorial', expr: '0 15 10 ? * MON-FRI', from: '2025-01-03T10:15:00Z', expect: ['2025-01-06T10:15:00Z', '2025-01-07T10:15:00Z', '2025-01-08T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 15 * ?', from: FROM, expect: ['2025-01-15T10:15:00Z', '2025-02-15T10:15:00Z', '2025-03-15T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 L * ?', from: FROM, expect: ['2025-01-31T10:15:00Z', '2025-02-28T10:15:00Z', '2025-03-31T10:15:00Z', '2025-04-30T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 L-2 * ?', from: FROM, expect: ['2025-01-29T10:15:00Z', '2025-02-26T10:15:00Z', '2025-03-29T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 ? * 6L', from: FROM, expect: ['2025-01-31T10:15:00Z', '2025-02-28T10:15:00Z', '2025-03-28T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 ? * 6L 2002-2005', from: '2005-10-01T00:00:00Z', expect: ['2005-10-28T10:15:00Z', '2005-11-25T10:15:00Z', '2005-12-30T10:15:00Z'], count: 4 },
  { source: 'tutorial', expr: '0 15 10 ? * 6L 2002-2005', from: '2001-06-01T00:00:00Z', expect: ['2002-01-25T10:15:00Z'] },
  { source: 'tutorial', expr: '0 15 10 ? * 6#3', from: FROM, expect: ['2025-01-17T10:15:00Z', '2025-02-21T10:15:00Z', '2025-03-21T10:15:00Z'] },
  { source: 'tutorial', expr: '0 0 12 1/5 * ?', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-01-06T12:00:00Z', '2025-01-11T12:00:00Z'] },
  { source: 'tutorial', expr: '0 0 12 1/5 * ?', from: '2025-01-26T12:00:00Z', expect: ['2025-01-31T12:00:00Z', '2025-02-01T12:00:00Z', '2025-02-06T12:00:00Z'] },
  { source: 'tutorial', expr: '0 11 11 11 11 ?', from: FROM, expect: ['2025-11-11T11:11:00Z', '2026-11-11T11:11:00Z', '2027-11-11T11:11:00Z'] },

  // --- CronExpression javadoc -----------------------------------------------------------------------
  { source: 'javadoc #: first Monday', expr: '0 0 12 ? * 2#1', from: FROM, expect: ['2025-01-06T12:00:00Z', '2025-02-03T12:00:00Z', '2025-03-03T12:00:00Z'] },
  { source: 'javadoc #5: no fire in months without a 5th Wednesday', expr: '0 0 12 ? * 4#5', from: FROM, expect: ['2025-01-29T12:00:00Z', '2025-04-30T12:00:00Z', '2025-07-30T12:00:00Z'] },
  { source: 'javadoc #5 Friday', expr: '0 0 0 ? * 6#5', from: FROM, expect: ['2025-01-31T00:00:00Z', '2025-05-30T00:00:00Z', '2025-08-29T00:00:00Z'] },
  { source: 'javadoc 15W: Sat → Fri 14th, Sun → Mon 16th', expr: '0 0 12 15W * ?', from: FROM, expect: ['2025-01-15T12:00:00Z', '2025-02-14T12:00:00Z', '2025-03-14T12:00:00Z'] },
  { source: 'javadoc 15W', expr: '0 0 12 15W * ?', from: '2025-06-01T00:00:00Z', expect: ['2025-06-16T12:00:00Z', '2025-07-15T12:00:00Z', '2025-08-15T12:00:00Z'] },
  { source: 'javadoc 1W: Sat 1st → Mon 3rd (never the previous month)', expr: '0 0 12 1W * ?', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-02-03T12:00:00Z', '2025-03-03T12:00:00Z', '2025-04-01T12:00:00Z'] },
  { source: 'javadoc 1W: Sun 1st → Mon 2nd', expr: '0 0 12 1W * ?', from: '2025-05-02T00:00:00Z', expect: ['2025-06-02T12:00:00Z'] },
  { source: 'javadoc LW', expr: '0 0 12 LW * ?', from: '2025-04-01T00:00:00Z', expect: ['2025-04-30T12:00:00Z', '2025-05-30T12:00:00Z', '2025-06-30T12:00:00Z', '2025-07-31T12:00:00Z', '2025-08-29T12:00:00Z'] },
  { source: 'javadoc 7/6 in month = July only', expr: '0 0 12 1 7/6 ?', from: FROM, expect: ['2025-07-01T12:00:00Z', '2026-07-01T12:00:00Z'] },
  { source: 'javadoc 0/15 and 5/15 seconds', expr: '5/15 * * * * ?', from: FROM, expect: ['2025-01-01T00:00:05Z', '2025-01-01T00:00:20Z', '2025-01-01T00:00:35Z', '2025-01-01T00:00:50Z', '2025-01-01T00:01:05Z'] },
  { source: 'javadoc overflowing range 22-2', expr: '0 0 22-2 * * ?', from: FROM, expect: ['2025-01-01T01:00:00Z', '2025-01-01T02:00:00Z', '2025-01-01T22:00:00Z', '2025-01-01T23:00:00Z', '2025-01-02T00:00:00Z'] },
  { source: 'javadoc overflowing range NOV-FEB', expr: '0 0 0 ? NOV-FEB 1', from: '2025-02-20T00:00:00Z', expect: ['2025-02-23T00:00:00Z', '2025-11-02T00:00:00Z', '2025-11-09T00:00:00Z'] },
  { source: 'javadoc L in day-of-week alone = 7 = SAT', expr: '0 0 12 ? * L', from: FROM, expect: ['2025-01-04T12:00:00Z', '2025-01-11T12:00:00Z'] },
  { source: 'javadoc names are case-insensitive', expr: '0 15 10 ? * mon-fri', from: '2025-01-03T10:15:00Z', expect: ['2025-01-06T10:15:00Z', '2025-01-07T10:15:00Z'] },
  { source: 'javadoc: lower-case l suffix', expr: '0 0 12 ? * 6l', from: FROM, expect: ['2025-01-31T12:00:00Z'] },

  // --- CronExpressionTest -----------------------------------------------------------------------------
  { source: 'CronExpressionTest.testLastDayOffset L-2 2010', expr: '0 15 10 L-2 * ? 2010', from: '2010-10-01T00:00:00Z', expect: ['2010-10-29T10:15:00Z', '2010-11-28T10:15:00Z', '2010-12-29T10:15:00Z'], count: 4 },
  { source: 'CronExpressionTest.testLastDayOffset L-2 Feb/Jun 2010', expr: '0 15 10 L-2 * ? 2010', from: '2010-02-01T00:00:00Z', expect: ['2010-02-26T10:15:00Z', '2010-03-29T10:15:00Z'] },
  { source: 'CronExpressionTest.testLastDayOffset L-5W', expr: '0 15 10 L-5W * ? 2010', from: '2010-09-01T00:00:00Z', expect: ['2010-09-24T10:15:00Z', '2010-10-26T10:15:00Z', '2010-11-25T10:15:00Z'] },
  { source: 'CronExpressionTest.testLastDayOffset L-1', expr: '0 15 10 L-1 * ? 2010', from: '2010-10-01T00:00:00Z', expect: ['2010-10-30T10:15:00Z', '2010-11-29T10:15:00Z'] },
  { source: 'CronExpressionTest.testLastDayOffset L-1W (30th is a Saturday)', expr: '0 15 10 L-1W * ? 2010', from: '2010-10-01T00:00:00Z', expect: ['2010-10-29T10:15:00Z', '2010-11-29T10:15:00Z', '2010-12-30T10:15:00Z'] },
  { source: 'CronExpressionTest.testIsSatisfiedByLastDayOfMonth 2005', expr: '0 15 10 L * ? 2005', from: '2005-09-01T00:00:00Z', expect: ['2005-09-30T10:15:00Z', '2005-10-31T10:15:00Z', '2005-11-30T10:15:00Z', '2005-12-31T10:15:00Z'], count: 5 },
  { source: 'CronExpressionTest L in leap February', expr: '0 15 10 L 2 ? 2004', from: '2004-01-01T00:00:00Z', expect: ['2004-02-29T10:15:00Z'], count: 2 },
  { source: 'CronExpressionTest L-3 in February 2005', expr: '0 15 10 L-3 2 ? 2005', from: '2005-01-01T00:00:00Z', expect: ['2005-02-25T10:15:00Z'], count: 2 },
  { source: 'CronExpressionTest L-3 in leap February 2000', expr: '0 15 10 L-3 2 ? 2000', from: '2000-01-01T00:00:00Z', expect: ['2000-02-26T10:15:00Z'], count: 2 },
  { source: 'CronExpressionTest.testIsSatisfiedBy specific day 2005', expr: '0 15 10 12 * ? 2005', from: '2005-12-01T00:00:00Z', expect: ['2005-12-12T10:15:00Z'], count: 2 },
  { source: 'CronExpressionTest.testQuartz571 (month name, trailing space)', expr: '19 15 10 4 Apr ? ', from: FROM, expect: ['2025-04-04T10:15:19Z', '2026-04-04T10:15:19Z', '2027-04-04T10:15:19Z'] },
  { source: 'CronExpressionTest.testQtz259: L-2 never repeats a fire', expr: '0 0 0 L-2 * ? *', from: FROM, expect: ['2025-01-29T00:00:00Z', '2025-02-26T00:00:00Z', '2025-03-29T00:00:00Z', '2025-04-28T00:00:00Z', '2025-05-29T00:00:00Z'] },
  { source: 'CronExpressionTest.testQtz259LW: LW never repeats a fire', expr: '0 0 0 LW * ? *', from: FROM, expect: ['2025-01-31T00:00:00Z', '2025-02-28T00:00:00Z', '2025-03-31T00:00:00Z', '2025-04-30T00:00:00Z', '2025-05-30T00:00:00Z'] },
  { source: 'CronExpressionTest.testQuartz640: 5L is supported', expr: '0 43 9 ? * 5L', from: FROM, expect: ['2025-01-30T09:43:00Z', '2025-02-27T09:43:00Z'] },

  // --- weekday numbering: Quartz 1 = SUN … 7 = SAT (Unix cron would pick the day after) ---------------
  { source: 'numbering: 1 = Sunday', expr: '0 0 12 ? * 1', from: FROM, expect: ['2025-01-05T12:00:00Z', '2025-01-12T12:00:00Z', '2025-01-19T12:00:00Z'] },
  { source: 'numbering: SUN = 1', expr: '0 0 12 ? * SUN', from: FROM, expect: ['2025-01-05T12:00:00Z'] },
  { source: 'numbering: 7 = Saturday', expr: '0 0 12 ? * 7', from: FROM, expect: ['2025-01-04T12:00:00Z', '2025-01-11T12:00:00Z'] },
  { source: 'numbering: 1-5 = Sun-Thu', expr: '0 0 12 ? * 1-5', from: '2025-01-03T00:00:00Z', expect: ['2025-01-05T12:00:00Z', '2025-01-06T12:00:00Z', '2025-01-07T12:00:00Z', '2025-01-08T12:00:00Z', '2025-01-09T12:00:00Z', '2025-01-12T12:00:00Z'] },
  { source: 'numbering: 2,4,6 = Mon, Wed, Fri', expr: '0 0 12 ? * 2,4,6', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-01-03T12:00:00Z', '2025-01-06T12:00:00Z'] },
  { source: 'numbering: 2-6/2 = Mon, Wed, Fri', expr: '0 0 12 ? * 2-6/2', from: '2025-01-02T00:00:00Z', expect: ['2025-01-03T12:00:00Z', '2025-01-06T12:00:00Z', '2025-01-08T12:00:00Z'] },
  { source: 'numbering: FRI-MON wraps over the week end', expr: '0 0 12 ? * FRI-MON', from: FROM, expect: ['2025-01-03T12:00:00Z', '2025-01-04T12:00:00Z', '2025-01-05T12:00:00Z', '2025-01-06T12:00:00Z', '2025-01-10T12:00:00Z'] },
  { source: 'numbering: 6-2 wraps like FRI-MON', expr: '0 0 12 ? * 6-2', from: FROM, expect: ['2025-01-03T12:00:00Z', '2025-01-04T12:00:00Z', '2025-01-05T12:00:00Z', '2025-01-06T12:00:00Z', '2025-01-10T12:00:00Z'] },
  { source: 'numbering: 6#3 = third Friday (Unix: Saturday)', expr: '0 0 12 ? * 6#3', from: '2025-03-01T00:00:00Z', expect: ['2025-03-21T12:00:00Z'] },
  { source: 'numbering: 7L = last Saturday', expr: '0 0 12 ? * 7L', from: FROM, expect: ['2025-01-25T12:00:00Z', '2025-02-22T12:00:00Z', '2025-03-29T12:00:00Z'] },
  { source: 'numbering: 1L = last Sunday', expr: '0 0 12 ? * 1L', from: FROM, expect: ['2025-01-26T12:00:00Z', '2025-02-23T12:00:00Z', '2025-03-30T12:00:00Z'] },
  { source: 'numbering: 1#1 = first Sunday', expr: '0 0 12 ? * 1#1', from: FROM, expect: ['2025-01-05T12:00:00Z', '2025-02-02T12:00:00Z', '2025-03-02T12:00:00Z'] },
  { source: 'numbering: second Monday of JAN and MAR', expr: '0 0 12 ? JAN,MAR 2#2', from: FROM, expect: ['2025-01-13T12:00:00Z', '2025-03-10T12:00:00Z', '2026-01-12T12:00:00Z'] },

  // --- steps, ranges, day-of-month edges, years ---------------------------------------------------------
  { source: 'step */20 seconds', expr: '*/20 * * * * ?', from: '2025-01-01T00:00:50Z', expect: ['2025-01-01T00:01:00Z', '2025-01-01T00:01:20Z', '2025-01-01T00:01:40Z'] },
  { source: 'step /20 with blank start = 0/20', expr: '/20 * * * * ?', from: '2025-01-01T00:00:50Z', expect: ['2025-01-01T00:01:00Z', '2025-01-01T00:01:20Z'] },
  { source: 'range with step 8-18/4', expr: '0 0 8-18/4 ? * *', from: FROM, expect: ['2025-01-01T08:00:00Z', '2025-01-01T12:00:00Z', '2025-01-01T16:00:00Z', '2025-01-02T08:00:00Z'] },
  { source: 'overflowing range with step 50-10/10', expr: '0 50-10/10 * * * ?', from: '2025-01-01T00:15:00Z', expect: ['2025-01-01T00:50:00Z', '2025-01-01T01:00:00Z', '2025-01-01T01:10:00Z', '2025-01-01T01:50:00Z'] },
  { source: 'overflowing day-of-month range 28-3', expr: '0 0 12 28-3 * ?', from: '2025-02-27T13:00:00Z', expect: ['2025-02-28T12:00:00Z', '2025-03-01T12:00:00Z', '2025-03-02T12:00:00Z', '2025-03-03T12:00:00Z', '2025-03-28T12:00:00Z'] },
  { source: 'every third month from January', expr: '0 0 12 1 1/3 ?', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-04-01T12:00:00Z', '2025-07-01T12:00:00Z', '2025-10-01T12:00:00Z'] },
  { source: 'day 31 skips short months', expr: '0 0 0 31 * ?', from: FROM, expect: ['2025-01-31T00:00:00Z', '2025-03-31T00:00:00Z', '2025-05-31T00:00:00Z', '2025-07-31T00:00:00Z'] },
  { source: 'February 29 only in leap years', expr: '0 0 0 29 2 ?', from: FROM, expect: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'] },
  { source: 'February 29 in years without one never fires', expr: '0 0 0 29 2 ? 2025-2027', from: FROM, expect: [], count: 2 },
  { source: 'February 30 never fires', expr: '0 0 0 30 2 ?', from: FROM, expect: [], count: 1 },
  { source: 'L-30 fires on the 1st of 31-day months only', expr: '0 0 12 L-30 * ?', from: FROM, expect: ['2025-01-01T12:00:00Z', '2025-03-01T12:00:00Z', '2025-05-01T12:00:00Z'] },
  { source: 'year step 2030/5', expr: '0 0 0 1 1 ? 2030/5', from: FROM, expect: ['2030-01-01T00:00:00Z', '2035-01-01T00:00:00Z', '2040-01-01T00:00:00Z'] },
  { source: 'year list runs out', expr: '0 0 0 1 JAN ? 2026,2028', from: FROM, expect: ['2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z'], count: 3 },
  { source: 'milliseconds are dropped: from .500 the next second', expr: '* * * * * ?', from: '2025-01-01T00:00:00.500Z', expect: ['2025-01-01T00:00:01Z', '2025-01-01T00:00:02Z'] },
  { source: 'the FDI spec example "0 */15 * * * ?"', expr: '0 */15 * * * ?', from: '2025-01-01T00:07:00Z', expect: ['2025-01-01T00:15:00Z', '2025-01-01T00:30:00Z', '2025-01-01T00:45:00Z', '2025-01-01T01:00:00Z'] },
  { source: 'the FDI spec example "0 1 * * * ?"', expr: '0 1 * * * ?', from: '2019-07-13T10:12:32Z', expect: ['2019-07-13T11:01:00Z', '2019-07-13T12:01:00Z'] },

  // --- time zones and DST -------------------------------------------------------------------------------
  { source: 'zone: noon in Shanghai', tz: 'Asia/Shanghai', expr: '0 0 12 * * ?', from: FROM, expect: ['2025-01-01T12:00:00+08:00', '2025-01-02T12:00:00+08:00'] },
  { source: 'zone: weekdays 09:00 New York across spring-forward', tz: 'America/New_York', expr: '0 0 9 ? * MON-FRI', from: '2025-03-07T15:00:00Z', expect: ['2025-03-10T09:00:00-04:00', '2025-03-11T09:00:00-04:00'] },
  { source: 'DST Berlin spring: 02:30 does not exist on 2025-03-30, no fire that day', tz: 'Europe/Berlin', expr: '0 30 2 * * ?', from: '2025-03-29T12:00:00Z', expect: ['2025-03-31T02:30:00+02:00', '2025-04-01T02:30:00+02:00'] },
  { source: 'DST Berlin spring: every 30 min jumps 01:30 CET → 03:00 CEST', tz: 'Europe/Berlin', expr: '0 0/30 * * * ?', from: '2025-03-30T00:15:00Z', expect: ['2025-03-30T01:30:00+01:00', '2025-03-30T03:00:00+02:00', '2025-03-30T03:30:00+02:00'] },
  { source: 'DST Berlin fall: 02:30 occurs twice, fires once (second, standard time)', tz: 'Europe/Berlin', expr: '0 30 2 * * ?', from: '2025-10-25T12:00:00Z', expect: ['2025-10-26T02:30:00+01:00', '2025-10-27T02:30:00+01:00'] },
  { source: 'DST Berlin fall: every 30 min, the repeated hour once', tz: 'Europe/Berlin', expr: '0 0/30 * * * ?', from: '2025-10-25T23:15:00Z', expect: ['2025-10-26T01:30:00+02:00', '2025-10-26T02:00:00+01:00', '2025-10-26T02:30:00+01:00', '2025-10-26T03:00:00+01:00'] },
  // Quartz searches wall-clock readings from after's own reading (02:15 CEST) and reads 02:30 as standard time.
  { source: 'DST Berlin fall: from inside the first 02:xx, the next is 02:30 CET', tz: 'Europe/Berlin', expr: '0 0/30 * * * ?', from: '2025-10-26T00:15:00Z', expect: ['2025-10-26T02:30:00+01:00', '2025-10-26T03:00:00+01:00'] },
  { source: 'DST New York spring: 02:30 skipped on 2025-03-09', tz: 'America/New_York', expr: '0 30 2 * * ?', from: '2025-03-08T12:00:00Z', expect: ['2025-03-10T02:30:00-04:00', '2025-03-11T02:30:00-04:00'] },
  { source: 'DST New York fall: 01:30 fires once, in EST', tz: 'America/New_York', expr: '0 30 1 * * ?', from: '2025-11-01T12:00:00Z', expect: ['2025-11-02T01:30:00-05:00', '2025-11-03T01:30:00-05:00'] },
  { source: 'DST New York fall: hourly, 01:00 once', tz: 'America/New_York', expr: '0 0 * * * ?', from: '2025-11-02T04:30:00Z', expect: ['2025-11-02T01:00:00-05:00', '2025-11-02T02:00:00-05:00'] },
  { source: 'DST New York spring: every second of hour 2 is skipped', tz: 'America/New_York', expr: '* * 2 * * ?', from: '2025-03-08T12:00:00Z', expect: ['2025-03-10T02:00:00-04:00', '2025-03-10T02:00:01-04:00'] },
  { source: 'DST Santiago: midnight does not exist on 2025-09-07', tz: 'America/Santiago', expr: '0 0 0 * * ?', from: '2025-09-06T12:00:00Z', expect: ['2025-09-08T00:00:00-03:00', '2025-09-09T00:00:00-03:00'] },
];

function fires(expr: string, tz: string, from: string, count: number): string[] {
  const cron = parseQuartzCron(expr);
  const out: string[] = [];
  let after = Date.parse(from);
  while (out.length < count) {
    const next = nextQuartzFire(cron, after, tz);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    after = next;
  }
  return out;
}

describe('Quartz cron case table', () => {
  it('holds at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES.map((c) => [`${c.source}: "${c.expr}" ${c.tz ?? 'UTC'} after ${c.from}`, c] as const))('%s', (_name, c) => {
    const expected = c.expect.map((s) => new Date(s).toISOString());
    expect(fires(c.expr, c.tz ?? 'UTC', c.from, c.count ?? c.expect.length)).toEqual(expected);
  });

  it('prints fire times with the zone offset in force at each instant', () => {
    expect(formatInZone(Date.parse('2025-10-26T00:30:00Z'), 'Europe/Berlin')).toBe('2025-10-26T02:30:00+02:00');
    expect(formatInZone(Date.parse('2025-10-26T01:30:00Z'), 'Europe/Berlin')).toBe('2025-10-26T02:30:00+01:00');
    expect(formatInZone(Date.parse('2025-03-30T01:00:00Z'), 'Europe/Berlin')).toBe('2025-03-30T03:00:00+02:00');
    expect(formatInZone(Date.parse('2025-01-01T00:00:00.250Z'), 'UTC')).toBe('2025-01-01T00:00:00.250+00:00');
    expect(formatInZone(Date.parse('2025-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2025-01-01T05:30:00+05:30');
  });

  it('is strictly after `after` even when `after` is itself a fire time', () => {
    const cron = parseQuartzCron('0 0 12 * * ?');
    const noon = Date.parse('2025-01-01T12:00:00Z');
    expect(nextQuartzFire(cron, noon, 'UTC')).toBe(Date.parse('2025-01-02T12:00:00Z'));
    expect(nextQuartzFire(cron, noon - 1, 'UTC')).toBe(noon);
  });
});
