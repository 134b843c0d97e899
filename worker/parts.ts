/**
 * The parallel pipelines of one split full load (`runtime.parallelism`, DataX's channels). Each part is a whole
 * execution of the task narrowed to one key range, with its own reader and writer connections; the run that split
 * it adds up the parts' counts, keeps their dirty records, checks the dirty limit over all of them, and ends them.
 * Part 0 runs on the run's own thread, the others in worker threads, so the copy uses more than one core; only
 * counts, dirty records and the outcome cross between threads, never rows.
 */
import { Worker } from 'node:worker_threads';
import type { ConnectorLogger, DataSourceRecord, TaskSpec } from '../connectors/sdk/index.ts';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import { FdiError } from '../core/fdi-error.ts';
import type { TaskMonitorLog } from '../core/monitor-log.ts';
import { STATUS, type ExecuteStatus, type StatusCode } from '../core/status-codes.ts';
import type { DirtyRecord } from '../core/store.ts';
import { MemoryCheckpointStore } from './checkpoint.ts';
import type { ExecutionCounts, ExecutionDeps, ExecutionRequest } from './execution.ts';
import { ADAPTER_STAGE, errorMessage } from './monitor-recorder.ts';

/** What one part runs: the run's task narrowed to a key range, with the data sources it names. */
export interface PartInput {
  task: TaskSpec;
  datasources: DataSourceRecord[];
  runId: string;
  dispatchTime: number;
}

export interface PartFailure {
  code: StatusCode;
  stage: string;
  message: string;
}

export interface PartOutcome {
  status: ExecuteStatus;
  counts: ExecutionCounts;
  failure?: PartFailure;
}

/** How a part reports to the run that split it. */
export interface PartHooks {
  onCounts(counts: ExecutionCounts): void;
  /** Resolves once the run's dirty sink has the records; a rejection fails the part (nothing is lost). */
  keepDirty(records: DirtyRecord[]): Promise<void>;
  log: ConnectorLogger;
}

export interface PartRun {
  readonly outcome: Promise<PartOutcome>;
  /** Stop the part now (it ends CANCELLED). */
  terminate(): void;
}

export type RunExecution = (req: ExecutionRequest, deps: ExecutionDeps) => Promise<TaskMonitorLog>;

export const ZERO_COUNTS: Readonly<ExecutionCounts> = { read: 0, unreadable: 0, readBytes: 0, written: 0, writtenBytes: 0, writerDirty: 0 };

/** How often a part in a thread posts its running counts. */
const COUNTS_INTERVAL_MS = 100;

/** Run one part on this thread: an execution of the part's task whose log is its outcome. */
export async function executePart(input: PartInput, hooks: PartHooks, registry: ConnectorRegistry, signal: AbortSignal, run: RunExecution): Promise<PartOutcome> {
  let counts: ExecutionCounts = { ...ZERO_COUNTS };
  const log = await run(
    { task: input.task, runId: input.runId, dispatchTime: input.dispatchTime, signal },
    {
      registry,
      resolveDatasource: async (id) => {
        const ds = input.datasources.find((d) => d.datasource_id === id);
        if (!ds) throw new FdiError('FDI.3147', `data source ${id} does not exist.`, 'datasource_id');
        return ds;
      },
      // A full load keeps no checkpoint; the part's own monitor log is folded into the run's.
      checkpoints: new MemoryCheckpointStore(),
      monitorSink: { save: async () => undefined },
      dirtySink: { write: (records) => hooks.keepDirty(records), close: async () => undefined },
      logger: hooks.log,
      onCounts: (c) => {
        counts = c;
        hooks.onCounts(c);
      },
    },
  );
  const failure = log.execute_status === 'ERROR' ? failureOf(log) : undefined;
  return { status: log.execute_status, counts, ...(failure ? { failure } : {}) };
}

/** The step that failed the part's log: its code, stage and reason. */
function failureOf(log: TaskMonitorLog): PartFailure {
  const failed = [...log.detail_logs].reverse().find((s) => s.position_status === 'RUNTIME_ERR' || s.position_status === 'INTERNAL_ERR');
  if (failed) return { code: failed.status, stage: failed.stage, message: failed.remarks };
  return { code: STATUS.RUN_ABNORMAL, stage: ADAPTER_STAGE, message: log.remarks };
}

/** Messages from a part's thread to the run. */
export type FromPartThread =
  | { type: 'counts'; counts: ExecutionCounts }
  | { type: 'dirty'; id: number; records: DirtyRecord[] }
  | { type: 'log'; level: keyof ConnectorLogger; message: string; data?: Record<string, unknown> }
  | { type: 'done'; outcome: PartOutcome };

/** Messages from the run to a part's thread. */
export type ToPartThread = { type: 'start'; input: PartInput } | { type: 'terminate' } | { type: 'dirty-kept'; id: number; error?: string };

type ThreadEvent = { kind: 'message'; message: FromPartThread } | { kind: 'error'; error: unknown } | { kind: 'exit'; code: number };

