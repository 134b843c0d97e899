import { describe, expect, it } from 'vitest';
import { STATUS } from '../../core/status-codes.ts';
import type { DirtyRecord } from '../../core/store.ts';
import { MemoryDirtySink, type DirtySink } from '../../worker/dirty.ts';
import { dirtyRecord, keepDirty, validRejected } from '../../worker/dirty-records.ts';
import { StageFailure } from '../../worker/failure.ts';

const origin = { runId: 'run-1', taskId: 'task-1', stage: 'postgresqlwriter', time: 1_700_000_000_000 };

describe('validRejected: what a writer says it refused', () => {
  it('no list is no refusal; a valid list comes back as it is', () => {
    expect(validRejected(undefined, 3)).toEqual([]);
    const list = [{ index: 2, reason: 'too long', column: 'name' }, { index: 0, reason: 'check' }];
    expect(validRejected(list, 3)).toBe(list);
  });

  it.each<[unknown, RegExp]>([
    [{ index: 0 }, /without a rejected list/],
    [[{ index: 3, reason: 'x' }], /invalid record index 3 \(batch of 3\)/],
    [[{ index: -1, reason: 'x' }], /invalid record index -1/],
    [[{ index: 1.5, reason: 'x' }], /invalid record index 1.5/],
    [[{ index: 1, reason: 'x' }, { index: 1, reason: 'y' }], /invalid record index 1/],
    [[null], /invalid record index undefined/],
    [[{ index: 1, reason: '' }], /record 1 without a reason/],
  ])('%j is the writer\'s bug', (rejected, message) => {
    expect(() => validRejected(rejected, 3)).toThrow(message);
  });
});

describe('dirtyRecord', () => {
  it('carries run, task, stage, time, reason and the column when there is one', () => {
    expect(dirtyRecord(origin, 'too long', { id: 1 }, 'name')).toEqual({
      run_id: 'run-1', task_id: 'task-1', stage: 'postgresqlwriter', reason: 'too long', record: { id: 1 }, column: 'name', time: origin.time,
    });
    expect(dirtyRecord(origin, 'check', { id: 2 }, undefined)).not.toHaveProperty('column');
  });
});

describe('keepDirty', () => {
  it('hands the records to the sink', async () => {
    const sink = new MemoryDirtySink();
    const dirty = [dirtyRecord(origin, 'check', { id: 2 }, undefined)];
    await keepDirty(sink, dirty, origin.stage);
    expect(sink.records).toEqual(dirty);
  });

  it('a sink that cannot keep them ends the run at the writer stage (503), naming how many', async () => {
    const broken: DirtySink = { write: async (_records: DirtyRecord[]) => { throw new Error('disk full'); }, close: async () => undefined };
    const err = await keepDirty(broken, [dirtyRecord(origin, 'a', {}, undefined), dirtyRecord(origin, 'b', {}, undefined)], origin.stage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageFailure);
    expect((err as StageFailure).code).toBe(STATUS.TARGET_ERROR);
    expect((err as StageFailure).stage).toBe('postgresqlwriter');
    expect((err as StageFailure).message).toBe('2 dirty records could not be kept, the run stops so that none is lost: disk full');
  });

  it('nothing to keep touches no sink', async () => {
    const broken: DirtySink = { write: async () => { throw new Error('must not be called'); }, close: async () => undefined };
    await expect(keepDirty(broken, [], origin.stage)).resolves.toBeUndefined();
  });
});
