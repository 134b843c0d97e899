/**
 * Connectors for the integrity-check tests: a table source that counts and re-reads its window, and a keyed
 * target that can be made to lose rows (drop a batch it acknowledged, lose rows "deleted" mid-run).
 */
import type { ConnectorDefinition, Reader, Row, SourceBatch, TargetKeyLookup, WriteResult, Writer } from '../../connectors/sdk/index.ts';
import { defineConnector, rowBytes } from '../../connectors/sdk/index.ts';
import type { TaskSpec } from '../../core/task-spec.ts';
import { makeTask } from './engine-fixtures.ts';

export interface TableSourceScript {
  rows: Row[];
  /** What count() answers (default: rows.length); a function may throw. */
  count?: number | (() => Promise<number>);
  /** Rows the first read skips (they are in the window; the reader misses them, as a late row would be). */
  skipOnFirstRead?: (row: Row) => boolean;
  canCount?: boolean;
  canReread?: boolean;
  /** Called before each re-read batch (may wait). */
  beforeRereadBatch?: (n: number) => Promise<void> | void;
  rereads?: { n: number };
}

export function tableSource(script: TableSourceScript, type = 'memsrc'): ConnectorDefinition<unknown> {
  return defineConnector<unknown>({
    type,
    serves: { source: ['TIMING'], target: [] },
    parseOptions: (content) => content,
    reader(ctx): Reader {
      const size = ctx.task.runtime.batchSize;
      async function* read(rows: Row[], before?: (n: number) => Promise<void> | void): AsyncIterable<SourceBatch> {
        for (let i = 0, n = 0; i < rows.length; i += size, n++) {
          await before?.(n);
          // copies: the engine and the target must never share objects with the "table"
          const records = rows.slice(i, i + size).map((r) => ({ ...r }));
          yield { records, bytes: records.reduce((b, r) => b + rowBytes(r), 0), checkpoint: { upTo: Number(records.at(-1)?.['id'] ?? 0) } };
        }
      }
      const reader: Reader = {
        async open() {},
        batches: () => read(script.skipOnFirstRead ? script.rows.filter((r) => !script.skipOnFirstRead?.(r)) : script.rows),
        async close() {},
      };
      if (script.canCount !== false) {
        reader.count = async () => (typeof script.count === 'function' ? script.count() : (script.count ?? script.rows.length));
      }
      if (script.canReread !== false) {
        reader.rereadWindow = () => {
          if (script.rereads) script.rereads.n++;
          return read(script.rows, script.beforeRereadBatch);
        };
      }
      return reader;
    },
  });
}

export interface KeyedTargetScript {
  /** The target's rows by id. */
  table: Map<string, Row>;
  /** Acknowledge the write but keep nothing (call counts from 1, compensation writes included). */
  drop?: (rows: Row[], call: number) => boolean;
  /** Rows acknowledged but never kept, however often they are written. */
  loses?: (row: Row) => boolean;
  /** Per row: a reason to refuse it. `compensating` is true for writes after the run's main pass. */
  reject?: (row: Row, compensating: boolean) => string | undefined;
  /** Called before each write. */
  beforeWrite?: (rows: Row[], call: number) => Promise<void> | void;
  /** Fail the key lookup. */
  lookupError?: Error;
  canLookup?: boolean;
  /** Set by the test when the main pass is over (the check's writes are compensations). */
  phase?: { compensating: boolean };
}

export function keyedTarget(script: KeyedTargetScript, type = 'memdst'): ConnectorDefinition<unknown> {
  return defineConnector<unknown>({
    type,
    serves: { source: [], target: ['TIMING'] },
    parseOptions: (content) => content,
    writer(): Writer {
      let calls = 0;
      const lookup: TargetKeyLookup = {
        keyOf: (row) => (row['id'] === null || row['id'] === undefined ? null : String(row['id'])),
        async absent(rows) {
          if (script.lookupError) throw script.lookupError;
          const out: number[] = [];
          rows.forEach((row, i) => {
            const key = lookup.keyOf(row);
            if (key !== null && !script.table.has(key)) out.push(i);
          });
          return out;
        },
      };
      const writer: Writer = {
        async open() {},
        async write(rows): Promise<WriteResult> {
          calls++;
          await script.beforeWrite?.(rows, calls);
          const rejected: WriteResult['rejected'] = [];
          const dropped = script.drop?.(rows, calls) ?? false;
          rows.forEach((row, index) => {
            const reason = script.reject?.(row, script.phase?.compensating ?? false);
            if (reason) rejected.push({ index, reason, column: 'id' });
            else if (!dropped && !script.loses?.(row)) script.table.set(String(row['id']), { ...row });
          });
          return { rejected };
        },
        async flush() {},
        async close() {},
      };
      if (script.canLookup !== false) writer.keyLookup = () => lookup;
      return writer;
    },
  });
}

export function tableRows(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `row-${i + 1}` }));
}

/** A task whose task_detail sets runtime.integrity_check (as a user would). */
export function checkedTask(over: { integrityCheck?: boolean; batchSize?: number; dirtyMaxCount?: number | null } = {}): TaskSpec {
  const on = over.integrityCheck ?? true;
  return makeTask({
    runtime: { integrityCheck: on, batchSize: over.batchSize ?? 10, dirtyMaxCount: over.dirtyMaxCount ?? null },
    rawDetail: { runtime: { integrity_check: on } },
  });
}
