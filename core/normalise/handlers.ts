import type { AfterImplementationSpec, ErrorHandlerSpec } from '../task-spec.ts';
import { bool, isAbsent, listItems, optString, reqObject } from './coerce.ts';
import { invalid } from './errors.ts';
import { type Fields, isPlainObject } from './fields.ts';
import { DATASOURCE_ID_MAX, NAME_MAX, PATH_MAX, TEXT_MAX } from './limits.ts';

/** The one entry of a list-or-object key; an entry whose values are all empty counts as absent. */
function single(f: Fields, name: string): { fields: Fields; field: string } | undefined {
  const at = f.get(name);
  const items = listItems(at?.value, f.fieldOf(at, name)).filter(
    (item) => !(isPlainObject(item.value) && Object.values(item.value).every(isAbsent)),
  );
  if (items.length === 0) return undefined;
  if (items.length > 1) throw invalid(f.fieldOf(at, name), `only one entry is supported, got ${items.length}`);
  const item = items[0]!;
  return { fields: reqObject(item.value, item.field), field: item.field };
}

/**
 * ErrorHandler (10-14): where dirty records go. `datasource_id`, `path`, `mode`, `app_id`,
 * `stop_task_when_obs_failure` (example-only; also `stop_task_when_failure`).
 */
export function parseErrorHandler(f: Fields): ErrorHandlerSpec | undefined {
  const entry = single(f, 'error_handler');
  if (!entry) return undefined;
  const e = entry.fields;
  const text = (name: string, max: number, ...aliases: string[]): string | undefined => {
    const at = e.get(name, ...aliases);
    return optString(at?.value, e.fieldOf(at, name), { max });
  };
  const stopAt = e.get('stop_task_when_obs_failure', 'stop_task_when_failure');
  const spec: ErrorHandlerSpec = {
    stopTaskWhenFailure: bool(stopAt?.value, e.fieldOf(stopAt, 'stop_task_when_obs_failure'), false),
  };
  const datasourceId = text('datasource_id', DATASOURCE_ID_MAX);
  if (datasourceId !== undefined) spec.datasourceId = datasourceId;
  const path = text('path', PATH_MAX);
  if (path !== undefined) spec.path = path;
  const mode = text('mode', NAME_MAX);
  if (mode !== undefined) spec.mode = mode.trim().toUpperCase();
  const appId = text('app_id', NAME_MAX);
  if (appId !== undefined) spec.appId = appId;
  return spec;
}

/** AfterImplementation (10-15): a message published after a run. actionType, datasourceId, topic, messageContent. */
export function parseAfterImplementation(f: Fields): AfterImplementationSpec | undefined {
  const entry = single(f, 'afterImplementation');
  if (!entry) return undefined;
  const a = entry.fields;
  const required = (name: string, max: number): string => {
    const at = a.get(name);
    const v = optString(at?.value, a.fieldOf(at, name), { max });
    if (v === undefined) throw invalid(a.fieldOf(at, name), 'is required in afterImplementation');
    return v;
  };
  const spec: AfterImplementationSpec = {
    actionType: required('actionType', NAME_MAX).trim().toUpperCase(),
    datasourceId: required('datasourceId', DATASOURCE_ID_MAX),
    topic: required('topic', NAME_MAX),
    messageContent: required('messageContent', TEXT_MAX),
  };
  const appAt = a.get('appId');
  const appId = optString(appAt?.value, a.fieldOf(appAt, 'appId'));
  if (appId !== undefined) spec.appId = appId;
  const projectAt = a.get('projectId');
  const projectId = optString(projectAt?.value, a.fieldOf(projectAt, 'projectId'));
  if (projectId !== undefined) spec.projectId = projectId;
  return spec;
}
