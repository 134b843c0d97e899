/**
 * The BullMQ Worker of `fdi worker` and `fdi serve`: takes task jobs from the shared queue (any number of these on
 * any number of machines share one Redis) and hands each to the JobRunner. Also listens for cancel requests and
 * keeps the WAITING logs of jobs that wait for a free slot.
 *
 * Shutdown (`close`): no new jobs; realtime runs drain, commit and put their job back for another worker; timing
 * runs get `shutdownGraceMs` to finish and are then cancelled.
 */
import { Queue, Worker, type RepeatStrategy } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import type { ConnectorLogger } from '../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import type { Store } from '../core/store.ts';
import { CancelSubscriber } from './job-cancel.ts';
import { closeAbandonedRun } from './job-abandoned.ts';
import { givenRunIdOf, taskIdOf, type TaskJob, type TaskJobData } from './job-data.ts';
import { RuntimeKeys, TASK_QUEUE_NAME, runIdOf, schedulerIdOf } from './job-keys.ts';
import { TaskLock } from './job-lock.ts';
import { JobRunner, type JobOutcome, type MisfirePolicy } from './job-runner.ts';
import { WaitingWatcher } from './job-waiting.ts';
import { errorMessage } from './monitor-recorder.ts';
import { openTaskQueue } from './task-queue.ts';

export interface FdiWorkerOptions {
  /** A new Redis connection each time it is called (BullMQ needs `maxRetriesPerRequest: null`). */
  connect(): Redis;
  store: Store;
  registry: ConnectorRegistry;
  keyPrefix: string;
  /** The plan strategy of `scheduler/plan-strategy.ts` (the worker schedules a fire's next iteration). */
  repeatStrategy: RepeatStrategy;
  /** Executions at once in this process. */
  concurrency: number;
  /** BullMQ job lock and per-task lock ttl: a vanished worker's runs are taken up again after about this long. */
  lockMs: number;
  /** How often stalled jobs (a vanished worker's) are looked for. */
  stalledIntervalMs: number;
  /** How many times a job may be taken back from a vanished worker before it fails (915). */
  maxStalledCount: number;
  misfirePolicy: MisfirePolicy;
  misfireThresholdMs: number;
  waitingAfterMs: number;
  /** How long timing runs may go on after shutdown begins before they are cancelled. */
  shutdownGraceMs: number;
  /** Lock renewal and cancel polling of a running execution. */
  tickMs?: number;
  /** Worker name shown in BullMQ (host:pid by default). */
  name?: string;
  logger: ConnectorLogger;
  onFire?(latenessMs: number): void;
  onRunFinished?(log: TaskMonitorLog): void;
}

const DEFAULT_TICK_MS = 1000;

export class FdiWorker {
  readonly keys: RuntimeKeys;
  private readonly redis: Redis;
  private readonly queue: Queue<TaskJobData>;
  private readonly runner: JobRunner;
  private readonly subscriber: CancelSubscriber;
  private readonly watcher: WaitingWatcher;
  private worker: Worker<TaskJobData, JobOutcome> | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: FdiWorkerOptions) {
    this.keys = new RuntimeKeys(opts.keyPrefix);
    this.redis = opts.connect();
    this.queue = openTaskQueue(opts.connect(), this.keys, opts.repeatStrategy);
    const lock = new TaskLock(this.redis, this.keys, opts.lockMs);
    this.runner = new JobRunner({
      store: opts.store,
      registry: opts.registry,
      redis: this.redis,
      keys: this.keys,
      lock,
      logger: opts.logger,
      misfirePolicy: opts.misfirePolicy,
      misfireThresholdMs: opts.misfireThresholdMs,
      waitingAfterMs: opts.waitingAfterMs,
      tickMs: opts.tickMs ?? DEFAULT_TICK_MS,
      schedulerExists: async (taskId) => (await this.queue.getJobScheduler(schedulerIdOf(taskId))) !== undefined,
      removeScheduler: async (taskId) => {
        await this.queue.removeJobScheduler(schedulerIdOf(taskId));
      },
      ...(opts.onFire ? { onFire: opts.onFire } : {}),
      ...(opts.onRunFinished ? { onRunFinished: opts.onRunFinished } : {}),
    });
    this.subscriber = new CancelSubscriber(opts.connect(), this.keys);
    this.watcher = new WaitingWatcher({
      queue: this.queue,
      redis: this.redis,
      keys: this.keys,
      store: opts.store,
      waitingAfterMs: opts.waitingAfterMs,
      intervalMs: Math.max(200, Math.min(opts.waitingAfterMs, 1000)),
      onError: (err) => opts.logger.warn('WAITING watcher pass failed', { error: errorMessage(err) }),
    });
  }

  async start(): Promise<void> {
    await this.subscriber.start((msg) => this.runner.cancel(msg.runId, msg.kind));
    const worker = new Worker<TaskJobData, JobOutcome>(
      TASK_QUEUE_NAME,
      (job, token) => this.runner.process(job as TaskJob, token),
      {
        connection: this.opts.connect(),
        prefix: this.keys.bullPrefix,
        concurrency: this.opts.concurrency,
        lockDuration: this.opts.lockMs,
        stalledInterval: this.opts.stalledIntervalMs,
        maxStalledCount: this.opts.maxStalledCount,
        settings: { repeatStrategy: this.opts.repeatStrategy },
        autorun: false,
        ...(this.opts.name ? { name: this.opts.name } : {}),
      },
    );
    worker.on('error', (err) => this.opts.logger.warn('worker error', { error: errorMessage(err) }));
    worker.on('failed', (job, err) => {
      this.opts.logger.error('job failed', { jobId: job?.id, name: job?.name, error: errorMessage(err) });
      if (job) void this.closeLostRun(job as TaskJob, errorMessage(err));
    });
    this.worker = worker;
    void worker.run().catch((err: unknown) => this.opts.logger.error('worker stopped', { error: errorMessage(err) }));
    await worker.waitUntilReady();
    this.watcher.start();
  }

  /** A job BullMQ gave up on (taken back from vanished workers too often): its last run's log ends with 915. */
  private async closeLostRun(job: TaskJob, reason: string): Promise<void> {
    if (!job.id || job.attemptsStarted < 1) return;
    try {
      const runId = runIdOf(job.id, job.attemptsStarted, givenRunIdOf(job));
      const closed = await closeAbandonedRun(this.opts.store, taskIdOf(job), runId, `The run cannot be resumed: ${reason}`);
      if (closed) this.opts.onRunFinished?.(closed);
    } catch (err) {
      this.opts.logger.warn('could not close the log of a lost run', { jobId: job.id, error: errorMessage(err) });
    }
  }

  /** Runs executing in this process now. */
  activeRuns(): ReturnType<JobRunner['activeRuns']> {
    return this.runner.activeRuns();
  }

  /** Jobs waiting in the shared queue for a worker (for `fdi worker --metrics-port`). */
  queueDepth(): Promise<number> {
    return this.queue.getJobCountByTypes('wait', 'prioritized');
  }

  /** Graceful stop; a second call returns the same promise. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.watcher.stop();
    const worker = this.worker;
    if (worker) {
      this.runner.handOverRealtime();
      const closed = worker.close();
      const grace = setTimeout(() => this.runner.cancelAll('the worker is shutting down'), this.opts.shutdownGraceMs);
      grace.unref();
      try {
        await closed;
      } finally {
        clearTimeout(grace);
      }
    }
    await this.subscriber.close();
    await this.queue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
