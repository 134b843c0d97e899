/**
 * Turns one BullMQ job into one execution: the dispatch checks (task still there, still scheduled, misfire
 * policy), the per-task lock (a fire that finds it held is rejected with 914 in its own log entry), resumption of
 * an attempt whose worker vanished (108/507, the vanished run closed with 915), cancel requests from any worker,
 * and the hand-over of a realtime run when this worker shuts down.
 */
import { WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import type { ConnectorLogger } from '../connectors/sdk/index.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { parseTaskBody } from '../core/normalise/index.ts';
import { STATUS } from '../core/status-codes.ts';
import type { Store, TaskRecord } from '../core/store.ts';
import type { TaskSpec } from '../core/task-spec.ts';
import { StoreCheckpointStore } from './checkpoint.ts';
import { StoreDirtySink } from './dirty.ts';
import { runExecution, STOP_REASON, type ExecutionDeps } from './execution.ts';
import { closeAbandonedRun } from './job-abandoned.ts';
import { clearCancel, type CancelKind } from './job-cancel.ts';
import { givenRunIdOf, plannedTimeOf, taskIdOf, type TaskJob } from './job-data.ts';
import { JOB_NAMES, lockHolder, parseLockHolder, runIdOf, type JobName, type RuntimeKeys } from './job-keys.ts';
import type { TaskLock } from './job-lock.ts';
import { dispatchReceivedRemarks, forgetRun, pickRun, recordWaiting } from './job-waiting.ts';
import { ADAPTER_STAGE, MonitorRecorder, errorMessage } from './monitor-recorder.ts';
import { StoreMonitorLogSink } from './monitor-sinks.ts';

export type MisfirePolicy = 'fire_once' | 'skip';

export interface JobRunnerOptions {
  store: Store;
  registry: ConnectorRegistry;
  /** Commands (lock, cancel keys, handshake); never a subscribed connection. */
  redis: Redis;
  keys: RuntimeKeys;
  lock: TaskLock;
  logger: ConnectorLogger;
  misfirePolicy: MisfirePolicy;
  /** Under `skip`, a fire taken up later than this after its planned instant does not run. */
  misfireThresholdMs: number;
  /** A run taken up later than this after it was ready logs 906/908 (it waited for a worker slot). */
  waitingAfterMs: number;
  /** How often a running execution renews its lock and looks for a cancel request. */
  tickMs: number;
  /** Whether the job scheduler of a timing task still exists (stop removes it). */
  schedulerExists(taskId: string): Promise<boolean>;
  /** Removes the scheduler of a task that no longer exists. */
  removeScheduler(taskId: string): Promise<void>;
  onFire?(latenessMs: number): void;
  onRunFinished?(log: TaskMonitorLog): void;
}

/** What became of a job; the job's return value (kept with completed jobs for a while). */
export type JobOutcome =
  | { outcome: 'ran'; runId: string; executeStatus: TaskMonitorLog['execute_status'] }
  | { outcome: 'rejected'; runId: string; heldBy: string }
  | { outcome: 'skipped'; reason: string };

interface ActiveRun {
  taskId: string;
  runId: string;
  name: JobName;
  abort: AbortController;
  /** Shutdown asked a realtime run to drain so that another worker takes the job over. */
  handOver: boolean;
}

/** How long a realtime job waits for the task's previous run (a stop still draining) to let go of the lock. */
const REALTIME_LOCK_WAIT_FACTOR = 2;
const REALTIME_LOCK_POLL_MS = 250;

export class JobRunner {
  private readonly active = new Map<string, ActiveRun>();
  /** Set once shutdown began: a realtime run that registers after it hands over at once. */
  private shuttingDown = false;
  private readonly sink: StoreMonitorLogSink;
  private readonly execDeps: ExecutionDeps;

  constructor(private readonly opts: JobRunnerOptions) {
    this.sink = new StoreMonitorLogSink(opts.store);
    this.execDeps = {
      registry: opts.registry,
      resolveDatasource: async (id) => {
        const ds = await opts.store.getDatasourceById(id);
        if (!ds) throw new FdiError('FDI.3147', `data source ${id} does not exist.`, 'datasource_id');
        return ds;
      },
      checkpoints: new StoreCheckpointStore(opts.store),
      monitorSink: this.sink,
      dirtySink: new StoreDirtySink(opts.store),
      logger: opts.logger,
    };
  }

  /** Runs that execute in this process now. */
  activeRuns(): { taskId: string; runId: string; name: JobName }[] {
    return [...this.active.values()].map(({ taskId, runId, name }) => ({ taskId, runId, name }));
  }

  /** A cancel request for a run of this process (from the cancel channel). */
  cancel(runId: string, kind: CancelKind): void {
    const run = this.active.get(runId);
    if (run) this.applyCancel(run, kind);
  }

  /** Shutdown: realtime runs drain and hand their job over; timing runs are left to finish. */
  handOverRealtime(): void {
    this.shuttingDown = true;
    for (const run of this.active.values()) this.handOver(run);
  }

  private handOver(run: ActiveRun): void {
    if (run.name === JOB_NAMES.realtime && !run.abort.signal.aborted) {
      run.handOver = true;
      run.abort.abort(STOP_REASON);
    }
  }

  /** Shutdown after the grace period: what still runs is cancelled. */
  cancelAll(reason: string): void {
    for (const run of this.active.values()) {
      if (!run.abort.signal.aborted) run.abort.abort(reason);
    }
  }

  async process(job: TaskJob, token: string | undefined): Promise<JobOutcome> {
    const name = job.name as JobName;
    const jobId = job.id;
    if (!jobId) throw new Error('a job without an id');
    const attempt = Math.max(1, job.attemptsStarted);
    const taskId = taskIdOf(job);
    const runId = runIdOf(jobId, attempt, givenRunIdOf(job));
    const pickedAt = Date.now();
    const planned = plannedTimeOf(job, attempt, pickedAt);
    const waitState = await pickRun(this.opts.redis, this.opts.keys, runId);
    const log = this.opts.logger;

    const task = await this.opts.store.getTask(taskId);
    const drop = await this.dropReason(name, task, taskId, attempt === 1 ? planned : null, pickedAt);
    if (drop || !task) {
      const reason = drop ?? 'the task no longer exists';
      log.info('dispatch dropped', { taskId, jobId, reason });
      if (task && waitState === 'written') await this.closeWaiting(task, runId, planned, reason);
      if (attempt > 1) await this.closePrevious(job, taskId, attempt, `it is not resumed: ${reason}.`);
      await forgetRun(this.opts.redis, this.opts.keys, runId);
      return { outcome: 'skipped', reason };
    }

    const recorder = new MonitorRecorder({
      taskId,
      runId,
      dispatchTime: planned,
      taskType: task.task.task_type,
      sink: this.sink,
      onSinkError: (err) => log.warn('monitor log could not be saved; the run goes on', { taskId, runId, error: errorMessage(err) }),
    });
    const readyAt = attempt > 1 ? pickedAt : planned;
    recorder.step(STATUS.DISPATCH_RECEIVED, { stage: ADAPTER_STAGE, beginTime: Math.min(readyAt, pickedAt), remarks: dispatchReceivedRemarks(task.task.task_name) });
    if (waitState === 'written' || pickedAt - readyAt > this.opts.waitingAfterMs) recordWaiting(recorder, readyAt, task.task.task_name, false);

    const holder = lockHolder(jobId, runId);
    const got = await this.acquireLock(name, taskId, jobId, attempt, holder);
    if (!got.ok) {
      const other = got.holder ? parseLockHolder(got.holder).runId : 'unknown';
      recorder.step(STATUS.REJECTED_PREVIOUS_RUNNING, {
        stage: ADAPTER_STAGE,
        remarks: `${task.task.task_name} was not run: the previous run ${other} has not finished.`,
      });
      const rejected = await recorder.finish('ERROR', `Rejected: the previous run ${other} of this task has not finished.`);
      this.opts.onRunFinished?.(rejected);
      await forgetRun(this.opts.redis, this.opts.keys, runId);
      return { outcome: 'rejected', runId, heldBy: other };
    }

    try {
      return await this.runLocked(job, token, { name, taskId, runId, attempt, holder, task, recorder });
    } finally {
      await this.opts.lock.release(taskId, holder).catch((err: unknown) => log.warn('task lock release failed', { taskId, error: errorMessage(err) }));
      await clearCancel(this.opts.redis, this.opts.keys, runId).catch(() => undefined);
      await forgetRun(this.opts.redis, this.opts.keys, runId).catch(() => undefined);
    }
  }

  /**
   * Why this job must not run at all (no log: there is no run), or null. `planned` is null for a resumed attempt:
   * it is no fire of its own (no lateness, no misfire).
   */
  private async dropReason(name: JobName, task: TaskRecord | null, taskId: string, planned: number | null, pickedAt: number): Promise<string | null> {
    if (!task) {
      if (name === JOB_NAMES.fire) await this.opts.removeScheduler(taskId);
      return 'the task no longer exists';
    }
    if (name === JOB_NAMES.fire) {
      if (!(await this.opts.schedulerExists(taskId))) return 'the task was stopped';
      if (planned === null) return null;
      const lateness = Math.max(0, pickedAt - planned);
      this.opts.onFire?.(lateness);
      if (this.opts.misfirePolicy === 'skip' && lateness > this.opts.misfireThresholdMs) {
        return `misfire: taken up ${lateness} ms after its planned instant (policy skip, threshold ${this.opts.misfireThresholdMs} ms)`;
      }
    }
    if (name === JOB_NAMES.realtime && (await this.opts.redis.exists(this.opts.keys.realtimeWanted(taskId))) === 0) {
      return 'the realtime task was stopped';
    }
    return null;
  }

  /** A WAITING log was written for a dispatch that is now dropped: end it as cancelled, with the reason. */
  private async closeWaiting(task: TaskRecord, runId: string, planned: number, reason: string): Promise<void> {
    const recorder = new MonitorRecorder({ taskId: task.task_id, runId, dispatchTime: planned, taskType: task.task.task_type, sink: this.sink });
    recorder.markStarted(planned);
    recorder.step(STATUS.DISPATCH_RECEIVED, { stage: ADAPTER_STAGE, beginTime: planned, remarks: dispatchReceivedRemarks(task.task.task_name) });
    recordWaiting(recorder, planned, task.task.task_name, false);
    recorder.step(STATUS.FORCE_CANCELLED, { stage: ADAPTER_STAGE, remarks: `Not run: ${reason}.` });
    await recorder.finish('CANCELLED', `Not run: ${reason}.`);
  }

  private async acquireLock(
    name: JobName,
    taskId: string,
    jobId: string,
    attempt: number,
    holder: string,
  ): Promise<{ ok: true } | { ok: false; holder: string | null }> {
    const { lock } = this.opts;
    const deadline = Date.now() + lock.ttlMs * REALTIME_LOCK_WAIT_FACTOR;
    for (;;) {
      const got = await lock.acquire(taskId, holder);
      if (got.ok) return got;
      // BullMQ gave this job to us again because the worker of its earlier attempt stopped answering: that
      // attempt's lock is ours to take.
      if (got.holder && attempt > 1 && parseLockHolder(got.holder).jobId === jobId) {
        if (await lock.takeover(taskId, got.holder, holder)) return { ok: true };
        continue;
      }
      // A realtime run waits for a stop that is still draining; a fire or manual run is rejected at once.
      if (name !== JOB_NAMES.realtime || Date.now() > deadline) return got;
      await new Promise((r) => setTimeout(r, REALTIME_LOCK_POLL_MS));
    }
  }

  private async runLocked(
    job: TaskJob,
    token: string | undefined,
    ctx: { name: JobName; taskId: string; runId: string; attempt: number; holder: string; task: TaskRecord; recorder: MonitorRecorder },
  ): Promise<JobOutcome> {
    const { name, taskId, runId, attempt, holder, task, recorder } = ctx;
    const resumed = attempt > 1;
    const log = this.opts.logger;

    if (resumed) await this.closePrevious(job, taskId, attempt, `resumed as run ${runId}.`);

    let spec: TaskSpec;
    try {
      spec = parseTaskBody({ task: task.task, task_detail: task.task_detail }, { taskId });
      if (resumed) await this.assertResumable(spec);
    } catch (err) {
      const code = resumed ? STATUS.RUN_ABNORMAL : STATUS.DISPATCH_FAILED;
      const why = resumed ? `The run cannot be resumed: ${errorMessage(err)}` : `The task cannot be dispatched: ${errorMessage(err)}`;
      recorder.step(code, { stage: ADAPTER_STAGE, remarks: why });
      const failed = await recorder.finish('ERROR', why);
      this.opts.onRunFinished?.(failed);
      return { outcome: 'ran', runId, executeStatus: failed.execute_status };
    }

    const run: ActiveRun = { taskId, runId, name, abort: new AbortController(), handOver: false };
    this.active.set(runId, run);
    if (this.shuttingDown) this.handOver(run);
    const ticker = this.startTicker(run, holder);
    let result: TaskMonitorLog;
    try {
      result = await runExecution({ task: spec, recorder, signal: run.abort.signal, resumed }, this.execDeps);
    } finally {
      clearInterval(ticker);
      this.active.delete(runId);
    }
    this.opts.onRunFinished?.(result);
    log.info('run finished', { taskId, runId, jobId: job.id, executeStatus: result.execute_status, status: result.status, dataCount: result.data_count });

    if (run.handOver) {
      // The run drained and committed; the job goes back to the queue and another worker resumes it (108/507).
      await job.moveToWait(token);
      throw new WaitingError(`realtime run ${runId} handed over on shutdown`);
    }
    return { outcome: 'ran', runId, executeStatus: result.execute_status };
  }

  /** The log of the attempt before this one, left RUNNING by its vanished worker, ends with 915. */
  private async closePrevious(job: TaskJob, taskId: string, attempt: number, what: string): Promise<void> {
    const previous = runIdOf(job.id as string, attempt - 1, givenRunIdOf(job));
    const closed = await closeAbandonedRun(this.opts.store, taskId, previous, `The worker running this execution stopped answering; ${what}`);
    if (closed) {
      this.opts.logger.warn('closed the log of a run whose worker vanished', { taskId, previousRunId: previous, outcome: what });
      this.opts.onRunFinished?.(closed);
    }
  }

  /** A resumed run needs its task's data sources; without them it cannot continue (915). */
  private async assertResumable(spec: TaskSpec): Promise<void> {
    for (const id of [spec.sourceDatasourceId, spec.targetDatasourceId]) {
      if (!(await this.opts.store.getDatasourceById(id))) throw new Error(`data source ${id} no longer exists`);
    }
  }

  /** Renews the lock and polls the cancel key while the run lives; a lost lock stops the run at once. */
  private startTicker(run: ActiveRun, holder: string): NodeJS.Timeout {
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const r = await this.opts.lock.renew(run.taskId, holder);
        if (!r.owned) {
          this.opts.logger.error('task lock lost; the run stops', { taskId: run.taskId, runId: run.runId });
          if (!run.abort.signal.aborted) run.abort.abort('the task lock was lost (Redis unreachable longer than the lock ttl, or the run was taken over)');
        } else if (r.cancel === 'terminate' || r.cancel === 'stop') {
          this.applyCancel(run, r.cancel);
        }
      } catch (err) {
        this.opts.logger.warn('task lock renewal failed; retrying', { taskId: run.taskId, error: errorMessage(err) });
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), this.opts.tickMs);
    timer.unref();
    return timer;
  }

  private applyCancel(run: ActiveRun, kind: CancelKind): void {
    if (run.abort.signal.aborted) return;
    if (kind === 'stop' && run.name === JOB_NAMES.realtime) run.abort.abort(STOP_REASON);
    else run.abort.abort(kind === 'terminate' ? 'terminate requested' : 'the task was stopped');
  }
}

