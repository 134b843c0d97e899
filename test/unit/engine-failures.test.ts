import { describe, expect, it } from 'vitest';
import { OptionsError, TaskConfigError, defineConnector, type Row } from '../../connectors/sdk/index.ts';
import type { MonitorLogSink, TaskMonitorLog } from '../../core/monitor-log.ts';
import type { DirtySink } from '../../worker/dirty.ts';
import { batch, codes, datasource, harness, makeTask, sourceConnector, stepOf, targetConnector, type Event } from './engine-fixtures.ts';
import { MemoryCheckpointStore } from '../../worker/checkpoint.ts';
import { MemoryDirtySink } from '../../worker/dirty.ts';
import { runExecution } from '../../worker/execution.ts';
import { ConnectorRegistry } from '../../connectors/registry/index.ts';

describe('engine: failures', () => {
  it('reader open failure → 911 with the driver message in remarks, ERROR, no writer steps', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2)], openError: new Error('connect ECONNREFUSED 127.0.0.1:1'), events }),
      targetConnector({ events }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(codes(log)).toEqual([900, 99, 100, 911]);
    expect(log.status).toBe(911);
    expect(log.position).toBe('READER');
    expect(log.position_status).toBe('RUNTIME_ERR');
    expect(stepOf(log, 911).remarks).toContain('ECONNREFUSED 127.0.0.1:1');
    expect(log.remarks).toContain('ECONNREFUSED');
    expect(events).toEqual(['reader.open', 'reader.close']);
  });

  it('unknown source data source → 911 with FDI.3147', async () => {
    const h = harness([sourceConnector({ batches: [] }), targetConnector({})]);
    const log = await h.run(makeTask({ sourceDatasourceId: 'nope' }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(911);
    expect(stepOf(log, 911).remarks).toContain('FDI.3147');
  });

  it('no connector for the type → 911 with FDI.3443 naming the type', async () => {
    const h = harness([sourceConnector({ batches: [] }), targetConnector({})], [datasource('src', 'ORACLE'), datasource('dst', 'memdst')]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(911);
    expect(stepOf(log, 911).remarks).toMatch(/FDI\.3443.*ORACLE/);
  });

  it('a connector that does not serve the task type → 911 with FDI.3059', async () => {
    const h = harness([sourceConnector({ batches: [] }, 'memsrc', ['TIMING']), targetConnector({})]);
    const log = await h.run(makeTask({ taskType: 'REALTIME' }));
    expect(log.status).toBe(911);
    expect(stepOf(log, 911).remarks).toContain('FDI.3059');
  });

  it('bad data-source options → 911 with FDI.3033 naming the field', async () => {
    const src = defineConnector<unknown>({
      ...sourceConnector({ batches: [] }),
      parseOptions: () => {
        throw new OptionsError('host', 'is required');
      },
    });
    const h = harness([src, targetConnector({})]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(911);
    expect(stepOf(log, 911).remarks).toBe('FDI.3033 Invalid parameter [content.host]: is required');
  });

  it('a TaskConfigError from the reader factory → 911 naming the field', async () => {
    const src = defineConnector<unknown>({
      ...sourceConnector({ batches: [] }),
      reader: () => {
        throw new TaskConfigError('sourceTable', 'does not exist');
      },
    });
    const h = harness([src, targetConnector({})]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(911);
    expect(stepOf(log, 911).remarks).toContain('[sourceTable]: does not exist');
  });

  it('writer open failure → 912 with the message, and nothing committed', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 })], events }),
      targetConnector({ openError: new Error('Access denied for user app'), events }),
    ]);
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(912);
    expect(log.position).toBe('WRITER');
    expect(stepOf(log, 912).remarks).toContain('Access denied for user app');
    expect(events.some((e) => e.startsWith('commit'))).toBe(false);
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
    expect(events).toContain('reader.close');
    expect(events).toContain('writer.close');
    expect(events).not.toContain('writer.finish');
  });

  it('unknown target data source → 912 with FDI.3147', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 1)] }), targetConnector({})]);
    const log = await h.run(makeTask({ targetDatasourceId: 'gone' }));
    expect(codes(log)).toEqual([900, 99, 912]);
    expect(stepOf(log, 912).remarks).toContain('FDI.3147');
  });

  it('reader throws mid-run → 103; rows read before it are written; checkpoint store not advanced', async () => {
    const events: Event[] = [];
    const written: Row[] = [];
    const h = harness([
      sourceConnector({
        batches: [
          batch(1, 3, { n: 1 }),
          batch(4, 3, { n: 2 }),
          () => {
            throw new Error('Lost connection to MySQL server during query');
          },
        ],
        finalCheckpoint: { n: 99 },
        events,
      }),
      targetConnector({ written, events }),
    ]);
    await h.checkpoints.save('task-engine-1', { n: 0 });
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(103);
    expect(log.position).toBe('READER');
    expect(stepOf(log, 103).remarks).toContain('Lost connection');
    expect(written.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.data_count).toBe(6);
    // The batches that were written were committed to the reader in order, never past them…
    expect(events.filter((e) => e.startsWith('commit'))).toEqual(['commit:{"n":1}', 'commit:{"n":2}']);
    // …and the stored checkpoint stays where it was: a failed run never saves the final checkpoint.
    expect(await h.checkpoints.load('task-engine-1')).toEqual({ n: 0 });
    expect(events).not.toContain('writer.finish');
    expect(codes(log)).not.toContain(104);
    expect(codes(log)).not.toContain(901);
  });

  it('writer throws → 503 with the message; the reader is stopped and closed', async () => {
    const events: Event[] = [];
    let readerCalls = 0;
    const h = harness([
      sourceConnector({
        batches: async function* () {
          for (let i = 0; ; i++) {
            readerCalls++;
            yield batch(i * 10, 10, { i });
          }
        },
        events,
      }),
      targetConnector({
        events,
        beforeWrite: (_rows, _ctx, call) => {
          if (call === 3) throw new Error('duplicate key value violates unique constraint "pk"');
        },
      }),
    ]);
    const log = await h.run(makeTask({ runtime: { channelCapacity: 2 } }));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(503);
    expect(log.position).toBe('WRITER');
    expect(stepOf(log, 503).remarks).toContain('violates unique constraint');
    expect(log.data_count).toBe(20);
    expect(events.filter((e) => e.startsWith('commit'))).toEqual(['commit:{"i":0}', 'commit:{"i":1}']);
    expect(events).toContain('reader.close');
    expect(events).toContain('writer.close');
    expect(readerCalls).toBeLessThan(10);
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('flush failure → 503 and the batch is not committed', async () => {
    const events: Event[] = [];
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 }), batch(3, 2, { n: 2 })], events }),
      targetConnector({ events, flushError: (n) => (n === 2 ? new Error('COMMIT failed: disk full') : undefined) }),
    ]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(503);
    expect(stepOf(log, 503).remarks).toContain('disk full');
    expect(events.filter((e) => e.startsWith('commit'))).toEqual(['commit:{"n":1}']);
  });

  it('writer.finish failure → 503, checkpoint not saved', async () => {
    const h = harness([
      sourceConnector({ batches: [batch(1, 2, { n: 1 })] }),
      targetConnector({ finishError: new Error('rename failed: EACCES') }),
    ]);
    const log = await h.run(makeTask());
    expect(log.status).toBe(503);
    expect(log.execute_status).toBe('ERROR');
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('a writer that returns an invalid rejected index → 503 naming it', async () => {
    const h = harness([
      sourceConnector({ batches: [batch(1, 2)] }),
      targetConnector({ reject: (_r, i) => (i === 0 ? 'x' : undefined) }),
    ]);
    // Wrap the writer so it reports index 7 in a batch of 2.
    const def = h.registry.get('memdst');
    const bad = defineConnector<unknown>({
      ...def!,
      type: 'baddst',
      writer: (ctx) => {
        const w = def!.writer!(ctx);
        return { ...w, write: async (rows) => ({ rejected: [{ index: 7, reason: 'nope' }], ...(await w.write(rows), {}) }) };
      },
    });
    h.registry.register(bad);
    h.datasources.set('dst', datasource('dst', 'baddst'));
    const log = await h.run(makeTask());
    expect(log.status).toBe(503);
    expect(stepOf(log, 503).remarks).toContain('invalid record index 7');
  });

  it('a dirty sink that fails ends the run ERROR (no dirty record is lost silently)', async () => {
    const failing: DirtySink = {
      write: async () => {
        throw new Error('EROFS: read-only file system');
      },
      close: async () => {},
    };
    const h = harness([
      sourceConnector({ batches: [batch(1, 3, { n: 1 })] }),
      targetConnector({ reject: (r) => (r.id === 2 ? 'too long' : undefined) }),
    ]);
    const log = await h.run(makeTask(), {}, failing);
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(503);
    expect(log.remarks).toContain('dirty records could not be kept');
    expect(log.remarks).toContain('EROFS');
    expect(await h.checkpoints.load('task-engine-1')).toBeNull();
  });

  it('a failing checkpoint store → 915 with the reason, ERROR', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 1, { n: 1 })] }), targetConnector({})]);
    h.checkpoints.save = async () => {
      throw new Error('READONLY You can\'t write against a read only replica.');
    };
    const log = await h.run(makeTask());
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(915);
    expect(log.remarks).toContain('checkpoint could not be saved');
  });

  it('monitor sink failures → one 916 step, the run goes on and ends SUCCESS', async () => {
    let calls = 0;
    const saved: TaskMonitorLog[] = [];
    const flaky: MonitorLogSink = {
      async save(log) {
        calls++;
        if (calls <= 3) throw new Error('ECONNRESET redis');
        saved.push(structuredClone(log));
      },
    };
    const events: Event[] = [];
    const registry = new ConnectorRegistry();
    registry.register(sourceConnector({ batches: [batch(1, 2, { n: 1 }), batch(3, 2, { n: 2 })], events }));
    registry.register(targetConnector({ events }));
    const ds = new Map([datasource('src', 'memsrc'), datasource('dst', 'memdst')].map((d) => [d.datasource_id, d]));
    const log = await runExecution(
      { task: makeTask() },
      {
        registry,
        resolveDatasource: async (id) => ds.get(id)!,
        checkpoints: new MemoryCheckpointStore(),
        monitorSink: flaky,
        dirtySink: new MemoryDirtySink(),
      },
    );
    expect(log.execute_status).toBe('SUCCESS');
    expect(log.data_count).toBe(4);
    expect(codes(log).filter((c) => c === 916)).toHaveLength(1);
    expect(stepOf(log, 916).remarks).toContain('ECONNRESET');
    expect(stepOf(log, 916).position_status).toBe('INTERNAL_ERR');
    // The run's own state is its latest pipeline step, not the 916 note.
    expect(log.status).toBe(901);
    // Later saves were retried and the final log reached the sink.
    expect(saved.at(-1)?.execute_status).toBe('SUCCESS');
    expect(saved.at(-1)?.detail_logs.some((s) => s.status === 916)).toBe(true);
  });
});
