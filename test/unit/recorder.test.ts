import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MonitorLogSink, TaskMonitorLog } from '../../core/monitor-log.ts';
import { BoundedChannel } from '../../worker/channel.ts';
import { FileCheckpointStore } from '../../worker/checkpoint.ts';
import { dirtyLimitCrossed } from '../../worker/dirty-limit.ts';
import { MonitorRecorder } from '../../worker/monitor-recorder.ts';

class ManualClock {
  t = 1_700_000_000_000;
  now = (): number => this.t;
}

function recorder(sink: MonitorLogSink, clock = new ManualClock(), progressIntervalMs = 1000) {
  return new MonitorRecorder({ taskId: 't1', runId: 'run-recorder-0001', dispatchTime: 5, taskType: 'TIMING', sink, now: clock.now, progressIntervalMs });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('monitor recorder', () => {
  it('rolls the run up from its latest step; counts, sizes, times and remark limits', async () => {
    const saved: TaskMonitorLog[] = [];
    const clock = new ManualClock();
    const r = recorder({ save: async (l) => void saved.push(l) }, clock);
    r.step(900, { stage: 'adapter' });
    clock.t += 10;
    r.markStarted();
    r.step(99, { stage: 'adapter' });
    r.markReadStart();
    clock.t += 100;
    r.step(104, { stage: 'xreader', counts: { data_count: 3, bytes: 2048 } });
    r.markReadEnd();
    r.setTotals({ written: 3, dirty: 1, bytesWritten: 3 * 1024 * 1024 });
    clock.t += 50;
    r.step(103, { stage: 'xreader', remarks: 'x'.repeat(400) });
    const log = await r.finish('ERROR', 'y'.repeat(2000));
    expect(log.status).toBe(103);
    expect(log.position).toBe('READER');
    expect(log.position_status).toBe('RUNTIME_ERR');
    expect(log.execute_status).toBe('ERROR');
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(1);
    expect([log.data_size, log.data_size_unit]).toEqual([3, 'MB']);
    const s104 = log.detail_logs.find((s) => s.status === 104);
    expect([s104?.data_size, s104?.data_size_unit]).toEqual([2, 'KB']);
    expect(log.start_time).toBe(1_700_000_000_010);
    expect(log.dispatch_time).toBe(5);
    expect(log.end_time).toBe(1_700_000_000_160);
    expect(log.spend_time).toBe(150);
    expect(log.read_spend_time).toBe(100);
    expect(log.remarks.length).toBe(1000);
    expect(log.detail_logs.at(-1)?.remarks.length).toBe(256);
    expect(saved.at(-1)).toEqual(log);
    expect(log.detail_logs.find((s) => s.status === 99)?.remarks).toBe('task start');
  });

  it('a running step reaches the sink at most every progressIntervalMs; its final counts always do', async () => {
    const saved: TaskMonitorLog[] = [];
    const clock = new ManualClock();
    const r = recorder({ save: async (l) => void saved.push(structuredClone(l)) }, clock, 1000);
    const id = r.beginStep(102, { stage: 'xreader' });
    await r.flush();
    const before = saved.length;
    for (let i = 1; i <= 50; i++) {
      clock.t += 10; // 500 ms in all: less than one interval
      r.updateStep(id, { data_count: i });
    }
    await r.flush();
    expect(saved.length).toBe(before);
    clock.t += 600;
    r.updateStep(id, { data_count: 51 });
    await r.flush();
    expect(saved.length).toBe(before + 1);
    expect(saved.at(-1)?.detail_logs[0]?.data_count).toBe(51);
    r.endStep(id, { data_count: 52 });
    await r.flush();
    expect(saved.at(-1)?.detail_logs[0]?.data_count).toBe(52);
  });

  it('saves are serialised: the sink never receives an older snapshot after a newer one', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const r = recorder({
      save: async (l) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((res) => setTimeout(res, 1));
        seen.push(l.detail_logs.length);
        inFlight--;
      },
    });
    for (let i = 0; i < 20; i++) r.step(102, { stage: 'xreader' });
    await r.finish('SUCCESS', 'ok');
    expect(maxInFlight).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(20);
  });

  it('a failing sink adds one 916 step, keeps trying, and does not change the run status', async () => {
    let fail = true;
    const saved: TaskMonitorLog[] = [];
    const errors: unknown[] = [];
    const r = new MonitorRecorder({
      taskId: 't',
      runId: 'run-recorder-0002',
      dispatchTime: 0,
      taskType: 'REALTIME',
      sink: {
        save: async (l) => {
          if (fail) throw new Error('redis down');
          saved.push(l);
        },
      },
      onSinkError: (e) => errors.push(e),
    });
    r.step(900, { stage: 'adapter' });
    r.step(99, { stage: 'adapter' });
    await r.flush();
    r.step(100, { stage: 'xreader' });
    await r.flush();
    expect(saved).toHaveLength(0);
    fail = false;
    r.step(901, { stage: 'adapter' });
    const log = await r.finish('SUCCESS', 'done');
    expect(errors).toHaveLength(1);
    expect(log.detail_logs.filter((s) => s.status === 916)).toHaveLength(1);
    expect(log.status).toBe(901);
    expect(log.read_spend_time).toBeUndefined();
    expect(saved.at(-1)?.execute_status).toBe('SUCCESS');
  });
});

