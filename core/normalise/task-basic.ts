import type { TaskRecord } from '../store.ts';
import type { TaskType } from '../task-spec.ts';
import { isAbsent, optString } from './coerce.ts';
import { optDescription } from './description.ts';
import { coded, describe } from './errors.ts';
import { Fields, isPlainObject } from './fields.ts';
import { DATASOURCE_ID_MAX, TASK_NAME_PATTERN, TASK_TAG_PATTERN } from './limits.ts';

export type TaskBasic = TaskRecord['task'];

/** `task_type` spellings: v2 `TIMING`/`REALTIME` (any case), v1 `"2"`/`"1"` (string or number). */
const TASK_TYPES: ReadonlyMap<string, TaskType> = new Map([
  ['timing', 'TIMING'],
  ['2', 'TIMING'],
  ['realtime', 'REALTIME'],
  ['1', 'REALTIME'],
]);

export function parseTaskType(value: unknown, field: string): TaskType {
  const key = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
  const type = key === undefined ? undefined : TASK_TYPES.get(key);
  if (type === undefined) throw coded('FDI.3144', field, `must be TIMING or REALTIME, got ${describe(value)}`);
  return type;
}

/** TaskBasicRequestBody: the `task` envelope of a create/update body. */
export function parseTaskBasic(task: unknown, path = 'task'): TaskBasic {
  if (task === undefined || task === null) throw coded('FDI.3165', path, 'is missing');
  if (!isPlainObject(task)) throw coded('FDI.3165', path, `must be an object, got ${describe(task)}`);
  const f = new Fields(task, path);

  const nameAt = f.get('task_name');
  const nameField = f.fieldOf(nameAt, 'task_name');
  const name = nameAt?.value;
  if (typeof name !== 'string' || !TASK_NAME_PATTERN.test(name)) {
    const got = typeof name === 'string' ? `"${name.length > 40 ? `${name.slice(0, 37)}...` : name}" (${name.length} characters)` : describe(name);
    throw coded('FDI.3157', nameField, `got ${got}`);
  }
  const typeAt = f.get('task_type');
  const basic: TaskBasic = {
    task_name: name,
    task_type: parseTaskType(typeAt?.value, f.fieldOf(typeAt, 'task_type')),
    source_datasource_id: datasourceId(f, 'source_datasource_id'),
    target_datasource_id: datasourceId(f, 'target_datasource_id'),
  };
  const description = optDescription(f, 'FDI.3142');
  if (description !== undefined) basic.description = description;
  const tagAt = f.get('task_tag');
  if (!isAbsent(tagAt?.value)) {
    const tag = tagAt?.value;
    if (typeof tag !== 'string' || !TASK_TAG_PATTERN.test(tag)) {
      throw coded('FDI.3557', f.fieldOf(tagAt, 'task_tag'), `must be 4-64 letters, digits, - or _, got ${describe(tag)}`);
    }
    basic.task_tag = tag;
  }
  return basic;
}

function datasourceId(f: Fields, name: string): string {
  const at = f.get(name);
  const field = f.fieldOf(at, name);
  if (isAbsent(at?.value)) throw coded('FDI.3173', field, 'is empty');
  const id = optString(at?.value, field, { max: DATASOURCE_ID_MAX });
  if (id === undefined) throw coded('FDI.3173', field, 'is empty');
  return id;
}
