/**
 * The monitor log against the spec's TaskMonitorLog / TaskMonitorDetailLog (tasks.md §1.E, errors-auth.md §5.1):
 * field names and order, types, enum spellings, length limits, epoch-ms times, the roll-up from the latest step,
 * and the 901 step carrying the run's totals.
 */
import { describe, expect, it } from 'vitest';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { MonitorRecorder, truncate } from '../../worker/monitor-recorder.ts';
import { batch, harness, makeTask, sourceConnector, stepOf, targetConnector } from './engine-fixtures.ts';

/** TaskMonitorLog fields in the spec's order (表5); `task_id` is ours, beyond the spec (docs/api.md). */
const RUN_FIELDS = [
  'id', 'task_id', 'start_time', 'dispatch_time', 'end_time', 'execute_status', 'position', 'position_status', 'status',
  'dirty_data_count', 'data_count', 'data_size', 'data_size_unit', 'spend_time', 'read_spend_time', 'write_spend_time',
  'remarks', 'detail_logs',
];
/** TaskMonitorDetailLog fields in the spec's order (表6). */
const STEP_FIELDS = [
  'id', 'status', 'position', 'position_status', 'stage', 'dirty_data_count', 'data_count', 'data_size', 'data_size_unit',
  'spend_time', 'remarks', 'step_begin_time', 'step_end_time',
];
const EXECUTE_STATUS = ['UNSTARTED', 'WAITING', 'RUNNING', 'SUCCESS', 'CANCELLED', 'ERROR'];
const POSITION = ['ADAPTER', 'READER', 'WRITER'];
const POSITION_STATUS = ['NORMAL', 'NODE_END', 'RUNTIME_CANCEL', 'TASK_END', 'RUNTIME_ERR', 'INTERNAL_ERR'];

const isEpochMs = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1_000_000_000_000 && (v as number) <= 9_999_999_999_999;
const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

/** Every rule of the spec a finished log must keep. */
function expectSpecShape(log: TaskMonitorLog): void {
  const timing = 'read_spend_time' in log;
  expect(Object.keys(log)).toEqual(timing ? RUN_FIELDS : RUN_FIELDS.filter((f) => f !== 'read_spend_time'));
  expect(log.id.length).toBeGreaterThanOrEqual(10);
  expect(log.id.length).toBeLessThanOrEqual(40);
  for (const t of [log.start_time, log.dispatch_time, log.end_time]) expect(isEpochMs(t), String(t)).toBe(true);
  expect(EXECUTE_STATUS).toContain(log.execute_status);
  expect(POSITION).toContain(log.position);
  expect(POSITION_STATUS).toContain(log.position_status);
  expect(Number.isInteger(log.status) && log.status >= 1 && log.status <= 1000).toBe(true);
  for (const n of [log.dirty_data_count, log.data_count, log.spend_time, log.write_spend_time]) expect(isCount(n)).toBe(true);
  if (timing) expect(isCount(log.read_spend_time)).toBe(true);
  expect(typeof log.data_size).toBe('number');
  expect(log.data_size_unit.length).toBeGreaterThanOrEqual(1);
  expect(log.data_size_unit.length).toBeLessThanOrEqual(2);
  expect(log.remarks.length).toBeLessThanOrEqual(1000);
  expect(log.detail_logs.length).toBeGreaterThanOrEqual(1);
  for (const s of log.detail_logs) {
    expect(Object.keys(s)).toEqual(STEP_FIELDS);
    expect(s.id.length).toBeGreaterThanOrEqual(10);
    expect(s.id.length).toBeLessThanOrEqual(40);
    expect(POSITION).toContain(s.position);
    expect(POSITION_STATUS).toContain(s.position_status);
    expect(s.stage.length).toBeGreaterThanOrEqual(3);
    expect(s.stage.length).toBeLessThanOrEqual(20);
    expect(s.remarks.length).toBeGreaterThanOrEqual(1);
    expect(s.remarks.length).toBeLessThanOrEqual(256);
    for (const n of [s.dirty_data_count, s.data_count, s.spend_time]) expect(isCount(n)).toBe(true);
    expect(isEpochMs(s.step_begin_time) && isEpochMs(s.step_end_time)).toBe(true);
    expect(s.step_end_time).toBeGreaterThanOrEqual(s.step_begin_time);
  }
  // The run's own status, position and position_status are its latest step's.
  const last = log.detail_logs.at(-1);
  expect([log.status, log.position, log.position_status]).toEqual([last?.status, last?.position, last?.position_status]);
  expect(new Set(log.detail_logs.map((s) => s.id)).size).toBe(log.detail_logs.length);
}

