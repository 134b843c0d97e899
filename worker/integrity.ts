/**
 * The integrity check after a timing run (902–905). The source counts the run's window (same predicate, same
 * bounds) and the count is compared with written + dirty (903). When the source can read the window again and the
 * target can be asked by key, the window is re-read batch by batch, each batch's keys are looked up at the target,
 * and rows the target lacks (and that were not dirty in this run) are written through the run's own writer (904),
 * then looked up again (905). Streaming throughout: one batch in memory at a time.
 *
 * Without those two capabilities only the count decides: fewer rows delivered than the window holds ends the run
 * with an error (the checkpoint then stays, so the next run reads the window again and nothing is lost).
 */
import type { ConnectorLogger, Reader, Row, SourceBatch, TargetKeyLookup, TaskSpec, Writer } from '../connectors/sdk/index.ts';
import { rowBytes } from '../connectors/sdk/index.ts';
import { STATUS } from '../core/status-codes.ts';
import type { DirtySink } from './dirty.ts';
import { dirtyRecord, keepDirty, validRejected } from './dirty-records.ts';
import { dirtyLimitCrossed } from './dirty-limit.ts';
import { StageFailure, describeFailure } from './failure.ts';
import type { RejectedKeys } from './integrity-tracker.ts';
import { rowToJson } from './json-value.ts';
import type { RowMapper } from './mapping.ts';
import { ADAPTER_STAGE, type MonitorRecorder } from './monitor-recorder.ts';

export interface IntegrityInput {
  task: TaskSpec;
  runId: string;
  reader: Reader;
  /** The run's writer, open; null when no row reached it. */
  writer: Writer | null;
  mapper: RowMapper;
  recorder: MonitorRecorder;
  sourceStage: string;
  targetStage: string;
  /** What the run's main pass counted. */
  counts: { read: number; written: number; dirty: number };
  rejectedKeys: RejectedKeys;
  dirtySink: DirtySink;
  /** Aborts on terminate: the check stops between batches. */
  signal: AbortSignal;
  log: ConnectorLogger;
}

export interface IntegrityOutcome {
  /** Source records of the window (null when the source cannot count). */
  source: number | null;
  /** Rows of the window found missing at the target (not dirty in this run): re-read and written again. */
  missing: number;
  /** Of those, rows the target now holds. */
  compensated: number;
  /** Bytes of the rows the writer accepted during compensation. */
  writtenBytes: number;
  /** Of those, rows the target refused: kept as dirty records with their reason. */
  dirty: number;
  /** The check ended the run with an error; its step is already in the log. */
  failure?: StageFailure;
}

/** Thrown when a terminate arrives during the check. */
export class IntegrityCancelled extends Error {
  constructor() {
    super('terminated during the integrity check');
    this.name = 'IntegrityCancelled';
  }
}

/**
 * Runs the check and logs its steps. A failure of the source or the target during the check is thrown as a
 * StageFailure not yet logged (103/503); a mismatch that cannot be repaired comes back as `failure`, already logged.
 */
