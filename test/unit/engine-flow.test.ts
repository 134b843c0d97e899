import { describe, expect, it } from 'vitest';
import type { Row, SourceBatch } from '../../connectors/sdk/index.ts';
import { defineConnector } from '../../connectors/sdk/index.ts';
import { STOP_REASON } from '../../worker/execution.ts';
import { batch, codes, harness, makeTask, sleep, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';

describe('engine: backpressure', () => {
  it('a fast reader never gets more than capacity + 1 batches ahead of a slow writer', async () => {
    const capacity = 3;
    const size = 5;
    let produced = 0;
    let maxAhead = 0;
    const total = 40;
    const written: Row[] = [];
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let i = 0; i < total; i++) {
            produced++;
            yield batch(i * size, size, { i });
          }
        },
      }),
      targetConnector({
        written,
        beforeWrite: async (rows) => {
          // The writer holds batch k (0-based): batches 0..k are taken, the rest of what was produced is ahead.
          const taken = Number(rows[0]?.id) / size + 1;
          maxAhead = Math.max(maxAhead, produced - taken);
          await sleep(2);
        },
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { channelCapacity: capacity } }));
    expect(log.execute_status).toBe('SUCCESS');
    expect(written).toHaveLength(total * size);
    // capacity queued + the one the reader holds while it waits to hand it over; reached, since the reader is fast
    expect(maxAhead).toBe(capacity + 1);
  });

  it('memory stays flat: live (unwritten) batches are bounded however long the source', async () => {
    const capacity = 2;
    let live = 0;
    let maxLive = 0;
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let i = 0; i < 300; i++) {
            live++;
            maxLive = Math.max(maxLive, live);
            yield { records: [{ payload: 'x'.repeat(10_000) }], bytes: 10_000 };
          }
        },
      }),
      targetConnector({
        beforeWrite: async () => {
          await sleep(0);
          live--;
        },
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { channelCapacity: capacity } }));
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(300);
    // The channel's items, the one the reader hands over, the one being written and the one staged during that write.
    expect(maxLive).toBeLessThanOrEqual(capacity + 3);
  });
});

describe('engine: memory', () => {
  it('streams far more data than the heap grows by (no buffering of the source)', async () => {
    const discard = defineConnector<unknown>({
      type: 'memdst',
      serves: { source: [], target: ['TIMING'] },
      parseOptions: (c) => c,
      writer: () => ({ open: async () => {}, write: async () => ({ rejected: [] }), flush: async () => {}, close: async () => {} }),
    });
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const batches = 2000;
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let b = 0; b < batches; b++) {
            if (b % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
            yield { records: Array.from({ length: 1000 }, (_, i) => ({ id: b * 1000 + i, pad: 'x'.repeat(100) })), bytes: 130_000 };
          }
        },
      }),
      discard,
    ]);
    const log = await h.run(makeTask({ runtime: { progressIntervalMs: 2000 } }));
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(batches * 1000);
    const streamedMb = (batches * 130_000) / 1e6; // ≈ 260 MB of rows went through
    const grewMb = (peak - baseline) / 1e6;
    expect(streamedMb).toBeGreaterThan(200);
    expect(grewMb).toBeLessThan(120);
  });
});

