/**
 * Small connectors and a harness for the engine tests. The connectors go through the SDK contract and the
 * registry, exactly as real connectors do.
 */
import type {
  Checkpoint,
  ConnectorDefinition,
  ReaderContext,
  Reader,
  Row,
  SourceBatch,
  TaskSpec,
  Writer,
  WriterContext,
  WriteResult,
} from '../../connectors/sdk/index.ts';
import { defineConnector, rowBytes } from '../../connectors/sdk/index.ts';
import { ConnectorRegistry } from '../../connectors/registry/index.ts';
import type { DataSourceRecord } from '../../core/datasource.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { TaskMonitorDetailLog, TaskMonitorLog } from '../../core/monitor-log.ts';
import { MemoryCheckpointStore } from '../../worker/checkpoint.ts';
import { MemoryDirtySink, type DirtySink } from '../../worker/dirty.ts';
import { runExecution, type ExecutionDeps, type ExecutionRequest } from '../../worker/execution.ts';
import { MemoryMonitorLogSink } from '../../worker/monitor-sinks.ts';
import { taskSpec, type TaskSpecInput } from '../support/task-spec.ts';

export type Event = string;

export function makeTask(over: TaskSpecInput = {}): TaskSpec {
  return taskSpec({ taskId: 'task-engine-1', taskName: 'engine_test', ...over, runtime: { progressIntervalMs: 0, ...over.runtime } });
}

export interface SourceScript {
  /** Batches to yield, in order; a function is called to produce the batch (may throw or wait). */
  batches: (SourceBatch | ((ctx: ReaderContext<unknown>) => Promise<SourceBatch> | SourceBatch))[] | ((ctx: ReaderContext<unknown>) => AsyncIterable<SourceBatch>);
  openError?: Error;
  finalCheckpoint?: Checkpoint;
  events?: Event[];
  commitError?: Error;
  /** reader.count() for the integrity check; absent: the reader cannot count. */
  count?: () => Promise<number>;
}

export function sourceConnector(script: SourceScript, type = 'memsrc', serves: ('TIMING' | 'REALTIME')[] = ['TIMING', 'REALTIME']): ConnectorDefinition<unknown> {
  const events = script.events ?? [];
  return defineConnector<unknown>({
    type,
    serves: { source: serves, target: [] },
    parseOptions: (content) => content,
    reader(ctx): Reader {
      return {
        async open() {
          events.push('reader.open');
          if (script.openError) throw script.openError;
        },
        batches(): AsyncIterable<SourceBatch> {
          const b = script.batches;
          if (typeof b === 'function') return b(ctx);
          return (async function* () {
            for (const item of b) {
              const batch = typeof item === 'function' ? await item(ctx) : item;
              events.push(`read:${batch.records.length}`);
              yield batch;
            }
          })();
        },
        async commit(cp) {
          events.push(`commit:${JSON.stringify(cp)}`);
          if (script.commitError) throw script.commitError;
        },
        finalCheckpoint: () => script.finalCheckpoint,
        ...(script.count ? { count: script.count } : {}),
        async close() {
          events.push('reader.close');
        },
      };
    },
  });
}

export interface TargetScript {
  openError?: Error;
  /** Per record: a reason to reject it, or undefined. */
  reject?: (row: Row, index: number) => string | undefined;
  /** Called before each write; may wait or throw. */
  beforeWrite?: (rows: Row[], ctx: WriterContext<unknown>, call: number) => Promise<void> | void;
  flushError?: (call: number) => Error | undefined;
  finishError?: Error;
  events?: Event[];
  /** Rows the writer accepted (after flush they are "durable"). */
  written?: Row[];
  /** The writer publishes only in finish (a temporary file). */
  durableOnlyAfterFinish?: boolean;
  /** Given: the writer has `prepare`, which calls this (and logs `prepare:<rows>`). */
  prepare?: (rows: Row[]) => void;
  /** The writer has `connect` (logs `writer.connect`). */
  connects?: boolean;
}

