/**
 * Runs that wait for a free worker slot show as WAITING with 906/908 while they wait (spec: "读取/写入任务正在排队中
 * (平台资源)"). A watcher in every worker process looks at the queue's ready jobs; one that has been ready longer
 * than `waitingAfterMs` gets a WAITING monitor log under the run id its first attempt will have.
 *
 * Two writers, one log: the watcher and the worker that picks the job up. A small handshake on
 * `waitlog:<run id>` keeps the watcher from writing after the worker has started: the watcher claims it with
 * `writing` (NX) and marks it `written`; the worker marks it `picked` when it takes the job, and waits while a
 * watcher is `writing`, so the WAITING snapshot can never land on top of the run's own log.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { STATUS } from '../core/status-codes.ts';
import type { Store } from '../core/store.ts';
import { givenRunIdOf, plannedTimeOf, taskIdOf, type TaskJob, type TaskJobData } from './job-data.ts';
import { isJobName, runIdOf, type RuntimeKeys } from './job-keys.ts';
import { ADAPTER_STAGE, MonitorRecorder } from './monitor-recorder.ts';
import { StoreMonitorLogSink } from './monitor-sinks.ts';
import type { TaskType } from '../core/task-spec.ts';

/** How long a `writing` claim may last; a watcher that died while writing frees it after this. */
const WRITING_CLAIM_MS = 30_000;
/** How long the handshake key outlives the run's pickup. */
const PICKED_KEEP_MS = 24 * 3600_000;
const CLAIM_POLL_MS = 50;
/** How many ready jobs one scan looks at. */
const SCAN_LIMIT = 200;

/** KEYS: waitlog. ARGV: keep ms. Returns what the worker found: none | written | writing. */
const PICK_LUA = `
local v = redis.call('GET', KEYS[1])
if v == 'writing' then return 'writing' end
redis.call('SET', KEYS[1], 'picked', 'PX', ARGV[1])
if v == 'written' then return 'written' end
return 'none'
`;

export type WaitState = 'none' | 'written';

/** The worker takes the run: from now on no watcher writes its log. Says whether a WAITING log was written. */
export async function pickRun(redis: Redis, keys: RuntimeKeys, runId: string): Promise<WaitState> {
  const deadline = Date.now() + WRITING_CLAIM_MS;
  for (;;) {
    const r = (await redis.eval(PICK_LUA, 1, keys.waitLog(runId), PICKED_KEEP_MS)) as string;
    if (r === 'written') return 'written';
    if (r !== 'writing') return 'none';
    if (Date.now() > deadline) {
      // A watcher that claimed and vanished: its claim has expired by now.
      await redis.set(keys.waitLog(runId), 'picked', 'PX', PICKED_KEEP_MS);
      return 'written';
    }
    await new Promise((r2) => setTimeout(r2, CLAIM_POLL_MS));
  }
}

export async function forgetRun(redis: Redis, keys: RuntimeKeys, runId: string): Promise<void> {
  await redis.del(keys.waitLog(runId));
}

/** The 906/908 steps of a run that waited from `readyAt` until now. */
export function recordWaiting(recorder: MonitorRecorder, readyAt: number, taskName: string, stillWaiting: boolean): void {
  const waited = Math.max(0, Date.now() - readyAt);
  const remarks = stillWaiting
    ? `${taskName} is waiting for a free worker slot.`
    : `${taskName} waited ${waited} ms for a free worker slot.`;
  recorder.step(STATUS.READER_QUEUED, { stage: ADAPTER_STAGE, beginTime: readyAt, remarks });
  recorder.step(STATUS.WRITER_QUEUED, { stage: ADAPTER_STAGE, beginTime: readyAt, remarks });
}

export function dispatchReceivedRemarks(taskName: string): string {
  return `${taskName} dispatch request received.`;
}

export interface WaitingWatcherDeps {
  queue: Queue<TaskJobData>;
  redis: Redis;
  keys: RuntimeKeys;
  store: Store;
  /** A ready job older than this gets its WAITING log. */
  waitingAfterMs: number;
  intervalMs: number;
  onError(err: unknown): void;
}

export class WaitingWatcher {
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: WaitingWatcherDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.scanning;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.scanning = this.scan()
        .catch((err: unknown) => this.deps.onError(err))
        .finally(() => {
          this.scanning = null;
          this.schedule();
        });
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  /** One pass over the ready jobs; exported for tests through `scanOnce`. */
  async scanOnce(): Promise<TaskMonitorLog[]> {
    const written: TaskMonitorLog[] = [];
    const jobs = (await this.deps.queue.getJobs(['wait', 'prioritized'], 0, SCAN_LIMIT - 1, true)) as TaskJob[];
    const now = Date.now();
    for (const job of jobs) {
      if (!job?.id || !isJobName(job.name)) continue;
      // A resumption (a stalled job put back) is logged when it is taken up, as its own run.
      if (job.attemptsStarted > 0) continue;
      const readyAt = plannedTimeOf(job, 1, now);
      if (now - readyAt < this.deps.waitingAfterMs) continue;
      const log = await this.writeWaiting(job, readyAt);
      if (log) written.push(log);
    }
    return written;
  }

  private async scan(): Promise<void> {
    await this.scanOnce();
  }

  private async writeWaiting(job: TaskJob, readyAt: number): Promise<TaskMonitorLog | null> {
    const { redis, keys, store } = this.deps;
    const jobId = job.id as string;
    const runId = runIdOf(jobId, 1, givenRunIdOf(job));
    const claimed = await redis.set(keys.waitLog(runId), 'writing', 'PX', WRITING_CLAIM_MS, 'NX');
    if (claimed !== 'OK') return null;
    try {
      const task = await store.getTask(taskIdOf(job));
      if (!task) {
        await redis.del(keys.waitLog(runId));
        return null;
      }
      const recorder = waitingRecorder(store, task.task_id, runId, task.task.task_type, readyAt);
      recorder.setExecuteStatus('WAITING');
      recorder.step(STATUS.DISPATCH_RECEIVED, { stage: ADAPTER_STAGE, beginTime: readyAt, remarks: dispatchReceivedRemarks(task.task.task_name) });
      recordWaiting(recorder, readyAt, task.task.task_name, true);
      await recorder.flush();
      await redis.set(keys.waitLog(runId), 'written', 'PX', PICKED_KEEP_MS, 'XX');
      return recorder.log();
    } catch (err) {
      await redis.del(keys.waitLog(runId));
      throw err;
    }
  }
}

function waitingRecorder(store: Store, taskId: string, runId: string, taskType: TaskType, readyAt: number): MonitorRecorder {
  const recorder = new MonitorRecorder({ taskId, runId, dispatchTime: readyAt, taskType, sink: new StoreMonitorLogSink(store) });
  recorder.markStarted(readyAt);
  return recorder;
}
