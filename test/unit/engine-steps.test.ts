import { describe, expect, it } from 'vitest';
import type { Row, SourceBatch } from '../../connectors/sdk/index.ts';
import { rowBytes } from '../../connectors/sdk/index.ts';
import type { ExecutionCounts } from '../../worker/execution.ts';
import { STATUS_CODES } from '../../core/status-codes.ts';
import { MonitorRecorder } from '../../worker/monitor-recorder.ts';
import { batch, codes, harness, makeTask, sleep, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';

describe('engine: step log of a normal run', () => {
  it('logs 900 → 99 → 100 → 102 → 500 → 502 → 104 → 101 → 504 → 501 → 901 and SUCCESS with exact counts', async () => {
    const written: Row[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 3, { n: 1 }), batch(4, 2, { n: 2 })] }),
      targetConnector({ written }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 501, 901]);
    expect(log.status).toBe(901);
    expect(log.position).toBe('ADAPTER');
    expect(log.position_status).toBe('TASK_END');
    expect(log.data_count).toBe(5);
    expect(log.dirty_data_count).toBe(0);
    expect(written.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(stepOf(log, 104).data_count).toBe(5);
    expect(stepOf(log, 102).data_count).toBe(5);
    expect(stepOf(log, 504).data_count).toBe(5);
    expect(stepOf(log, 100).stage).toBe('memsrcreader');
    expect(stepOf(log, 500).stage).toBe('memdstwriter');
    expect(stepOf(log, 900).stage).toBe('adapter');
    expect(new Set(log.detail_logs.map((s) => s.id)).size).toBe(log.detail_logs.length);
    expect(log.end_time).not.toBeNull();
    expect(log.read_spend_time).toBeTypeOf('number');
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ n: 2 });
    // The sink holds the final log.
    expect(h.monitor.get(log.id)?.execute_status).toBe('SUCCESS');
  });

  it('keeps each side in its own order and the writer overlapping the reader', async () => {
    // A slow reader: the writer writes batch 1 while batch 2 is still being read.
    const h = harness([
      sourceConnector({
        batches: [batch(1, 2), async () => (await sleep(5), batch(3, 2)), async () => (await sleep(5), batch(5, 2))],
      }),
      targetConnector({}),
    ]);
    const log = await h.run(makeTask());
    const c = codes(log);
    expect(c).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 501, 901]);
    const step = (code: number) => stepOf(log, code);
    // 102/502 are running steps: their end moved with the counts
    expect(step(102).step_end_time).toBeGreaterThanOrEqual(step(102).step_begin_time);
    expect(step(502).step_begin_time).toBeLessThan(step(104).step_begin_time + 1);
    for (const s of log.detail_logs) {
      const info = STATUS_CODES.get(s.status);
      expect(s.position).toBe(info?.position);
      expect(s.remarks.length).toBeGreaterThan(0);
      expect(s.remarks.length).toBeLessThanOrEqual(256);
    }
    expect(step(900).position_status).toBe('NORMAL');
    expect(step(102).position_status).toBe('NORMAL');
    expect(step(104).position_status).toBe('NODE_END');
    expect(step(101).position_status).toBe('NODE_END');
    expect(step(504).position_status).toBe('NODE_END');
    expect(step(501).position_status).toBe('NODE_END');
    expect(step(901).position_status).toBe('TASK_END');
    expect(log.spend_time).toBeGreaterThanOrEqual(log.read_spend_time ?? 0);
    expect(log.start_time).toBeLessThanOrEqual(log.end_time ?? 0);
  });

  it('zero rows read: 105 (TASK_END), SUCCESS, no writer steps and the writer never opened', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [{ records: [], bytes: 0, checkpoint: { w: 1 } }], finalCheckpoint: { w: 2 }, events }),
      targetConnector({ events }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 105]);
    expect(log.status).toBe(105);
    expect(log.position).toBe('READER');
    expect(log.position_status).toBe('TASK_END');
    expect(stepOf(log, 105).remarks).toBe('The amount of data read by this task is 0.');
    expect(log.data_count).toBe(0);
    expect(events.some((e) => e.startsWith('writer'))).toBe(false);
    // A successful empty run still moves the window on.
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ w: 2 });
  });

  it('a writer that connects ahead: connect as the reader opens, open on the first batch, close at the end', async () => {
    const events: Event[] = [];
    const h = harness([sourceConnector({ batches: [batch(1, 2), batch(3, 2)], events }), targetConnector({ connects: true, events })]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(4);
    const at = (e: Event): number => events.indexOf(e);
    expect(at('writer.connect')).toBeGreaterThanOrEqual(0);
    expect(at('writer.connect')).toBeLessThan(at('reader.open'));
    // Opened on the first batch, as a writer that does not connect ahead (the reader may be a batch further by then).
    expect(at('writer.open')).toBeGreaterThan(at('read:2'));
    expect(events.filter((e) => e.startsWith('writer.'))).toEqual(['writer.connect', 'writer.open', 'writer.finish', 'writer.close']);
  });

  it('a writer that connects ahead, in a run that reads nothing: connected and closed, never opened', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [{ records: [], bytes: 0, checkpoint: { w: 1 } }], events }),
      targetConnector({ connects: true, events }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 105]);
    expect(events.filter((e) => e.startsWith('writer'))).toEqual(['writer.connect', 'writer.close']);
  });

  it('a writer that connects ahead is closed when the reader cannot start (911)', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [], openError: new Error('no such table'), events }),
      targetConnector({ connects: true, events }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(911);
    expect(events.filter((e) => e.startsWith('writer'))).toEqual(['writer.connect', 'writer.close']);
  });

  it('resumed: 108 and 507 instead of 100 and 500; the reader gets the stored checkpoint', async () => {
    let seen: unknown = 'unset';
    const h = harness([
      sourceConnector({
        batches: (ctx) => {
          seen = ctx.checkpoint;
          return (async function* (): AsyncGenerator<SourceBatch> {
            yield batch(1, 1, { n: 6 });
          })();
        },
      }),
      targetConnector({}),
    ]);
    await h.checkpoints.save('task-engine-1', { n: 5 });
    const log = await h.run(makeTask(), { resumed: true });
    expect(codes(log)).toEqual([900, 99, 108, 102, 507, 502, 104, 101, 504, 501, 901]);
    expect(seen).toEqual({ n: 5 });
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ n: 6 });
  });

  it('checkpoints: commit after write and flush, in order; the final checkpoint is saved after finish', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 }), batch(3, 2, { n: 2 })], events }),
      targetConnector({ events }),
    ]);
    const save = h.checkpoints.save.bind(h.checkpoints);
    h.checkpoints.save = async (id, cp) => {
      events.push(`save:${JSON.stringify(cp)}`);
      await save(id, cp);
    };
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    const io = events.filter((e) => !e.startsWith('read:'));
    expect(io).toEqual([
      'reader.open',
      'writer.open',
      'write:2',
      'flush',
      'commit:{"n":1}',
      'write:2',
      'flush',
      'commit:{"n":2}',
      'writer.finish',
      'save:{"n":2}',
      'reader.close',
      'writer.close',
    ]);
  });

  it('uses a recorder the scheduler passes in (no second 900) and reports progress', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 2)] }), targetConnector({})]);
    const recorder = new MonitorRecorder({ taskId: 'task-engine-1', runId: 'run-from-scheduler-01', dispatchTime: 1_700_000_000_000, taskType: 'TIMING', sink: h.monitor });
    recorder.step(900, { stage: 'adapter' });
    recorder.setExecuteStatus('WAITING');
    recorder.step(906, { stage: 'adapter' });
    const log = await h.run(makeTask(), { recorder });
    expect(log.id).toBe('run-from-scheduler-01');
    expect(log.dispatch_time).toBe(1_700_000_000_000);
    expect(codes(log).slice(0, 4)).toEqual([900, 906, 99, 100]);
    expect(codes(log).filter((c) => c === 900)).toHaveLength(1);
    expect(log.execute_status).toBe('SUCCESS');
    expect(h.monitor.get('run-from-scheduler-01')?.execute_status).toBe('SUCCESS');
  });
});

