import { describe, expect, it } from 'vitest';
import type { Row } from '../../connectors/sdk/index.ts';
import type { TaskMonitorLog } from '../../core/monitor-log.ts';
import { INTEGRITY_CHECK_ENV, integrityCheckDefault, integrityCheckEnabled } from '../../worker/integrity-config.ts';
import { batch, codes, harness, makeTask, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';
import { RejectedKeys } from '../../worker/integrity-tracker.ts';
import { checkedTask, keyedTarget, tableRows, tableSource } from './integrity-fixtures.ts';

const TASK_ID = 'task-engine-1';

/** read = written + dirty over the run's own report: the read steps plus what compensation re-read. */
function expectBalanced(log: TaskMonitorLog, compensationMissing = 0): void {
  const read = stepOf(log, 104).data_count + compensationMissing;
  expect(read).toBe(log.data_count + log.dirty_data_count);
}

function sortedIds(table: Map<string, Row>): number[] {
  return [...table.values()].map((r) => Number(r['id'])).sort((a, b) => a - b);
}

describe('integrity check: counts match', () => {
  it('logs 902 and 903 with exact counts, then 504 → 501 → 901 and SUCCESS', async () => {
    const table = new Map<string, Row>();
    const h = harness([tableSource({ rows: tableRows(25) }), keyedTarget({ table })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 902, 903, 501, 901]);
    expect(stepOf(log, 902).position).toBe('ADAPTER');
    expect(stepOf(log, 903).remarks).toBe('source=25 written=25 dirty=0 (read 25 = written 25 + dirty 0)');
    expect(stepOf(log, 903).position_status).toBe('NODE_END');
    expect(log.data_count).toBe(25);
    expect(sortedIds(table)).toEqual(tableRows(25).map((r) => r['id']));
    expect(await h.checkpoints.load(TASK_ID)).toEqual({ upTo: 25 });
  });

  it('is not run when the task does not ask for it', async () => {
    const h = harness([tableSource({ rows: tableRows(5) }), keyedTarget({ table: new Map() })]);
    const log = await h.run(checkedTask({ integrityCheck: false }));
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 501, 901]);
  });

  it('rows the target refused during the run are dirty, not missing: no compensation, each kept once', async () => {
    const table = new Map<string, Row>();
    const h = harness([
      tableSource({ rows: tableRows(30) }),
      keyedTarget({ table, reject: (row) => (Number(row['id']) % 7 === 0 ? 'id divisible by 7' : undefined) }),
    ]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).not.toContain(904);
    expect(stepOf(log, 903).remarks).toBe('source=30 written=26 dirty=4 (read 30 = written 26 + dirty 4)');
    expect(h.dirty.records.map((d) => (d.record as { id: number }).id)).toEqual([7, 14, 21, 28]);
    expect(log.dirty_data_count).toBe(4);
    expectBalanced(log);
  });
});

