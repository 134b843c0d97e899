/**
 * What the API asks of the scheduler. Implemented on BullMQ by `scheduler/runtime.ts`; the API depends only
 * on this interface. Every method throws `FdiError` with the documented code (FDI.3083 no plan, FDI.3139 already
 * started, FDI.3081 unknown task …).
 */
export interface TaskControl {
  /** Switch a task on: a timing task gets its job scheduler (needs a plan), a realtime task its long-lived run. */
  start(taskId: string): Promise<void>;
  /** Switch a task off: remove its scheduler; a realtime run drains and commits before it ends. */
  stop(taskId: string): Promise<void>;
  /** Fire one execution now (under the same one-run-at-a-time lock); returns the execution id. */
  runNow(taskId: string): Promise<string>;
  /** Cancel the task's current execution on whatever worker runs it; false when nothing was running. */
  terminate(taskId: string): Promise<boolean>;
  /** The plan of a started task changed: reschedule it. */
  reschedule(taskId: string): Promise<void>;
  /** True while an execution of the task is running (delete is refused then: FDI.3030). */
  isRunning(taskId: string): Promise<boolean>;
  /** Jobs waiting in the queue (for /metrics). */
  queueDepth(): Promise<number>;
}
