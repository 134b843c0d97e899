import {
  MS_PER_DAY,
  MS_PER_MINUTE,
  canonicalTimeZone,
  isKnownTimeZone,
  naiveMsToWall,
  wallClockAt,
  wallToNaiveMs,
  zoneOffsetMs,
  type WallTime,
} from '../time-zone.ts';
import { invalid } from './errors.ts';

/**
 * `timeZone` (task_detail): the zone of the source's timestamp values. Accepted spellings: `GMT+08:00` (the spec's
 * only example), `GMT+8`, `UTC+8`, `UTC+08:00`, `+08:00`, `+0800`, `+08`, `Z`, `UTC`, `GMT`, and IANA names such as
 * `Asia/Shanghai`. Fixed offsets go to ±18:00, as java.time.ZoneOffset allows.
 */
export type SourceZone =
  | { kind: 'fixed'; name: string; offsetMinutes: number }
  | { kind: 'iana'; name: string };

/** A wall-clock reading; month 1–12. */
export type LocalDateTime = WallTime;

const UTC_NAMES = new Set(['z', 'utc', 'gmt', 'ut']);
const FIXED_OFFSET = /^(?:gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const MAX_OFFSET_MINUTES = 18 * 60;

/** Minutes east of UTC for a fixed-offset spelling; undefined when `text` is not one (it may be an IANA name). */
export function parseZoneOffset(text: string): number | undefined {
  const trimmed = text.trim();
  if (UTC_NAMES.has(trimmed.toLowerCase())) return 0;
  const m = FIXED_OFFSET.exec(trimmed);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (minutes >= 60) return undefined;
  const total = hours * 60 + minutes;
  if (total > MAX_OFFSET_MINUTES) return undefined;
  return m[1] === '-' ? -total : total;
}

/** The zone `text` names; FdiError FDI.3033 naming `field` when it names none. */
export function zoneOf(text: string, field = 'timeZone'): SourceZone {
  const offset = parseZoneOffset(text);
  if (offset !== undefined) return { kind: 'fixed', name: text.trim(), offsetMinutes: offset };
  const trimmed = text.trim();
  // Intl also takes bare offsets and abbreviations inconsistently across ICU versions; only `Area/City`-style
  // names and the Etc/ zones are accepted as IANA names.
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(trimmed) || /^[A-Za-z]{3,}$/.test(trimmed)) {
    const name = canonicalTimeZone(trimmed);
    if (name !== null) return { kind: 'iana', name };
  }
  throw invalid(field, `"${text.length > 64 ? `${text.slice(0, 61)}...` : text}" is not a time zone (use GMT+08:00, +08:00, Z or an IANA name such as Asia/Shanghai)`);
}

export function isTimeZone(text: string): boolean {
  try {
    zoneOf(text);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of `zone` at `epochMs`. */
export function epochToLocal(zone: SourceZone, epochMs: number): LocalDateTime {
  if (zone.kind === 'fixed') return naiveMsToWall(epochMs + zone.offsetMinutes * MS_PER_MINUTE);
  return wallClockAt(epochMs, knownName(zone));
}

/** Minutes east of UTC in force in `zone` at `epochMs`. */
export function offsetAt(zone: SourceZone, epochMs: number): number {
  if (zone.kind === 'fixed') return zone.offsetMinutes;
  return Math.round(zoneOffsetMs(epochMs, knownName(zone)) / MS_PER_MINUTE);
}

function knownName(zone: SourceZone & { kind: 'iana' }): string {
  if (!isKnownTimeZone(zone.name)) throw invalid('timeZone', `"${zone.name}" is not a time zone`);
  return zone.name;
}

/**
 * The instant at which the wall clock of `zone` shows `local` (what a DATETIME without zone means in that zone).
 * As java.time resolves it: a reading repeated by a backward shift is the earlier instant; a reading skipped by a
 * forward shift is moved forward by the length of the gap.
 */
export function localToEpoch(zone: SourceZone, local: LocalDateTime): number {
  const asUtc = wallToNaiveMs(local);
  if (zone.kind === 'fixed') return asUtc - zone.offsetMinutes * MS_PER_MINUTE;
  const before = asUtc - offsetAt(zone, asUtc - MS_PER_DAY) * MS_PER_MINUTE;
  const after = asUtc - offsetAt(zone, asUtc + MS_PER_DAY) * MS_PER_MINUTE;
  const shows = (t: number): boolean => wallToNaiveMs(epochToLocal(zone, t)) === asUtc;
  const candidates = [before, after].filter(shows);
  if (candidates.length > 0) return Math.min(...candidates);
  return before;
}
