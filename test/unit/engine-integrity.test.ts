import { describe, expect, it } from 'vitest';
import { batch, codes, harness, makeTask, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';

const check = { runtime: { integrityCheck: true } };

describe('engine: integrity check (902/903)', () => {
  it('source count = read: 902 → 903 passed, then the run publishes and succeeds', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 3, { n: 1 })], count: async () => 3, events }),
      targetConnector({ events, reject: (r) => (r.id === 2 ? 'x' : undefined) }),
    ]);
    const log = await h.run(makeTask(check));
    expect(log.execute_status).toBe('SUCCESS');
    expect(codes(log)).toEqual([900, 99, 100, 102, 500, 502, 104, 101, 504, 902, 903, 501, 901]);
    expect(stepOf(log, 903).remarks).toContain('read 3 = written 2 + dirty 1');
    expect(stepOf(log, 903).position_status).toBe('NODE_END');
    expect(events).toContain('writer.finish');
  });

  it('records missing: ERROR at 903 naming how many; nothing published, checkpoint not advanced', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 3, { n: 1 })], count: async () => 5, finalCheckpoint: { n: 9 }, events }),
      targetConnector({ events }),
    ]);
    const log = await h.run(makeTask(check));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(903);
    expect(log.position_status).toBe('RUNTIME_ERR');
    expect(log.remarks).toContain('2 missing');
    expect(events).not.toContain('writer.finish');
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('zero rows read while the source has some is caught too', async () => {
    const h = harness([sourceConnector({ batches: [], count: async () => 1 }), targetConnector({})]);
    const log = await h.run(makeTask(check));
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toEqual([900, 99, 100, 902, 903]);
  });

  it('a reader that cannot count, or whose count fails, is noted and the run still succeeds', async () => {
    const a = await harness([sourceConnector({ batches: [batch(1, 1)] }), targetConnector({})]).run(makeTask(check));
    expect(a.execute_status).toBe('SUCCESS');
    expect(stepOf(a, 903).remarks).toContain('cannot count');
    const b = await harness([
      sourceConnector({ batches: [batch(1, 1)], count: async () => Promise.reject(new Error('permission denied for table t')) }),
      targetConnector({}),
    ]).run(makeTask(check));
    expect(b.execute_status).toBe('SUCCESS');
    expect(stepOf(b, 903).remarks).toContain('permission denied');
    expect(b.status).toBe(901);
  });

  it('off by default, and never for realtime tasks', async () => {
    const counted: string[] = [];
    const count = async () => (counted.push('x'), 1);
    const off = await harness([sourceConnector({ batches: [batch(1, 1)], count }), targetConnector({})]).run(makeTask());
    expect(codes(off)).not.toContain(902);
    const rt = await harness([sourceConnector({ batches: [batch(1, 1)], count }), targetConnector({})]).run(
      makeTask({ taskType: 'REALTIME', ...check }),
    );
    expect(codes(rt)).not.toContain(902);
    expect(counted).toEqual([]);
  });
});
