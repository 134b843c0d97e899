/**
 * Builds one execution's TaskMonitorLog step by step and persists it through a MonitorLogSink.
 *
 * Saves are serialised (a later snapshot never overtakes an earlier one) and coalesced; running steps (102/502)
 * update their counts in memory and reach the sink at most every `progressIntervalMs`. A failed save adds one
 * 916 step (once per run) and the run goes on: the next change saves the whole log again.
 */
import type { DataSizeUnit, MonitorLogSink, TaskMonitorDetailLog, TaskMonitorLog } from '../core/monitor-log.ts';
import { RUN_REMARKS_MAX, STEP_REMARKS_MAX, formatDataSize } from '../core/monitor-log.ts';
import { STATUS, statusInfo, type ExecuteStatus, type PositionStatus, type StatusCode } from '../core/status-codes.ts';
import type { TaskType } from '../core/task-spec.ts';
import { newId } from './ids.ts';

/** The position_status a step gets when the caller does not say otherwise. */
const DEFAULT_POSITION_STATUS: Partial<Record<StatusCode, PositionStatus>> = {
  [STATUS.FORCE_CANCELLED]: 'RUNTIME_CANCEL',
  [STATUS.READER_END]: 'NODE_END',
  [STATUS.SOURCE_ERROR]: 'RUNTIME_ERR',
  [STATUS.READ_FINISHED]: 'NODE_END',
  [STATUS.ZERO_ROWS_READ]: 'TASK_END',
  [STATUS.READER_CANCELLED]: 'RUNTIME_CANCEL',
  [STATUS.READER_INTERRUPTED]: 'RUNTIME_ERR',
  [STATUS.WRITER_END]: 'NODE_END',
  [STATUS.TARGET_ERROR]: 'RUNTIME_ERR',
  [STATUS.WRITE_FINISHED]: 'NODE_END',
  [STATUS.WRITER_CANCELLED]: 'RUNTIME_CANCEL',
  [STATUS.WRITER_INTERRUPTED]: 'RUNTIME_ERR',
  [STATUS.RUN_FINISHED]: 'TASK_END',
  [STATUS.INTEGRITY_RESULT]: 'NODE_END',
  [STATUS.COMPENSATION_RESULT]: 'NODE_END',
  [STATUS.READER_REJECTED_PREVIOUS_RUNNING]: 'RUNTIME_ERR',
  [STATUS.WRITER_REJECTED_PREVIOUS_RUNNING]: 'RUNTIME_ERR',
  [STATUS.READER_START_FAILED]: 'RUNTIME_ERR',
  [STATUS.WRITER_START_FAILED]: 'RUNTIME_ERR',
  [STATUS.DISPATCH_FAILED]: 'RUNTIME_ERR',
  [STATUS.REJECTED_PREVIOUS_RUNNING]: 'RUNTIME_ERR',
  [STATUS.RUN_ABNORMAL]: 'INTERNAL_ERR',
  [STATUS.LOG_REPORT_FAILED]: 'INTERNAL_ERR',
};

export function defaultPositionStatus(code: StatusCode): PositionStatus {
  return DEFAULT_POSITION_STATUS[code] ?? 'NORMAL';
}

export const ADAPTER_STAGE = 'adapter';

/** Counts a step reports; `bytes` becomes data_size + data_size_unit. */
export interface StepCounts {
  data_count?: number;
  dirty_data_count?: number;
  bytes?: number;
}

export interface StepOptions {
  stage: string;
  /** Default: the code's meaning from the status table. */
  remarks?: string;
  positionStatus?: PositionStatus;
  counts?: StepCounts;
  /** Default: now. */
  beginTime?: number;
}

/** Totals of the whole execution. */
export interface RunTotals {
  written: number;
  dirty: number;
  bytesWritten: number;
}

export interface MonitorRecorderOptions {
  taskId: string;
  runId: string;
  dispatchTime: number;
  taskType: TaskType;
  sink: MonitorLogSink;
  /** Called with a snapshot of the log each time it is handed to the sink. */
  onChange?: (log: TaskMonitorLog) => void;
  /** How often running counts are saved; default 2000 ms. */
  progressIntervalMs?: number;
  /** Told once when the sink first fails. */
  onSinkError?: (err: unknown) => void;
  now?: () => number;
}

const FINAL_SAVE_RETRY_DELAYS_MS = [100, 500, 2000];

export class MonitorRecorder {
  readonly taskId: string;
  readonly runId: string;
  readonly dispatchTime: number;
  readonly taskType: TaskType;
  private readonly sink: MonitorLogSink;
  private readonly listeners: ((log: TaskMonitorLog) => void)[] = [];
  private readonly onSinkError: ((err: unknown) => void) | undefined;
  private readonly now: () => number;
  private progressIntervalMs: number;

