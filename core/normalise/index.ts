/**
 * The model normaliser: FDI task bodies, task_detail, data-source bodies and the `fdi run` task file → the typed
 * TaskSpec / DataSourceRecord, accepting every documented spelling and answering in one canonical shape. Bad input
 * of any shape is an FdiError with the documented code and a message naming the field.
 */
export { parseTaskBody } from './task-body.ts';
export { parseTaskBasic, parseTaskType, type TaskBasic } from './task-basic.ts';
export { parseTaskDetail, decodeTaskDetail } from './task-detail.ts';
export { parseDataSourceBody } from './datasource.ts';
export { parseTaskFile, type TaskFile } from './task-file.ts';
export { DATASOURCE_TYPES, SPEC_DATASOURCE_TYPES } from './datasource-types.ts';
export { parseRuntime } from './runtime.ts';
export { BEGIN_PLACEHOLDER, END_PLACEHOLDER } from './sql.ts';
export { findJsonSyntaxError, type JsonSyntaxError } from './json-syntax.ts';
export {
  parseZoneOffset, zoneOf, isTimeZone, offsetAt, epochToLocal, localToEpoch,
  type SourceZone, type LocalDateTime,
} from './time-zone.ts';
