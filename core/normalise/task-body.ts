import type { TaskSpec } from '../task-spec.ts';
import { optString } from './coerce.ts';
import { coded, describe } from './errors.ts';
import { Fields, isPlainObject } from './fields.ts';
import { newId } from './ids.ts';
import { parseTaskBasic } from './task-basic.ts';
import { parseTaskDetail } from './task-detail.ts';

/**
 * The FDI create/update-task body `{task, task_detail}` (v2; v1's `task_detail: {raw_form_data}` too). The task id
 * is `ids.taskId`, else the body's `task.task_id`, else a new one.
 */
export function parseTaskBody(body: unknown, ids?: { taskId?: string }): TaskSpec {
  if (body === undefined || body === null) throw coded('FDI.3165', 'task', 'the body is empty');
  if (!isPlainObject(body)) throw coded('FDI.3165', 'task', `the body must be an object {task, task_detail}, got ${describe(body)}`);
  const f = new Fields(body, '');
  const taskAt = f.get('task');
  const basic = parseTaskBasic(taskAt?.value, f.fieldOf(taskAt, 'task'));
  const detailAt = f.get('task_detail');
  if (detailAt === undefined) throw coded('FDI.3166', 'task_detail', 'is missing');
  const ownId = isPlainObject(taskAt?.value) ? new Fields(taskAt.value, 'task').get('task_id') : undefined;
  const taskId = ids?.taskId ?? optString(ownId?.value, ownId?.field ?? 'task.task_id', { max: 64 }) ?? newId();
  return parseTaskDetail(detailAt.value, basic, taskId);
}
