/**
 * Whether a run gets the 902–905 integrity check: the task's own `runtime.integrity_check` when it sets one, else
 * the deployment's default from FDI_INTEGRITY_CHECK (the one place that variable is read).
 */
import { foldKey } from '../core/normalise/fields.ts';
import type { TaskSpec } from '../core/task-spec.ts';

export const INTEGRITY_CHECK_ENV = 'FDI_INTEGRITY_CHECK';

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no', 'off', '']);

/** FDI_INTEGRITY_CHECK as a boolean (unset: false); anything else than true/false (1/0, yes/no, on/off) is an error naming it. */
export function integrityCheckDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[INTEGRITY_CHECK_ENV];
  if (raw === undefined) return false;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Error(`${INTEGRITY_CHECK_ENV}: expected true or false, got ${JSON.stringify(raw)}`);
}

/**
 * True when this task's timing runs end with the integrity check. A TaskSpec built in code (no task_detail) that sets
 * `runtime.integrityCheck` gets it; one that leaves it false follows the default.
 */
export function integrityCheckEnabled(task: TaskSpec, env: NodeJS.ProcessEnv = process.env): boolean {
  if (task.taskType !== 'TIMING') return false;
  if (taskSetsIntegrityCheck(task)) return task.runtime.integrityCheck;
  return task.runtime.integrityCheck || integrityCheckDefault(env);
}

/** The normalised spec holds a boolean either way: whether the task said so is read from its task_detail. */
function taskSetsIntegrityCheck(task: TaskSpec): boolean {
  const runtime = valueOf(task.rawDetail, 'runtime');
  if (runtime === null || typeof runtime !== 'object' || Array.isArray(runtime)) return false;
  const value = valueOf(runtime as Record<string, unknown>, 'integrity_check');
  return value !== undefined && value !== null && value !== '';
}

function valueOf(object: Record<string, unknown>, name: string): unknown {
  const folded = foldKey(name);
  for (const [key, value] of Object.entries(object)) {
    if (foldKey(key) === folded) return value;
  }
  return undefined;
}