describe('monitor log: the spec shape of whole runs', () => {
  it('a timing run with dirty rows: spec fields and order, and 901 carries the run totals (written, dirty, size)', async () => {
    const h = harness([
      sourceConnector({ batches: [batch(1, 4, { n: 1 }), batch(5, 2, { n: 2 })] }),
      targetConnector({ reject: (r) => (r.id === 3 ? 'Data too long for column' : undefined) }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expectSpecShape(log);
    expect(log.status).toBe(901);
    expect(log.position_status).toBe('TASK_END');
    const s901 = stepOf(log, 901);
    expect([s901.data_count, s901.dirty_data_count]).toEqual([5, 1]);
    expect([s901.data_size, s901.data_size_unit]).toEqual([log.data_size, log.data_size_unit]);
    expect([log.data_count, log.dirty_data_count]).toEqual([5, 1]);
    expect(s901.data_size).toBeGreaterThan(0);
    // Read-side counts stay on the reader's steps.
    expect(stepOf(log, 104).data_count).toBe(6);
  });

  it('a realtime run has no read_spend_time; a failed run ends at its failure step', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 2)] }), targetConnector({ openError: new Error('connection refused') })]);
    const log = await h.run(makeTask({ taskType: 'REALTIME' }));
    expect(log.execute_status).toBe('ERROR');
    expectSpecShape(log);
    expect('read_spend_time' in log).toBe(false);
    expect([log.status, log.position_status]).toEqual([912, 'RUNTIME_ERR']);
  });

  it('zero rows: 105 (TASK_END) is the last step and the run is SUCCESS', async () => {
    const h = harness([sourceConnector({ batches: [] }), targetConnector({})]);
    const log = await h.run(makeTask());
    expectSpecShape(log);
    expect([log.execute_status, log.status, log.position, log.position_status]).toEqual(['SUCCESS', 105, 'READER', 'TASK_END']);
  });
});

describe('monitor recorder: limits', () => {
  it('remarks: a step keeps at most 256 characters and a run 1000, never an empty step remark', async () => {
    const r = new MonitorRecorder({ taskId: 't', runId: 'run-limits-01', dispatchTime: 1_700_000_000_000, taskType: 'TIMING', sink: { save: async () => {} } });
    r.step(900, { stage: 'adapter', remarks: '' });
    r.step(103, { stage: 'xreader', remarks: 'é'.repeat(300) });
    const log = await r.finish('ERROR', 'z'.repeat(5000));
    expect(log.detail_logs[0]?.remarks).toBe('dispatch request received');
    expect(log.detail_logs[1]?.remarks).toBe(`${'é'.repeat(255)}…`);
    expect(log.remarks).toBe(`${'z'.repeat(999)}…`);
  });

  it('truncate never cuts a character made of two UTF-16 units in half', () => {
    const text = `${'a'.repeat(254)}😀😀😀`;
    const cut = truncate(text, 256);
    expect(cut).toBe(`${'a'.repeat(254)}…`);
    expect(cut.length).toBeLessThanOrEqual(256);
    expect(truncate(`${'a'.repeat(253)}😀😀😀`, 256)).toBe(`${'a'.repeat(253)}😀…`);
    expect(truncate('short', 256)).toBe('short');
    // No lone surrogate survives the cut (it would not encode as UTF-8).
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });

  it('901 given explicit counts keeps them; without, it takes the run totals', async () => {
    const r = new MonitorRecorder({ taskId: 't', runId: 'run-limits-02', dispatchTime: 1_700_000_000_000, taskType: 'TIMING', sink: { save: async () => {} } });
    r.setTotals({ written: 7, dirty: 2, bytesWritten: 2048 });
    r.step(901, { stage: 'adapter' });
    r.step(901, { stage: 'adapter', counts: { data_count: 1 } });
    const log = await r.finish('SUCCESS', 'done');
    expect(log.detail_logs.map((s) => [s.data_count, s.dirty_data_count, s.data_size, s.data_size_unit])).toEqual([
      [7, 2, 2, 'KB'],
      [1, 0, 0, 'B'],
    ]);
  });
});