describe('engine: cancellation', () => {
  it('mid-run abort → CANCELLED with 106, 505 and 16; nothing saved past what was written', async () => {
    const events: Event[] = [];
    const ctrl = new AbortController();
    const written: Row[] = [];
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let i = 0; ; i++) yield batch(i * 10, 10, { i });
        },
        events,
      }),
      targetConnector({
        written,
        events,
        beforeWrite: async (_rows, _ctx, call) => {
          if (call === 3) ctrl.abort('terminate');
          await sleep(1);
        },
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { channelCapacity: 2 } }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
    const c = codes(log);
    expect(c).toContain(106);
    expect(c).toContain(505);
    expect(c.at(-1)).toBe(16);
    expect(log.status).toBe(16);
    expect(log.position_status).toBe('RUNTIME_CANCEL');
    expect(stepOf(log, 106).position_status).toBe('RUNTIME_CANCEL');
    expect(stepOf(log, 505).position_status).toBe('RUNTIME_CANCEL');
    expect(c).not.toContain(901);
    expect(events).toContain('reader.close');
    expect(events).toContain('writer.close');
    expect(events).not.toContain('writer.finish');
    // commits only for batches that were written and flushed, in order
    const commits = events.filter((e) => e.startsWith('commit'));
    expect(commits.length).toBeLessThanOrEqual(3);
    commits.forEach((e, i) => expect(e).toBe(`commit:{"i":${i}}`));
    expect(written.length).toBe(log.data_count);
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('a reader blocked on a full channel still ends when the run is aborted', async () => {
    const ctrl = new AbortController();
    let blockedReaderSawEnd = false;
    const events: Event[] = [];
    const h = harness([
      sourceConnector({
        batches: async function* () {
          try {
            for (let i = 0; ; i++) yield batch(i, 1, { i });
          } finally {
            blockedReaderSawEnd = true;
          }
        },
        events,
      }),
      targetConnector({
        events,
        // The writer hangs on its first batch until the run is aborted: the channel fills up behind it.
        beforeWrite: (_rows, ctx) =>
          new Promise<void>((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
            setTimeout(() => ctrl.abort('terminate'), 20);
          }),
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { channelCapacity: 2 } }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
    expect(codes(log).slice(-3)).toEqual([106, 505, 16]);
    expect(log.data_count).toBe(0);
    expect(events).toContain('reader.close');
    await sleep(5);
    expect(blockedReaderSawEnd).toBe(true);
  });

  it('a reader waiting for data (realtime, nothing arrives) ends on terminate', async () => {
    const ctrl = new AbortController();
    const h = harness([
      sourceConnector({
        batches: () => ({
          [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<SourceBatch>>(() => {}) }),
        }),
      }),
      targetConnector({}),
    ]);
    setTimeout(() => ctrl.abort('terminate'), 10);
    const log = await h.run(makeTask({ taskType: 'REALTIME' }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
    expect(codes(log)).toEqual([900, 99, 100, 106, 16]);
  });

  it('an abort before the run starts → CANCELLED with 16 and no reader or writer opened', async () => {
    const events: Event[] = [];
    const h = harness([sourceConnector({ batches: [batch(1, 1)], events }), targetConnector({ events })]);
    const log = await h.run(makeTask(), { signal: AbortSignal.abort('terminate') });
    expect(log.execute_status).toBe('CANCELLED');
    expect(codes(log)).toEqual([900, 99, 16]);
    expect(events).toEqual([]);
  });

  it("'stop' on a timing task terminates it (drain is for realtime tasks)", async () => {
    const ctrl = new AbortController();
    const h = harness([
      sourceConnector({ batches: async function* () { for (let i = 0; ; i++) yield batch(i, 1, { i }); } }),
      targetConnector({ beforeWrite: async (_r, _c, call) => { if (call === 2) ctrl.abort(STOP_REASON); } }),
    ]);
    const log = await h.run(makeTask(), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
  });
});

describe('engine: realtime stop = drain', () => {
  it('the reader stops, everything read is written and committed, the run ends SUCCESS (901)', async () => {
    const ctrl = new AbortController();
    const events: Event[] = [];
    const written: Row[] = [];
    let readCount = 0;
    const h = harness([
      sourceConnector({
        // A realtime reader: yields until its signal aborts, then returns (the contract).
        batches: (ctx) =>
          (async function* () {
            for (let i = 0; !ctx.signal.aborted; i++) {
              readCount += 4;
              yield batch(i * 4, 4, { offset: i });
              await sleep(0);
            }
          })(),
        events,
      }),
      targetConnector({
        written,
        events,
        beforeWrite: async (_rows, _ctx, call) => {
          if (call === 5) ctrl.abort(STOP_REASON);
          await sleep(1);
        },
      }),
    ]);
    const log = await h.run(makeTask({ taskType: 'REALTIME', runtime: { channelCapacity: 3 } }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.status).toBe(901);
    expect(codes(log)).not.toContain(106);
    expect(codes(log)).not.toContain(505);
    // read = written + dirty, and every read batch was committed, in order
    expect(stepOf(log, 104).data_count).toBe(readCount);
    expect(written).toHaveLength(readCount);
    expect(log.data_count).toBe(readCount);
    const commits = events.filter((e) => e.startsWith('commit'));
    expect(commits).toHaveLength(readCount / 4);
    commits.forEach((e, i) => expect(e).toBe(`commit:{"offset":${i}}`));
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ offset: readCount / 4 - 1 });
    expect(log.read_spend_time).toBeUndefined();
    expect(events).toContain('writer.finish');
  });
});

describe('engine: realtime drain with a reader that ignores its signal', () => {
  it('no batch is pulled from the reader after stop, so none is produced and dropped', async () => {
    const ctrl = new AbortController();
    const written: Row[] = [];
    let produced = 0;
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let i = 0; ; i++) {
            produced++;
            yield batch(i * 3, 3, { offset: i });
          }
        },
      }),
      targetConnector({
        written,
        beforeWrite: async (_rows, _ctx, call) => {
          if (call === 3) ctrl.abort(STOP_REASON);
          await sleep(1);
        },
      }),
    ]);
    const log = await h.run(makeTask({ taskType: 'REALTIME', runtime: { channelCapacity: 2 } }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('SUCCESS');
    expect(written).toHaveLength(produced * 3);
    expect(log.data_count + log.dirty_data_count).toBe(stepOf(log, 104).data_count);
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ offset: produced - 1 });
  });
});

describe('engine: realtime drain while the reader waits for data', () => {
  it('the reader returns on its signal; the run ends SUCCESS with everything written', async () => {
    const ctrl = new AbortController();
    const written: Row[] = [];
    const h = harness([
      sourceConnector({
        batches: (ctx) =>
          (async function* () {
            yield batch(0, 2, { offset: 0 });
            yield batch(2, 2, { offset: 1 });
            // a long poll that ends when the signal aborts, as a realtime reader must
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          })(),
      }),
      targetConnector({ written, beforeWrite: (_r, _c, call) => void (call === 2 && setTimeout(() => ctrl.abort(STOP_REASON), 5)) }),
    ]);
    const log = await h.run(makeTask({ taskType: 'REALTIME' }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.status).toBe(901);
    expect(written).toHaveLength(4);
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ offset: 1 });
  });
});

describe('engine: realtime checkpoints while running', () => {
  it('a terminated realtime run keeps the checkpoint of the last written batch, never one past it', async () => {
    const ctrl = new AbortController();
    const written: Row[] = [];
    const h = harness([
      sourceConnector({
        batches: (ctx) =>
          (async function* () {
            for (let i = 0; !ctx.signal.aborted; i++) {
              yield batch(i * 2, 2, { offset: i });
              await sleep(0);
            }
          })(),
      }),
      targetConnector({
        written,
        beforeWrite: async (_rows, ctx, call) => {
          if (call === 4) {
            ctrl.abort('terminate');
            // the target notices the abort and fails this write: batch 3 is not written
            throw new Error(`aborted: ${String(ctx.signal.aborted)}`);
          }
        },
      }),
    ]);
    const log = await h.run(makeTask({ taskType: 'REALTIME', runtime: { channelCapacity: 2 } }), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
    expect(written).toHaveLength(6);
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ offset: 2 });
  });
});
