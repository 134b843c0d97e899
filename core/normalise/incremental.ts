import type { IncrementalSpec, TaskType } from '../task-spec.ts';
import { bool, optInt, optString, reqString } from './coerce.ts';
import { invalid } from './errors.ts';
import type { Fields } from './fields.ts';
import { zoneOf } from './time-zone.ts';

/**
 * The incremental keys of sourceSelectedDatasource, read only when `need_inc_migration` is true (otherwise they
 * stay in `extra`, and only `timeZone` is checked): `dataTimestamp` (epoch ms, required), `timeZone` (required), `compensation_time`
 * (ms, default 0, FDI.3063 when not a non-negative integer), `sourceDateColumn` (required for a table source),
 * `reset_incr_begin_time`.
 */
export function parseIncremental(
  f: Fields,
  taskType: TaskType,
  needsDateColumn: boolean,
): IncrementalSpec | undefined {
  const switchAt = f.get('need_inc_migration', 'inc_migration');
  const on = bool(switchAt?.value, f.fieldOf(switchAt, 'need_inc_migration'), false);
  if (!on) {
    // kept in extra for the connectors that read zone-less timestamps with it, but checked now rather than at run
    const zoneAt = f.peek('timeZone');
    const zone = optString(zoneAt?.value, f.fieldOf(zoneAt, 'timeZone'), { max: 64 });
    if (zone !== undefined) zoneOf(zone, f.fieldOf(zoneAt, 'timeZone'));
    return undefined;
  }
  if (taskType !== 'TIMING') {
    throw invalid(f.fieldOf(switchAt, 'need_inc_migration'), 'only TIMING tasks migrate incrementally');
  }
  const tsAt = f.get('dataTimestamp');
  const dataTimestamp = optInt(tsAt?.value, f.fieldOf(tsAt, 'dataTimestamp'), { min: 0 });
  if (dataTimestamp === undefined) {
    throw invalid(f.fieldOf(tsAt, 'dataTimestamp'), 'is required when need_inc_migration is true (epoch ms of the first window start)');
  }
  const zoneAt = f.get('timeZone');
  const timeZone = reqString(zoneAt?.value, f.fieldOf(zoneAt, 'timeZone'), {
    what: 'is required when need_inc_migration is true (e.g. GMT+08:00)',
    max: 64,
  });
  zoneOf(timeZone, f.fieldOf(zoneAt, 'timeZone'));
  const compAt = f.get('compensation_time');
  const compensationMs =
    optInt(compAt?.value, f.fieldOf(compAt, 'compensation_time'), { min: 0, code: 'FDI.3063' }) ?? 0;
  const columnAt = f.get('sourceDateColumn');
  const dateColumn = optString(columnAt?.value, f.fieldOf(columnAt, 'sourceDateColumn'));
  if (dateColumn === undefined && needsDateColumn) {
    throw invalid(f.fieldOf(columnAt, 'sourceDateColumn'), 'is required when need_inc_migration is true for a table source');
  }
  const resetAt = f.get('reset_incr_begin_time');
  return {
    dateColumn: dateColumn ?? '',
    dataTimestamp,
    timeZone: timeZone.trim(),
    compensationMs,
    resetBeginTime: bool(resetAt?.value, f.fieldOf(resetAt, 'reset_incr_begin_time'), false),
  };
}
