import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Row, SourceBatch } from '../../connectors/sdk/index.ts';
import { rowBytes } from '../../connectors/sdk/index.ts';
import { JsonlFileDirtySink } from '../../worker/dirty.ts';
import { batch, codes, datasource, harness, makeTask, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';

/** A small deterministic PRNG so a failing shape can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('engine: dirty data', () => {
  it('records the target rejects go to the dirty sink with reason, column, stage, run id and the record', async () => {
    const h = harness([
      sourceConnector({ batches: [batch(1, 5, { n: 1 })] }),
      targetConnector({ reject: (r) => (r.id === 2 || r.id === 4 ? 'Data too long for column' : undefined) }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(2);
    expect(stepOf(log, 504).dirty_data_count).toBe(2);
    expect(h.dirty.records).toHaveLength(2);
    expect(h.dirty.records[0]).toMatchObject({
      run_id: log.id,
      task_id: 'task-engine-1',
      stage: 'memdstwriter',
      column: 'id',
      reason: 'Data too long for column',
      record: { id: 2, name: 'row-2' },
    });
  });

  it('unreadable records count as read and dirty, with the reader stage', async () => {
    const b: SourceBatch = { ...batch(1, 2), unreadable: [{ raw: '{"id": 3,', reason: 'Unexpected end of JSON input' }] };
    const h = harness([sourceConnector({ batches: [b] }), targetConnector({})]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 104).data_count).toBe(3);
    expect(stepOf(log, 104).dirty_data_count).toBe(1);
    expect(log.data_count).toBe(2);
    expect(log.dirty_data_count).toBe(1);
    expect(h.dirty.records[0]).toMatchObject({ stage: 'memsrcreader', record: '{"id": 3,', reason: 'Unexpected end of JSON input' });
  });

  it('a batch of only unreadable records does not open the writer', async () => {
    const events: Event[] = [];
    const b: SourceBatch = { records: [], bytes: 5, unreadable: [{ raw: 'xx', reason: 'bad' }], checkpoint: { n: 1 } };
    const h = harness([sourceConnector({ batches: [b], events }), targetConnector({ events })]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 102, 104, 101, 901]);
    expect(events).not.toContain('writer.open');
    expect(events).toContain('commit:{"n":1}');
    expect(log.dirty_data_count).toBe(1);
  });

  it('a value that cannot be converted is dirty at stage "mapping", never a silent null', async () => {
    const source = [{ id: '1', amount: '12.5' }, { id: 'x', amount: '3' }, { id: '3', amount: 'lots' }];
    const written: Row[] = [];
    const h = harness([sourceConnector({ batches: [{ records: source, bytes: 30 }] }), targetConnector({ written })]);
    const task = makeTask({
      mapping: {
        required: true,
        columns: [
          { source: 'id', target: 'ID', targetType: 'INT', constant: false },
          { source: 'amount', target: 'AMOUNT', targetType: 'DECIMAL', targetLength: '10,2', constant: false },
          { source: 'fdi', target: 'ORIGIN', constant: true },
        ],
      },
    });
    const log = await h.run(task);
    expect(log.execute_status).toBe('SUCCESS');
    expect(written).toEqual([{ ID: 1, AMOUNT: '12.5', ORIGIN: 'fdi' }]);
    expect(log.dirty_data_count).toBe(2);
    expect(h.dirty.records.map((r) => [r.stage, r.column])).toEqual([
      ['mapping', 'ID'],
      ['mapping', 'AMOUNT'],
    ]);
    expect(h.dirty.records[0]?.reason).toContain('"x"');
    expect(h.dirty.records[1]?.reason).toContain('"lots"');
    expect(h.dirty.records[1]?.record).toEqual({ id: '3', amount: 'lots' });
  });

  it('dirtyMaxCount: more dirty records than allowed ends the run ERROR (506) naming the limit; what came before is kept', async () => {
    const events: Event[] = [];
    const written: Row[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(0, 10, { n: 1 }), batch(10, 10, { n: 2 }), batch(20, 10, { n: 3 })], events }),
      targetConnector({ written, events, reject: (r) => (Number(r.id) % 4 === 0 ? 'constraint' : undefined) }),
    ]);
    const log = await h.run(makeTask({ runtime: { dirtyMaxCount: 4 } }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(506);
    expect(log.remarks).toContain('dirtyMaxCount 4');
    // batch 1: ids 0,4,8 dirty (3); batch 2: 12,16 → 5 > 4: stops after batch 2, whose rows are written and kept
    expect(log.dirty_data_count).toBe(5);
    expect(log.data_count).toBe(15);
    expect(written).toHaveLength(15);
    expect(h.dirty.records).toHaveLength(5);
    expect(events.filter((e) => e.startsWith('commit'))).toEqual(['commit:{"n":1}', 'commit:{"n":2}']);
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('dirtyMaxRatio: judged only after dirtyMinSample records', async () => {
    // 1 dirty in the first 4 records (25 %), then clean: ratio limit 0.2 with a sample of 10 is never crossed…
    const mk = () =>
      harness([
        sourceConnector({ batches: [batch(0, 4), batch(4, 4), batch(8, 4), batch(12, 4)] }),
        targetConnector({ reject: (r) => (r.id === 1 ? 'bad' : undefined) }),
      ]);
    const ok = await mk().run(makeTask({ runtime: { dirtyMaxRatio: 0.2, dirtyMinSample: 10 } }));
    expect(ok.execute_status).toBe('SUCCESS');
    expect(ok.dirty_data_count).toBe(1);
    // …while a sample of 4 judges the first batch alone: 0.25 > 0.2.
    const bad = await mk().run(makeTask({ runtime: { dirtyMaxRatio: 0.2, dirtyMinSample: 4 } }));
    expect(bad.execute_status).toBe('ERROR');
    expect(bad.status).toBe(506);
    expect(bad.remarks).toContain('dirtyMaxRatio 0.2');
    expect(bad.data_count + bad.dirty_data_count).toBe(4);
  });

  it('invariant read = written + dirty, and exact counters, over many random shapes', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const batches: SourceBatch[] = [];
      let id = 0;
      const nBatches = Math.floor(rnd() * 8);
      let expectedBytes = 0;
      for (let b = 0; b < nBatches; b++) {
        const size = Math.floor(rnd() * 25);
        const records: Row[] = [];
        for (let i = 0; i < size; i++) records.push({ id: id++, v: rnd() < 0.15 ? 'not-a-number' : String(Math.floor(rnd() * 1000)) });
        const unreadable = rnd() < 0.3 ? [{ raw: `garbage-${b}`, reason: 'unparseable' }] : undefined;
        batches.push({ records, bytes: size * 10, checkpoint: { b }, ...(unreadable ? { unreadable } : {}) });
      }
      const rejectMod = 2 + Math.floor(rnd() * 6);
      const written: Row[] = [];
      const h = harness([
        sourceConnector({ batches }),
        targetConnector({ written, reject: (r) => (Number(r.ID) % rejectMod === 0 ? 'rejected' : undefined) }),
      ]);
      const task = makeTask({
        runtime: { channelCapacity: 1 + Math.floor(rnd() * 4) },
        mapping: {
          required: true,
          columns: [
            { source: 'id', target: 'ID', targetType: 'bigint', constant: false },
            { source: 'v', target: 'V', targetType: 'int', constant: false },
          ],
        },
      });
      const log = await h.run(task);
      const read = batches.reduce((n, b) => n + b.records.length + (b.unreadable?.length ?? 0), 0);
      const mappingDirty = batches.reduce((n, b) => n + b.records.filter((r) => r.v === 'not-a-number').length, 0);
      const rejected = batches.reduce(
        (n, b) => n + b.records.filter((r) => r.v !== 'not-a-number' && Number(r.id) % rejectMod === 0).length,
        0,
      );
      const unreadable = read - batches.reduce((n, b) => n + b.records.length, 0);
      for (const r of written) expectedBytes += rowBytes(r);
      const ctx = `seed ${seed}`;
      expect(log.execute_status, ctx).toBe('SUCCESS');
      expect(log.data_count + log.dirty_data_count, ctx).toBe(read);
      expect(log.dirty_data_count, ctx).toBe(mappingDirty + rejected + unreadable);
      expect(h.dirty.records, ctx).toHaveLength(log.dirty_data_count);
      expect(written, ctx).toHaveLength(log.data_count);
      if (read === 0) {
        expect(codes(log), ctx).toEqual([900, 99, 100, 105]);
      } else {
        expect(stepOf(log, 104).data_count, ctx).toBe(read);
        expect(log.status, ctx).toBe(901);
      }
      if (log.data_count > 0) {
        expect(stepOf(log, 504).data_count, ctx).toBe(log.data_count);
        expect(log.data_size > 0, ctx).toBe(true);
        const unitBytes = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[log.data_size_unit];
        expect(Math.abs(log.data_size * unitBytes - expectedBytes), ctx).toBeLessThanOrEqual(unitBytes / 100 + 1);
      }
      expect(await h.checkpoints.load(task.taskId), ctx).toEqual(batches.length > 0 ? { b: batches.length - 1 } : null);
    }
  });

  it('error_handler: dirty records are written through the error_handler data source connector', async () => {
    const dirtyRows: Row[] = [];
    const dirtyEvents: Event[] = [];
    const h = harness(
      [
        sourceConnector({ batches: [batch(1, 4, { n: 1 })] }),
        targetConnector({ reject: (r) => (r.id === 3 ? 'check constraint "positive" violated' : undefined) }),
        targetConnector({ written: dirtyRows, events: dirtyEvents }, 'errdst'),
      ],
      [datasource('src', 'memsrc'), datasource('dst', 'memdst'), datasource('err', 'errdst')],
    );
    const log = await h.run(
      makeTask({ errorHandler: { datasourceId: 'err', path: 'fdi_engine_dirty', stopTaskWhenFailure: false } }),
    );
    expect(log.execute_status).toBe('SUCCESS');
    expect(h.dirty.records).toHaveLength(0);
    expect(dirtyRows).toHaveLength(1);
    expect(dirtyRows[0]).toMatchObject({
      run_id: log.id,
      task_id: 'task-engine-1',
      stage: 'memdstwriter',
      column_name: 'id',
      reason: 'check constraint "positive" violated',
      record: JSON.stringify({ id: 3, name: 'row-3' }),
    });
    expect(dirtyRows[0]?.time).toBeInstanceOf(Date);
    expect(dirtyEvents).toEqual(['writer.open', 'write:1', 'flush', 'writer.finish', 'writer.close']);
  });

  it('error_handler naming an unknown data source → 912 before anything is read', async () => {
    const events: Event[] = [];
    const h = harness([sourceConnector({ batches: [batch(1, 1)], events }), targetConnector({ events })]);
    const log = await h.run(makeTask({ errorHandler: { datasourceId: 'missing', path: 't', stopTaskWhenFailure: false } }));
    expect(log.status).toBe(912);
    expect(log.remarks).toContain('FDI.3147');
    expect(events).toEqual([]);
  });

  it('JsonlFileDirtySink appends one JSON object a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fdi-engine-dirty-'));
    tmp.push(dir);
    const path = join(dir, 'sub', 'dirty.jsonl');
    const h = harness([
      sourceConnector({ batches: [batch(1, 3), batch(4, 3)] }),
      targetConnector({ reject: (r) => (Number(r.id) % 2 === 0 ? 'even' : undefined) }),
    ]);
    const sink = new JsonlFileDirtySink(path);
    const log = await h.run(makeTask(), {}, sink);
    await sink.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { record: Row; run_id: string });
    expect(lines.map((l) => l.record.id)).toEqual([2, 4, 6]);
    expect(lines.every((l) => l.run_id === log.id)).toBe(true);
    // appending: a second sink on the same file keeps the first lines
    const again = new JsonlFileDirtySink(path);
    await again.write([{ run_id: 'r2', task_id: 't', stage: 's', reason: 'r', record: null, time: 1 }]);
    await again.close();
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(4);
  });
});