export async function checkIntegrity(input: IntegrityInput): Promise<IntegrityOutcome> {
  const { recorder, counts, reader } = input;
  recorder.step(STATUS.INTEGRITY_CHECKING, {
    stage: ADAPTER_STAGE,
    remarks: 'Task run finished; checking data integrity (source count of the run window against written + dirty).',
  });
  const counted = await sourceCount(input);
  stopIfAborted(input.signal);
  const source = counted.n;
  const lookup = targetLookup(input);
  const reread = reader.rereadWindow ? (): AsyncIterable<SourceBatch> => (reader.rereadWindow as () => AsyncIterable<SourceBatch>).call(reader) : undefined;
  const delivered = counts.written + counts.dirty;
  const tally = `source=${source ?? 'unknown'} written=${counts.written} dirty=${counts.dirty} (read ${counts.read} = written ${counts.written} + dirty ${counts.dirty})`;
  const uncounted = counted.why === undefined ? '' : `; ${counted.why}`;
  const outcome: IntegrityOutcome = { source, missing: 0, compensated: 0, writtenBytes: 0, dirty: 0 };
  const resultCounts = { data_count: counts.written, dirty_data_count: counts.dirty };

  if (!lookup || !reread) {
    const why = !reread
      ? `the ${input.sourceStage} source cannot read its window again`
      : !input.writer
        ? 'no row reached the writer in this run'
        : `the ${input.targetStage} target cannot be asked which rows it holds`;
    if (source !== null && source > delivered) {
      const message =
        `${tally}; ${source - delivered} missing: they did not reach the target and cannot be compensated (${why}); ` +
        'the checkpoint is not advanced, so the next run reads this window again.';
      recorder.step(STATUS.INTEGRITY_RESULT, { stage: ADAPTER_STAGE, positionStatus: 'RUNTIME_ERR', counts: resultCounts, remarks: message });
      outcome.failure = new StageFailure(STATUS.INTEGRITY_RESULT, ADAPTER_STAGE, `Integrity check failed: ${message}`);
      return outcome;
    }
    recorder.step(STATUS.INTEGRITY_RESULT, { stage: ADAPTER_STAGE, counts: resultCounts, remarks: `${tally}${uncounted}${uncounted ? ': not checked' : ''}${surplusNote(source, delivered)}` });
    return outcome;
  }

  const note = source !== null && source > delivered ? `; ${source - delivered} missing: checking the target by key` : surplusNote(source, delivered);
  recorder.step(STATUS.INTEGRITY_RESULT, { stage: ADAPTER_STAGE, counts: resultCounts, remarks: `${tally}${uncounted}${note}` });
  return compensate(input, lookup, reread(), outcome);
}

function surplusNote(source: number | null, delivered: number): string {
  if (source === null || source >= delivered) return '';
  return `; ${delivered - source} more records were processed than the window holds now (rows changed or deleted at the source during the run)`;
}

/**
 * The source's count of the window, or why there is none. A count that fails leaves the check to the key comparison
 * (when there is one), like a source that cannot count: the run itself went well, only the check could not be made.
 */
async function sourceCount(input: IntegrityInput): Promise<{ n: number | null; why?: string }> {
  const { reader } = input;
  if (!reader.count) return { n: null, why: `the ${input.sourceStage} source cannot count its window` };
  let n: number;
  try {
    n = await reader.count();
  } catch (err) {
    input.log.warn('integrity check: the source count failed', { taskId: input.task.taskId, error: describeFailure(err) });
    return { n: null, why: `counting the source failed: ${describeFailure(err)}` };
  }
  if (!Number.isSafeInteger(n) || n < 0) return { n: null, why: `the source counted ${String(n)} records, not a count` };
  return { n };
}

function targetLookup(input: IntegrityInput): TargetKeyLookup | undefined {
  if (!input.writer?.keyLookup) return undefined;
  try {
    return input.writer.keyLookup();
  } catch (err) {
    throw new StageFailure(STATUS.TARGET_ERROR, input.targetStage, `integrity check: ${describeFailure(err)}`, { cause: err });
  }
}