describe('bounded channel', () => {
  it('send waits while full; close lets the receiver drain; cancel wakes everyone', async () => {
    const ch = new BoundedChannel<number>(2);
    await ch.send(1);
    await ch.send(2);
    let third = false;
    const p = ch.send(3).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 1));
    expect(third).toBe(false);
    expect(await ch.receive()).toEqual({ done: false, value: 1 });
    await p;
    expect(third).toBe(true);
    ch.close();
    expect(await ch.receive()).toEqual({ done: false, value: 2 });
    expect(await ch.receive()).toEqual({ done: false, value: 3 });
    expect(await ch.receive()).toEqual({ done: true, value: undefined });
    await expect(ch.send(4)).rejects.toThrow('channel closed');

    const c2 = new BoundedChannel<number>(1);
    await c2.send(1);
    const blocked = c2.send(2);
    const ac = new AbortController();
    const c3 = new BoundedChannel<number>(1);
    const waiting = c3.receive(ac.signal);
    c2.cancel(new Error('stop'));
    ac.abort(new Error('aborted'));
    await expect(blocked).rejects.toThrow('stop');
    await expect(waiting).rejects.toThrow('aborted');
    expect(() => new BoundedChannel(0)).toThrow(RangeError);
  });
});

describe('dirty limit', () => {
  it('count wins when crossed; ratio only after the sample', () => {
    const rt = { dirtyMaxCount: 3, dirtyMaxRatio: 0.5, dirtyMinSample: 10 };
    expect(dirtyLimitCrossed(rt, 100, 3)).toBeUndefined();
    expect(dirtyLimitCrossed(rt, 100, 4)).toContain('dirtyMaxCount 3');
    expect(dirtyLimitCrossed({ ...rt, dirtyMaxCount: null }, 9, 9)).toBeUndefined();
    expect(dirtyLimitCrossed({ ...rt, dirtyMaxCount: null }, 10, 6)).toContain('dirtyMaxRatio 0.5');
    expect(dirtyLimitCrossed({ ...rt, dirtyMaxCount: null }, 10, 5)).toBeUndefined();
    expect(dirtyLimitCrossed({ dirtyMaxCount: 0, dirtyMaxRatio: null, dirtyMinSample: 0 }, 1, 1)).toContain('dirtyMaxCount 0');
  });
});

describe('file checkpoint store', () => {
  it('keeps checkpoints per task across instances, rewrites atomically, refuses a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fdi-engine-state-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'state.json');
    const a = new FileCheckpointStore(path);
    expect(await a.load('t1')).toBeNull();
    await Promise.all([a.save('t1', { w: 1 }), a.save('t2', { w: 2 }), a.save('t1', { w: 3 })]);
    const b = new FileCheckpointStore(path);
    expect(await b.load('t1')).toEqual({ w: 3 });
    expect(await b.load('t2')).toEqual({ w: 2 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, checkpoints: { t1: { w: 3 }, t2: { w: 2 } } });
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await writeFile(path, '{"version":1,"checkpoints":');
    await expect(b.load('t1')).rejects.toThrow(/state file .*state\.json is not valid JSON/);
    await expect(b.save('t1', { w: 4 })).rejects.toThrow(/not valid JSON/);
    await writeFile(path, '[1,2]');
    await expect(b.load('t1')).rejects.toThrow(/not an fdi state file/);
  });
});
