import type { TaskSpec } from '../task-spec.ts';
import type { JsonValue } from '../values.ts';
import { optObject } from './coerce.ts';
import { coded, describe, invalid } from './errors.ts';
import { Fields, type PlainObject, foldKey, isPlainObject } from './fields.ts';
import { parseAfterImplementation, parseErrorHandler } from './handlers.ts';
import { parseJsonText, toJsonValue } from './json.ts';
import { parseMapping } from './mapping.ts';
import { parseRuntime } from './runtime.ts';
import { parseSource } from './source.ts';
import type { TaskBasic } from './task-basic.ts';
import { parseTarget } from './target.ts';

const DETAIL = 'task_detail';

/**
 * The task_detail object: a JSON string (v2, double-encoded), an object, or the v1 `{raw_form_data: "…"}` wrapper
 * (its `raw_form_data` a string or an object). Missing, empty or not a JSON object: FDI.3166.
 */
export function decodeTaskDetail(detail: unknown, field = DETAIL): { object: PlainObject; field: string } {
  let value = detail;
  let at = field;
  if (isPlainObject(value)) {
    const wrapped = Object.keys(value).find((k) => foldKey(k) === 'rawformdata');
    if (wrapped !== undefined) {
      at = `${field}.${wrapped}`;
      value = value[wrapped];
    }
  }
  // a JSON string holding a JSON string: decoded once more (exports sometimes encode twice)
  for (let depth = 0; typeof value === 'string' && depth < 2; depth++) {
    if (value.trim() === '') throw coded('FDI.3166', at, 'is empty');
    value = parseJsonText(value, at);
  }
  if (value === undefined || value === null) throw coded('FDI.3166', at, 'is missing');
  if (!isPlainObject(value)) throw coded('FDI.3166', at, `must be a JSON object, got ${describe(value)}`);
  if (Object.keys(value).length === 0) throw coded('FDI.3166', at, 'is empty');
  return { object: value, field: at };
}

/** task_detail (RawFormDataRequest) → TaskSpec, for the task whose envelope is `basic`. */
export function parseTaskDetail(detail: unknown, basic: TaskBasic, taskId: string): TaskSpec {
  const decoded = decodeTaskDetail(detail);
  const rawDetail = toJsonValue(decoded.object, decoded.field) as { [key: string]: JsonValue };
  const f = new Fields(decoded.object, decoded.field);

  const sourceAt = f.get('sourceSelectedDatasource');
  const targetAt = f.get('targetSelectedDatasource');
  const source = parseSource(sideFields(sourceAt?.value, f.fieldOf(sourceAt, 'sourceSelectedDatasource')), basic.task_type);
  const target = parseTarget(sideFields(targetAt?.value, f.fieldOf(targetAt, 'targetSelectedDatasource')));
  const mapping = parseMapping(f);
  if (target.batchNumber !== undefined && mapping.columns.some((c) => c.target === target.batchNumber)) {
    throw invalid(`${f.fieldOf(targetAt, 'targetSelectedDatasource')}.batchNumber`, `column "${target.batchNumber}" is also a mapping target column`);
  }
  const runtimeAt = f.get('runtime');
  const spec: TaskSpec = {
    taskId,
    taskName: basic.task_name,
    taskType: basic.task_type,
    sourceDatasourceId: basic.source_datasource_id,
    targetDatasourceId: basic.target_datasource_id,
    source,
    target,
    mapping,
    runtime: parseRuntime(runtimeAt?.value, f.fieldOf(runtimeAt, 'runtime')),
    rawDetail,
  };
  if (basic.description !== undefined) spec.description = basic.description;
  if (basic.task_tag !== undefined) spec.taskTag = basic.task_tag;
  const errorHandler = parseErrorHandler(f);
  if (errorHandler) spec.errorHandler = errorHandler;
  const after = parseAfterImplementation(f);
  if (after) spec.afterImplementation = after;
  return spec;
}

/** sourceSelectedDatasource / targetSelectedDatasource: a non-empty object, FDI.3146 otherwise. */
function sideFields(value: unknown, field: string): Fields {
  if (value === undefined || value === null) throw coded('FDI.3146', field, 'is missing');
  const f = isPlainObject(value) ? optObject(value, field) : undefined;
  if (!f) throw coded('FDI.3146', field, `must be an object, got ${describe(value)}`);
  if (Object.keys(f.object).length === 0) throw coded('FDI.3146', field, 'is empty');
  return f;
}
