import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  daysInMonth,
  isKnownTimeZone,
  isoOffsetMinutes,
  naiveMsToWall,
  wallClockAt,
  wallToNaiveMs,
  zoneOffsetMs,
} from '../../core/time-zone.ts';

const wall = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0) =>
  ({ year, month, day, hour, minute, second, millisecond });

describe('core/time-zone: wall clocks of IANA zones', () => {
  it('reads the clock of a zone, milliseconds kept', () => {
    expect(wallClockAt(Date.UTC(2024, 6, 1, 16, 0, 0, 250), 'America/New_York')).toEqual(wall(2024, 7, 1, 12, 0, 0, 250));
    expect(wallClockAt(Date.UTC(2024, 2, 10, 7, 30), 'America/New_York')).toEqual(wall(2024, 3, 10, 3, 30));
  });

  it('a negative instant keeps a positive millisecond of the second', () => {
    expect(wallClockAt(-1, 'UTC')).toEqual(wall(1969, 12, 31, 23, 59, 59, 999));
  });

  it('years before the common era are astronomical (6 BC = -5), not the year of the era', () => {
    const sixBc = wallToNaiveMs(wall(-5, 1, 1));
    expect(wallClockAt(sixBc, 'UTC')).toEqual(wall(-5, 1, 1));
  });

  it('the offset is local minus UTC in ms, with the seconds of local mean time', () => {
    expect(zoneOffsetMs(Date.UTC(2024, 0, 15), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2024, 6, 15), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(1800, 0, 1), 'Europe/London')).toBe(-75_000);
  });

  it('an unknown zone is a RangeError naming it', () => {
    expect(() => wallClockAt(0, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => wallClockAt(0, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
  });
});

describe('core/time-zone: canonicalTimeZone', () => {
  it.each<[string, string | null]>([
    ['asia/shanghai', 'Asia/Shanghai'],
    ['UTC', 'UTC'],
    ['Mars/Olympus', null],
    ['', null],
    [' UTC', null],
    ['UTC ', null],
  ])('%j → %j', (input, expected) => {
    expect(canonicalTimeZone(input)).toBe(expected);
  });
});

describe('core/time-zone: naive ms', () => {
  it('years 0–99 are not moved to the 1900s', () => {
    const ms = wallToNaiveMs(wall(50, 3, 1, 12));
    expect(new Date(ms).getUTCFullYear()).toBe(50);
    expect(naiveMsToWall(ms)).toEqual(wall(50, 3, 1, 12));
  });

  it('an out-of-range field rolls over as Date does', () => {
    expect(naiveMsToWall(wallToNaiveMs(wall(2024, 2, 30)))).toEqual(wall(2024, 3, 1));
  });
});

describe('core/time-zone: the civil calendar', () => {
  it.each<[number, number, number]>([
    [2024, 2, 29],
    [2023, 2, 28],
    [1900, 2, 28],
    [2000, 2, 29],
    [0, 2, 29],
    [2024, 1, 31],
    [2024, 4, 30],
    [2024, 12, 31],
  ])('%i-%i has %i days (proleptic Gregorian)', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });

  it('a month outside 1–12 is a RangeError', () => {
    expect(() => daysInMonth(2024, 13)).toThrow(RangeError);
    expect(() => daysInMonth(2024, 0)).toThrow(RangeError);
  });
});

describe('core/time-zone: isoOffsetMinutes', () => {
  it.each<[string, number]>([
    ['Z', 0],
    ['z', 0],
    ['+08:00', 480],
    ['+0800', 480],
    ['+08', 480],
    ['-05:30', -330],
    ['-0030', -30],
    ['+00:00', 0],
  ])('%s → %i', (text, minutes) => {
    expect(isoOffsetMinutes(text)).toBe(minutes);
  });
});
