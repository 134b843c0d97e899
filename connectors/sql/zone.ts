import { zoneOf, type SourceZone } from '../../core/normalise/time-zone.ts';
import { DEFAULT_SOURCE_TIME_ZONE } from '../../core/defaults.ts';
import type { TaskSpec } from '../sdk/index.ts';

/** The task's `timeZone` (incremental settings, else the source block as sent), or undefined. */
export function taskTimeZone(task: TaskSpec): string | undefined {
  if (task.source.incremental?.timeZone) return task.source.incremental.timeZone;
  const src = task.rawDetail.sourceSelectedDatasource ?? task.rawDetail.source_selected_datasource;
  if (src && typeof src === 'object' && !Array.isArray(src)) {
    const tz = src.timeZone ?? src.time_zone;
    if (typeof tz === 'string' && tz.trim()) return tz;
  }
  return undefined;
}

/** A reader reads zone-less date-times in the task's `timeZone`, else the data source's `time_zone`, else GMT+08:00. */
export function readerZone(task: TaskSpec, datasourceZone: string | undefined): SourceZone {
  return zoneOf(taskTimeZone(task) ?? datasourceZone ?? DEFAULT_SOURCE_TIME_ZONE, 'timeZone');
}

/** A writer writes them in the data source's `time_zone`, else the task's `timeZone`, else GMT+08:00. */
export function writerZone(task: TaskSpec, datasourceZone: string | undefined): SourceZone {
  if (datasourceZone) return zoneOf(datasourceZone, 'time_zone');
  return zoneOf(taskTimeZone(task) ?? DEFAULT_SOURCE_TIME_ZONE, 'timeZone');
}

/** The zone as a session setting: `+08:00` for a fixed offset, else the IANA name. */
export function sessionZone(zone: SourceZone): string {
  if (zone.kind === 'iana') return zone.name;
  const sign = zone.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(zone.offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
