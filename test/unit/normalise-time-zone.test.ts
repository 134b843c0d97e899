import { describe, expect, it } from 'vitest';
import { epochToLocal, isTimeZone, localToEpoch, offsetAt, parseZoneOffset, zoneOf } from '../../core/normalise/index.ts';
import { expectFdiError } from '../fixtures/spec/bodies.ts';

describe('parseZoneOffset: fixed offsets in minutes east of UTC', () => {
  it.each<[string, number]>([
    ['GMT+08:00', 480],
    ['GMT+8', 480],
    ['UTC+8', 480],
    ['UTC+08:00', 480],
    ['+08:00', 480],
    ['+0800', 480],
    ['+08', 480],
    ['-05:30', -330],
    ['GMT-3', -180],
    ['UTC+05:45', 345],
    ['Z', 0],
    ['UTC', 0],
    ['gmt', 0],
    ['+18:00', 1080],
    ['-18:00', -1080],
  ])('%s → %i', (text, minutes) => {
    expect(parseZoneOffset(text)).toBe(minutes);
  });

  it.each(['+19:00', '+08:60', 'GMT+', 'Asia/Shanghai', '', '8', 'GMT+08:00:00:00'])('%j is not a fixed offset', (text) => {
    expect(parseZoneOffset(text)).toBeUndefined();
  });
});

describe('zoneOf', () => {
  it('fixed offsets and IANA names', () => {
    expect(zoneOf('GMT+08:00')).toEqual({ kind: 'fixed', name: 'GMT+08:00', offsetMinutes: 480 });
    expect(zoneOf('Asia/Shanghai')).toEqual({ kind: 'iana', name: 'Asia/Shanghai' });
    expect(zoneOf('America/Argentina/Buenos_Aires').kind).toBe('iana');
    expect(zoneOf('Etc/GMT-8').kind).toBe('iana');
  });

  it.each(['Mars/Olympus', 'GMT+25', 'not a zone', '+8:00:00', '🙂'])('FDI.3033 naming the field for %j', (text) => {
    expectFdiError(() => zoneOf(text, 'task_detail.sourceSelectedDatasource.timeZone'), 'FDI.3033', 'task_detail.sourceSelectedDatasource.timeZone');
    expect(isTimeZone(text)).toBe(false);
  });
});

describe('interpreting source timestamps', () => {
  const wall = (year: number, month: number, day: number, hour: number, minute = 0, second = 0) => ({ year, month, day, hour, minute, second, millisecond: 0 });

  it('a fixed zone shifts by its offset', () => {
    const zone = zoneOf('GMT+08:00');
    expect(localToEpoch(zone, wall(2024, 1, 1, 8))).toBe(Date.UTC(2024, 0, 1, 0));
    expect(epochToLocal(zone, Date.UTC(2024, 0, 1, 0))).toEqual(wall(2024, 1, 1, 8));
    expect(offsetAt(zone, 0)).toBe(480);
  });

  it('an IANA zone follows its daylight-saving rules', () => {
    const ny = zoneOf('America/New_York');
    expect(offsetAt(ny, Date.UTC(2024, 0, 15))).toBe(-300);
    expect(offsetAt(ny, Date.UTC(2024, 6, 15))).toBe(-240);
    expect(localToEpoch(ny, wall(2024, 7, 1, 12))).toBe(Date.UTC(2024, 6, 1, 16));
    expect(epochToLocal(ny, Date.UTC(2024, 6, 1, 16))).toEqual(wall(2024, 7, 1, 12));
  });

  it('a wall time repeated when clocks go back is the earlier instant (as java.time)', () => {
    const ny = zoneOf('America/New_York');
    // 2024-11-03 01:30 happens twice: first at EDT (UTC-4), then at EST (UTC-5)
    expect(localToEpoch(ny, wall(2024, 11, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 5, 30));
  });

  it('a wall time skipped when clocks go forward moves forward by the gap (as java.time)', () => {
    const ny = zoneOf('America/New_York');
    // 2024-03-10 02:30 does not exist; java.time gives 03:30 EDT = 07:30Z
    expect(localToEpoch(ny, wall(2024, 3, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 7, 30));
  });

  it('Shanghai has no daylight saving: every instant is +08:00', () => {
    const sh = zoneOf('Asia/Shanghai');
    for (const month of [0, 3, 6, 9]) expect(offsetAt(sh, Date.UTC(2024, month, 1))).toBe(480);
  });
});