  private readonly steps: TaskMonitorDetailLog[] = [];
  private startTime: number;
  private endTime: number | null = null;
  private executeStatus: ExecuteStatus = 'RUNNING';
  private remarks = '';
  private totals: RunTotals = { written: 0, dirty: 0, bytesWritten: 0 };
  private readStart: number | null = null;
  private readEnd: number | null = null;
  private writeStart: number | null = null;
  private writeEnd: number | null = null;

  private changeVersion = 0;
  private savedVersion = 0;
  private saveLoop: Promise<void> | null = null;
  private lastSaveOk = true;
  private sinkFailureReported = false;
  private progressTimer: NodeJS.Timeout | null = null;
  private lastProgressSave = 0;

  constructor(opts: MonitorRecorderOptions) {
    this.taskId = opts.taskId;
    this.runId = opts.runId;
    this.dispatchTime = opts.dispatchTime;
    this.taskType = opts.taskType;
    this.sink = opts.sink;
    if (opts.onChange) this.listeners.push(opts.onChange);
    this.onSinkError = opts.onSinkError;
    this.now = opts.now ?? Date.now;
    this.progressIntervalMs = opts.progressIntervalMs ?? 2000;
    this.startTime = this.now();
  }

  /** Also call `listener` with each snapshot handed to the sink. */
  addChangeListener(listener: (log: TaskMonitorLog) => void): void {
    this.listeners.push(listener);
  }

  setProgressInterval(ms: number): void {
    this.progressIntervalMs = ms;
  }

  /** The execution starts now (99); spend_time counts from here. */
  markStarted(at = this.now()): void {
    this.startTime = at;
  }

  setExecuteStatus(status: ExecuteStatus): void {
    this.executeStatus = status;
    this.changed();
  }

  markReadStart(at = this.now()): void {
    this.readStart ??= at;
  }
  markReadEnd(at = this.now()): void {
    if (this.readStart !== null && this.readEnd === null) this.readEnd = at;
  }
  markWriteStart(at = this.now()): void {
    this.writeStart ??= at;
  }
  markWriteEnd(at = this.now()): void {
    if (this.writeStart !== null && this.writeEnd === null) this.writeEnd = at;
  }

  setTotals(totals: RunTotals): void {
    this.totals = { ...totals };
  }

  /** Append a step that happens at one instant (or from `beginTime` to now) and save the log. */
  step(code: StatusCode, opts: StepOptions): string {
    const id = this.append(code, opts);
    this.changed();
    return id;
  }

  /** Append a running step (102/502) whose counts and end time `updateStep` keeps moving. */
  beginStep(code: StatusCode, opts: StepOptions): string {
    return this.step(code, opts);
  }

  /** Update a running step's counts; reaches the sink at most every progressIntervalMs. */
  updateStep(id: string, counts: StepCounts): void {
    const step = this.steps.find((s) => s.id === id);
    if (!step) throw new Error(`unknown monitor step ${id}`);
    this.applyCounts(step, counts);
    step.step_end_time = this.now();
    step.spend_time = step.step_end_time - step.step_begin_time;
    this.progressChanged();
  }

  /** Close a running step now with its final counts, and save. */
  endStep(id: string, counts?: StepCounts): void {
    const step = this.steps.find((s) => s.id === id);
    if (!step) throw new Error(`unknown monitor step ${id}`);
    if (counts) this.applyCounts(step, counts);
    step.step_end_time = this.now();
    step.spend_time = step.step_end_time - step.step_begin_time;
    this.changed();
  }

  /** End the execution with its final status and summary; resolves once the sink has the final log (or gave up). */
  async finish(status: ExecuteStatus, remarks: string): Promise<TaskMonitorLog> {
    this.executeStatus = status;
    this.remarks = remarks;
    this.endTime = this.now();
    this.markReadEnd(this.endTime);
    this.markWriteEnd(this.endTime);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    this.changed();
    await this.flush();
    for (const delay of FINAL_SAVE_RETRY_DELAYS_MS) {
      if (this.lastSaveOk) break;
      await new Promise((r) => setTimeout(r, delay));
      this.changed();
      await this.flush();
    }
    return this.log();
  }

  /** Resolves when every change so far has been handed to the sink (or its save failed). */
  async flush(): Promise<void> {
    while (this.saveLoop) await this.saveLoop;
  }