describe('integrity check: rows go missing and are compensated', () => {
  it('a writer that silently drops one batch: the check finds the 10 rows and writes them again', async () => {
    const table = new Map<string, Row>();
    const h = harness([tableSource({ rows: tableRows(40) }), keyedTarget({ table, drop: (_rows, call) => call === 2 })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 902, 903, 904, 905, 501, 901]);
    // The writer said it wrote 40: the count matches, only the key lookup sees the loss.
    expect(stepOf(log, 903).remarks).toBe('source=40 written=40 dirty=0 (read 40 = written 40 + dirty 0)');
    expect(stepOf(log, 905).remarks).toBe('compensated=10');
    expect(stepOf(log, 905).data_count).toBe(10);
    expect(stepOf(log, 905).position_status).toBe('NODE_END');
    expect(stepOf(log, 904).data_count).toBe(10);
    expect(sortedIds(table)).toEqual(tableRows(40).map((r) => r['id']));
    // compensated rows count as read again and written: 40 + 10
    expect(log.data_count).toBe(50);
    expectBalanced(log, 10);
    expect(log.remarks).toBe('Task execute success: read 50, written 50, dirty 0.');
    expect(await h.checkpoints.load(TASK_ID)).toEqual({ upTo: 40 });
  });

  it('rows deleted from the target mid-run are written again', async () => {
    const table = new Map<string, Row>();
    const h = harness([
      tableSource({ rows: tableRows(50) }),
      keyedTarget({
        table,
        beforeWrite: (_rows, call) => {
          // someone empties rows 3, 4 and 11 while batch 4 is being written
          if (call === 4) for (const id of ['3', '4', '11']) table.delete(id);
        },
      }),
    ]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe('source=50 written=50 dirty=0 (read 50 = written 50 + dirty 0)');
    expect(stepOf(log, 905).remarks).toBe('compensated=3');
    expect(sortedIds(table)).toEqual(tableRows(50).map((r) => r['id']));
  });

  it('rows the reader missed (source count > written + dirty) are found by key and written', async () => {
    const table = new Map<string, Row>();
    const h = harness([tableSource({ rows: tableRows(20), skipOnFirstRead: (r) => r['id'] === 5 || r['id'] === 17 }), keyedTarget({ table })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe('source=20 written=18 dirty=0 (read 18 = written 18 + dirty 0); 2 missing: checking the target by key');
    expect(stepOf(log, 905).remarks).toBe('compensated=2');
    expect(sortedIds(table)).toEqual(tableRows(20).map((r) => r['id']));
    expect(log.data_count).toBe(20);
    expectBalanced(log, 2);
  });

  it('a missing row the target refuses on compensation becomes dirty (kept with its reason), the run still succeeds', async () => {
    const table = new Map<string, Row>();
    const phase = { compensating: false };
    const h = harness([
      tableSource({ rows: tableRows(20), rereads: { n: 0 } }),
      keyedTarget({
        table,
        phase,
        drop: (_rows, call) => {
          if (call >= 3) phase.compensating = true; // 2 batches in the run (the 2nd dropped); later writes are compensation
          return call === 2;
        },
        reject: (row, compensating) => (compensating && row['id'] === 13 ? 'value too long' : undefined),
      }),
    ]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 905).remarks).toBe('compensated=9 dirty=1');
    expect(stepOf(log, 905).dirty_data_count).toBe(1);
    expect(h.dirty.records).toHaveLength(1);
    expect(h.dirty.records[0]).toMatchObject({ stage: 'memdstwriter', reason: 'value too long', column: 'id', record: { id: 13, name: 'row-13' } });
    expect(log.dirty_data_count).toBe(1);
    expect(log.data_count).toBe(29);
    expectBalanced(log, 10);
    expect(sortedIds(table)).toEqual(tableRows(20).map((r) => r['id']).filter((id) => id !== 13));
  });

  it('rows still missing after compensation end the run ERROR and keep the checkpoint where it was', async () => {
    const table = new Map<string, Row>();
    // A target that acknowledges row 8 and never keeps it, however often it is written.
    const h2 = harness([tableSource({ rows: tableRows(10) }), keyedTarget({ table, loses: (row) => row['id'] === 8 })]);
    await h2.checkpoints.save(TASK_ID, { upTo: 'before' });
    const log = await h2.run(checkedTask());
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 902, 903, 904, 905]);
    const result = stepOf(log, 905);
    expect(result.position_status).toBe('RUNTIME_ERR');
    expect(result.remarks).toMatch(/^compensated=0 unresolved=1; 1 rows are still missing from the target/);
    expect(log.status).toBe(905);
    expect(log.remarks).toContain('Integrity check failed');
    expect(await h2.checkpoints.load(TASK_ID)).toEqual({ upTo: 'before' });
  });
});

