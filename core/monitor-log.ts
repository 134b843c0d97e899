import type { ExecuteStatus, Position, PositionStatus, StatusCode } from './status-codes.ts';

/** TaskMonitorDetailLog (spec errors-auth.md §5.1 表6): one step of an execution. Times are epoch ms UTC. */
export interface TaskMonitorDetailLog {
  id: string;
  status: StatusCode;
  position: Position;
  position_status: PositionStatus;
  /** The plugin the step belongs to: `adapter`, `mysqlreader`, `postgresqlwriter` … */
  stage: string;
  dirty_data_count: number;
  data_count: number;
  data_size: number;
  data_size_unit: DataSizeUnit;
  spend_time: number;
  remarks: string;
  step_begin_time: number;
  step_end_time: number;
}

/** TaskMonitorLog (表5): one execution, with its own status/position taken from its latest step. */
export interface TaskMonitorLog {
  id: string;
  task_id: string;
  start_time: number;
  dispatch_time: number;
  end_time: number | null;
  execute_status: ExecuteStatus;
  position: Position;
  position_status: PositionStatus;
  status: StatusCode;
  dirty_data_count: number;
  data_count: number;
  data_size: number;
  data_size_unit: DataSizeUnit;
  spend_time: number;
  /** Only for timing tasks. */
  read_spend_time?: number;
  write_spend_time: number;
  remarks: string;
  detail_logs: TaskMonitorDetailLog[];
}

export type DataSizeUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB';

/** The spec caps remarks at 1000 characters for a run and 256 for a step. */
export const RUN_REMARKS_MAX = 1000;
export const STEP_REMARKS_MAX = 256;

/** Bytes → the largest unit that keeps the number ≥ 1, rounded to two decimals. */
export function formatDataSize(bytes: number): { data_size: number; data_size_unit: DataSizeUnit } {
  const units: DataSizeUnit[] = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return { data_size: Math.round(value * 100) / 100, data_size_unit: units[i] ?? 'B' };
}

/**
 * Where a recorder persists a run's log: memory for `fdi run`, Redis for served tasks.
 * `save` is called with the whole log after each step; a failure is logged as 916 and the run goes on.
 */
export interface MonitorLogSink {
  save(log: TaskMonitorLog): Promise<void>;
}
