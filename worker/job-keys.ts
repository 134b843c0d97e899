/**
 * Names shared by the BullMQ runtime's two halves (the scheduler that enqueues, the workers that run): the queue,
 * job names and ids, and the Redis keys of the per-task lock, the cancel signal and the WAITING-log handshake.
 * Every key starts with the deployment's key prefix (`FDI_KEY_PREFIX`, default `fdi:`), the same as the store's.
 */
import { createHash } from 'node:crypto';

/** The one queue every task's jobs go through. */
export const TASK_QUEUE_NAME = 'tasks';

/** A timing task's fire (made by its job scheduler), a manual run, or a realtime task's long-lived run. */
export const JOB_NAMES = { fire: 'fire', run: 'run', realtime: 'realtime' } as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export function isJobName(name: string): name is JobName {
  return name === JOB_NAMES.fire || name === JOB_NAMES.run || name === JOB_NAMES.realtime;
}

export class RuntimeKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's own key prefix: its keys become `<prefix>bull:tasks:…`. */
  get bullPrefix(): string {
    return `${this.prefix}bull`;
  }

  /** Held by the run of a task that is executing: `<job id>|<run id>`. */
  lock(taskId: string): string {
    return `${this.prefix}lock:${taskId}`;
  }

  /** Set by terminate/stop for a run; read by the worker in case it missed the message. */
  cancel(runId: string): string {
    return `${this.prefix}cancel:${runId}`;
  }

  /** The pub/sub channel of cancel messages. */
  get cancelChannel(): string {
    return `${this.prefix}cancel`;
  }

  /** Present while a realtime task is switched on; its job does nothing without it. */
  realtimeWanted(taskId: string): string {
    return `${this.prefix}rt-wanted:${taskId}`;
  }

  /** Who writes the log of a run that waits for a worker slot: the watcher (`writing`/`written`) or the worker (`picked`). */
  waitLog(runId: string): string {
    return `${this.prefix}waitlog:${runId}`;
  }
}

/** The job scheduler of a timing task. */
export function schedulerIdOf(taskId: string): string {
  return `timing:${taskId}`;
}

/** The fixed id of a realtime task's job: one job per started task. */
export function realtimeJobIdOf(taskId: string): string {
  return `realtime-${taskId}`;
}

export function manualJobIdOf(runId: string): string {
  return `run-${runId}`;
}

/**
 * The run id of one attempt of a job: the id given by `runNow` for a manual run's first attempt, else derived from
 * the job id and the attempt, so every worker (and the WAITING watcher) names the same attempt the same way.
 */
export function runIdOf(jobId: string, attempt: number, givenRunId?: string): string {
  if (attempt <= 1 && givenRunId) return givenRunId;
  return createHash('sha256').update(`${jobId}|${attempt}`).digest('hex').slice(0, 32);
}

/** The value of a task lock, and back. */
export function lockHolder(jobId: string, runId: string): string {
  return `${jobId}|${runId}`;
}

export function parseLockHolder(value: string): { jobId: string; runId: string } {
  const at = value.lastIndexOf('|');
  return at < 0 ? { jobId: '', runId: value } : { jobId: value.slice(0, at), runId: value.slice(at + 1) };
}