describe('integrity check: targets that cannot be asked by key', () => {
  it('fewer rows delivered than the window holds → 903 RUNTIME_ERR, ERROR, checkpoint not advanced', async () => {
    const table = new Map<string, Row>();
    const h = harness([tableSource({ rows: tableRows(12), skipOnFirstRead: (r) => r['id'] === 12 }), keyedTarget({ table, canLookup: false })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 902, 903]);
    const result = stepOf(log, 903);
    expect(result.position_status).toBe('RUNTIME_ERR');
    expect(result.remarks).toMatch(/^source=12 written=11 dirty=0 \(read 11 = written 11 \+ dirty 0\); 1 missing: they did not reach the target and cannot be compensated \(the memdstwriter target cannot be asked which rows it holds\)/);
    expect(await h.checkpoints.load(TASK_ID)).toBeNull();
  });

  it('a source that cannot re-read its window: only the count decides', async () => {
    const h = harness([tableSource({ rows: tableRows(12), canReread: false, count: 13 }), keyedTarget({ table: new Map() })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('ERROR');
    expect(stepOf(log, 903).remarks).toContain('the memsrcreader source cannot read its window again');
  });

  it('more rows delivered than the window now holds is not a loss: SUCCESS with a note', async () => {
    const h = harness([tableSource({ rows: tableRows(12), count: 10 }), keyedTarget({ table: new Map(), canLookup: false })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe(
      'source=10 written=12 dirty=0 (read 12 = written 12 + dirty 0); 2 more records were processed than the window holds now (rows changed or deleted at the source during the run)',
    );
    expect(codes(log).at(-1)).toBe(901);
  });

  it('a source that cannot count: 903 says so, the key comparison still runs', async () => {
    const table = new Map<string, Row>();
    const h = harness([tableSource({ rows: tableRows(15), canCount: false }), keyedTarget({ table, drop: (_r, call) => call === 1 })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe('source=unknown written=15 dirty=0 (read 15 = written 15 + dirty 0); the memsrcreader source cannot count its window');
    expect(stepOf(log, 905).remarks).toBe('compensated=10');
    expect(sortedIds(table)).toEqual(tableRows(15).map((r) => r['id']));
  });
});

describe('integrity check: failures and terminate', () => {
  it('a source count that fails is noted in 903; the key comparison still finds and repairs the loss', async () => {
    const table = new Map<string, Row>();
    const h = harness([
      tableSource({ rows: tableRows(20), count: () => Promise.reject(new Error('permission denied for table t')) }),
      keyedTarget({ table, drop: (_r, call) => call === 2 }),
    ]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe(
      'source=unknown written=20 dirty=0 (read 20 = written 20 + dirty 0); counting the source failed: permission denied for table t',
    );
    expect(stepOf(log, 905).remarks).toBe('compensated=10');
    expect(sortedIds(table)).toEqual(tableRows(20).map((r) => r['id']));
  });

  it('zero rows read while the source counts some: ERROR at 903, nothing to compensate with, checkpoint kept', async () => {
    const h = harness([tableSource({ rows: [], count: 2 }), keyedTarget({ table: new Map() })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toEqual([900, 99, 100, 902, 903]);
    expect(stepOf(log, 903).remarks).toMatch(/^source=2 written=0 dirty=0 \(read 0 = written 0 \+ dirty 0\); 2 missing: .*no row reached the writer in this run/);
    expect(await h.checkpoints.load(TASK_ID)).toBeNull();
  });

  it('zero rows read and none in the window: 902, 903, then 105', async () => {
    const h = harness([tableSource({ rows: [], count: 0 }), keyedTarget({ table: new Map() })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 902, 903, 105]);
  });

  it('a key lookup that fails is 503 with the reason', async () => {
    const h = harness([tableSource({ rows: tableRows(5) }), keyedTarget({ table: new Map(), lookupError: new Error('relation does not exist') })]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(503);
    expect(stepOf(log, 503).remarks).toBe('integrity check: relation does not exist');
  });

  it('terminate during compensation → CANCELLED, checkpoint not advanced', async () => {
    const ctrl = new AbortController();
    const table = new Map<string, Row>();
    const h = harness([
      tableSource({
        rows: tableRows(30),
        beforeRereadBatch: (n) => {
          if (n === 1) ctrl.abort('user terminate');
        },
      }),
      keyedTarget({ table, drop: (_r, call) => call <= 3 }),
    ]);
    const log = await h.run(checkedTask(), { signal: ctrl.signal });
    expect(log.execute_status).toBe('CANCELLED');
    expect(codes(log).slice(-3)).toEqual([106, 505, 16]);
    expect(codes(log)).toContain(902);
    expect(await h.checkpoints.load(TASK_ID)).toBeNull();
  });

  it('a bad FDI_INTEGRITY_CHECK ends the run with a message naming it', async () => {
    const before = process.env[INTEGRITY_CHECK_ENV];
    process.env[INTEGRITY_CHECK_ENV] = 'sometimes';
    try {
      const h = harness([tableSource({ rows: tableRows(3) }), keyedTarget({ table: new Map() })]);
      const log = await h.run(makeTask());
      expect(log.execute_status).toBe('ERROR');
      expect(log.remarks).toContain('FDI_INTEGRITY_CHECK: expected true or false, got "sometimes"');
    } finally {
      if (before === undefined) delete process.env[INTEGRITY_CHECK_ENV];
      else process.env[INTEGRITY_CHECK_ENV] = before;
    }
  });
});

describe('integrity check: the option', () => {
  it('FDI_INTEGRITY_CHECK is the default; a task that says true or false wins', () => {
    const unset = makeTask();
    expect(integrityCheckEnabled(unset, {})).toBe(false);
    expect(integrityCheckEnabled(unset, { FDI_INTEGRITY_CHECK: 'true' })).toBe(true);
    expect(integrityCheckEnabled(unset, { FDI_INTEGRITY_CHECK: 'false' })).toBe(false);
    expect(integrityCheckEnabled(checkedTask({ integrityCheck: false }), { FDI_INTEGRITY_CHECK: 'true' })).toBe(false);
    expect(integrityCheckEnabled(checkedTask({ integrityCheck: true }), { FDI_INTEGRITY_CHECK: 'false' })).toBe(true);
    // camelCase spelling in task_detail counts as the task saying so
    const camel = makeTask({ runtime: { integrityCheck: false }, rawDetail: { runtime: { integrityCheck: false } } });
    expect(integrityCheckEnabled(camel, { FDI_INTEGRITY_CHECK: '1' })).toBe(false);
  });

  it('realtime tasks are never checked', () => {
    const realtime = { ...checkedTask(), taskType: 'REALTIME' as const };
    expect(integrityCheckEnabled(realtime, { FDI_INTEGRITY_CHECK: 'true' })).toBe(false);
  });

  it('reads true/false/1/0/yes/no/on/off and refuses anything else', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', 'on', ' true ']) expect(integrityCheckDefault({ FDI_INTEGRITY_CHECK: t })).toBe(true);
    for (const f of ['false', '0', 'no', 'off', '']) expect(integrityCheckDefault({ FDI_INTEGRITY_CHECK: f })).toBe(false);
    expect(() => integrityCheckDefault({ FDI_INTEGRITY_CHECK: 'maybe' })).toThrow('FDI_INTEGRITY_CHECK: expected true or false, got "maybe"');
  });

  it('the environment default reaches a run', async () => {
    const before = process.env[INTEGRITY_CHECK_ENV];
    process.env[INTEGRITY_CHECK_ENV] = 'true';
    try {
      const table = new Map<string, Row>();
      const h = harness([tableSource({ rows: tableRows(20) }), keyedTarget({ table, drop: (_r, call) => call === 1 })]);
      const log = await h.run(makeTask({ runtime: { batchSize: 10 } }));
      expect(stepOf(log, 905).remarks).toBe('compensated=10');
    } finally {
      if (before === undefined) delete process.env[INTEGRITY_CHECK_ENV];
      else process.env[INTEGRITY_CHECK_ENV] = before;
    }
  });
});

describe('integrity check: details', () => {
  it('rows the target refuses during compensation count toward the dirty threshold (506)', async () => {
    const table = new Map<string, Row>();
    const phase = { compensating: false };
    const h = harness([
      tableSource({ rows: tableRows(20) }),
      keyedTarget({
        table,
        phase,
        drop: (_r, call) => {
          if (call >= 3) phase.compensating = true;
          return call === 1;
        },
        reject: (row, compensating) => (compensating && Number(row['id']) <= 2 ? 'refused' : undefined),
      }),
    ]);
    const log = await h.run(checkedTask({ dirtyMaxCount: 1 }));
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log).slice(-3)).toEqual([904, 905, 506]);
    expect(stepOf(log, 905).remarks).toBe('compensated=8 dirty=2');
    expect(stepOf(log, 506).remarks).toContain('2 dirty records > dirtyMaxCount 1');
    expect(h.dirty.records).toHaveLength(2);
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('a writer durable only after finish keeps that behaviour under the check: commits come after finish', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 3, { n: 1 }), batch(4, 3, { n: 2 })], count: async () => 6, events }),
      targetConnector({ events, durableOnlyAfterFinish: true }),
    ]);
    const log = await h.run(checkedTask());
    expect(log.execute_status).toBe('SUCCESS');
    expect(stepOf(log, 903).remarks).toBe('source=6 written=6 dirty=0 (read 6 = written 6 + dirty 0)');
    const finish = events.indexOf('writer.finish');
    expect(finish).toBeGreaterThan(-1);
    expect(events.indexOf('commit:{"n":2}')).toBeGreaterThan(finish);
    expect(events.filter((e) => e.startsWith('commit:'))).toEqual(['commit:{"n":2}']);
  });

  it('RejectedKeys keeps the key of each refused row and passes everything else through', async () => {
    const keys = new RejectedKeys();
    const calls: string[] = [];
    const writer = keys.track({
      durableOnlyAfterFinish: true,
      async open() {
        calls.push('open');
      },
      async write(rows) {
        calls.push(`write:${rows.length}`);
        return { rejected: [{ index: 1, reason: 'no' }] };
      },
      async flush() {
        calls.push('flush');
      },
      async finish() {
        calls.push('finish');
      },
      async close() {
        calls.push('close');
      },
      keyLookup: () => ({ keyOf: (row) => String(row['id']), absent: async () => [] }),
    });
    await writer.open();
    const result = await writer.write([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await writer.flush();
    await writer.finish?.();
    await writer.close();
    expect(result.rejected).toEqual([{ index: 1, reason: 'no' }]);
    expect(writer.durableOnlyAfterFinish).toBe(true);
    expect(calls).toEqual(['open', 'write:3', 'flush', 'finish', 'close']);
    expect(keys.has('2')).toBe(true);
    expect(keys.has('1')).toBe(false);
    expect(keys.size).toBe(1);
  });
});

