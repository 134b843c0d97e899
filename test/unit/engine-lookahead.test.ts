/**
 * The engine stages the next batch (mapping, the writer's `prepare`) while one is being written: the staged batch
 * is the very array later written, it is written only after the batch before it is committed, and a failure or a
 * crossed dirty threshold of the batch being written keeps it from being written at all.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../../connectors/sdk/index.ts';
import { batch, harness, makeTask, sleep, sourceConnector, targetConnector, type Event } from './engine-fixtures.ts';

const MAPPED = { required: true, columns: [{ source: 'id', target: 'id', constant: false }, { source: 'name', target: 'label', constant: false }] };

describe('engine: staging the next batch during a write', () => {
  it('prepares the next batch while one is written, and writes that same array after the previous commit', async () => {
    const events: Event[] = [];
    const prepared: Row[][] = [];
    const writes: Row[][] = [];
    const batches = [1, 2, 3, 4, 5].map((n) => batch((n - 1) * 300 + 1, 300, { n }));
    const h = harness([
      sourceConnector({ batches, events }),
      targetConnector({
        events,
        prepare: (rows) => prepared.push(rows),
        beforeWrite: async (rows) => {
          writes.push(rows);
          // Long enough for the reader to fill the channel: from the second write on, the next batch is there.
          await sleep(30);
        },
      }),
    ]);
    const log = await h.run(makeTask({ mapping: MAPPED }));
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(1500);
    expect(writes.map((w) => w[0])).toEqual([1, 301, 601, 901, 1201].map((id) => ({ id, label: `row-${id}` })));
    // Staged ahead: at least batches 3, 4 and 5; each prepared array is the very one written next, once.
    expect(prepared.length).toBeGreaterThanOrEqual(3);
    for (const p of prepared) expect(writes.filter((w) => w === p)).toHaveLength(1);
    expect(prepared.slice(-3)).toEqual(writes.slice(-3));
    // Each write comes after the commit of the batch before it.
    const writeIndexes = events.flatMap((e, i) => (e === 'write:300' ? [i] : []));
    expect(writeIndexes).toHaveLength(5);
    for (let n = 1; n < 5; n++) expect(events.indexOf(`commit:{"n":${n}}`)).toBeLessThan(writeIndexes[n] as number);
  });

  it('a dirty threshold crossed by the batch being written stops the run before the staged batch is written', async () => {
    const written: Row[] = [];
    const prepared: Row[][] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 10, { n: 1 }), batch(11, 10, { n: 2 }), batch(21, 10, { n: 3 })] }),
      targetConnector({
        written,
        prepare: (rows) => prepared.push(rows),
        reject: (row) => (Number(row['id']) >= 11 && Number(row['id']) <= 15 ? 'refused' : undefined),
        beforeWrite: () => sleep(30),
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { dirtyMaxCount: 4 } }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.remarks).toContain('dirtyMaxCount 4');
    // Batch 3 was staged (prepared) while batch 2 was written, and never written.
    expect(prepared.some((rows) => rows[0]?.['id'] === 21)).toBe(true);
    expect(written.map((r) => r['id'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19, 20]);
  });

  it('a write that fails leaves the staged batch unwritten and its checkpoint uncommitted', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 10, { n: 1 }), batch(11, 10, { n: 2 }), batch(21, 10, { n: 3 })], events }),
      targetConnector({
        events,
        prepare: () => undefined,
        beforeWrite: async (_rows, _ctx, call) => {
          await sleep(30);
          if (call === 2) throw new Error('target went away');
        },
      }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.remarks).toContain('target went away');
    expect(events.filter((e) => e.startsWith('write:'))).toEqual(['write:10']);
    expect(events.filter((e) => e.startsWith('commit:'))).toEqual(['commit:{"n":1}']);
    expect(events).toContain('prepare:10');
  });

  it('a writer without prepare gets the same batches, in order, each once', async () => {
    const written: Row[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 50), batch(51, 50), batch(101, 50), batch(151, 50)] }),
      targetConnector({ written, beforeWrite: () => sleep(10) }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(written.map((r) => r['id'])).toEqual(Array.from({ length: 200 }, (_v, i) => i + 1));
  });
});