  /** A snapshot of the log as it stands. */
  log(): TaskMonitorLog {
    const last = this.latestStep();
    const end = this.endTime ?? this.now();
    const size = formatDataSize(this.totals.bytesWritten);
    const log: TaskMonitorLog = {
      id: this.runId,
      task_id: this.taskId,
      start_time: this.startTime,
      dispatch_time: this.dispatchTime,
      end_time: this.endTime,
      execute_status: this.executeStatus,
      position: last?.position ?? 'ADAPTER',
      position_status: last?.position_status ?? 'NORMAL',
      status: last?.status ?? STATUS.DISPATCH_RECEIVED,
      dirty_data_count: this.totals.dirty,
      data_count: this.totals.written,
      data_size: size.data_size,
      data_size_unit: size.data_size_unit,
      spend_time: Math.max(0, end - this.startTime),
      // The spec's field order; read_spend_time exists only for timing tasks.
      ...(this.taskType === 'TIMING' ? { read_spend_time: span(this.readStart, this.readEnd ?? (this.readStart === null ? null : end)) } : {}),
      write_spend_time: span(this.writeStart, this.writeEnd ?? (this.writeStart === null ? null : end)),
      remarks: truncate(this.remarks, RUN_REMARKS_MAX),
      detail_logs: this.steps.map((s) => ({ ...s })),
    };
    return log;
  }

  /** The latest step that describes the run itself: a 916 note about the log does not change the run's state. */
  private latestStep(): TaskMonitorDetailLog | undefined {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i];
      if (s && s.status !== STATUS.LOG_REPORT_FAILED) return s;
    }
    return undefined;
  }

  private append(code: StatusCode, opts: StepOptions): string {
    const info = statusInfo(code);
    const now = this.now();
    const begin = opts.beginTime ?? now;
    const step: TaskMonitorDetailLog = {
      id: newId(),
      status: code,
      position: info.position,
      position_status: opts.positionStatus ?? defaultPositionStatus(code),
      stage: opts.stage,
      dirty_data_count: 0,
      data_count: 0,
      data_size: 0,
      data_size_unit: 'B' as DataSizeUnit,
      spend_time: Math.max(0, now - begin),
      remarks: truncate(opts.remarks && opts.remarks.length > 0 ? opts.remarks : info.meaning, STEP_REMARKS_MAX),
      step_begin_time: begin,
      step_end_time: now,
    };
    // 901 closes the run: a reader of the step list sees the run's totals there, not zeros.
    const counts = opts.counts ?? (code === STATUS.RUN_FINISHED ? this.totalCounts() : undefined);
    if (counts) this.applyCounts(step, counts);
    this.steps.push(step);
    return step.id;
  }

  private totalCounts(): StepCounts {
    return { data_count: this.totals.written, dirty_data_count: this.totals.dirty, bytes: this.totals.bytesWritten };
  }

  private applyCounts(step: TaskMonitorDetailLog, counts: StepCounts): void {
    if (counts.data_count !== undefined) step.data_count = counts.data_count;
    if (counts.dirty_data_count !== undefined) step.dirty_data_count = counts.dirty_data_count;
    if (counts.bytes !== undefined) {
      const size = formatDataSize(counts.bytes);
      step.data_size = size.data_size;
      step.data_size_unit = size.data_size_unit;
    }
  }

  private progressChanged(): void {
    const due = this.lastProgressSave + this.progressIntervalMs - this.now();
    if (due <= 0) {
      this.changed();
      return;
    }
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.changed();
    }, due);
    this.progressTimer.unref();
  }

  private changed(): void {
    this.changeVersion++;
    this.lastProgressSave = this.now();
    if (this.progressTimer) {
      clearTimeout(this.progressTimer);
      this.progressTimer = null;
    }
    this.saveLoop ??= this.runSaveLoop().finally(() => {
      this.saveLoop = null;
    });
  }

  private async runSaveLoop(): Promise<void> {
    while (this.savedVersion < this.changeVersion) {
      const version = this.changeVersion;
      const snapshot = this.log();
      for (const listener of this.listeners) {
        try {
          listener(snapshot);
        } catch {
          // an observer's bug must not stop the log from being saved
        }
      }
      try {
        await this.sink.save(snapshot);
        this.lastSaveOk = true;
      } catch (err) {
        this.lastSaveOk = false;
        this.reportSinkFailure(err);
      }
      this.savedVersion = Math.max(this.savedVersion, version);
    }
  }

  private reportSinkFailure(err: unknown): void {
    if (this.sinkFailureReported) return;
    this.sinkFailureReported = true;
    this.onSinkError?.(err);
    this.append(STATUS.LOG_REPORT_FAILED, {
      stage: ADAPTER_STAGE,
      remarks: `monitor log could not be saved: ${errorMessage(err)}`,
    });
    this.changeVersion++;
  }
}

function span(from: number | null, to: number | null): number {
  return from === null || to === null ? 0 : Math.max(0, to - from);
}

/** At most `max` UTF-16 units, ending in … when cut; never cuts a surrogate pair in half (no broken character). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