export function targetConnector(script: TargetScript, type = 'memdst'): ConnectorDefinition<unknown> {
  const events = script.events ?? [];
  const written = script.written ?? [];
  return defineConnector<unknown>({
    type,
    serves: { source: [], target: ['TIMING', 'REALTIME'] },
    parseOptions: (content) => content,
    writer(ctx): Writer {
      let calls = 0;
      let flushes = 0;
      return {
        ...(script.durableOnlyAfterFinish ? { durableOnlyAfterFinish: true } : {}),
        ...(script.connects ? { connect: () => void events.push('writer.connect') } : {}),
        ...(script.prepare
          ? {
              prepare(rows: Row[]) {
                events.push(`prepare:${rows.length}`);
                script.prepare?.(rows);
              },
            }
          : {}),
        async open() {
          events.push('writer.open');
          if (script.openError) throw script.openError;
        },
        async write(rows: Row[]): Promise<WriteResult> {
          calls++;
          await script.beforeWrite?.(rows, ctx, calls);
          const rejected: WriteResult['rejected'] = [];
          rows.forEach((row, index) => {
            const reason = script.reject?.(row, index);
            if (reason) rejected.push({ index, reason, column: 'id' });
            else written.push(row);
          });
          events.push(`write:${rows.length - rejected.length}`);
          return { rejected };
        },
        async flush() {
          flushes++;
          const err = script.flushError?.(flushes);
          events.push('flush');
          if (err) throw err;
        },
        async finish() {
          events.push('writer.finish');
          if (script.finishError) throw script.finishError;
        },
        async close() {
          events.push('writer.close');
        },
      };
    },
  });
}

export function datasource(id: string, type: string, content: DataSourceRecord['content'] = {}): DataSourceRecord {
  return { datasource_id: id, datasource_name: id, datasource_type: type.toUpperCase(), content };
}

export interface Harness {
  registry: ConnectorRegistry;
  monitor: MemoryMonitorLogSink;
  checkpoints: MemoryCheckpointStore;
  dirty: MemoryDirtySink;
  datasources: Map<string, DataSourceRecord>;
  run(task: TaskSpec, req?: Omit<ExecutionRequest, 'task'>, dirtySink?: DirtySink, deps?: Pick<ExecutionDeps, 'onCounts'>): Promise<TaskMonitorLog>;
}

export function harness(defs: ConnectorDefinition<unknown>[], datasources?: DataSourceRecord[]): Harness {
  const registry = new ConnectorRegistry();
  for (const d of defs) registry.register(d);
  const h: Harness = {
    registry,
    monitor: new MemoryMonitorLogSink(),
    checkpoints: new MemoryCheckpointStore(),
    dirty: new MemoryDirtySink(),
    datasources: new Map((datasources ?? [datasource('src', 'memsrc'), datasource('dst', 'memdst')]).map((d) => [d.datasource_id, d])),
    run(task, req = {}, dirtySink, deps = {}) {
      return runExecution(
        { task, ...req },
        {
          registry,
          resolveDatasource: async (id) => {
            const ds = h.datasources.get(id);
            if (!ds) throw new FdiError('FDI.3147', `(${id})`, 'datasource_id');
            return ds;
          },
          checkpoints: h.checkpoints,
          monitorSink: h.monitor,
          dirtySink: dirtySink ?? h.dirty,
          ...deps,
        },
      );
    },
  };
  return h;
}

export function rows(from: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: from + i, name: `row-${from + i}` }));
}

export function batch(from: number, count: number, checkpoint?: Checkpoint): SourceBatch {
  const records = rows(from, count);
  const b: SourceBatch = { records, bytes: records.reduce((n, r) => n + rowBytes(r), 0) };
  if (checkpoint !== undefined) b.checkpoint = checkpoint;
  return b;
}

export function codes(log: TaskMonitorLog): number[] {
  return log.detail_logs.map((s) => s.status);
}

export function stepOf(log: TaskMonitorLog, code: number): TaskMonitorDetailLog {
  const s = log.detail_logs.find((d) => d.status === code);
  if (!s) throw new Error(`no step ${code} in ${codes(log).join(',')}`);
  return s;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
