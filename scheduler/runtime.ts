/**
 * TaskControl on BullMQ: what the API asks of the scheduler. A started timing task is one job scheduler whose
 * pattern carries its plan; a started realtime task is one long-lived job with a fixed id; `run` enqueues one job;
 * `terminate` and the stop of a realtime run reach whichever worker runs it through the cancel channel.
 * Nothing here runs an execution: workers (`worker/bullmq-worker.ts`) do.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConnectorLogger } from '../connectors/sdk/index.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { Store, TaskRecord } from '../core/store.ts';
import { requestCancel } from '../worker/job-cancel.ts';
import type { ManualRunJobData, RealtimeJobData, TaskJobData } from '../worker/job-data.ts';
import {
  JOB_NAMES,
  RuntimeKeys,
  manualJobIdOf,
  realtimeJobIdOf,
  schedulerIdOf,
} from '../worker/job-keys.ts';
import { TaskLock } from '../worker/job-lock.ts';
import { openTaskQueue } from '../worker/task-queue.ts';
import { newId } from '../worker/ids.ts';
import { errorMessage } from '../worker/monitor-recorder.ts';
import type { TaskControl } from './control.ts';
import { assertPlanFires, encodePlanPattern, planRepeatStrategy } from './plan-strategy.ts';

export interface BullTaskControlOptions {
  /** A new Redis connection each time it is called (`maxRetriesPerRequest: null`). */
  connect(): Redis;
  store: Store;
  keyPrefix: string;
  /** The per-task lock ttl the workers use (only read here). */
  lockMs: number;
  /** How long `stop` of a realtime task waits for its run to drain and commit. */
  stopWaitMs: number;
  /** Finished jobs BullMQ keeps for inspection (the monitor logs are the record). */
  keepJobs?: { completed: number; failed: number };
  logger: ConnectorLogger;
}

const POLL_MS = 100;
const DEFAULT_KEEP = { completed: 100, failed: 500 };

export class BullTaskControl implements TaskControl {
  readonly keys: RuntimeKeys;
  readonly queue: Queue<TaskJobData>;
  private readonly redis: Redis;
  private readonly lock: TaskLock;
  private readonly keep: { completed: number; failed: number };

  constructor(private readonly opts: BullTaskControlOptions) {
    this.keys = new RuntimeKeys(opts.keyPrefix);
    this.redis = opts.connect();
    this.queue = openTaskQueue(opts.connect(), this.keys, planRepeatStrategy);
    this.lock = new TaskLock(this.redis, this.keys, opts.lockMs);
    this.keep = opts.keepJobs ?? DEFAULT_KEEP;
  }

  async start(taskId: string): Promise<void> {
    const task = await this.task(taskId);
    if (task.status === 'running') throw new FdiError('FDI.3139', `Task "${task.task.task_name}" is already started.`, 'task_id');
    if (task.task.task_type === 'TIMING') await this.arm(task);
    else await this.startRealtime(task);
  }

  async stop(taskId: string): Promise<void> {
    const task = await this.task(taskId);
    if (task.task.task_type === 'TIMING') {
      // The scheduler and its next fire go; a run already going ends on its own.
      await this.queue.removeJobScheduler(schedulerIdOf(taskId));
      return;
    }
    await this.stopRealtime(task);
  }

  async runNow(taskId: string): Promise<string> {
    const task = await this.task(taskId);
    if (task.task.task_type === 'REALTIME') {
      throw new FdiError('FDI.3026', `Task "${task.task.task_name}" is a realtime task: it runs while it is started; start it instead.`, 'task_id');
    }
    const runId = newId();
    const data: ManualRunJobData = { taskId, runId, dispatchTime: Date.now() };
    await this.queue.add(JOB_NAMES.run, data, {
      jobId: manualJobIdOf(runId),
      removeOnComplete: { count: this.keep.completed },
      removeOnFail: { count: this.keep.failed },
    });
    return runId;
  }

  async terminate(taskId: string): Promise<boolean> {
    await this.task(taskId);
    const holder = await this.lock.holder(taskId);
    if (!holder) return false;
    await requestCancel(this.redis, this.keys, { runId: holder.runId, kind: 'terminate' });
    return true;
  }

  async reschedule(taskId: string): Promise<void> {
    const task = await this.task(taskId);
    if (task.task.task_type !== 'TIMING') return;
    if (!(await this.queue.getJobScheduler(schedulerIdOf(taskId)))) return;
    await this.arm(task);
  }

