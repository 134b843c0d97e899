/**
 * One execution of a task: adapter → reader ‖ writer through a bounded channel, with mapping, dirty routing,
 * the dirty threshold, checkpoints committed only after the writer made rows durable, cancellation, and the
 * monitor log of every step. `runExecution` never throws for a run failure: the returned log says ERROR.
 */
import type {
  Checkpoint,
  ConnectorLogger,
  DataSourceRecord,
  KeyRange,
  Reader,
  RejectedRecord,
  Row,
  SourceBatch,
  TaskSpec,
  TextRows,
  WriteResult,
  Writer,
} from '../connectors/sdk/index.ts';
import { STOP_REASON, rowBytes } from '../connectors/sdk/index.ts';
import type { ConnectorRegistry } from '../connectors/registry/index.ts';
import type { MonitorLogSink, TaskMonitorLog } from '../core/monitor-log.ts';
import { STATUS } from '../core/status-codes.ts';
import type { DirtyRecord } from '../core/store.ts';
import { BoundedChannel } from './channel.ts';
import type { CheckpointStore } from './checkpoint.ts';
import type { DirtySink } from './dirty.ts';
import { dirtyLimitCrossed } from './dirty-limit.ts';
import { resolveEndpoint, type Endpoint } from './endpoints.ts';
import { dirtyRecord, keepDirty, validRejected } from './dirty-records.ts';
import { connectorDirtySink } from './error-handler.ts';
import { StageFailure, describeFailure } from './failure.ts';
import { newId } from './ids.ts';
import { IntegrityCancelled, checkIntegrity } from './integrity.ts';
import { integrityCheckEnabled } from './integrity-config.ts';
import { RejectedKeys } from './integrity-tracker.ts';
import { rowToJson } from './json-value.ts';
import { isTextRows } from './text-rows.ts';
import { buildRowMapper, type RowMapper } from './mapping.ts';
import { PartThread, ZERO_COUNTS, executePart, type PartHooks, type PartInput, type PartRun } from './parts.ts';
import { isBuiltinConnector } from '../connectors/builtins.ts';
import { ADAPTER_STAGE, MonitorRecorder, errorMessage } from './monitor-recorder.ts';

export interface ExecutionRequest {
  task: TaskSpec;
  /** Default: a new id (32 hex characters). Ignored when `recorder` is given (its id wins). */
  runId?: string;
  /** The planned instant, epoch ms; default now. */
  dispatchTime?: number;
  /** Abort = terminate (106/505/16, CANCELLED); for a realtime task, abort with reason 'stop' = drain, SUCCESS. */
  signal?: AbortSignal;
  /** Abort = terminate, also while a stop of `signal` drains (how a second Ctrl-C of `fdi run` escalates a stop). */
  terminateSignal?: AbortSignal;
  /** Log 108/507 instead of 100/500. */
  resumed?: boolean;
  /** A recorder that already logged 900 (and maybe 906/908); else runExecution logs 900 itself. */
  recorder?: MonitorRecorder;
}

export interface ExecutionDeps {
  registry: ConnectorRegistry;
  /** Throws FdiError FDI.3147 for an unknown id. */
  resolveDatasource(id: string): Promise<DataSourceRecord>;
  checkpoints: CheckpointStore;
  monitorSink: MonitorLogSink;
  /** Used when the task has no error_handler. The engine does not close it (it may be shared). */
  dirtySink: DirtySink;
  logger?: ConnectorLogger;
  onProgress?(log: TaskMonitorLog): void;
  /** The exact running counts, after every batch read and every batch written (how a split run adds up its parts). */
  onCounts?(counts: ExecutionCounts): void;
}

/** A run's counts as the engine keeps them: records, unreadable records and bytes read; written and dirty at the writer. */
export interface ExecutionCounts {
  read: number;
  unreadable: number;
  readBytes: number;
  written: number;
  writtenBytes: number;
  writerDirty: number;
}

export { STOP_REASON };

export function runExecution(req: ExecutionRequest, deps: ExecutionDeps): Promise<TaskMonitorLog> {
  return new Execution(req, deps).run();
}

/** How long a reader's or writer's close may take before the run ends without it. */
const CLOSE_TIMEOUT_MS = 30_000;

const silentLogger: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Records mapped between two looks at I/O when the next batch is staged during a write (about a millisecond). */
const STAGING_SLICE = 128;

/** A batch after the engine's own work on it (unreadable records, mapping), ready for the writer. */
interface StagedBatch {
  batch: SourceBatch;
  /** When staging began: the time of its dirty records. */
  now: number;
  dirty: DirtyRecord[];
  rows: Row[];
  /** The source record of each of `rows`, for the dirty record of a row the target refuses. */
  originals: Row[];
  /** The size of each of `rows` the reader already measured (a record that went on unchanged), else undefined. */
  sizes: (number | undefined)[];
  mappingDirty: number;
  /** The rows as the source's text, going to the writer as they are (`rows` is then empty). */
  text?: TextRows;
}

/** The reader's `recordBytes` of one record, if it gave a plausible list. */
function measuredSize(batch: SourceBatch, index: number): number | undefined {
  const sizes = batch.recordBytes;
  if (!sizes || sizes.length !== batchCount(batch)) return undefined;
  const size = sizes[index];
  return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : undefined;
}

/** The batch's rows as text, when it gives them so (a batch with records is taken by its records). */
function textOf(batch: SourceBatch): TextRows | undefined {
  return batch.records.length === 0 ? batch.text : undefined;
}

/** The records of a batch: those it carries, or its text rows as records. */
function recordsOf(batch: SourceBatch): Row[] {
  return textOf(batch)?.records() ?? batch.records;
}

/** How many records a batch holds, without making records of its text rows. */
function batchCount(batch: SourceBatch): number {
  return textOf(batch)?.count ?? batch.records.length;
}

