/**
 * One execution of an `fdi run`-shaped task file through the engine (`runExecution`), with in-memory sinks and the
 * file's own data sources: what the pipeline integration tests share.
 */
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import type { ConnectorRegistry } from '../../connectors/registry/index.ts';
import type { ConnectorLogger } from '../../connectors/sdk/index.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { parseTaskFile } from '../../core/normalise/index.ts';
import { MemoryCheckpointStore, MemoryDirtySink, MemoryMonitorLogSink, runExecution } from '../../worker/index.ts';

/** The engine's dependencies for one task; the checkpoint store outlives runs, as a served task's does. */
export function harness() {
  return {
    checkpoints: new MemoryCheckpointStore(),
    monitor: new MemoryMonitorLogSink(),
    dirty: new MemoryDirtySink(),
  };
}
export type Harness = ReturnType<typeof harness>;

export interface RunTaskOptions {
  signal?: AbortSignal;
  onProgress?: (log: TaskMonitorLog) => void;
  /** The task id the checkpoint is kept under (default: the one the task file gives). */
  taskId?: string;
  /** Default: the built-in connectors. */
  registry?: ConnectorRegistry;
  logger?: ConnectorLogger;
}

export async function runTask(h: Harness, file: unknown, opts: RunTaskOptions = {}): Promise<TaskMonitorLog> {
  const { task, datasources } = parseTaskFile(file);
  if (opts.taskId) task.taskId = opts.taskId;
  const byId = new Map(datasources.map((d) => [d.datasource_id, d]));
  return runExecution(
    { task, ...(opts.signal ? { signal: opts.signal } : {}) },
    {
      registry: opts.registry ?? createDefaultRegistry(),
      resolveDatasource: async (id) => {
        const ds = byId.get(id);
        if (!ds) throw new FdiError('FDI.3147', id);
        return ds;
      },
      checkpoints: h.checkpoints,
      monitorSink: h.monitor,
      dirtySink: h.dirty,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    },
  );
}

/** The status codes of a run's steps, in order. */
export const codes = (log: TaskMonitorLog): number[] => log.detail_logs.map((d) => d.status);

/** Waits for `reached`, failing at once with the run's remarks if the run ends first. */
export async function untilOrEnded(reached: Promise<void>, running: Promise<TaskMonitorLog>): Promise<void> {
  await Promise.race([
    reached,
    running.then((log) => {
      throw new Error(`the run ended before the expected progress: ${log.execute_status} ${log.status} ${log.remarks}`);
    }),
  ]);
}