  async isRunning(taskId: string): Promise<boolean> {
    return (await this.lock.holder(taskId)) !== null;
  }

  async queueDepth(): Promise<number> {
    return this.queue.getJobCountByTypes('wait', 'prioritized');
  }

  /**
   * At service start: every started task has its scheduler or realtime job. An existing scheduler is left as it
   * is, so a fire that was due while the service was down still runs (once).
   */
  async restore(): Promise<{ timing: number; realtime: number; failed: { taskId: string; error: string }[] }> {
    const result = { timing: 0, realtime: 0, failed: [] as { taskId: string; error: string }[] };
    for (const task of await this.opts.store.listStartedTasks()) {
      try {
        if (task.task.task_type === 'TIMING') {
          if (await this.queue.getJobScheduler(schedulerIdOf(task.task_id))) continue;
          await this.arm(task);
          result.timing++;
        } else {
          await this.redis.set(this.keys.realtimeWanted(task.task_id), '1');
          if (await this.queue.getJob(realtimeJobIdOf(task.task_id))) continue;
          await this.addRealtimeJob(task.task_id);
          result.realtime++;
        }
      } catch (err) {
        result.failed.push({ taskId: task.task_id, error: errorMessage(err) });
        this.opts.logger.error('could not restore a started task', { taskId: task.task_id, error: errorMessage(err) });
      }
    }
    return result;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async task(taskId: string): Promise<TaskRecord> {
    const task = await this.opts.store.getTask(taskId);
    if (!task) throw new FdiError('FDI.3081', `task_id "${taskId}" does not exist.`, 'task_id');
    return task;
  }

  /** Upserts the task's job scheduler from its plan (a changed plan replaces the pending fire). */
  private async arm(task: TaskRecord): Promise<void> {
    const plan = await this.opts.store.getPlan(task.task_id);
    if (!plan) {
      throw new FdiError('FDI.3083', `Task "${task.task.task_name}" has no dispatch plan; create one with POST …/tasks/${task.task_id}/dispatches.`, 'task_id');
    }
    assertPlanFires(plan);
    await this.queue.upsertJobScheduler(
      schedulerIdOf(task.task_id),
      { pattern: encodePlanPattern(plan) },
      {
        name: JOB_NAMES.fire,
        data: { taskId: task.task_id },
        opts: { removeOnComplete: { count: this.keep.completed }, removeOnFail: { count: this.keep.failed } },
      },
    );
  }

  private async startRealtime(task: TaskRecord): Promise<void> {
    const jobId = realtimeJobIdOf(task.task_id);
    // A stop that timed out may still be draining the previous run: its job must end before a new one can exist.
    if (!(await this.waitUntil(async () => (await this.queue.getJob(jobId)) === undefined, this.opts.stopWaitMs))) {
      throw new FdiError('FDI.3017', `Task "${task.task.task_name}": its previous realtime run is still draining; start it again shortly.`, 'task_id');
    }
    await this.redis.set(this.keys.realtimeWanted(task.task_id), '1');
    await this.addRealtimeJob(task.task_id);
  }

  private async addRealtimeJob(taskId: string): Promise<void> {
    const data: RealtimeJobData = { taskId, startedAt: Date.now() };
    await this.queue.add(JOB_NAMES.realtime, data, { jobId: realtimeJobIdOf(taskId), removeOnComplete: true, removeOnFail: true });
  }

  /** The realtime run drains and commits, then its job ends; a job not taken up yet is removed. */
  private async stopRealtime(task: TaskRecord): Promise<void> {
    const taskId = task.task_id;
    const jobId = realtimeJobIdOf(taskId);
    await this.redis.del(this.keys.realtimeWanted(taskId));
    const asked = new Set<string>();
    const done = await this.waitUntil(async () => {
      const job = await this.queue.getJob(jobId);
      if (!job) return true;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        await job.remove().catch(() => undefined);
        return false;
      }
      const holder = await this.lock.holder(taskId);
      if (holder && holder.jobId === jobId && !asked.has(holder.runId)) {
        asked.add(holder.runId);
        await requestCancel(this.redis, this.keys, { runId: holder.runId, kind: 'stop' });
      }
      return false;
    }, this.opts.stopWaitMs);
    if (!done) {
      this.opts.logger.warn('realtime run still draining after stop; it ends on its own', { taskId, waitedMs: this.opts.stopWaitMs });
    }
  }

  private async waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