const ABORTED: unique symbol = Symbol('aborted');

/** `promise`, or ABORTED as soon as `signal` aborts (the promise is then left to settle on its own). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Thrown inside the pipeline when the run was terminated: not a failure of the step that saw it. */
class Cancelled extends Error {
  constructor() {
    super('terminated');
    this.name = 'Cancelled';
  }
}

class Execution {
  private readonly task: TaskSpec;
  private readonly log: ConnectorLogger;
  private readonly recorder: MonitorRecorder;
  private readonly runId: string;
  private readonly dispatchTime: number;
  private readonly realtime: boolean;

  /** Terminate or a failed side: reader and writer stop now. */
  private readonly hard = new AbortController();
  /** The reader stops: on drain, and with `hard`. */
  private readonly readerStop = new AbortController();
  /** The error_handler writer outlives terminate (dirty records are kept); aborted only at the very end. */
  private readonly dirtyStop = new AbortController();

  private cancelled = false;
  private cancelReason = '';
  private failure: StageFailure | null = null;
  private settled = false;

  private source: Endpoint | null = null;
  private target: Endpoint | null = null;
  private reader: Reader | null = null;
  private writer: Writer | null = null;
  private writerOpened = false;
  /** The writer began connecting or opening, so it may hold what `close` releases; a writer only made does not. */
  private writerTouched = false;
  private readerStepLogged = false;
  private writerStepLogged = false;
  private ownDirtySink: DirtySink | null = null;
  private dirtySink: DirtySink;
  private mapper: RowMapper | null = null;
  private channel: BoundedChannel<SourceBatch> | null = null;
  /** Worker threads started early for the parts of a split full load; those not used are discarded at the end. */
  private readonly partThreads: PartThread[] = [];
  /** Whether text rows go to the writer as they are (`takesText`); undefined until the first text batch. */
  private textAccepted: boolean | undefined;
  /** Set when this run ends with the 902–905 integrity check: the keys of rows the target refused. */
  private integrity: RejectedKeys | null = null;

  private readingStepId: string | null = null;
  private writingStepId: string | null = null;
  private lastCheckpoint: { cp: Checkpoint } | null = null;
  private lastCheckpointSave = 0;
  /** The latest checkpoint not yet committed to the reader (writers that are durable only after finish). */
  private uncommitted: { cp: Checkpoint } | null = null;

  // counters
  private readRecords = 0;
  private readUnreadable = 0;
  private readBytes = 0;
  private written = 0;
  private writtenBytes = 0;
  private writerDirty = 0;

  constructor(
    private readonly req: ExecutionRequest,
    private readonly deps: ExecutionDeps,
  ) {
    this.task = req.task;
    this.log = deps.logger ?? silentLogger;
    this.realtime = req.task.taskType === 'REALTIME';
    this.dirtySink = deps.dirtySink;
    if (req.recorder) {
      this.recorder = req.recorder;
      if (deps.onProgress) this.recorder.addChangeListener(deps.onProgress);
    } else {
      this.recorder = new MonitorRecorder({
        taskId: req.task.taskId,
        runId: req.runId ?? newId(),
        dispatchTime: req.dispatchTime ?? Date.now(),
        taskType: req.task.taskType,
        sink: deps.monitorSink,
        progressIntervalMs: req.task.runtime.progressIntervalMs,
        ...(deps.onProgress ? { onChange: deps.onProgress } : {}),
        onSinkError: (err) => this.log.warn('monitor log could not be saved; the run goes on', { error: errorMessage(err) }),
      });
      this.recorder.step(STATUS.DISPATCH_RECEIVED, { stage: ADAPTER_STAGE, remarks: `${req.task.taskName} dispatch request received.` });
    }
    this.runId = this.recorder.runId;
    this.dispatchTime = this.recorder.dispatchTime;
    this.recorder.setProgressInterval(req.task.runtime.progressIntervalMs);
  }

