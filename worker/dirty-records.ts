/**
 * Records the target refused, as the engine takes them from a writer and keeps them: the same during the run and
 * during the integrity check's compensation.
 */
import type { RejectedRecord } from '../connectors/sdk/index.ts';
import { STATUS } from '../core/status-codes.ts';
import type { DirtyRecord } from '../core/store.ts';
import type { DirtySink } from './dirty.ts';
import { StageFailure } from './failure.ts';
import { errorMessage } from './monitor-recorder.ts';

/** The writer's `rejected`, checked: each index in range and listed once; anything else is the writer's bug (503). */
export function validRejected(rejected: unknown, count: number): RejectedRecord[] {
  if (rejected === undefined) return [];
  if (!Array.isArray(rejected)) throw new Error('the writer returned a result without a rejected list');
  const seen = new Set<number>();
  for (const r of rejected as RejectedRecord[]) {
    if (!r || !Number.isInteger(r.index) || r.index < 0 || r.index >= count || seen.has(r.index)) {
      throw new Error(`the writer rejected an invalid record index ${JSON.stringify(r?.index)} (batch of ${count})`);
    }
    if (typeof r.reason !== 'string' || r.reason === '') throw new Error(`the writer rejected record ${r.index} without a reason`);
    seen.add(r.index);
  }
  return rejected as RejectedRecord[];
}

export interface DirtyOrigin {
  runId: string;
  taskId: string;
  stage: string;
  time: number;
}

export function dirtyRecord(origin: DirtyOrigin, reason: string, record: DirtyRecord['record'], column: string | undefined): DirtyRecord {
  const r: DirtyRecord = { run_id: origin.runId, task_id: origin.taskId, stage: origin.stage, reason, record, time: origin.time };
  if (column !== undefined) r.column = column;
  return r;
}

/** Hands `dirty` to the sink; a sink that cannot keep them ends the run (503 at `stage`) rather than lose them. */
export async function keepDirty(sink: DirtySink, dirty: DirtyRecord[], stage: string): Promise<void> {
  if (dirty.length === 0) return;
  try {
    await sink.write(dirty);
  } catch (err) {
    throw new StageFailure(
      STATUS.TARGET_ERROR,
      stage,
      `${dirty.length} dirty records could not be kept, the run stops so that none is lost: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}
