/**
 * TaskSpecs for tests that hand a connector or the engine a task directly: every field at the value the normaliser
 * gives when task_detail says nothing, and what a test says on top.
 */
import type { Reader, SourceBatch } from '../../connectors/sdk/index.ts';
import { DEFAULT_RUNTIME_OPTIONS } from '../../core/defaults.ts';
import type { RuntimeOptions, SourceSpec, TargetSpec, TaskSpec } from '../../core/task-spec.ts';

export function sourceSpec(over: Partial<SourceSpec> = {}): SourceSpec {
  return { isAddSql: false, selectedColumns: [], where: [], isParse: true, metaData: [], extra: {}, ...over };
}

export function targetSpec(over: Partial<TargetSpec> = {}): TargetSpec {
  return {
    targetNeedCreateTable: false,
    isSupportClearTab: false,
    selectedColumns: [],
    supportPartUpdate: false,
    metaData: [],
    kafkaHeaders: [],
    extra: {},
    ...over,
  };
}

export type TaskSpecInput = Omit<Partial<TaskSpec>, 'source' | 'target' | 'runtime'> & {
  source?: Partial<SourceSpec>;
  target?: Partial<TargetSpec>;
  runtime?: Partial<RuntimeOptions>;
};

/** A TIMING task from `src` to `dst` with the default runtime options, under what `over` says. */
export function taskSpec(over: TaskSpecInput = {}): TaskSpec {
  const { source, target, runtime, ...rest } = over;
  return {
    taskId: 'task',
    taskName: 'task',
    taskType: 'TIMING',
    sourceDatasourceId: 'src',
    targetDatasourceId: 'dst',
    mapping: { required: false, columns: [] },
    rawDetail: {},
    ...rest,
    source: sourceSpec(source),
    target: targetSpec(target),
    runtime: { ...DEFAULT_RUNTIME_OPTIONS, ...runtime },
  };
}

/** Every batch `reader` gives, opened before and closed after (also when reading fails). */
export async function readBatches(reader: Reader): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  try {
    await reader.open();
    for await (const b of reader.batches()) out.push(b);
  } finally {
    await reader.close();
  }
  return out;
}