  async run(): Promise<TaskMonitorLog> {
    const onAbort = (): void => this.onAbort();
    const onTerminate = (): void => this.terminate(this.req.terminateSignal?.reason);
    try {
      this.recorder.markStarted();
      this.recorder.setExecuteStatus('RUNNING');
      this.recorder.step(STATUS.TASK_START, { stage: ADAPTER_STAGE, remarks: `${this.task.taskName} start successfully.` });
      if (this.req.signal?.aborted) this.onAbort();
      else this.req.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.req.terminateSignal?.aborted) onTerminate();
      else this.req.terminateSignal?.addEventListener('abort', onTerminate, { once: true });
      if (!this.cancelled) await this.execute();
      return await this.conclude();
    } catch (err) {
      // A bug of the engine itself: still end the log, with the reason.
      this.log.error('execution failed unexpectedly', { error: errorMessage(err), runId: this.runId });
      if (!this.failure && !this.cancelled) {
        this.fail(new StageFailure(STATUS.RUN_ABNORMAL, ADAPTER_STAGE, `internal error: ${errorMessage(err)}`));
      }
      await this.closeAll();
      return this.recorder.finish(this.cancelled ? 'CANCELLED' : 'ERROR', this.runRemarks());
    } finally {
      this.req.signal?.removeEventListener('abort', onAbort);
      this.req.terminateSignal?.removeEventListener('abort', onTerminate);
      this.dirtyStop.abort();
      for (const thread of this.partThreads.splice(0)) thread.discard();
    }
  }

  // ---- setup and pipeline ----

  private async execute(): Promise<void> {
    const { task, deps } = this;
    try {
      if (integrityCheckEnabled(task)) this.integrity = new RejectedKeys();
    } catch (err) {
      this.fail(new StageFailure(STATUS.RUN_ABNORMAL, ADAPTER_STAGE, describeFailure(err), { cause: err }));
      return;
    }
    this.startPartThreads();
    try {
      this.source = await resolveEndpoint('source', task.sourceDatasourceId, task.taskType, deps.registry, deps.resolveDatasource);
    } catch (err) {
      this.fail(new StageFailure(STATUS.READER_START_FAILED, ADAPTER_STAGE, describeFailure(err), { cause: err }));
      return;
    }
    if (this.cancelled) return;
    try {
      this.target = await resolveEndpoint('target', task.targetDatasourceId, task.taskType, deps.registry, deps.resolveDatasource);
      const own = await connectorDirtySink({
        task,
        registry: deps.registry,
        resolveDatasource: deps.resolveDatasource,
        runId: this.runId,
        dispatchTime: this.dispatchTime,
        signal: this.dirtyStop.signal,
        log: this.log,
      });
      if (own) this.dirtySink = this.ownDirtySink = own;
      this.mapper = buildRowMapper(task);
    } catch (err) {
      this.fail(new StageFailure(STATUS.WRITER_START_FAILED, ADAPTER_STAGE, describeFailure(err), { cause: err }));
      return;
    }
    if (this.cancelled) return;
    const source = this.source;
    let checkpoint: Checkpoint | null;
    try {
      checkpoint = await deps.checkpoints.load(task.taskId);
      const make = source.def.reader;
      if (!make) throw new Error(`the "${source.def.type}" connector cannot read`);
      this.reader = make({
        task,
        datasource: source.datasource,
        signal: this.readerStop.signal,
        log: this.log,
        runId: this.runId,
        dispatchTime: this.dispatchTime,
        resumed: this.req.resumed ?? false,
        checkpoint,
        // The integrity check's tracker sees only records (RejectedKeys).
        takesText: task.runtime.textTransfer && this.target?.def.writesText === true && this.mapper?.passesUnchanged != null && !this.integrity,
      });
    } catch (err) {
      this.fail(new StageFailure(STATUS.READER_START_FAILED, source.stage, describeFailure(err), { cause: err }));
      return;
    }
    if (this.cancelled) return;
    this.recorder.step(this.req.resumed ? STATUS.READER_RESUMED : STATUS.READER_START, {
      stage: source.stage,
      remarks: this.req.resumed ? `Reader resumed from checkpoint ${JSON.stringify(checkpoint)}.` : undefined,
    });
    this.readerStepLogged = true;
    this.recorder.markReadStart();
    if (this.target) this.connectWriterEarly(this.target);
    try {
      await this.reader.open();
    } catch (err) {
      if (this.cancelled) return;
      this.fail(new StageFailure(STATUS.READER_START_FAILED, source.stage, describeFailure(err), { cause: err }));
      return;
    }
    if (this.cancelled) return;
    const ranges = await this.planParts(source);
    if (!ranges) for (const unused of this.partThreads.splice(0)) unused.discard();
    if (this.cancelled || this.failure) return;
    if (ranges) {
      await this.runParts(ranges, source);
      return;
    }
    this.channel = new BoundedChannel<SourceBatch>(Math.max(1, Math.floor(task.runtime.channelCapacity)));
    await Promise.all([this.pump(this.reader, this.channel, source), this.consume(this.channel)]);
  }

  /** Reader side: batches into the channel until the source ends, the reader fails, or the run stops. */
  private async pump(reader: Reader, channel: BoundedChannel<SourceBatch>, source: Endpoint): Promise<void> {
    let ended = false;
    let iterator: AsyncIterator<SourceBatch> | null = null;
    const builtinReader = isBuiltinConnector(source.def);
    try {
      iterator = reader.batches()[Symbol.asyncIterator]();
      for (;;) {
        // Drain asks for no new batch, but takes the one already asked for (the reader returns promptly once its
        // signal aborts); terminate stops waiting at once.
        if (this.readerStop.signal.aborted) break;
        const next = await untilAborted(iterator.next(), this.hard.signal);
        if (next === ABORTED) break;
        if (next.done) {
          ended = true;
          break;
        }
        const batch = next.value;
        if (!batch || !Array.isArray(batch.records)) throw new Error('the reader yielded a batch without a records list');
        if (batch.text !== undefined && !isTextRows(batch.text, !builtinReader)) throw new Error('the reader yielded a batch with malformed text rows');
        this.countRead(batch, source);
        await channel.send(batch, this.hard.signal);
      }
    } catch (err) {
      if (!this.hard.signal.aborted) {
        this.fail(new StageFailure(STATUS.SOURCE_ERROR, source.stage, describeFailure(err), { cause: err }));
      }
    }
    if (!ended && iterator?.return) {
      try {
        iterator.return(undefined).catch(() => undefined);
      } catch {
        // a reader whose return() throws has stopped anyway
      }
    }
    this.endRead(source);
    channel.close();
  }

  private endRead(source: Endpoint): void {
    this.recorder.markReadEnd();
    if (this.readingStepId) this.recorder.endStep(this.readingStepId, this.readCounts());
    if (!this.failure && !this.cancelled && this.readTotal() > 0) {
      this.recorder.step(STATUS.READ_FINISHED, { stage: source.stage, counts: this.readCounts(), remarks: `${this.readTotal()} records read.` });
      this.recorder.step(STATUS.READER_END, { stage: source.stage, counts: this.readCounts() });
    }
  }

  // ---- a full load split into parallel pipelines (worker/parts.ts) ----

  /** The key ranges of this run's parts, or null for one pipeline (`runtime.parallelism` 1, or a read that cannot split). */
  private async planParts(source: Endpoint): Promise<KeyRange[] | null> {
    const parts = this.parallelism();
    if (parts <= 1) return null;
    const onePipeline = (why: string): null => {
      this.log.info(`runtime.parallelism is ${parts}, but this run is one pipeline: ${why}`, { taskId: this.task.taskId });
      return null;
    };
    const why = this.unsplittable(source);
    if (why) return onePipeline(why);
    let ranges: KeyRange[] | null;
    try {
      ranges = (await this.reader?.splitKeyRanges?.(parts)) ?? null;
    } catch (err) {
      if (!this.cancelled) this.fail(new StageFailure(STATUS.SOURCE_ERROR, source.stage, `key ranges of the parts: ${describeFailure(err)}`, { cause: err }));
      return null;
    }
    return ranges ?? onePipeline('its read cannot be split (custom SQL, an incremental window, an order column, no single-column integer primary key, or fewer than two keys)');
  }

  /**
   * The worker threads a split would use, started now, before the run connects: loading the engine in a thread takes
   * about half a second, which so overlaps this run's own start. Only what is known before the endpoints resolve
   * decides it; a run that then does not split discards them.
   */
  private startPartThreads(): void {
    const parts = this.parallelism();
    if (parts <= 1 || this.taskRefusesSplit()) return;
    for (let i = 1; i < parts; i++) this.partThreads.push(new PartThread());
  }

  private parallelism(): number {
    return Math.floor(this.task.runtime.parallelism);
  }

  /** Why this task cannot run as parallel parts whatever its endpoints are, or undefined. */
  private taskRefusesSplit(): string | undefined {
    if (this.realtime) return 'a realtime task';
    if (this.integrity) return 'the integrity check (902–905) compares one read with the target';
    if (this.task.target.batchNumber) return 'batchNumber stamps the rows of one writer';
    return undefined;
  }

  private unsplittable(source: Endpoint): string | undefined {
    const refused = this.taskRefusesSplit();
    if (refused) return refused;
    if (!this.target || !isBuiltinConnector(source.def) || !isBuiltinConnector(this.target.def)) return 'a plugin connector runs in this thread only';
    return undefined;
  }

  /**
   * Each key range as a whole execution of its own (part 0 here, the others in worker threads), after this run's
   * writer has created or cleared the table once; this run adds up their counts and ends them all when one fails.
   */
  private async runParts(ranges: KeyRange[], source: Endpoint): Promise<void> {
    const target = this.target as Endpoint;
    this.log.info(`full load split into ${ranges.length} parts by ${ranges[0]?.column ?? 'key'}`, { taskId: this.task.taskId, ranges });
    this.readingStepId = this.recorder.beginStep(STATUS.READING, { stage: source.stage, counts: this.readCounts() });
    try {
      await this.ensureWriter(target);
    } catch (err) {
      if (err instanceof StageFailure) this.fail(err);
      return;
    }
    const counts: ExecutionCounts[] = ranges.map(() => ({ ...ZERO_COUNTS }));
    const hooks = (i: number): PartHooks => ({
      onCounts: (c) => {
        counts[i] = c;
        this.addUpParts(counts, target);
      },
      keepDirty: (records) => this.dirtySink.write(records),
      log: this.log,
    });
    const threads = this.partThreads.splice(0);
    for (const unused of threads.splice(ranges.length - 1)) unused.discard();
    const runs = ranges.map((range, i) =>
      i === 0 ? this.runPartHere(this.partInput(range), hooks(i)) : (threads[i - 1] ?? new PartThread()).run(this.partInput(range), hooks(i)),
    );
    const endParts = (): void => runs.forEach((r) => r.terminate());
    if (this.hard.signal.aborted) endParts();
    else this.hard.signal.addEventListener('abort', endParts, { once: true });
    await Promise.all(
      runs.map(async (run, i) => {
        const outcome = await run.outcome;
        counts[i] = outcome.counts;
        if (outcome.status === 'SUCCESS' || this.cancelled || this.failure) return;
        const f = outcome.failure ?? { code: STATUS.RUN_ABNORMAL, stage: ADAPTER_STAGE, message: `part ${i + 1} of ${ranges.length} ended ${outcome.status}` };
        this.fail(new StageFailure(f.code, f.stage, f.message));
        this.stopNow();
      }),
    );
    this.hard.signal.removeEventListener('abort', endParts);
    this.addUpParts(counts, target);
    this.endRead(source);
  }

  private runPartHere(input: PartInput, hooks: PartHooks): PartRun {
    const stop = new AbortController();
    return { outcome: executePart(input, hooks, this.deps.registry, stop.signal, runExecution), terminate: () => stop.abort('terminated with the run') };
  }

  /** The task narrowed to one key range; table set-up, dirty records and the dirty limit stay with this run. */
  private partInput(keyRange: KeyRange): PartInput {
    const { errorHandler: _keptByTheRun, ...task } = this.task;
    return {
      task: {
        ...task,
        source: { ...task.source, keyRange },
        target: { ...task.target, targetNeedCreateTable: false, isSupportClearTab: false },
        runtime: { ...task.runtime, parallelism: 1, integrityCheck: false, dirtyMaxCount: null, dirtyMaxRatio: null },
      },
      datasources: [(this.source as Endpoint).datasource.record, (this.target as Endpoint).datasource.record],
      runId: this.runId,
      dispatchTime: this.dispatchTime,
    };
  }

  private addUpParts(counts: readonly ExecutionCounts[], target: Endpoint): void {
    const sum = (k: keyof ExecutionCounts): number => counts.reduce((n, c) => n + c[k], 0);
    this.readRecords = sum('read');
    this.readUnreadable = sum('unreadable');
    this.readBytes = sum('readBytes');
    this.written = sum('written');
    this.writtenBytes = sum('writtenBytes');
    this.writerDirty = sum('writerDirty');
    if (this.readingStepId) this.recorder.updateStep(this.readingStepId, this.readCounts());
    this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
    if (this.writingStepId) this.recorder.updateStep(this.writingStepId, this.writeCounts());
    this.reportCounts();
    const crossed = dirtyLimitCrossed(this.task.runtime, this.written + this.dirtyTotal(), this.dirtyTotal());
    if (crossed && !this.failure && !this.cancelled) {
      this.fail(new StageFailure(STATUS.WRITER_INTERRUPTED, target.stage, crossed));
      this.stopNow();
    }
  }

  private countRead(batch: SourceBatch, source: Endpoint): void {
    const unreadable = batch.unreadable?.length ?? 0;
    const count = batchCount(batch);
    this.readRecords += count;
    this.readUnreadable += unreadable;
    this.readBytes += Number.isFinite(batch.bytes) && batch.bytes > 0 ? batch.bytes : 0;
    if (count + unreadable === 0) return;
    this.reportCounts();
    if (!this.readingStepId) {
      this.readingStepId = this.recorder.beginStep(STATUS.READING, { stage: source.stage, counts: this.readCounts() });
    } else {
      this.recorder.updateStep(this.readingStepId, this.readCounts());
    }
  }

  /**
   * Writer side: map, write, route dirty, flush, commit, check the threshold; batch by batch. While a batch is being
   * written, the next one already in the channel is mapped (and handed to the writer's `prepare`), so the engine's
   * own work overlaps the target's instead of waiting for it; it is written only after the batch before it is
   * committed, as before.
   */
  private async consume(channel: BoundedChannel<SourceBatch>): Promise<void> {
    try {
      let ahead: StagedBatch | undefined;
      for (;;) {
        let staged = ahead;
        ahead = undefined;
        if (!staged) {
          const next = await channel.receive(this.hard.signal);
          if (next.done) break;
          staged = this.stageBatch(next.value);
        }
        ahead = await this.writeStaged(staged, () => this.stageAhead(channel));
      }
    } catch (err) {
      if (!this.cancelled && !this.failure) {
        this.fail(
          err instanceof StageFailure
            ? err
            : new StageFailure(STATUS.TARGET_ERROR, this.target?.stage ?? ADAPTER_STAGE, describeFailure(err), { cause: err }),
        );
      }
      // The reader must not run on: nothing it reads now could be written.
      this.stopNow();
      channel.cancel(new Cancelled());
    }
  }

  /** Unreadable records and the mapping of one batch: the engine's work on it before the write. */
  private stageBatch(batch: SourceBatch): StagedBatch {
    const staged = this.startStaging(batch);
    // Text rows wait for the writer's word (writeStaged); once it said no, they are staged as records.
    const text = textOf(batch);
    if (text && this.textAccepted !== false) {
      staged.text = text;
      return staged;
    }
    return this.stageRecords(staged, recordsOf(batch));
  }

  /** Maps `records` (the batch's, in order) into `staged`. */
  private stageRecords(staged: StagedBatch, records: readonly Row[]): StagedBatch {
    records.forEach((record, i) => this.stageRecord(staged, record, i));
    return this.endStaging(staged);
  }

  /**
   * `stageBatch` of the batch the channel already holds, if any, in slices that let I/O through between them: the
   * batch being written needs its round trips answered while this runs. Then the writer may prepare it.
   */
  private async stageAhead(channel: BoundedChannel<SourceBatch>): Promise<StagedBatch | undefined> {
    const batch = channel.tryReceive();
    if (batch === undefined) return undefined;
    const staged = this.startStaging(batch);
    const text = textOf(batch);
    if (text && this.textAccepted === true) {
      staged.text = text;
      this.writer?.prepareText?.(text);
      return staged;
    }
    const records = recordsOf(batch);
    let slice = 0;
    for (let i = 0; i < records.length; i++) {
      this.stageRecord(staged, records[i] as Row, i);
      if (++slice === STAGING_SLICE) {
        slice = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    const done = this.endStaging(staged);
    if (done.rows.length > 0 && this.writer && this.writerOpened) this.writer.prepare?.(done.rows);
    return done;
  }

  private startStaging(batch: SourceBatch): StagedBatch {
    const source = this.source as Endpoint;
    const now = Date.now();
    const dirty: DirtyRecord[] = [];
    for (const u of batch.unreadable ?? []) {
      dirty.push(this.dirtyRecord(source.stage, u.reason, u.raw, u.column, now));
    }
    return { batch, now, dirty, rows: [], originals: [], sizes: [], mappingDirty: 0 };
  }

  private stageRecord(staged: StagedBatch, record: Row, index: number): void {
    const m = (this.mapper as RowMapper).map(record);
    if (m.ok) {
      staged.rows.push(m.row);
      staged.originals.push(record);
      staged.sizes.push(m.row === record ? measuredSize(staged.batch, index) : undefined);
    } else {
      staged.mappingDirty++;
      staged.dirty.push(this.dirtyRecord('mapping', m.reason, rowToJson(record), m.column, staged.now));
    }
  }

  private endStaging(staged: StagedBatch): StagedBatch {
    for (const column of (this.mapper as RowMapper).takeMissingColumns()) {
      this.log.warn(`source column "${column}" is missing from records; mapped as null`, { taskId: this.task.taskId, column });
    }
    return staged;
  }

  /**
   * Write a staged batch, then route its dirty records, count, flush, commit its checkpoint and check the threshold.
   * `ahead` runs while the write is in flight; what it staged is returned for the next turn.
   */
  private async writeStaged(staged: StagedBatch, ahead: () => Promise<StagedBatch | undefined>): Promise<StagedBatch | undefined> {
    const target = this.target as Endpoint;
    if (staged.text && !(await this.takesText(staged.text, target))) {
      const records = staged.text.records();
      delete staged.text;
      this.stageRecords(staged, records);
    }
    const { batch, dirty, rows, originals, sizes, mappingDirty, now, text } = staged;
    const source = this.source as Endpoint;
    const count = text ? text.count : rows.length;
    let next: StagedBatch | undefined;
    let written = 0;
    let writtenBytes = 0;
    let rejectedCount = 0;
    if (count > 0) {
      const writer = await this.ensureWriter(target);
      let rejected: RejectedRecord[];
      let pending: Promise<WriteResult>;
      try {
        pending = text ? (writer.writeText as (rows: TextRows) => Promise<WriteResult>).call(writer, text) : writer.write(rows);
      } catch (err) {
        throw this.writerError(err, target);
      }
      // Staging is the engine's pure work (mapping); a failure there is this run's failure once the write is done.
      const staging = ahead().then(
        (next) => ({ ok: true as const, next }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      try {
        const result = await pending;
        rejected = validRejected(result?.rejected, count);
      } catch (err) {
        throw this.writerError(err, target);
      }
      const aheadResult = await staging;
      if (!aheadResult.ok) throw aheadResult.error;
      next = aheadResult.next;
      const refused = new Set<number>();
      const sources = text && rejected.length > 0 ? text.records() : originals;
      for (const r of rejected) {
        refused.add(r.index);
        dirty.push(this.dirtyRecord(target.stage, r.reason, rowToJson(sources[r.index] ?? {}), r.column, now));
      }
      rejectedCount = rejected.length;
      if (text) {
        written = count - refused.size;
        for (let i = 0; i < count; i++) if (!refused.has(i)) writtenBytes += measuredSize(batch, i) ?? 0;
        // Written, the refused ones are dirty records of their own: the reader may reuse the rows' memory.
        text.release?.();
      } else {
        rows.forEach((row, i) => {
          if (!refused.has(i)) {
            written++;
            writtenBytes += sizes[i] ?? rowBytes(row);
          }
        });
      }
    }
    await keepDirty(this.dirtySink, dirty, target.stage);
    this.written += written;
    this.writtenBytes += writtenBytes;
    this.writerDirty += mappingDirty + rejectedCount;
    this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
    if (this.writingStepId) this.recorder.updateStep(this.writingStepId, this.writeCounts());
    this.reportCounts();

    if (count > 0 && this.writer) {
      try {
        await this.writer.flush();
      } catch (err) {
        throw this.writerError(err, target);
      }
    }
    if (batch.checkpoint !== undefined) {
      if (this.writer?.durableOnlyAfterFinish) {
        // Rows of this writer survive only through finish(): the reader hears of them after it (completeSuccessfully).
        this.uncommitted = { cp: batch.checkpoint };
      } else {
        await this.commitReader(batch.checkpoint, source);
        if (this.realtime) await this.saveRunningCheckpoint(batch.checkpoint);
      }
      this.lastCheckpoint = { cp: batch.checkpoint };
    }
    const crossed = dirtyLimitCrossed(this.task.runtime, this.written + this.dirtyTotal(), this.dirtyTotal());
    if (crossed) throw new StageFailure(STATUS.WRITER_INTERRUPTED, target.stage, crossed);
    return next;
  }

  private async commitReader(cp: Checkpoint, source: Endpoint): Promise<void> {
    try {
      await this.reader?.commit?.(cp);
    } catch (err) {
      throw new StageFailure(STATUS.SOURCE_ERROR, source.stage, `checkpoint commit failed: ${describeFailure(err)}`, { cause: err });
    }
  }

  /**
   * A realtime run never ends on its own: its committed checkpoint also goes to the store as it runs (at most
   * every progressIntervalMs), so a worker that takes over (108/507) starts from it. A failed save is only
   * logged here; the reader's own commit (Kafka offsets) already holds the position.
   */
  private async saveRunningCheckpoint(cp: Checkpoint): Promise<void> {
    const now = Date.now();
    if (now - this.lastCheckpointSave < this.task.runtime.progressIntervalMs) return;
    this.lastCheckpointSave = now;
    try {
      await this.deps.checkpoints.save(this.task.taskId, cp);
    } catch (err) {
      this.log.warn('checkpoint could not be saved; the run goes on', { taskId: this.task.taskId, error: errorMessage(err) });
    }
  }

  private writerError(err: unknown, target: Endpoint): Error {
    if (this.cancelled) return new Cancelled();
    return new StageFailure(STATUS.TARGET_ERROR, target.stage, describeFailure(err), { cause: err });
  }

  /**
   * Whether text rows go to the writer as they are: asked once per run, of the mapping (records of these fields pass
   * unchanged) and of the open writer (it lands their text exactly as it would land their records).
   */
  private async takesText(text: TextRows, target: Endpoint): Promise<boolean> {
    if (this.textAccepted === undefined) {
      const writer = await this.ensureWriter(target);
      const fields = text.columns.map((c) => c.name);
      this.textAccepted =
        this.mapper?.passesUnchanged?.(fields) === true && typeof writer.writeText === 'function' && writer.acceptsText?.(text) === true;
      this.log.info(this.textAccepted ? 'rows go to the target as the source text' : 'rows go to the target as records', { taskId: this.task.taskId });
    }
    return this.textAccepted;
  }

  private makeWriter(target: Endpoint): Writer {
    const make = target.def.writer;
    if (!make) throw new Error(`the "${target.def.type}" connector cannot write`);
    const writer = make({
      task: this.task,
      datasource: target.datasource,
      signal: this.hard.signal,
      log: this.log,
      runId: this.runId,
      dispatchTime: this.dispatchTime,
      resumed: this.req.resumed ?? false,
    });
    return this.integrity ? this.integrity.track(writer) : writer;
  }

  /**
   * The writer is made as the reader opens, and when it connects ahead (Writer.connect) its connection is begun, so
   * that it is ready when the first batch is. It is opened only then (ensureWriter); a run that reads nothing closes
   * only a writer that connected. One that cannot be made here is made again there, and that failure is 912.
   */
  private connectWriterEarly(target: Endpoint): void {
    try {
      this.writer = this.makeWriter(target);
    } catch {
      return;
    }
    if (this.writer.connect) {
      this.writerTouched = true;
      this.writer.connect();
    }
  }

  /** The writer opens on the first batch with rows, so a run that reads nothing leaves the target untouched. */
  private async ensureWriter(target: Endpoint): Promise<Writer> {
    if (this.writer && this.writerOpened) return this.writer;
    if (this.cancelled) throw new Cancelled();
    this.recorder.step(this.req.resumed ? STATUS.WRITER_RESUMED : STATUS.WRITER_START, { stage: target.stage });
    this.writerStepLogged = true;
    this.recorder.markWriteStart();
    try {
      this.writer ??= this.makeWriter(target);
      this.writerTouched = true;
      await this.writer.open();
    } catch (err) {
      if (this.cancelled) throw new Cancelled();
      throw new StageFailure(STATUS.WRITER_START_FAILED, target.stage, describeFailure(err), { cause: err });
    }
    this.writerOpened = true;
    this.writingStepId = this.recorder.beginStep(STATUS.WRITING, { stage: target.stage, counts: this.writeCounts() });
    return this.writer;
  }

  // ---- outcome ----

  private async conclude(): Promise<TaskMonitorLog> {
    if (!this.cancelled && !this.failure) await this.completeSuccessfully();
    if (this.cancelled) {
      await this.closeAll();
      this.endRunningSteps();
      if (this.readerStepLogged) this.recorder.step(STATUS.READER_CANCELLED, { stage: this.source?.stage ?? ADAPTER_STAGE, counts: this.readCounts() });
      if (this.writerStepLogged) this.recorder.step(STATUS.WRITER_CANCELLED, { stage: this.target?.stage ?? ADAPTER_STAGE, counts: this.writeCounts() });
      this.recorder.step(STATUS.FORCE_CANCELLED, { stage: ADAPTER_STAGE, remarks: `Task terminated: ${this.cancelReason}` });
      return this.recorder.finish('CANCELLED', this.runRemarks());
    }
    if (this.failure) {
      await this.closeAll();
      this.endRunningSteps();
      return this.recorder.finish('ERROR', this.runRemarks());
    }
    return this.recorder.finish('SUCCESS', this.runRemarks());
  }

  private async completeSuccessfully(): Promise<void> {
    const target = this.target as Endpoint;
    if (this.writerOpened && this.writer) {
      if (this.writingStepId) this.recorder.endStep(this.writingStepId, this.writeCounts());
      this.recorder.step(STATUS.WRITE_FINISHED, { stage: target.stage, counts: this.writeCounts(), remarks: `${this.written} records written.` });
    }
    if (!(await this.runIntegrityCheck())) return;
    // From here on the rows are being published: a terminate that arrives now is too late to undo them.
    this.settled = true;
    if (this.writerOpened && this.writer) {
      try {
        await this.writer.finish?.();
      } catch (err) {
        this.fail(new StageFailure(STATUS.TARGET_ERROR, target.stage, describeFailure(err), { cause: err }));
        return;
      }
    }
    if (this.uncommitted) {
      try {
        await this.commitReader(this.uncommitted.cp, this.source as Endpoint);
      } catch (err) {
        this.fail(err instanceof StageFailure ? err : new StageFailure(STATUS.SOURCE_ERROR, ADAPTER_STAGE, describeFailure(err)));
        return;
      }
      this.uncommitted = null;
    }
    if (!(await this.closeDirtySink())) return;
    const finalCheckpoint = this.reader?.finalCheckpoint?.() ?? this.lastCheckpoint?.cp;
    if (finalCheckpoint !== undefined) {
      try {
        await this.deps.checkpoints.save(this.task.taskId, finalCheckpoint);
      } catch (err) {
        this.fail(
          new StageFailure(STATUS.RUN_ABNORMAL, ADAPTER_STAGE, `the rows are written but the checkpoint could not be saved: ${errorMessage(err)}`, { cause: err }),
        );
        return;
      }
    }
    await this.closeAll();
    this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
    if (this.readTotal() === 0) {
      this.recorder.step(STATUS.ZERO_ROWS_READ, { stage: (this.source as Endpoint).stage, remarks: 'The amount of data read by this task is 0.' });
      return;
    }
    if (this.writerOpened) this.recorder.step(STATUS.WRITER_END, { stage: target.stage, counts: this.writeCounts() });
    this.recorder.step(STATUS.RUN_FINISHED, { stage: ADAPTER_STAGE, remarks: this.runRemarks() });
  }

  // ---- integrity check (worker/integrity.ts) ----

  /**
   * The 902–905 check after 504, before the rows are published and the checkpoint saved: a run it fails (or a
   * terminate during it) leaves the checkpoint where it was, so the next run reads the window again. Compensated
   * rows count as read again and written. False: the run ended.
   */
  private async runIntegrityCheck(): Promise<boolean> {
    if (!this.integrity || !this.reader || !this.mapper || !this.source) return true;
    try {
      const outcome = await checkIntegrity({
        task: this.task,
        runId: this.runId,
        reader: this.reader,
        writer: this.writerOpened ? this.writer : null,
        mapper: this.mapper,
        recorder: this.recorder,
        sourceStage: this.source.stage,
        targetStage: this.target?.stage ?? ADAPTER_STAGE,
        counts: { read: this.readTotal(), written: this.written, dirty: this.dirtyTotal() },
        rejectedKeys: this.integrity,
        dirtySink: this.dirtySink,
        signal: this.hard.signal,
        log: this.log,
      });
      this.readRecords += outcome.missing;
      this.written += outcome.missing - outcome.dirty;
      this.writtenBytes += outcome.writtenBytes;
      this.writerDirty += outcome.dirty;
      this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
      if (!outcome.failure) return true;
      if (!this.failure && !this.cancelled) this.failure = outcome.failure;
      this.log.warn('execution failed', { taskId: this.task.taskId, runId: this.runId, status: outcome.failure.code, error: outcome.failure.message });
      return false;
    } catch (err) {
      if (this.cancelled) return false;
      this.fail(err instanceof StageFailure ? err : new StageFailure(STATUS.RUN_ABNORMAL, ADAPTER_STAGE, `integrity check: ${describeFailure(err)}`, { cause: err }));
      if (err instanceof IntegrityCancelled) this.log.warn('integrity check stopped', { taskId: this.task.taskId });
      return false;
    }
  }

  /** First failure wins; it is logged at once so the live log shows it while the other side winds down. */
  private fail(failure: StageFailure): void {
    if (this.failure || this.cancelled) return;
    this.failure = failure;
    this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
    this.recorder.step(failure.code, {
      stage: failure.stage,
      remarks: failure.message,
      positionStatus: failure.code === STATUS.RUN_ABNORMAL ? 'INTERNAL_ERR' : 'RUNTIME_ERR',
    });
    this.log.warn('execution failed', { taskId: this.task.taskId, runId: this.runId, status: failure.code, error: failure.message });
  }

  private onAbort(): void {
    if (this.settled) return;
    const reason: unknown = this.req.signal?.reason;
    if (reason === STOP_REASON && this.realtime) {
      // Drain: the reader stops, what it already handed over is written and committed.
      this.readerStop.abort(reason);
      return;
    }
    this.terminate(reason);
  }

  private terminate(reason: unknown): void {
    if (this.settled) return;
    if (!this.failure) {
      this.cancelled = true;
      this.cancelReason = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'terminate requested';
    }
    this.stopNow();
    this.channel?.cancel(new Cancelled());
  }

  private stopNow(): void {
    if (!this.readerStop.signal.aborted) this.readerStop.abort(new Cancelled());
    if (!this.hard.signal.aborted) this.hard.abort(new Cancelled());
  }

  private async closeDirtySink(): Promise<boolean> {
    const sink = this.ownDirtySink;
    this.ownDirtySink = null;
    if (!sink) return true;
    try {
      await sink.close();
      return true;
    } catch (err) {
      const message = `dirty records could not be kept: ${errorMessage(err)}`;
      if (!this.failure && !this.cancelled) this.fail(new StageFailure(STATUS.TARGET_ERROR, this.target?.stage ?? ADAPTER_STAGE, message, { cause: err }));
      else this.log.error(message, { taskId: this.task.taskId, runId: this.runId });
      return false;
    }
  }

  /** Close reader, writer and the error_handler writer once each; a close error is logged, not fatal. */
  private async closeAll(): Promise<void> {
    this.settled = true;
    const reader = this.reader;
    const writer = this.writerTouched ? this.writer : null;
    this.reader = null;
    this.writer = null;
    await this.closeDirtySink();
    await Promise.all([reader && this.closeQuietly('reader', () => reader.close()), writer && this.closeQuietly('writer', () => writer.close())]);
  }

  /** A close that fails or hangs (a driver waiting on a dead connection) is logged; the run's log still ends. */
  private async closeQuietly(what: string, close: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const result = await Promise.race([Promise.resolve().then(close), timeout]);
      if (result === 'timeout') this.log.warn(`${what} close did not finish within ${CLOSE_TIMEOUT_MS} ms; left behind`, { runId: this.runId });
    } catch (err) {
      this.log.warn(`${what} close failed`, { error: errorMessage(err), runId: this.runId });
    } finally {
      clearTimeout(timer);
    }
  }

  private endRunningSteps(): void {
    if (this.readingStepId) this.recorder.endStep(this.readingStepId, this.readCounts());
    if (this.writingStepId) this.recorder.endStep(this.writingStepId, this.writeCounts());
    this.recorder.setTotals({ written: this.written, dirty: this.dirtyTotal(), bytesWritten: this.writtenBytes });
  }

  // ---- counts ----

  private reportCounts(): void {
    this.deps.onCounts?.({
      read: this.readRecords,
      unreadable: this.readUnreadable,
      readBytes: this.readBytes,
      written: this.written,
      writtenBytes: this.writtenBytes,
      writerDirty: this.writerDirty,
    });
  }

  private readTotal(): number {
    return this.readRecords + this.readUnreadable;
  }

  private dirtyTotal(): number {
    return this.readUnreadable + this.writerDirty;
  }

  private readCounts(): { data_count: number; dirty_data_count: number; bytes: number } {
    return { data_count: this.readTotal(), dirty_data_count: this.readUnreadable, bytes: this.readBytes };
  }

  private writeCounts(): { data_count: number; dirty_data_count: number; bytes: number } {
    return { data_count: this.written, dirty_data_count: this.writerDirty, bytes: this.writtenBytes };
  }

  private dirtyRecord(stage: string, reason: string, record: DirtyRecord['record'], column: string | undefined, time: number): DirtyRecord {
    return dirtyRecord({ runId: this.runId, taskId: this.task.taskId, stage, time }, reason, record, column);
  }

  private runRemarks(): string {
    const counts = `read ${this.readTotal()}, written ${this.written}, dirty ${this.dirtyTotal()}`;
    if (this.cancelled) return `Task terminated (${this.cancelReason}); ${counts}.`;
    if (this.failure) return `${this.failure.message} (${counts})`;
    return `Task execute success: ${counts}.`;
  }
}