/** Re-read the window, look each batch up at the target, write what it lacks, and look that up again. */
async function compensate(
  input: IntegrityInput,
  lookup: TargetKeyLookup,
  window: AsyncIterable<SourceBatch>,
  outcome: IntegrityOutcome,
): Promise<IntegrityOutcome> {
  const { recorder, mapper, signal } = input;
  const writer = input.writer as Writer;
  let compensatingStep: string | null = null;
  let unresolved = 0;
  let unkeyed = 0;
  const stepCounts = (): { data_count: number; dirty_data_count: number; bytes: number } => ({
    data_count: outcome.compensated,
    dirty_data_count: outcome.dirty,
    bytes: outcome.writtenBytes,
  });

  const batches = window[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<SourceBatch>;
    try {
      next = await batches.next();
    } catch (err) {
      throw new StageFailure(STATUS.SOURCE_ERROR, input.sourceStage, `integrity check: re-reading the window failed: ${describeFailure(err)}`, { cause: err });
    }
    stopIfAborted(signal);
    if (next.done) break;
    const rows: Row[] = [];
    const originals: Row[] = [];
    for (const record of next.value.records) {
      // A record the mapping refuses was dirty in the run already: it cannot reach the target either way.
      const m = mapper.map(record);
      if (!m.ok) continue;
      const key = lookup.keyOf(m.row);
      if (key === null) {
        unkeyed++;
        continue;
      }
      if (input.rejectedKeys.has(key)) continue;
      rows.push(m.row);
      originals.push(record);
    }
    if (rows.length === 0) continue;
    const absent = await onTarget(input, () => lookup.absent(rows));
    stopIfAborted(signal);
    if (absent.length === 0) continue;

    if (compensatingStep === null) {
      compensatingStep = recorder.beginStep(STATUS.COMPENSATING, {
        stage: ADAPTER_STAGE,
        remarks: 'Rows of the source window are missing from the target: re-reading and writing them.',
      });
    }
    const missingRows = absent.map((i) => rows[i] as Row);
    const missingOriginals = absent.map((i) => originals[i] as Row);
    outcome.missing += missingRows.length;
    const result = await onTarget(input, () => writer.write(missingRows));
    const rejected = await onTarget(input, async () => validRejected(result?.rejected, missingRows.length));
    const refused = new Set(rejected.map((r) => r.index));
    const origin = { runId: input.runId, taskId: input.task.taskId, stage: input.targetStage, time: Date.now() };
    const dirty = rejected.map((r) => dirtyRecord(origin, r.reason, rowToJson(missingOriginals[r.index] ?? {}), r.column));
    const accepted: Row[] = [];
    missingRows.forEach((row, i) => {
      if (!refused.has(i)) accepted.push(row);
    });
    await keepDirty(input.dirtySink, dirty, input.targetStage);
    await onTarget(input, () => writer.flush());
    outcome.dirty += dirty.length;
    const stillAbsent = accepted.length > 0 ? new Set(await onTarget(input, () => lookup.absent(accepted))) : new Set<number>();
    accepted.forEach((row, i) => {
      outcome.writtenBytes += rowBytes(row);
      if (!stillAbsent.has(i)) outcome.compensated++;
    });
    unresolved += stillAbsent.size;
    recorder.updateStep(compensatingStep, stepCounts());
    stopIfAborted(signal);
  }

  if (unkeyed > 0) {
    input.log.warn('integrity check: rows without a full target key cannot be looked up and were not checked', { taskId: input.task.taskId, rows: unkeyed });
  }
  if (compensatingStep === null) return outcome;
  recorder.endStep(compensatingStep, stepCounts());

  const parts = [`compensated=${outcome.compensated}`];
  if (outcome.dirty > 0) parts.push(`dirty=${outcome.dirty}`);
  if (unresolved > 0) parts.push(`unresolved=${unresolved}`);
  const tally = parts.join(' ');
  const result = { stage: ADAPTER_STAGE, counts: stepCounts() };
  if (unresolved > 0) {
    const message = `${tally}; ${unresolved} rows are still missing from the target after they were written again; the checkpoint is not advanced.`;
    recorder.step(STATUS.COMPENSATION_RESULT, { ...result, positionStatus: 'RUNTIME_ERR', remarks: message });
    outcome.failure = new StageFailure(STATUS.COMPENSATION_RESULT, ADAPTER_STAGE, `Integrity check failed: ${message}`);
    return outcome;
  }
  const processed = input.counts.read + outcome.missing;
  const crossed = dirtyLimitCrossed(input.task.runtime, processed, input.counts.dirty + outcome.dirty);
  recorder.step(STATUS.COMPENSATION_RESULT, { ...result, remarks: tally });
  if (crossed) {
    recorder.step(STATUS.WRITER_INTERRUPTED, { stage: input.targetStage, remarks: crossed });
    outcome.failure = new StageFailure(STATUS.WRITER_INTERRUPTED, input.targetStage, crossed);
  }
  return outcome;
}

async function onTarget<T>(input: IntegrityInput, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new StageFailure(STATUS.TARGET_ERROR, input.targetStage, `integrity check: ${describeFailure(err)}`, { cause: err });
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new IntegrityCancelled();
}