/**
 * A worker thread for one part (`part-thread.ts`), started before the run knows its key ranges: loading the engine
 * and the drivers takes a thread about half a second, which so overlaps the run's own start (connecting, the
 * bounds query, creating or clearing the table). Unused, it is discarded.
 */
export class PartThread {
  private readonly worker: Worker | null = null;
  private readonly startError: unknown;
  /** Events that came before `run` (a thread that failed while loading). */
  private readonly early: ThreadEvent[] = [];
  private handle: ((e: ThreadEvent) => void) | null = null;
  private ended = false;

  constructor() {
    try {
      this.worker = new Worker(new URL('./part-thread.mjs', import.meta.url));
    } catch (err) {
      this.startError = err;
      return;
    }
    const deliver = (e: ThreadEvent): void => (this.handle ? this.handle(e) : void this.early.push(e));
    this.worker.on('message', (message: FromPartThread) => deliver({ kind: 'message', message }));
    this.worker.on('error', (error) => deliver({ kind: 'error', error }));
    this.worker.on('exit', (code) => deliver({ kind: 'exit', code }));
  }

  /** Run `input` in this thread; once only. */
  run(input: PartInput, hooks: PartHooks): PartRun {
    const worker = this.worker;
    if (!worker) return failedPart(`a pipeline thread could not start: ${errorMessage(this.startError)}`);
    let last: ExecutionCounts = { ...ZERO_COUNTS };
    const post = (m: ToPartThread): void => {
      if (!this.ended) worker.postMessage(m);
    };
    const outcome = new Promise<PartOutcome>((resolve) => {
      const end = (o: PartOutcome): void => {
        if (this.ended) return;
        this.ended = true;
        resolve(o);
        // Its log is in: nothing the thread still holds (an idle pool's timer) may keep it alive.
        void worker.terminate();
      };
      const broken = (message: string): void =>
        end({ status: 'ERROR', counts: last, failure: { code: STATUS.RUN_ABNORMAL, stage: ADAPTER_STAGE, message } });
      this.handle = (e) => {
        if (e.kind === 'error') return broken(`a pipeline thread failed: ${errorMessage(e.error)}`);
        if (e.kind === 'exit') return broken(`a pipeline thread exited (code ${e.code}) before its part ended`);
        const m = e.message;
        switch (m.type) {
          case 'counts':
            last = m.counts;
            hooks.onCounts(m.counts);
            break;
          case 'dirty':
            hooks.keepDirty(m.records).then(
              () => post({ type: 'dirty-kept', id: m.id }),
              (err: unknown) => post({ type: 'dirty-kept', id: m.id, error: errorMessage(err) }),
            );
            break;
          case 'log':
            hooks.log[m.level](m.message, m.data);
            break;
          case 'done':
            hooks.onCounts(m.outcome.counts);
            end(m.outcome);
            break;
        }
      };
      for (const e of this.early.splice(0)) this.handle(e);
      try {
        post({ type: 'start', input });
      } catch (err) {
        broken(`a pipeline thread could not start: ${errorMessage(err)}`);
      }
    });
    return { outcome, terminate: () => post({ type: 'terminate' }) };
  }

  /** The thread is not needed (the run did not split, or into fewer parts). */
  discard(): void {
    this.ended = true;
    void this.worker?.terminate();
  }
}

function failedPart(message: string): PartRun {
  const failure = { code: STATUS.RUN_ABNORMAL, stage: ADAPTER_STAGE, message };
  return { outcome: Promise.resolve({ status: 'ERROR', counts: { ...ZERO_COUNTS }, failure }), terminate: () => undefined };
}

/** The thread side of `PartThread`: hooks that post to the run, throttling the counts. */
export function threadHooks(postToRun: (m: FromPartThread) => void, keptDirty: Map<number, (error?: string) => void>): PartHooks & { flushCounts(): void } {
  let pending: ExecutionCounts | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextDirty = 0;
  const flushCounts = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) postToRun({ type: 'counts', counts: pending });
    pending = null;
  };
  const logAt =
    (level: keyof ConnectorLogger) =>
    (message: string, data?: Record<string, unknown>): void => {
      try {
        postToRun({ type: 'log', level, message, ...(data ? { data } : {}) });
      } catch {
        // data that cannot cross threads (a function, a socket): the message still does
        postToRun({ type: 'log', level, message, data: { data: String(data) } });
      }
    };
  return {
    onCounts(counts) {
      pending = counts;
      timer ??= setTimeout(flushCounts, COUNTS_INTERVAL_MS);
    },
    keepDirty(records) {
      const id = nextDirty++;
      return new Promise<void>((resolve, reject) => {
        keptDirty.set(id, (error) => {
          keptDirty.delete(id);
          if (error === undefined) resolve();
          else reject(new Error(error));
        });
        postToRun({ type: 'dirty', id, records });
      });
    },
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    flushCounts,
  };
}