describe('engine: writers durable only after finish', () => {
  it('commit the reader once, after finish, with the last checkpoint', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 }), batch(3, 2, { n: 2 })], events }),
      targetConnector({ events, durableOnlyAfterFinish: true }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    const io = events.filter((e) => !e.startsWith('read:'));
    expect(io).toEqual([
      'reader.open', 'writer.open', 'write:2', 'flush', 'write:2', 'flush', 'writer.finish', 'commit:{"n":2}', 'reader.close', 'writer.close',
    ]);
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ n: 2 });
  });

  it('a failed run commits nothing to the reader', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 }), batch(3, 2, { n: 2 })], events }),
      targetConnector({ events, durableOnlyAfterFinish: true, finishError: new Error('rename: EXDEV') }),
    ]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(503);
    expect(events.filter((e) => e.startsWith('commit'))).toEqual([]);
  });
});

describe('engine: written bytes', () => {
  it('reuse the size the reader measured for a record that reaches the writer unchanged, and measure the others', async () => {
    const records: Row[] = [
      { id: 1, name: 'a' },
      { id: 2, name: 'b', extra: 'x' },
      { id: 3, name: 'c' },
    ];
    // Sizes the engine could not have measured itself (rowBytes gives far less): only reuse explains them.
    const h = harness([sourceConnector({ batches: [{ records, bytes: 3000, recordBytes: [1000, 1000, 1000] }] }), targetConnector({})]);
    const counts: ExecutionCounts[] = [];
    const task = makeTask({ mapping: { required: true, columns: ['id', 'name'].map((c) => ({ source: c, target: c, constant: false })) } });
    const log = await h.run(task, {}, undefined, { onCounts: (c) => counts.push(c) });
    expect(log.execute_status).toBe('SUCCESS');
    expect(counts.at(-1)).toMatchObject({ read: 3, readBytes: 3000, written: 3, writtenBytes: 1000 + rowBytes({ id: 2, name: 'b' }) + 1000 });
  });

  it('measure every record when the reader gives no sizes, or a list that does not fit the batch', async () => {
    for (const recordBytes of [undefined, [1000, 1000]]) {
      const records: Row[] = [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }];
      const h = harness([sourceConnector({ batches: [{ records, bytes: 10, ...(recordBytes ? { recordBytes } : {}) }] }), targetConnector({})]);
      const counts: ExecutionCounts[] = [];
      await h.run(makeTask(), {}, undefined, { onCounts: (c) => counts.push(c) });
      expect(counts.at(-1)?.writtenBytes).toBe(records.reduce((n, r) => n + rowBytes(r), 0));
    }
  });
});
