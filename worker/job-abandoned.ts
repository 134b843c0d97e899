/**
 * A run whose worker vanished (killed, lost its Redis connection for good) leaves a log that says RUNNING forever.
 * When the next attempt of the same job is taken up, that log is closed: a 915 step ("task running abnormally")
 * naming the run that resumes it, execute_status ERROR.
 */
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { STEP_REMARKS_MAX } from '../core/monitor-log.ts';
import { STATUS, statusInfo } from '../core/status-codes.ts';
import type { Store } from '../core/store.ts';
import { newId } from './ids.ts';
import { ADAPTER_STAGE, defaultPositionStatus, truncate } from './monitor-recorder.ts';

/** Closes the log of `runId` if it exists and has not ended; returns the closed log, or null. */
export async function closeAbandonedRun(
  store: Pick<Store, 'getMonitorLog' | 'saveMonitorLog'>,
  taskId: string,
  runId: string,
  remarks: string,
  now = Date.now(),
): Promise<TaskMonitorLog | null> {
  const log = await store.getMonitorLog(taskId, runId);
  if (!log || log.end_time !== null) return null;
  const code = STATUS.RUN_ABNORMAL;
  const info = statusInfo(code);
  const positionStatus = defaultPositionStatus(code);
  const text = truncate(remarks, STEP_REMARKS_MAX);
  const closed: TaskMonitorLog = {
    ...log,
    detail_logs: [
      ...log.detail_logs,
      {
        id: newId(),
        status: code,
        position: info.position,
        position_status: positionStatus,
        stage: ADAPTER_STAGE,
        dirty_data_count: 0,
        data_count: 0,
        data_size: 0,
        data_size_unit: 'B',
        spend_time: 0,
        remarks: text,
        step_begin_time: now,
        step_end_time: now,
      },
    ],
    status: code,
    position: info.position,
    position_status: positionStatus,
    execute_status: 'ERROR',
    end_time: now,
    spend_time: Math.max(0, now - log.start_time),
    remarks: text,
  };
  await store.saveMonitorLog(closed);
  return closed;
}
