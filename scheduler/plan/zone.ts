import {
  MS_PER_DAY,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  wallClockAt,
  wallToNaiveMs,
  zoneOffsetMs,
  type WallTime,
} from '../../core/time-zone.ts';

/**
 * IANA time zones through Intl only. Wall times are turned into instants the way Quartz's
 * lenient java.util.GregorianCalendar does it, because Quartz's fire times are what we mirror:
 * - a wall time inside a spring-forward gap is read with the offset in force before the gap,
 *   which lands it later by the gap's length (02:30 → 03:30);
 * - a wall time that occurs twice (fall-back) is read with the offset after the transition,
 *   i.e. the second, standard-time occurrence.
 */

export interface ResolvedWall {
  readonly instant: number;
  /** False when the wall time falls in a gap (it never shows on a clock in this zone). */
  readonly exists: boolean;
}

/** The instant a wall time stands for in `timeZone`, resolved as Quartz's Java calendar resolves it. */
export function resolveWall(w: WallTime, timeZone: string): ResolvedWall {
  const naive = wallToNaiveMs(w);
  const before = zoneOffsetMs(naive - MS_PER_DAY, timeZone);
  const after = zoneOffsetMs(naive + MS_PER_DAY, timeZone);
  // Both valid = an overlap: Java takes the offset after the transition (the later instant).
  for (const offset of after === before ? [after] : [after, before]) {
    if (zoneOffsetMs(naive - offset, timeZone) === offset) return { instant: naive - offset, exists: true };
  }
  if (after === before) {
    // Two transitions within two days of each other: settle on the offset at the first guess.
    const offset = zoneOffsetMs(naive - before, timeZone);
    if (zoneOffsetMs(naive - offset, timeZone) === offset) return { instant: naive - offset, exists: true };
  }
  return { instant: naive - before, exists: false };
}

/**
 * For a wall time inside a gap: the first wall time after the gap (the clock reading right after the
 * transition, e.g. 03:00 when 02:00 jumps to 03:00).
 */
export function wallAfterGap(w: WallTime, timeZone: string): WallTime {
  const naive = wallToNaiveMs(w);
  const before = zoneOffsetMs(naive - MS_PER_DAY, timeZone);
  // The transition lies within one day before the instant the wall time resolves to.
  let lo = naive - before - MS_PER_DAY;
  let hi = naive - before;
  const initial = zoneOffsetMs(lo, timeZone);
  while (hi - lo > MS_PER_SECOND) {
    const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_SECOND) * MS_PER_SECOND;
    if (mid === lo) break;
    if (zoneOffsetMs(mid, timeZone) === initial) lo = mid;
    else hi = mid;
  }
  return wallClockAt(hi, timeZone);
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/**
 * ISO-8601 with the zone's offset, e.g. `2025-03-30T03:30:00+02:00`; milliseconds only when not zero.
 * An offset with seconds (local mean time before ~1900) cannot be written in ISO-8601: such instants print in UTC.
 */
export function formatInZone(instant: number, timeZone: string): string {
  const offset = zoneOffsetMs(instant, timeZone);
  if (offset % MS_PER_MINUTE !== 0) return new Date(instant).toISOString();
  const w = wallClockAt(instant, timeZone);
  const offsetMinutes = Math.abs(offset) / MS_PER_MINUTE;
  const sign = offset < 0 ? '-' : '+';
  const ms = w.millisecond === 0 ? '' : `.${pad(w.millisecond, 3)}`;
  return (
    `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${ms}` +
    `${sign}${pad(Math.floor(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
  );
}

