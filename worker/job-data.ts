/**
 * What a job carries, and the planned instant of each kind of job. A job scheduler's fire carries only the task
 * id; its planned instant is the scheduler's `prevMillis` (the time the strategy computed for this iteration).
 */
import type { Job } from 'bullmq';
import { JOB_NAMES, type JobName } from './job-keys.ts';

export interface FireJobData {
  taskId: string;
}

export interface ManualRunJobData {
  taskId: string;
  runId: string;
  /** When `run` was asked for, epoch ms. */
  dispatchTime: number;
}

export interface RealtimeJobData {
  taskId: string;
  /** When the task was started, epoch ms. */
  startedAt: number;
}

export type TaskJobData = FireJobData | ManualRunJobData | RealtimeJobData;

export type TaskJob = Job<TaskJobData, unknown, string>;

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function taskIdOf(job: TaskJob): string {
  const id = (job.data as { taskId?: unknown }).taskId;
  if (typeof id !== 'string' || id === '') throw new Error(`job ${job.id ?? '?'} carries no task id`);
  return id;
}

/** The run id `runNow` chose for a manual run. */
export function givenRunIdOf(job: TaskJob): string | undefined {
  const id = (job.data as { runId?: unknown }).runId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The instant this attempt was meant to start: a fire's scheduled time, a manual run's request time (a resumed
 * attempt of either keeps it: it is the same dispatch), a realtime task's start time, or for a realtime run taken
 * back from a vanished worker, `resumedAt`.
 */
export function plannedTimeOf(job: TaskJob, attempt: number, resumedAt: number): number {
  const name = job.name as JobName;
  if (name === JOB_NAMES.fire) return numberOr(job.opts.prevMillis, job.timestamp + numberOr(job.opts.delay, 0));
  if (name === JOB_NAMES.run) return numberOr((job.data as { dispatchTime?: unknown }).dispatchTime, job.timestamp);
  if (attempt > 1) return resumedAt;
  return numberOr((job.data as { startedAt?: unknown }).startedAt, job.timestamp);
}
